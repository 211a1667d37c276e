"""Catalogue tooling: find every user-facing string, and check a language has them all.

    python3 -m wizard.i18n_catalog extract ja   # add new strings (empty) to wizard/locale/ja.json, drop stale ones
    python3 -m wizard.i18n_catalog check ja     # exit 1 if a string is missing or its placeholders differ

Strings are found in the source: the first argument of `_()` and of `N_()` when it is a literal.
"""
from __future__ import annotations

import ast
import json
import string
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def messages() -> dict[str, str]:
    """msgid -> the first place it is used."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def catalogue_path(language: str) -> Path:
    return PACKAGE / "locale" / f"{language}.json"


def check(language: str, path: Path | None = None) -> list[str]:
    """Problems with a catalogue: missing entries, empty ones, placeholders that differ."""
    path = path or catalogue_path(language)
    catalogue = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    problems = []
    for msgid, where in messages().items():
        translated = catalogue.get(msgid)
        if not translated:
            problems.append(f"{where}: no {language} entry for {msgid!r}")
        elif placeholders(translated) != placeholders(msgid):
            problems.append(f"{where}: placeholders differ in {language}: {sorted(placeholders(msgid))} vs "
                            f"{sorted(placeholders(translated))} for {msgid!r}")
    known = messages()
    problems += [f"{path.name}: stale entry (no longer in the code; extract drops it): {msgid!r}"
                 for msgid in catalogue if msgid not in known]
    return problems


def extract(language: str) -> int:
    """Add the code's new strings (empty) and drop the ones the code no longer has."""
    path = catalogue_path(language)
    catalogue = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    known = messages()
    catalogue = {msgid: text for msgid, text in catalogue.items() if msgid in known}
    added = 0
    for msgid in known:
        if msgid not in catalogue:
            catalogue[msgid] = ""
            added += 1
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(catalogue, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return added


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("extract", "check"):
        print(__doc__.strip())
        return 2
    command, language = argv
    if command == "extract":
        print(f"{extract(language)} new string(s) in {catalogue_path(language)}")
        return 0
    problems = check(language)
    for problem in problems:
        print(problem)
    print(f"{len(messages())} strings, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

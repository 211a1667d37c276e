"""The one translation function for every user-facing string.

Write messages in English with named placeholders (literal braces doubled: {{ }}) and pass them
through `_()` when they are shown:

    _("Cannot read {path}: {reason}", path=p, reason=r)

Strings defined before the language is known (tables, constants) are marked with `N_()` and
translated with `_()` where they are shown. The English text is the catalogue key, so a missing
translation falls back to readable English. Catalogues live in wizard/locale/<lang>.json;
`python3 -m wizard.i18n_catalog check` proves every string has an entry with the same placeholders.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources

LANGUAGES = ("en", "ja")
CATALOGUES: dict[str, dict[str, str]] = {"en": {}}
_language = "en"


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet."""
    return message


def load_catalogue(language: str) -> dict[str, str]:
    if language not in CATALOGUES:
        try:
            text = resources.files("wizard").joinpath(f"locale/{language}.json").read_text(encoding="utf-8")
            CATALOGUES[language] = json.loads(text)
        except (OSError, ValueError):
            CATALOGUES[language] = {}
    return CATALOGUES[language]


def set_language(language: str) -> None:
    global _language
    _language = language if language in LANGUAGES else "en"
    load_catalogue(_language)


def current_language() -> str:
    return _language


def choose_language(requested: str | None, environ: Mapping[str, str], encoding: str | None) -> tuple[str, str | None]:
    """--lang, else LC_ALL / LC_MESSAGES / LANG, else English; Japanese needs a UTF-8 terminal.
    Returns (language, a one-line notice or None)."""
    language = requested
    if not language:
        for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
            value = environ.get(name)
            if value:
                language = "ja" if value.lower().startswith("ja") else "en"
                break
    language = language if language in LANGUAGES else "en"
    if language == "ja" and (encoding or "").lower().replace("-", "") not in ("utf8",):
        return "en", "acme-wizard: the terminal is not UTF-8, so English is used (set LANG=ja_JP.UTF-8 for Japanese)"
    return language, None


def _(message: str, /, **params: object) -> str:
    text = CATALOGUES.get(_language, {}).get(message) or message      # an empty entry is not translated yet
    return text.format(**params)          # always: literal braces are written {{ }} in every message


def listing(items: Iterable[str]) -> str:
    """Items as a run-in list: "a, b, c"; in Japanese "a、b、c" (its own list comma, no space)."""
    return ("、" if _language == "ja" else ", ").join(items)


def full_stop(text: str) -> str:
    """The text ended as a sentence: "." in English, "。" in Japanese."""
    return text + ("。" if _language == "ja" else ".")


def sentences(*parts: str) -> str:
    """Sentences as one text: a space between them, none after a full-width stop (。 ends a Japanese
    sentence without one)."""
    text = ""
    for part in filter(None, parts):
        text += part if not text or text.endswith(("。", "！", "？", "）", "」")) else " " + part
    return text

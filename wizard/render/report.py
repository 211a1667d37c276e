"""The report document as Markdown, print-ready standalone HTML, or plain text at 80 columns.

All three read the same sections in the same order; page one (title, facts, verdict, what
happens next) is written for a non-specialist, the rest for the next admin.
"""
from __future__ import annotations

import html
import shlex
from typing import Any

from wizard.core import textsafe
from wizard.core.analyse.findings import SEVERITY_NAMES
from wizard.i18n import N_, _, current_language, listing
from wizard.render.findings import finding_view
from wizard.render.verify import SUMMARY_ROWS, check_line
from wizard.render.width import cells, clip, pad, wrap
from wizard.render.words import risk_word, status_word

MODES = {"assessment": N_("assessment (nothing was changed)"), "preview": N_("preview (nothing was changed)"),
         "applied": N_("remediation record (changes were applied)"),
         "rehearsal": N_("demo rehearsal (a throwaway copy of the demo host, stand-in programs; no real server)")}


def _facts(doc: dict[str, Any]) -> list[tuple[str, str]]:
    target = doc["target"]
    where = target.get("host") or doc["host"] or target["root"]
    return [(_("Host"), where), (_("Date"), _local_date(doc["generated"])),
            (_("Tool"), f"acme-wizard {doc['tool_version']}"), (_("Mode"), _(MODES[doc["mode"]])),
            (_("Certbot config"), target["config_dir"]), (_("Certbot logs"), target["logs_dir"])]


def _counts(doc: dict[str, Any]) -> str:
    counts = listing(f"{n} {_(SEVERITY_NAMES[severity])}" for severity, n in doc["finding_counts"].items() if n)
    return _("Findings: {counts}.", counts=counts or _("none"))


def _local_date(stamp: str) -> str:
    """The report's own date in the reader's language (evidence keeps the logs' own timestamps)."""
    day, _sep, time = stamp.rstrip("Z").partition("T")
    if current_language() == "ja":
        year, month, date = day.split("-")
        return f"{int(year)}年{int(month)}月{int(date)}日 {time[:5]} UTC"
    return f"{day} {time} UTC"


def _client_rows(doc: dict[str, Any]) -> list[list[str]]:
    rows = []
    for client in doc["environment"]["clients"]:
        scheduled = ", ".join(f"{s['source']}:{s['line']}" for s in client["scheduled"]) or "-"
        rows.append([f"{client['kind']} {client['version'] or '?'}", client["install_method"],
                     (client["python_version"] or "?") if client["kind"] == "certbot" else "-", client["path"],
                     (_("renews") + "; " if client["renews"] else "") + scheduled])
    return rows


def _os_line(doc: dict[str, Any]) -> str:
    os_info = doc["environment"]["os"]
    text = str(os_info["pretty_name"])
    if os_info.get("eol"):
        text += " — " + _("end of life since {date}", date=os_info.get("eol_date"))
    return text


def _step_commands(step: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, text) for each action: command lines and diffs."""
    out = []
    for action in step.get("actions", []):
        if action.get("argv"):
            out.append(("command", "$ " + shlex.join(action["argv"])))
        if action.get("diff"):
            out.append(("diff", action["diff"].rstrip("\n")))
        if action.get("paths"):
            out.append(("paths", ", ".join(action["paths"])))
    return out


# --- Markdown --------------------------------------------------------------------------------------

def render_markdown(doc: dict[str, Any]) -> str:
    out: list[str] = []
    add = out.append
    add(f"# {_('ACME remediation report')}: {_facts(doc)[0][1]}")
    add("")
    for label, value in _facts(doc):
        add(f"- **{label}:** {_md(value)}")
    add("")
    add(f"## {_('Verdict')}")
    add("")
    add(f"**{_md(doc['verdict']['line'])}**")
    add("")
    add(_md(doc["verdict"]["explanation"]))
    add("")
    add(_md(_counts(doc)))
    add("")
    add(f"### {_('What happens next')}")
    add("")
    for step in doc["next_steps"]:
        for kind, text in prose_and_commands(step):
            add(f"- {_md(text)}" if kind == "prose" else f"  {_md_code(text)}")
    add("")
    add(f"## {_('Environment')}")
    add("")
    add(f"**{_('Operating system')}:** {_md(_os_line(doc))}")
    add("")
    add(md_table([_("Client"), _("Installed by"), _("Python"), _("Path"), _("Schedule")], _client_rows(doc)))
    add("")
    add(f"## {_('Findings')}")
    add("")
    for finding in map(finding_view, doc["findings"]):
        add(f"### {finding.label} {finding.id}: {_md(finding.title)}")
        add("")
        add(_md(finding.detail))
        add("")
        for where, text in finding.evidence:
            add(f"- `{where}`" + (f" — `{_code(text)}`" if text else ""))
        add("")
        add(f"*{_('Fix')}:* {_md(finding.fix)}")
        add("")
    if doc["plan"]:
        add(f"## {_('Plan')}")
        add("")
        for number, step in enumerate(doc["plan"]["steps"], 1):
            add(f"{number}. **{_md(step['title'])}** ({_('risk')} {risk_word(step['risk'])}; "
                f"{_('undo')}: {_md(step['undo'])})")
            for kind, text in _step_commands(step):
                fence = "diff" if kind == "diff" else ("sh" if kind == "command" else "")
                add("")
                add(f"   ```{fence}")
                out += ["   " + line for line in text.splitlines()]
                add("   ```")
            add("")
    if doc["run"]:
        run = doc["run"]
        add(f"## {_('What was done')}: {_('run')} {run['id']} ({status_word(run['status'])})")
        add("")
        add(md_table(_run_columns(), _run_rows(run)))
        add("")
        for step in run["steps"]:
            if step["output"]:
                add(f"**{_md(step['id'])}** {_('output (last lines)')}:")
                add("")
                add("```")
                out += step["output"]
                add("```")
                add("")
        add(f"### {_('Backups and rollback')}")
        add("")
        add(f"- {_('Backed up')}: {', '.join(run['backup']['paths'])} ({run['backup']['files']} {_('files')})")
        add(f"- {_('Archives')}: {', '.join(run['backup']['tarballs'])}")
        add(f"- {_('Manifest')}: `{run['backup']['manifest']}` (sha256 `{run['backup']['manifest_sha256']}`)")
        add(f"- {_('Roll back with')}: " + (_md_code(run["rollback_command"]) if run["rollback_command"]
                                            else _no_rollback()))
        add("")
    if doc["verification"]:
        add(_md_verification(doc["verification"]))
    add(f"## {_('Remaining risks and next steps')}")
    add("")
    for risk in doc["risks"]:
        add(f"- **{_md(risk['title'])}:** {_md(risk['text'])}")
    add("")
    return "\n".join(out)


def _md_verification(verification: dict[str, Any]) -> str:
    out = [f"## {_('Verification')}: " + (_("passed") if verification["passed"] else _("failed")), ""]
    for check in verification["checks"]:
        out.append(f"- {_md(check_line(check['passed'], check['text']))}")
    out.append("")
    out.append(md_table(["", _("before"), _("after")], _summary_rows(verification)))
    test = verification.get("test_renewal") or {}
    if test.get("argv"):
        command = _md_code(shlex.join(test["argv"]))
        out += ["", f"{_('Test renewal')}: {command} → {_('exit')} {test.get('exit_code')}", ""]
    return "\n".join(out) + "\n"


def _summary_rows(verification: dict[str, Any]) -> list[list[str]]:
    """The state before the apply and after the verification, row by row."""
    before, after = verification.get("summary_before") or {}, verification.get("summary_after") or {}
    return [[_(label), str(before.get(key, "-")), str(after.get(key, "-"))] for key, label in SUMMARY_ROWS]


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")


def _md_code(command: str) -> str:
    """A command as a code span, verbatim (a command with a backtick gets a longer fence)."""
    fence = "``" if "`" in command else "`"
    return f"{fence}{command}{fence}" if fence == "`" else f"{fence} {command} {fence}"


def prose_and_commands(text: str) -> list[tuple[str, str]]:
    """A next step: its sentence ("prose"), then the commands on lines of their own, in backticks."""
    parts = []
    for line in str(text).split("\n"):
        if len(line) > 1 and line.startswith("`") and line.endswith("`"):
            parts.append(("command", line[1:-1]))
        elif line:
            parts.append(("prose", line))
    return parts


def _code(text: str) -> str:
    return " ".join(str(text).split()).replace("`", "'")[:200]


def _no_rollback() -> str:
    return _("nothing to roll back: the demo's copy is thrown away when the wizard ends")


def _run_columns() -> list[str]:
    return [_("Step"), _("Status"), _("Started"), _("Ended"), _("Exit")]


def _run_rows(run: dict[str, Any]) -> list[list[str]]:
    """A run's steps as table rows: title, status (in words), start, end, exit code."""
    return [[s["title"], status_word(s["status"]), s["started"] or "", s["ended"] or "", str(s["exit_code"] or "")]
            for s in run["steps"]]


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- plain text -----------------------------------------------------------------------------------

def render_text(doc: dict[str, Any], width: int = 80) -> str:
    out: list[str] = []

    def para(text: str, indent: int = 0, hanging: int | None = None) -> None:
        out.extend(wrap(str(text), width, " " * indent, " " * (indent if hanging is None else hanging),
                        break_long=True))

    def heading(text: str) -> None:
        out.extend(["", text.upper() if text.isascii() else text, "=" * min(width, max(cells(text), 8)), ""])

    title = f"{_('ACME remediation report')}: {_facts(doc)[0][1]}"
    para(title)
    out.append("=" * min(width, len(title)))
    for label, value in _facts(doc):
        para(f"{pad(label + ':', 16)}{value}", 0, 16)
    heading(_("Verdict"))
    para(doc["verdict"]["line"])
    para(doc["verdict"]["explanation"])
    para(_counts(doc))
    out.append("")
    out.append(_("What happens next") + ":")
    for step in doc["next_steps"]:
        for kind, text in prose_and_commands(step):
            if kind == "prose":
                para("- " + text, 2, 4)
            else:
                out.append("    " + text)             # never wrapped or cut: it is pasted as one line
    heading(_("Environment"))
    para(f"{_('Operating system')}: {_os_line(doc)}")
    for row in _client_rows(doc):
        para(f"- {row[0]} ({row[1]}, Python {row[2]}): {row[3]}; {row[4]}", 0, 2)
    heading(_("Findings"))
    for finding in map(finding_view, doc["findings"]):
        para(f"[{finding.label}] {finding.id} {finding.title}", 0, 2)
        para(finding.detail, 2)
        for where, text in finding.evidence:
            para(f"{_('at')} {where}" + (f"  {_code(text)}" if text else ""), 2, 5)
        para(f"{_('Fix')}: {finding.fix}", 2, 7)
        out.append("")
    if doc["plan"]:
        heading(_("Plan"))
        for number, step in enumerate(doc["plan"]["steps"], 1):
            para(f"{number}. {step['title']} ({_('risk')} {risk_word(step['risk'])})", 0, 3)
            for kind, text in _step_commands(step):
                for line in text.splitlines():
                    out.append("     " + (line if kind == "command" else clip(line, width - 5)))
            para(f"{_('undo')}: {step['undo']}", 3, 5)
    if doc["run"]:
        run = doc["run"]
        heading(f"{_('What was done')}: {run['id']} ({status_word(run['status'])})")
        for step in run["steps"]:
            exit_code = f" ({_('exit')} {step['exit_code']})" if step["exit_code"] else ""
            para(f"- {step['title']}: {status_word(step['status'])}{exit_code} "
                 f"[{step['started'] or ''} – {step['ended'] or ''}]", 0, 2)
            for line in step["output"]:
                out.append("    | " + clip(line, width - 6))
        out.append("")
        para(f"{_('Backed up')}: {', '.join(run['backup']['paths'])} ({run['backup']['files']} {_('files')})")
        para(f"{_('Manifest')}: {run['backup']['manifest']} sha256 {run['backup']['manifest_sha256']}", 0, 2)
        para(f"{_('Roll back with')}:")
        out.append("  " + (run["rollback_command"] or _no_rollback()))
    if doc["verification"]:
        verification = doc["verification"]
        heading(_("Verification") + ": " + (_("passed") if verification["passed"] else _("failed")))
        for check in verification["checks"]:
            para(check_line(check["passed"], check["text"]), 0, 2)
        before, after = verification.get("summary_before") or {}, verification.get("summary_after") or {}
        out.append("")
        out.append(f"  {pad('', 16)}{pad(_('before'), 30)}{_('after')}")
        for key, label in SUMMARY_ROWS:
            out.append(f"  {pad(_(label), 16)}{pad(clip(str(before.get(key, '-')), 29), 30)}"
                       f"{clip(str(after.get(key, '-')), 30)}")
    heading(_("Remaining risks and next steps"))
    for risk in doc["risks"]:
        para(f"- {risk['title']}: {risk['text']}", 0, 2)
    return "\n".join(out) + "\n"


# --- HTML -------------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 "Noto Sans", "Noto Sans CJK JP", "DejaVu Sans", Arial, sans-serif; color: #111;
       max-width: 60em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .4em; }
h2 { font-size: 14pt; border-bottom: 2px solid #333; padding-bottom: .15em; margin-top: 1.6em; }
h3 { font-size: 11.5pt; margin: 1.1em 0 .3em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: .5em 0; }
th, td { border: 1px solid #777; padding: .25em .4em; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; word-break: break-word; }
th { background: #eee; }
code, pre { font: 9pt/1.35 "DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #999; padding: .4em; margin: .3em 0; }
.facts td:first-child { width: 11em; font-weight: bold; }
.verdict { border: 3px solid #111; padding: .6em .8em; margin: 1em 0; }
.verdict .line { font-size: 13pt; font-weight: bold; margin: 0 0 .3em; }
.finding { border-left: 4px solid #555; padding: .1em 0 .1em .8em; margin: .8em 0; }
.sev { display: inline-block; border: 1px solid #111; padding: 0 .3em; font-size: 9pt; font-weight: bold;
       letter-spacing: .03em; }
.sev.critical { background: #111; color: #fff; }
.sev.high { border-width: 2px; }
.pass::before { content: "\\2714  "; } .fail::before { content: "\\2718  "; }
ul.evidence { margin: .2em 0; padding-left: 1.2em; }
@page { margin: 16mm 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .finding, tr, pre, .verdict { break-inside: avoid; page-break-inside: avoid; }
  .page-one { break-after: page; page-break-after: always; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_html(doc: dict[str, Any], lang: str | None = None) -> str:
    e = html.escape
    lang = lang or current_language()
    parts = [f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f"<title>{e(_('ACME remediation report'))}: {e(_facts(doc)[0][1])}</title>\n"
             f"<style>{CSS}</style>\n</head>\n<body>\n"]
    add = parts.append
    add('<section class="page-one">')
    add(f"<h1>{e(_('ACME remediation report'))}: {e(_facts(doc)[0][1])}</h1>")
    add('<table class="facts">' + "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in _facts(doc))
        + "</table>")
    verdict = doc["verdict"]
    add(f'<div class="verdict"><p class="line">{e(verdict["line"])}</p><p>{e(verdict["explanation"])}</p>'
        f'<p>{e(_counts(doc))}</p></div>')
    add(f"<h2>{e(_('What happens next'))}</h2><ul>" + "".join(f"<li>{_html_step(s)}</li>" for s in doc["next_steps"])
        + "</ul>")
    add(f"<h2>{e(_('Environment'))}</h2><p><b>{e(_('Operating system'))}:</b> {e(_os_line(doc))}</p>")
    add(html_table([_("Client"), _("Installed by"), _("Python"), _("Path"), _("Schedule")], _client_rows(doc)))
    add("</section>")
    add(f"<h2>{e(_('Findings'))}</h2>")
    for finding in map(finding_view, doc["findings"]):
        evidence = "".join(f"<li><code>{e(where)}</code>" + (f" <code>{e(_code(text))}</code>" if text else "")
                           + "</li>" for where, text in finding.evidence)
        add(f'<div class="finding"><h3><span class="sev {e(finding.severity)}">{e(finding.label)}</span> '
            f'{e(finding.id)}: {e(finding.title)}</h3><p>{e(finding.detail)}</p>'
            f'<ul class="evidence">{evidence}</ul><p><b>{e(_("Fix"))}:</b> {e(finding.fix)}</p></div>')
    if doc["plan"]:
        add(f"<h2>{e(_('Plan'))}</h2><ol>")
        for step in doc["plan"]["steps"]:
            blocks = "".join(f"<pre>{e(text)}</pre>" for _kind, text in _step_commands(step))
            add(f"<li><b>{e(step['title'])}</b> ({e(_('risk'))} {e(risk_word(step['risk']))}; {e(_('undo'))}: "
                f"{e(step['undo'])}){blocks}</li>")
        add("</ol>")
    if doc["run"]:
        run = doc["run"]
        add(f"<h2>{e(_('What was done'))}: {e(run['id'])} ({e(status_word(run['status']))})</h2>")
        add(html_table(_run_columns(), _run_rows(run)))
        for step in run["steps"]:
            if step["output"]:
                add(f"<h3>{e(step['id'])}: {e(_('output (last lines)'))}</h3>"
                    f"<pre>{e(chr(10).join(step['output']))}</pre>")
        backup = run["backup"]
        add(f"<h3>{e(_('Backups and rollback'))}</h3><ul>"
            f"<li>{e(_('Backed up'))}: {e(', '.join(backup['paths']))} ({backup['files']} {e(_('files'))})</li>"
            f"<li>{e(_('Archives'))}: {e(', '.join(backup['tarballs']))}</li>"
            f"<li>{e(_('Manifest'))}: <code>{e(backup['manifest'])}</code> "
            f"sha256 <code>{e(str(backup['manifest_sha256']))}</code></li>"
            f"<li>{e(_('Roll back with'))}: "
            + (f"<code>{e(run['rollback_command'])}</code>" if run["rollback_command"] else e(_no_rollback()))
            + "</li></ul>")
    if doc["verification"]:
        verification = doc["verification"]
        add(f"<h2>{e(_('Verification'))}: {e(_('passed') if verification['passed'] else _('failed'))}</h2><ul>")
        for check in verification["checks"]:
            add(f'<li class="{"pass" if check["passed"] else "fail"}">{e(check["text"])}</li>')
        add("</ul>")
        add(html_table(["", _("before"), _("after")], _summary_rows(verification)))
        test = verification.get("test_renewal") or {}
        if test.get("argv"):
            add(f"<p>{e(_('Test renewal'))}: <code>{e(shlex.join(test['argv']))}</code> → "
                f"{e(_('exit'))} {e(str(test.get('exit_code')))}</p>")
    add(f"<h2>{e(_('Remaining risks and next steps'))}</h2><ul>"
        + "".join(f"<li><b>{e(r['title'])}:</b> {e(r['text'])}</li>" for r in doc["risks"]) + "</ul>")
    add("</body>\n</html>\n")
    return "\n".join(parts)


def _html_step(step: str) -> str:
    return "".join(html.escape(text) if kind == "prose" else f'<br><code class="command">{html.escape(text)}</code>'
                   for kind, text in prose_and_commands(step))


def html_table(header: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    return ("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
            + "</tbody></table>")


def render_json(doc: dict[str, Any]) -> str:
    return textsafe.json_text(doc)


RENDERERS = {"md": render_markdown, "html": render_html, "txt": render_text, "json": render_json}

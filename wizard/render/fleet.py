"""The fleet report for people: one page a manager can read. Counts by verdict, then one row a host,
most urgent first, hosts without a result included."""
from __future__ import annotations

import html
from typing import Any

from wizard.core import textsafe
from wizard.i18n import N_, _, current_language, listing
from wizard.render.report import CSS, md_table
from wizard.render.width import clip

COUNT_LABELS = (("v1", N_("still on ACMEv1")), ("v2", N_("on ACMEv2")), ("unknown", N_("no ACME client found")),
                ("unreachable", N_("unreachable")), ("probe-failed", N_("probe failed")),
                ("no-result", N_("no result")))
STATUS_TEXT = {"unreachable": N_("UNREACHABLE"), "probe-failed": N_("PROBE FAILED"), "no-result": N_("NO RESULT")}
VERDICT_TEXT = {"v1": N_("ACMEv1"), "v2": N_("ACMEv2"), "unknown": N_("unknown")}


def _columns() -> list[str]:
    return [_("Host"), _("OS"), _("Client"), _("Verdict"), _("Blocking findings, or why no result"),
            _("Nearest expiry"), _("Decision")]


def _cells(row: dict[str, Any]) -> list[str]:
    if row["verdict"] is None:
        return [row["host"], "", "", _(STATUS_TEXT[row["status"]]), row["message"], "", ""]
    os_info = row["os"]
    os_text = os_info["name"] + (" " + _("(end of life {date})", date=os_info["eol_date"]) if os_info["eol"] else "")
    client = row["client"]
    client_text = (f"{client['kind']} {client['version'] or '?'} ({client['method']}"
                   + (f", Python {client['python']}" if client["python"] else "") + ")") if client else _("none")
    expiry = row["nearest_expiry"]
    if expiry is None:
        expiry_text = ""
    elif expiry["days"] < 0:
        expiry_text = _("{name}: EXPIRED {date}", name=expiry["name"], date=expiry["not_after"])
    else:
        expiry_text = _("{name}: {date} ({days} days)", name=expiry["name"], date=expiry["not_after"],
                        days=expiry["days"])
    return [row["host"], os_text, client_text, _(VERDICT_TEXT[row["verdict"]]), listing(row["blocking"]), expiry_text,
            _("decision needed") if row["decision_needed"] else ""]


def _counts_line(doc: dict[str, Any]) -> str:
    return listing(f"{doc['counts'][key]} {_(label)}" for key, label in COUNT_LABELS if doc["counts"][key])


def _linked_md(row: dict[str, Any]) -> list[str]:
    cells = _cells(row)
    if row.get("report"):
        cells[0] = f"[{cells[0]}]({row['report']})"
    return cells


def render_markdown(doc: dict[str, Any]) -> str:
    out = [f"# {_('ACME fleet report')}", "",
           f"{_('Generated')}: {doc['generated']} · acme-wizard {doc['tool_version']} · "
           + _("{count} host(s), {action} need action", count=len(doc["hosts"]), action=doc["needs_action"]), "",
           f"**{_counts_line(doc)}**", "", md_table(_columns(), [_linked_md(row) for row in doc["hosts"]]), ""]
    return "\n".join(out)


def render_text(doc: dict[str, Any], width: int = 80) -> str:
    out = [_("ACME fleet report"), _("{count} host(s), {action} need action", count=len(doc["hosts"]),
                                     action=doc["needs_action"]), _counts_line(doc), ""]
    for row in doc["hosts"]:
        cells = _cells(row)
        out.append(clip(f"{cells[0]}  {cells[3]}  {cells[5]}", width))
        for label, text in zip(_columns()[1:], cells[1:]):
            if text and label not in (_("Verdict"), _("Nearest expiry")):
                out.append(clip(f"    {label}: {text}", width))
    return "\n".join(out) + "\n"


def render_html(doc: dict[str, Any], lang: str | None = None) -> str:
    e = html.escape
    summary = _("{count} host(s), {action} need action", count=len(doc["hosts"]), action=doc["needs_action"])
    return (f'<!DOCTYPE html>\n<html lang="{e(lang or current_language())}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{e(_('ACME fleet report'))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<h1>{e(_('ACME fleet report'))}</h1>\n"
            f"<p>{e(_('Generated'))}: {e(doc['generated'])} · acme-wizard {e(doc['tool_version'])} · {e(summary)}</p>\n"
            f"<p><b>{e(_counts_line(doc))}</b></p>\n"
            f"{_html_rows(doc)}\n</body>\n</html>\n")


def _html_rows(doc: dict[str, Any]) -> str:
    """The hosts' table; a host with a report of its own links to it."""
    e = html.escape
    body = []
    for row in doc["hosts"]:
        cells = [e(cell) for cell in _cells(row)]
        if row.get("report"):
            cells[0] = f'<a href="{e(row["report"])}">{cells[0]}</a>'
        body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in _columns()) + "</tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


def render_json(doc: dict[str, Any]) -> str:
    return textsafe.json_text(doc)


RENDERERS = {"md": render_markdown, "html": render_html, "txt": render_text, "json": render_json}

"""A diagnosis as plain text for an 80-column terminal, with colour only when asked for."""
from __future__ import annotations

from wizard.core.analyse.findings import PROTECTED_INPUTS, SEVERITIES, SEVERITY_NAMES
from wizard.core.analyse.model import Diagnosis
from wizard.core.invocation import Invocation
from wizard.i18n import _, listing
from wizard.render import styles
from wizard.render.findings import finding_view
from wizard.render.width import WIDTH, cells, clip, fill, pad


def verdict_line(diagnosis: Diagnosis) -> str:
    if diagnosis.verdict == "unknown" and PROTECTED_INPUTS in diagnosis.reasons:
        return _("UNKNOWN: protected files could not be read; run the check as root.")
    return {
        "v1": _("ACMEv1 IN USE: renewals here depend on Let's Encrypt's retired ACMEv1 API."),
        "v2": _("ACMEv2: renewals here use the current ACME API."),
        "unknown": _("UNKNOWN: no ACME client evidence was found."),
    }[diagnosis.verdict]


Segment = tuple[str, str]          # (text, style: a key of the colour table, or "")


def system_rows(diagnosis: Diagnosis) -> list[tuple[str, list[Segment]]]:
    """The overview as (label, segments) rows: the CLI paints them with ANSI, the TUI with Rich."""
    rows: list[tuple[str, list[Segment]]] = []
    os_info = diagnosis.os
    os_text = os_info.pretty_name
    if os_info.eol:
        os_text += " " + _("(end of life since {date})", date=os_info.eol_date)
    rows.append((_("OS"), [(os_text, "medium" if os_info.eol else "")]))
    if not diagnosis.installs:
        rows.append((_("Clients"), [(_("none found"), "")]))
    for index, install in enumerate(diagnosis.installs):
        if install.kind == "certbot":
            label = _("{kind} {version}, {method}, Python {python}", kind=install.kind,
                      version=install.version or "?", method=install.method, python=install.python_version or "?")
        else:           # acme.sh and dehydrated are shell scripts, lego a Go binary: no Python to name
            label = _("{kind} {version}, {method}", kind=install.kind, version=install.version or "?",
                      method=install.method)
        segments: list[Segment] = [(label, "")]
        if install in diagnosis.renewing:
            segments.append((" " + _("[renews]"), "bold"))
        if not install.present:     # known from its log, or only from the line that runs it
            segments.append((" " + (_("[seen in logs only]") if install.seen_in_logs else _("[not found]")), ""))
        rows.append((_("Clients") if index == 0 else "", segments))
        rows.append(("", [(install.path, "")]))
        for run in diagnosis.schedules_for(install):
            where = f"{run.source}:{run.line}"
            text = (_("scheduled by {where}", where=where) if run.systemd_active is not False
                    else _("not scheduled: {where} belongs to a timer that is not enabled", where=where))
            rows.append(("", [(text, "")]))
    for run in diagnosis.schedules.runs:
        if run.install is None:
            rows.append((_("Schedule"), [(f"{run.source}:{run.line} {run.program}", "")]))
    logs = diagnosis.logs
    log_text = _("{files} file(s), {runs} run(s)", files=len(logs.files), runs=len(logs.runs))
    newest = logs.newest_contact()
    if newest:
        log_run, endpoint = newest
        log_text += "; " + _("newest contact {when}: {url} ({api})", when=(log_run.started or "?").replace("T", " "),
                                 url=endpoint.url, api=endpoint.api)
    if logs.runs_summarised:
        log_text += "; " + _("{count} older run(s) summarised: their error lines are not quoted",
                             count=logs.runs_summarised)
    if logs.runs_dropped:
        log_text += "; " + _("{count} oldest run(s) left out (over 50,000 in one log)", count=logs.runs_dropped)
    rows.append((_("Logs"), [(log_text, "")]))
    if diagnosis.renewal_confs:
        rows.append((_("Lineages"), [(listing(c.name for c in diagnosis.renewal_confs), "")]))
    for index, cert in enumerate(diagnosis.certs):
        days = cert.days_left(diagnosis.now)
        if cert.not_after is None or days is None:
            status: Segment = (_("unreadable"), "medium")
        elif days < 0:
            status = (_("EXPIRED {date}", date=cert.not_after.date()), "critical")
        else:
            status = (_("expires {date} ({days} days)", date=cert.not_after.date(), days=int(days)),
                      "high" if days <= 30 else "")
        rows.append((_("Certs") if index == 0 else "", [(f"{cert.name}: ", ""), status]))
    return rows


def finding_counts(diagnosis: Diagnosis) -> str:
    counts = [f"{sum(1 for f in diagnosis.findings if f.severity == s)} {_(SEVERITY_NAMES[s])}"
              for s in reversed(SEVERITIES) if any(f.severity == s for f in diagnosis.findings)]
    return listing(counts) or _("none")


def render_check(diagnosis: Diagnosis, target_label: str, colour: bool = False,
                 invocation: Invocation = Invocation()) -> str:
    """invocation: how the admin named the target, repeated in the follow-up command."""
    def paint(text: str, style: str) -> str:
        return styles.paint(text, style, colour)

    out: list[str] = []
    add = out.append
    add(paint(_("acme-wizard check: {target}", target=target_label), "bold"))
    add(_wrap(_("Verdict: ") + paint(verdict_line(diagnosis), diagnosis.verdict), 0, cells(_("Verdict: "))))
    add("")
    add(paint(_("System"), "bold"))
    rows = system_rows(diagnosis)
    label_width = max([cells(label) for label, _segments in rows] + [8]) + 2
    for label, segments in rows:
        add(_field(label, "".join(paint(text, style) if style else text for text, style in segments), label_width))
    add("")
    add(paint(_("Findings ({counts})", counts=finding_counts(diagnosis)), "bold"))
    for finding in (finding_view(f, evidence_limit=6) for f in diagnosis.findings):
        label = paint(pad(finding.label, 8), finding.severity)
        add(_wrap(f"{label} {finding.id}  {finding.title}", 0, 19))
        add(_wrap(finding.detail, 4, 4))
        for where_text, line in finding.evidence:
            where = "    " + _("at") + " " + where_text
            text = clip(line, WIDTH - 10) if line else ""
            if text and cells(where) + 2 + cells(text) <= WIDTH:
                add(f"{where}  {text}")
            else:
                add(where)                    # the path is never cut or wrapped: it is the proof
                if text:
                    add("       " + text)
        if finding.more:
            add("    " + _("… and {count} more", count=finding.more))
        add(_wrap(_("Fix: ") + finding.fix, 4, 9))
    add("")
    if PROTECTED_INPUTS in diagnosis.reasons and (invocation.host or invocation.from_bundle):
        add(_wrap(paint(_("Action needed."), "v1") + " " + _(
            "Next, probe again as root (over SSH: log in as root or as a user with passwordless sudo)."), 0, 0))
    elif PROTECTED_INPUTS in diagnosis.reasons:
        add(paint(_("Action needed."), "v1") + " " + _("Next, run the check as root:"))
        add("  sudo " + invocation.command("check"))   # never wrapped: it is pasted as one line
    elif diagnosis.action_needed:
        add(paint(_("Action needed."), "v1") + " " + _("Next, see what would be done:"))
        add("  " + invocation.command("plan"))
    else:
        add(paint(_("Nothing needs doing."), "v2"))
    return "\n".join(out) + "\n"


def _field(label: str, text: str, label_width: int = 10) -> str:
    return _wrap(f"  {pad(label, label_width)}{text}", 0, label_width + 2)


def _wrap(text: str, indent: int, hanging: int) -> str:
    return "\n".join(fill(text, indent, hanging, break_long=True))

"""Stage 6: export the report (print-ready HTML and Markdown)."""
from __future__ import annotations

import datetime
import os

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.i18n import _
from wizard.render.check import verdict_line
from wizard.render.words import status_word
from wizard.tui.session import Session
from wizard.tui.widgets.prose import Para, Prose


class ReportPane(VerticalScroll):
    DEFAULT_CSS = """
    ReportPane #report-body, ReportPane #report-written {
        margin-bottom: 1;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="report-body")
        yield Prose(id="report-written")
        yield Prose(id="report-contents")

    def show_hint(self, report_dir: str) -> None:
        self.query_one("#report-body", Static).update(
            Text(_("Press e to export the report (what was found, the plan, what was done and the "
                   "verification) as print-ready HTML and Markdown in {dir}.", dir=report_dir)))

    def show_contents(self, session: Session) -> None:
        """What the report will hold, as of now (it grows as the admin applies and verifies)."""
        diagnosis, plan, outcome, verified = session.diagnosis, session.plan, session.outcome, session.verify_result
        if diagnosis is None:
            return
        lines = [Para(Text(_("The report holds:"), style="bold")),
                 Para("- " + _("what was found: {verdict}", verdict=verdict_line(diagnosis)), 0, 2),
                 Para("- " + _("{count} finding(s), each with its evidence and fix", count=len(diagnosis.findings)),
                      0, 2)]
        if plan is not None:
            lines.append(Para("- " + _("the plan: {count} step(s), each with its commands, diffs and undo",
                                       count=len(plan.steps)), 0, 2))
        if outcome is not None:
            lines.append(Para("- " + _("what was done: run {run}, {status}, with its backups", run=outcome.run_id,
                                       status=status_word(outcome.status)), 0, 2))
        if verified is not None:
            lines.append(Para("- " + _("the verification: {result}, before and after",
                                       result=_("passed") if verified.passed else _("failed")), 0, 2))
        if session.demo and outcome is not None:
            lines.append(Para(Text(_("It is marked as a demo rehearsal: no real server was changed."),
                                   style="yellow"), 0, 2))
        self.query_one("#report-contents", Prose).update(*lines)

    def export(self, session: Session, report_dir: str) -> str | None:
        """Write the report (print-ready HTML and Markdown, the model `acme-wizard report` uses);
        the HTML's path, or None when it could not be written (the admin is told why)."""
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = os.path.join(report_dir, f"acme-wizard-report-{stamp}")
        try:
            paths = session.write_report(base)
        except OSError as error:
            message = _("Cannot write {path}: {reason}", path=base, reason=error.strerror)
            self.query_one("#report-body", Static).update(Text(message, style="bold red"))
            return None
        self.query_one("#report-body", Static).display = False
        self.query_one("#report-written", Prose).update(                                # (a toast would cover it)
            Para(Text(_("Report written to:"), style="bold")), *[Para(path, 2, 2, fold=True) for path in paths])
        return paths[0]

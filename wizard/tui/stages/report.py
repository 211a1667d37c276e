"""Stage 6: export the report (print-ready HTML and Markdown)."""
from __future__ import annotations

import datetime
import os

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.i18n import _, listing
from wizard.tui.session import Session


class ReportPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="report-body")

    def show_hint(self, report_dir: str) -> None:
        self.query_one("#report-body", Static).update(
            Text(_("Press e to export the report (what was found, the plan, what was done and the "
                   "verification) as print-ready HTML and Markdown in {dir}.", dir=report_dir)))

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
        self.query_one("#report-body", Static).update(
            Text(_("Report written to {paths}", paths=listing(paths)), style="bold"))   # (a toast would cover it)
        return paths[0]

"""Stage 6: export the report (print-ready HTML and Markdown)."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.i18n import _


class ReportPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="report-body")

    def show_hint(self, report_dir: str) -> None:
        self.query_one("#report-body", Static).update(
            Text(_("Press e to export the report (what was found, the plan, what was done and the "
                   "verification) as print-ready HTML and Markdown in {dir}.", dir=report_dir)))

    def show_written(self, message: str) -> None:
        self.query_one("#report-body", Static).update(Text(message, style="bold"))

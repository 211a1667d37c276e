"""Stage 1: the verdict and what was found on the system (OS, clients, schedules, logs, certs)."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.core.analyse.model import Diagnosis
from wizard.i18n import _
from wizard.render.check import finding_counts, system_rows, verdict_line
from wizard.render.styles import rich_style
from wizard.render.width import cells


class OverviewPane(VerticalScroll):
    def __init__(self, target_label: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target_label = target_label

    def compose(self) -> ComposeResult:
        yield Static(_("Probing {target}…", target=self.target_label), id="overview-body")

    def show(self, diagnosis: Diagnosis) -> None:
        verdict = Text()
        verdict.append(_("Verdict: "), style="bold")
        verdict.append(verdict_line(diagnosis) + "\n", style=rich_style(diagnosis.verdict))
        rows = Table.grid(padding=(0, 1))
        system = system_rows(diagnosis)
        rows.add_column(width=max([cells(label) for label, _segments in system] + [9]), style="bold", no_wrap=True)
        rows.add_column(ratio=1)
        for label, segments in system:
            rows.add_row(label, Text.assemble(*[(text, rich_style(style)) for text, style in segments]))
        closing = Text("\n" + _("Findings: {counts}.", counts=finding_counts(diagnosis)) + " ")
        closing.append(_("Press n to see them."), style="dim")
        self.query_one("#overview-body", Static).update(Group(verdict, rows, closing))

    def show_error(self, message: str) -> None:
        self.query_one("#overview-body", Static).update(Text(message, style=rich_style("error")))

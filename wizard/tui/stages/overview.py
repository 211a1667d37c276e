"""Stage 1: the verdict, what to do next, and what was found on the system (OS, clients,
schedules, logs, certs)."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.core.analyse.model import Diagnosis
from wizard.i18n import _, sentences
from wizard.render.check import finding_counts, system_rows, verdict_line
from wizard.render.styles import rich_style
from wizard.render.width import cells
from wizard.tui.widgets.prose import Para, Prose


class OverviewPane(VerticalScroll):
    DEFAULT_CSS = """
    OverviewPane #overview-next {
        margin-bottom: 1;
    }
    """

    def __init__(self, target_label: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target_label = target_label

    def compose(self) -> ComposeResult:
        yield Prose(_("Probing {target}…", target=self.target_label), id="overview-head")
        yield Prose(id="overview-next")
        yield Static(id="overview-body")
        yield Prose(id="overview-counts")

    def show(self, diagnosis: Diagnosis, next_action: str, after_run: bool = False) -> None:
        """after_run: the host as the verification probed it again, after apply."""
        verdict = Text.assemble((_("Verdict: "), "bold"), (verdict_line(diagnosis), rich_style(diagnosis.verdict)))
        head = [Para(verdict, 0, cells(_("Verdict: ")))]
        if after_run:
            head.insert(0, Para(Text(_("After the run (probed again by the verification):"), style="dim")))
        self.query_one("#overview-head", Prose).update(*head)
        self.show_next(next_action)
        rows = Table.grid(padding=(0, 1))
        system = system_rows(diagnosis)
        rows.add_column(width=max([cells(label) for label, _segments in system] + [9]), style="bold", no_wrap=True)
        rows.add_column(ratio=1)
        for label, segments in system:
            rows.add_row(label, Text.assemble(*[(text, rich_style(style)) for text, style in segments]))
        self.query_one("#overview-body", Static).update(rows)
        counts = sentences(_("Findings: {counts}.", counts=finding_counts(diagnosis)), _("Press 2 to see them."))
        self.query_one("#overview-counts", Prose).update(Para(Text(counts), 0, 2))

    def show_next(self, next_action: str) -> None:
        """The one line that says what to do now (it changes as the admin goes through the stages)."""
        self.query_one("#overview-next", Prose).update(Para(Text("▶ " + next_action, style="bold"), 0, 2))

    def show_error(self, message: str) -> None:
        self.query_one("#overview-head", Prose).update(Para(Text(message, style=rich_style("error"))))

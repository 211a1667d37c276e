"""Stage 2: every finding with its evidence (file and line) and its fix."""
from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.core.analyse.model import Diagnosis
from wizard.i18n import _
from wizard.render.findings import finding_view
from wizard.render.styles import rich_style
from wizard.render.width import clip, pad


class FindingsPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="findings-body")

    def show(self, diagnosis: Diagnosis, after_run: bool = False) -> None:
        parts: list[RenderableType] = []
        if after_run:
            parts.append(Text(_("After the run (probed again by the verification):") + "\n", style="dim"))
        for finding in (finding_view(f, evidence_limit=6) for f in diagnosis.findings):
            title = Text()
            title.append(pad(finding.label, 8) + " ", style=rich_style(finding.severity))
            title.append(f"{finding.id}  {finding.title}", style="bold")
            parts += [title, Padding(Text(finding.detail), (0, 0, 0, 2))]
            for where, text in finding.evidence:
                line = Text.assemble((_("at") + " ", "dim"), (where, "underline"))
                if text:
                    line.append("  " + clip(text, 200), style="dim")
                parts.append(Padding(line, (0, 0, 0, 2)))
            parts.append(Padding(Text(_("Fix: ") + finding.fix, style=rich_style("fix")), (0, 0, 1, 2)))
        self.query_one("#findings-body", Static).update(Group(*parts) if parts else Text(_("No findings.")))

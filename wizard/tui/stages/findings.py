"""Stage 2: every finding with its evidence (file and line) and its fix, wrapped at the real width."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll

from wizard.core.analyse.model import Diagnosis
from wizard.i18n import _
from wizard.render.findings import finding_view
from wizard.render.styles import rich_style
from wizard.render.width import cells, clip, pad
from wizard.tui.widgets.prose import Para, Prose


class FindingsPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Prose(id="findings-body")

    def show(self, diagnosis: Diagnosis, after_run: bool = False) -> None:
        parts: list[Para] = []
        if after_run:
            parts += [Para(Text(_("After the run (probed again by the verification):"), style="dim")), Para("")]
        for finding in (finding_view(f, evidence_limit=6) for f in diagnosis.findings):
            label = pad(finding.label, 8) + " "
            parts.append(Para(Text.assemble((label, rich_style(finding.severity)),
                                            (f"{finding.id}  {finding.title}", "bold")), 0, cells(label)))
            parts.append(Para(finding.detail, 2, 2))
            for where, text in finding.evidence:
                line = Text.assemble((_("at") + " ", "dim"), (where, "underline"))
                if text:
                    line.append("  " + clip(text, 200), style="dim")
                parts.append(Para(line, 2, 4, fold=True))
            parts.append(Para(Text(_("Fix: ") + finding.fix, style=rich_style("fix")), 2, 4))
            parts.append(Para(""))
        self.query_one("#findings-body", Prose).update(*(parts or [Para(_("No findings."))]))

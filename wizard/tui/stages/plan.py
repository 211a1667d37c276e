"""Stage 3: the plan as a table of steps, the selected step in full below it, and the client choice
on top (c opens the chooser). Nothing here is pre-wrapped: Prose wraps at the width it has."""
from __future__ import annotations

import shlex

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable

from wizard.core.analyse.model import Diagnosis
from wizard.core.plan.model import Plan
from wizard.core.plan.options import ClientOption
from wizard.core.plan.steps import move_host_notes
from wizard.core.run.journal import StepRecord
from wizard.i18n import _, full_stop, sentences
from wizard.tui.widgets.prose import Para, Prose
from wizard.tui.widgets.steps import StepTable, step_detail


class PlanPane(Vertical):
    DEFAULT_CSS = """
    PlanPane #plan-head {
        height: auto;
        max-height: 5;
        margin-bottom: 1;
    }
    PlanPane #plan-detail-scroll {
        height: 1fr;
        border-top: solid $primary;
    }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan: Plan | None = None
        self.diagnosis: Diagnosis | None = None
        self.records: dict[str, StepRecord] = {}

    def compose(self) -> ComposeResult:
        yield Prose(id="plan-head")
        yield StepTable(id="plan-steps")
        with VerticalScroll(id="plan-detail-scroll") as detail:
            detail.border_title = _("↑↓ pick a step · Tab moves here to scroll")
            yield Prose(id="plan-detail")

    def show(self, plan: Plan, diagnosis: Diagnosis, records: dict[str, StepRecord], next_action: str,
             width: int) -> None:
        self.plan, self.diagnosis, self.records = plan, diagnosis, records
        head: list[Para] = []
        if plan.choice is not None:
            support = "" if plan.choice.supported else " " + _("(not a supported path)")
            change = _("Press c to change it.") if len(plan.options) > 1 else ""
            head.append(Para(Text.assemble((_("Client: "), "bold"), sentences(
                full_stop(f"{plan.choice.key} — {plan.choice.title}{support}"), change)), 0, 2))
        if plan.decision_needed:
            next_action = _("A decision is needed: press c to choose how this server gets a current client.")
        head.append(Para(Text("▶ " + next_action, style="bold yellow" if plan.decision_needed else "bold"), 0, 2))
        self.query_one("#plan-head", Prose).update(*head)
        table = self.query_one(StepTable)
        table.display = bool(plan.steps)
        table.show(plan.steps, records, width)
        self.show_detail()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        plan = self.plan
        if plan is None:
            return
        step = self.query_one(StepTable).selected
        paragraphs: list[Para] = []
        if step is not None:
            number = plan.steps.index(step) + 1
            paragraphs += step_detail(step, number, len(plan.steps), self.diagnosis, self.records.get(step.id))
        elif not plan.decision_needed:
            paragraphs.append(Para(Text(_("No steps: nothing on this host changes."), style="bold")))
        if plan.notes:
            paragraphs.append(Para(Text(_("About this plan"), style="bold underline")))
            paragraphs += [Para("- " + note, 0, 2) for note in plan.notes]
        if plan.decision_needed:
            paragraphs.append(Para(Text(sentences(_("Until a client is chosen, only the steps that need no "
                                                    "client are planned."), _("Press c to choose.")),
                                        style="yellow"), 0, 0))
        self.query_one("#plan-detail", Prose).update(*paragraphs)


def option_detail(option: ClientOption, diagnosis: Diagnosis) -> list[Para]:
    """One client option in full, for the chooser: what it is, its caveats, what it runs; for moving
    the sites, what the admin does instead and which certificates cannot wait."""
    out = [Para(Text(option.title, style="bold"), 0, 2)]
    if not option.supported:
        out.append(Para(Text(_("(not a supported path)"), style="yellow")))
    if option.version_note:
        out.append(Para(option.version_note, 0, 2))
    if option.key == "move-host":
        out += [Para("- " + note, 0, 2) for note in move_host_notes(diagnosis, chosen=False)]
    out += [Para("- " + caveat, 0, 2) for caveat in option.caveats]
    if option.commands:
        out.append(Para(Text(_("It runs:"), style="bold")))
        out += [Para(Text("$ " + shlex.join(argv), style="dim"), 2, 6, fold=True) for argv in option.commands]
    return out

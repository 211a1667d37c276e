"""Stage 3: the plan, as the CLI prints it, at the width the terminal has."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wizard.core.invocation import Invocation
from wizard.core.plan.model import Plan
from wizard.i18n import _
from wizard.render.plan import render_plan


class PlanPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="plan-body")

    def show(self, plan: Plan, target_label: str, invocation: Invocation, width: int) -> None:
        body = render_plan(plan, target_label, preview=False, invocation=invocation, width=width)
        if plan.decision_needed:
            body = _("A decision is needed: press c to choose how this server gets a current client.") + "\n\n" + body
        self.query_one("#plan-body", Static).update(Text(body))

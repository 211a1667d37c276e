"""Stage 4: the steps with their status, the live output, and the question of the moment
(run this step? retry the failed one?)."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Log, Static

from wizard.core.plan.model import Step
from wizard.i18n import _
from wizard.render.plan import STATUS_MARK
from wizard.tui.session import Session

STATUS_STYLES = {"ok": "green", "already-done": "green", "failed": "bold red", "started": "bold"}


class ApplyPane(Vertical):
    DEFAULT_CSS = """
    ApplyPane #apply-steps {
        height: 1fr;
    }
    ApplyPane #apply-log {
        height: 1fr;
        border: round $primary;
    }
    ApplyPane #apply-prompt {
        height: auto;
        max-height: 3;
    }
    """

    applying: reactive[bool] = reactive(False, init=False)
    pending: reactive[Step | None] = reactive(None, init=False)        # a step waiting for y / s / x
    failed_step: reactive[str | None] = reactive(None, init=False)     # the run stopped here: r / s / x

    def __init__(self, session: Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="apply-steps"):
            yield Static(id="apply-body")
        yield Log(id="apply-log", max_lines=5000)
        yield Static(id="apply-prompt")

    def watch_applying(self) -> None:
        self.show_steps()

    def watch_pending(self) -> None:
        self.show_prompt()

    def watch_failed_step(self) -> None:
        self.show_prompt()

    def log_line(self, line: str) -> None:
        self.query_one("#apply-log", Log).write_line(line)

    def show_steps(self) -> None:
        plan = self.session.plan
        if plan is None:
            return
        text = Text()
        if self.session.preview:
            text.append(_("Preview: these steps would run, in this order. Nothing is executed.") + "\n\n", style="bold")
        for number, step in enumerate(plan.steps, 1):
            record = self.session.records.get(step.id)
            mark = STATUS_MARK.get(record.status, "?") if record else " "
            text.append(f"{mark} {number}. {step.title}", style=STATUS_STYLES.get(record.status if record else "", ""))
            if record and record.status not in ("ok", "started"):
                text.append(f"  ({record.status})", style="dim")
            text.append("\n")
        if not plan.steps:
            text.append(_("Nothing to do on this host."))
        self.query_one("#apply-body", Static).update(text)
        log = self.query_one("#apply-log", Log)
        log.display = self.applying or self.session.outcome is not None or log.line_count > 0
        self.show_prompt()

    def show_prompt(self) -> None:
        prompt = self.query_one("#apply-prompt", Static)
        outcome = self.session.outcome
        if self.pending is not None:
            prompt.update(Text(_("Step [{id}] {title}: y run · s skip · x abort", id=self.pending.id,
                                 title=self.pending.title), style="bold reverse"))
        elif self.failed_step:
            prompt.update(Text(_("Step {step} failed: r retry · s skip it · x stop here", step=self.failed_step),
                               style="bold red reverse"))
        elif self.applying:
            prompt.update(Text(_("Running…"), style="bold"))
        elif outcome is not None:
            undo = self.session.invocation.command("rollback", outcome.run_id)
            prompt.update(Text(_("Run {run}: {status}. Backups and journal in {path}", run=outcome.run_id,
                                 status=outcome.status, path=outcome.run_path) + "\n" + _("Undo with:") + "\n" + undo,
                               style="bold"))
        elif self.session.preview:
            prompt.update(Text(_("Preview only. Press d to leave preview, then a to apply."), style="dim"))
        else:
            prompt.update(Text(_("Press a to start: each step asks before it runs."), style="bold"))

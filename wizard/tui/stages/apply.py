"""Stage 4: the steps with their status, the live output, and the question of the moment
(run this step? retry the failed one?). The pane runs apply in a worker thread; the core's
events come back as messages through the bridge, and the admin's answers go back through it."""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Log, Static

from wizard.core.plan.model import Step
from wizard.i18n import _
from wizard.render.plan import STATUS_MARK
from wizard.render.styles import rich_style
from wizard.tui.bridge import ApplyBridge
from wizard.tui.messages import ApplyEnded, StepAwaitsAnswer, StepFinished, StepOutput, StepStarted
from wizard.tui.session import Session


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
        self.bridge: ApplyBridge | None = None
        self.skip_once: str | None = None       # a failed step the admin chose to skip on the re-run

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

    # --- the run ---------------------------------------------------------------------------------

    def start(self, skip: str | None = None) -> None:
        """Start (or resume) the run; `skip`: a failed step to skip this time."""
        self.failed_step = None
        self.applying = True
        self.bridge = ApplyBridge(self.post_message)
        self.skip_once = skip
        self.log_line(_("— apply started —"))
        self.show_steps()
        self.app.refresh_bindings()
        self.run_apply(self.bridge)

    @work(thread=True, exclusive=True, group="apply")
    def run_apply(self, bridge: ApplyBridge) -> None:
        try:
            outcome = self.session.apply(bridge)
        except KeyboardInterrupt:
            self.post_message(ApplyEnded("interrupted"))
            return
        except Exception as error:          # shown to the admin; the journal says what was done
            self.post_message(ApplyEnded("error", str(error)))
            return
        self.post_message(ApplyEnded(outcome.status, outcome.message, outcome.failed_step))

    def answer(self, value: str) -> None:
        """y / s / x: to the step waiting for an answer, or about the step that failed."""
        if self.pending is not None and self.bridge is not None:
            self.pending = None
            self.bridge.answer(value)
        elif self.failed_step:
            if value == "skip":
                self.start(skip=self.failed_step)
            elif value == "quit":
                self.failed_step = None
        self.app.refresh_bindings()

    def retry(self) -> None:
        if self.failed_step:
            self.start()          # the unfinished run resumes; the failed step runs again

    def stop(self) -> None:
        """Quit mid-run: the running command is stopped and the journal records where."""
        self.session.target.interrupt()
        if self.bridge is not None:
            self.bridge.answer("quit")

    def on_step_started(self, message: StepStarted) -> None:
        self.log_line(f"▶ {message.index}/{message.total} [{message.step.id}] {message.step.title}")

    def on_step_output(self, message: StepOutput) -> None:
        self.log_line("  " + message.line)

    def on_step_finished(self, message: StepFinished) -> None:
        record = message.record
        self.session.records[message.step.id] = record
        self.log_line(f"  {STATUS_MARK.get(record.status, '?')} {record.status} {record.message}".rstrip())
        self.show_steps()

    def on_step_awaits_answer(self, message: StepAwaitsAnswer) -> None:
        if self.skip_once == message.step.id and self.bridge is not None:
            self.skip_once = None
            self.bridge.answer("skip")
            return
        self.pending = message.step
        self.app.refresh_bindings()

    def on_apply_ended(self, message: ApplyEnded) -> None:
        """(The message goes on to the app, which updates the other stages.)"""
        self.pending = None
        self.failed_step = message.failed_step if message.status == "failed" else None
        self.applying = False
        self.log_line(_("— apply ended: {status} {message} —", status=message.status,
                        message=message.message).replace("  ", " "))
        self.show_steps()

    # --- what it shows -----------------------------------------------------------------------------

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
            text.append(f"{mark} {number}. {step.title}", style=rich_style(record.status if record else ""))
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

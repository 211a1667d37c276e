"""Stage 4: the steps with their status, the live output, and the question of the moment
(run this step? retry the failed one?). The pane runs apply in a worker thread; the core's
events come back as messages through the bridge, and the admin's answers go back through it.
The output wraps (an error is never cut at the edge) and the prompt is wrapped at the real width."""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive

from wizard.core.plan.model import Step
from wizard.i18n import _, sentences
from wizard.render.plan import STATUS_MARK
from wizard.render.styles import rich_style
from wizard.render.words import status_word
from wizard.tui.bridge import ApplyBridge
from wizard.tui.messages import ApplyEnded, StepAwaitsAnswer, StepFinished, StepOutput, StepStarted
from wizard.tui.session import Session
from wizard.tui.widgets.output import OutputLog
from wizard.tui.widgets.prose import Para, Prose
from wizard.tui.widgets.steps import StepTable


class ApplyPane(Vertical):
    DEFAULT_CSS = """
    ApplyPane #apply-prompt {
        height: auto;
        max-height: 6;
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
        yield StepTable(id="apply-steps")
        yield OutputLog(id="apply-log")
        yield Prose(id="apply-prompt")

    def watch_applying(self) -> None:
        self.show_steps()

    def watch_pending(self) -> None:
        self.show_steps()

    def watch_failed_step(self) -> None:
        self.show_prompt()

    # --- the run ---------------------------------------------------------------------------------

    def start(self, skip: str | None = None) -> None:
        """Start (or resume) the run; `skip`: a failed step to skip this time."""
        self.failed_step = None
        self.applying = True
        self.bridge = ApplyBridge(self.post_message)
        self.skip_once = skip
        self.log_line(_("— apply started —"), "bold")
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
        self.log_line(f"▶ {message.index}/{message.total} [{message.step.id}] {message.step.title}", "bold")

    def on_step_output(self, message: StepOutput) -> None:
        self.log_line("  " + message.line)

    def on_step_finished(self, message: StepFinished) -> None:
        record = message.record
        self.session.records[message.step.id] = record
        said = f"{status_word(record.status)}: {record.message}" if record.message else status_word(record.status)
        self.log_line(f"  {STATUS_MARK.get(record.status, '?')} {said}", rich_style(record.status))
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
        if message.status == "failed":          # the step said why; the run waits for r, s or x
            self.log_line(_("— the run stopped at the failed step —"), "bold")
        else:
            self.log_line(_("— apply ended: {status} {message} —", status=status_word(message.status),
                            message=message.message).replace("  ", " "), "bold")
        self.show_steps()

    # --- what it shows -----------------------------------------------------------------------------

    def log_line(self, line: str, style: str = "") -> None:
        self.query_one(OutputLog).add(line, style)

    @property
    def lines(self) -> list[str]:
        """What the log shows, unwrapped."""
        return self.query_one(OutputLog).plain_lines

    def show_steps(self) -> None:
        plan = self.session.plan
        if plan is None:
            return
        table = self.query_one(StepTable)
        table.display = bool(plan.steps)
        table.show(plan.steps, self.session.records, self.app.size.width - 4,
                   pending=self.pending.id if self.pending is not None else None)
        if self.pending is not None and self.pending in plan.steps:
            table.move_cursor(row=plan.steps.index(self.pending))
        log = self.query_one(OutputLog)
        log.display = self.applying or self.session.outcome is not None or bool(self.lines)
        self.show_prompt()

    def show_prompt(self) -> None:
        prompt = self.query_one("#apply-prompt", Prose)
        outcome, session = self.session.outcome, self.session
        plan = session.plan
        if plan is not None and not plan.steps:
            prompt.update(Para(session.next_action(waiting_on_failure=False), 0, 2))
        elif self.pending is not None:
            prompt.update(Para(Text(_("Step [{id}] {title}: y run · s skip · x stop", id=self.pending.id,
                                      title=self.pending.title), style="bold reverse"), 0, 2))
        elif self.failed_step:
            prompt.update(Para(Text(_("Step {step} failed: r retry · s skip it · x stop here", step=self.failed_step),
                                    style="bold red reverse"), 0, 2))
        elif self.applying:
            prompt.update(Para(Text(_("Running…"), style="bold")))
        elif outcome is not None:
            done = Para(Text(_("Run {run}: {status}. Backups and journal in {path}", run=outcome.run_id,
                               status=status_word(outcome.status), path=session.shown_path(outcome.run_path)),
                             style="bold"), 0, 2, fold=True)
            if session.demo:
                undo = Para(_("Undo: the demo's copy is thrown away when you quit."), 0, 2)
            else:
                undo = Para(Text(_("Undo with: {command}", command=session.invocation.command(
                    "rollback", outcome.run_id))), 0, 2, fold=True)
            next_action = session.next_action(waiting_on_failure=bool(self.failed_step))
            prompt.update(done, undo, Para(Text(next_action, style="bold"), 0, 2))
        elif session.preview:
            prompt.update(Para(Text(sentences(_("Preview: these steps would run, in this order; nothing is executed."),
                                              _("Press d to leave preview, then a to apply.")), style="bold"), 0, 2))
        else:
            prompt.update(Para(Text(_("Press a to start: each step asks before it runs."), style="bold"), 0, 2))

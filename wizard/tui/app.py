"""The guided wizard: overview → findings → plan → apply → verify → report, keyboard first.

Made for an 80×24 SSH terminal: one column, a preview banner that never leaves the screen,
every action on a key shown in the footer, long content scrolling. Probing, applying and
verifying wait on subprocesses, so they run in worker threads that report through messages
(wizard.tui.messages); each stage is a pane of its own (wizard.tui.stages).
"""
from __future__ import annotations

import functools
import os
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import ContentSwitcher, Footer, Header

from wizard.core.errors import ExitCode, TargetError
from wizard.core.plan.model import Step
from wizard.i18n import _, current_language
from wizard.tui import keys
from wizard.tui.chrome import Banner, Notice, StageBar
from wizard.tui.messages import (
    ApplyEnded,
    Loaded,
    LoadFailed,
    Verified,
)
from wizard.tui.modals import ChoiceModal, ConfirmModal, HelpScreen
from wizard.tui.session import Session
from wizard.tui.stages.apply import ApplyPane
from wizard.tui.stages.findings import FindingsPane
from wizard.tui.stages.overview import OverviewPane
from wizard.tui.stages.plan import PlanPane, option_detail
from wizard.tui.stages.report import ReportPane
from wizard.tui.stages.verify import VerifyPane
from wizard.tui.widgets.steps import StepTable


class WizardApp(App[int]):
    CSS_PATH = "wizard.tcss"
    TITLE = "acme-wizard"
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings()     # English; see wizard_app() for the others
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session, report_dir: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.report_dir = report_dir or os.getcwd()
        self.stage = keys.STAGES[0]
        self.load_error: str | None = None
        self.exit_code = ExitCode.OK
        self.quitting = False
        self.report_path: str | None = None

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Banner(self.session.label, self.session.demo, self.session.preview, id="banner")
        yield StageBar(id="stages")
        with ContentSwitcher(initial="overview", id="content"):
            yield OverviewPane(self.session.label, id="overview")
            yield FindingsPane(id="findings")
            yield PlanPane(id="plan")
            yield ApplyPane(self.session, id="apply")
            yield VerifyPane(id="verify")
            yield ReportPane(id="report")
        yield Notice(id="notice")
        yield Footer()

    @property
    def apply_pane(self) -> ApplyPane:
        return self.query_one(ApplyPane)

    # The apply pane's state, as the keys and the tests see it.
    @property
    def applying(self) -> bool:
        return self.apply_pane.applying

    @property
    def pending(self) -> Step | None:
        return self.apply_pane.pending

    @property
    def failed_step(self) -> str | None:
        return self.apply_pane.failed_step

    def on_mount(self) -> None:
        self.theme = "ansi-dark"          # the terminal's own 16 colours
        self.sub_title = self.session.label
        self.refresh_bindings()
        self.load()

    @work(thread=True, exclusive=True, group="probe")
    def load(self) -> None:
        try:
            self.session.load()
        except TargetError as error:
            self.post_message(LoadFailed(str(error)))
            return
        self.post_message(Loaded())

    def on_load_failed(self, message: LoadFailed) -> None:
        self.load_error, self.exit_code = message.reason, ExitCode.TARGET
        self.query_one(OverviewPane).show_error(message.reason)

    def on_loaded(self, _message: Loaded) -> None:
        diagnosis = self.session.diagnosis
        assert diagnosis is not None
        self.query_one(OverviewPane).show(diagnosis, self.next_action())
        self.query_one(FindingsPane).show(diagnosis)
        self.show_plan()
        self.apply_pane.show_steps()
        self.query_one(VerifyPane).show_hint(self.session.preview)
        self.query_one(ReportPane).show_hint(self.report_dir)
        self.query_one(ReportPane).show_contents(self.session)
        self.refresh_bindings()             # which keys mean something depends on what was found

    def text_width(self) -> int:
        """Columns the scrolling panes leave for text (padding and scrollbar taken off)."""
        return max(40, self.size.width - 6)

    def show_plan(self) -> None:
        session = self.session
        if session.plan is not None and session.diagnosis is not None:
            self.query_one(PlanPane).show(session.plan, session.diagnosis, session.records, self.next_action("plan"),
                                          self.size.width - 4)

    def next_action(self, stage: str = "overview") -> str:
        return self.session.next_action(stage, waiting_on_failure=bool(self.failed_step))

    def show_guidance(self) -> None:
        """What to do next changed (a choice, a run, a verification): say so where the admin looks."""
        if self.session.diagnosis is None:
            return
        verified = self.session.verify_result
        if verified is not None:        # the host as it is now
            self.query_one(OverviewPane).show(verified.after, self.next_action(), after_run=True)
            self.query_one(FindingsPane).show(verified.after, after_run=True)
        else:
            self.query_one(OverviewPane).show_next(self.next_action())
        self.query_one(ReportPane).show_contents(self.session)
        self.show_plan()
        self.apply_pane.show_steps()

    def show_verify(self) -> None:
        result = self.session.verify_result
        if result is not None:
            self.query_one(VerifyPane).show(result, self.session.label, self.session.before_summary,
                                            self.session.invocation, self.text_width())

    # --- navigation ------------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.query_one(Footer).compact = self.size.width < 80      # every key still fits a narrow terminal
        if self.session.diagnosis is not None:
            self.show_plan()
            self.apply_pane.show_steps()
            self.show_verify()

    def action_stage(self, name: str) -> None:
        self.stage = name
        self.query_one("#content", ContentSwitcher).current = name
        self.query_one(StageBar).stage = name
        pane = self.query_one(f"#{name}")
        tables = pane.query(StepTable)
        if tables and tables.first().display:
            tables.first().focus()          # ↑↓ pick a step at once
        else:                               # PgUp/PgDn scroll this stage, whatever had the focus before
            scrollers = [w for w in (pane, *pane.query("*")) if w.can_focus and w.display]
            if scrollers:
                scrollers[0].focus()
        self.refresh_bindings()

    def action_move(self, delta: int) -> None:
        index = max(0, min(len(keys.STAGES) - 1, keys.STAGES.index(self.stage) + delta))
        self.action_stage(keys.STAGES[index])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only the keys that do something here and now (False hides a key in the footer)."""
        stages = keys.STAGE_KEYS.get(action)
        if stages is not None and self.stage not in stages:
            return False
        if action == "move":            # no Back on the first stage, no Next on the last
            index = keys.STAGES.index(self.stage) + int(str(parameters[0]))
            if (self.pending is not None or self.failed_step) and self.size.width < 80:
                return False            # a narrow footer keeps room for the step's own keys (1-6 still move)
            return 0 <= index < len(keys.STAGES)
        plan = self.session.plan
        if action == "answer":          # y runs a waiting step; s and x also answer for a failed one
            return self.pending is not None or (bool(self.failed_step) and parameters[0] != "yes")
        if action == "retry":
            return bool(self.failed_step)
        if action == "choose":
            return plan is not None and len(plan.options) > 1 and not self.applying
        if action == "start_apply":
            finished = self.session.outcome is not None and self.session.outcome.status == "complete"
            return (plan is not None and bool(plan.steps) and not self.applying and not self.session.preview
                    and self.pending is None and not self.failed_step and not finished)
        if action == "verify":
            return not (self.session.preview or self.applying)
        if action == "export":
            return self.session.diagnosis is not None
        return True

    def tell(self, message: str, error: bool = False) -> None:
        """A notice on its own line above the footer (a toast would cover the prompt or the hint line)."""
        self.query_one(Notice).say(message, error)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # --- preview / live ----------------------------------------------------------------------------

    def action_toggle_preview(self) -> None:
        if self.applying:
            self.tell(_("Not while apply runs."))
            return
        if not self.session.preview:
            self.set_preview(True)
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.set_preview(False)
        if self.session.demo:
            question = _("Leave preview? In the demo, apply rehearses the plan on a throwaway copy of the demo host: "
                         "every program it runs is a stand-in, and nothing else on this machine changes.")
        else:
            question = _("Leave preview? Apply will then change {target}, step by step, with a backup first.",
                         target=self.session.label)
        self.push_screen(ConfirmModal(question), decided)

    def set_preview(self, preview: bool) -> None:
        self.session.preview = preview
        self.query_one(Banner).preview = preview
        self.refresh_bindings()
        if self.session.diagnosis is not None:
            self.show_guidance()
            self.query_one(VerifyPane).show_hint(preview)

    # --- plan choice -------------------------------------------------------------------------------

    def action_choose(self) -> None:
        plan, diagnosis = self.session.plan, self.session.diagnosis
        if plan is None or diagnosis is None:
            return
        options = [(o.key, f"{number}. {o.key}" + ("" if o.supported else " " + _("(not a supported path)"))
                    + (" ✔" if plan.choice is o else ""), option_detail(o, diagnosis))
                   for number, o in enumerate(plan.options, 1)]

        def chosen(key: str | None) -> None:
            if key:
                self.session.choose(key)
                self.show_guidance()
                self.refresh_bindings()
        self.push_screen(ChoiceModal(_("How should this server get a current ACME client? Best first."), options,
                                     plan.choice.key if plan.choice else None), chosen)

    # --- apply ---------------------------------------------------------------------------------------

    def action_start_apply(self) -> None:
        reason = self.session.can_apply()
        if reason:
            self.tell(reason, error=True)
            return
        self.apply_pane.start()

    def action_answer(self, value: str) -> None:
        self.apply_pane.answer(value)

    def action_retry(self) -> None:
        self.apply_pane.retry()

    def on_apply_ended(self, _message: ApplyEnded) -> None:
        """After the apply pane took its part: what the run means for the other stages."""
        if not self.query(VerifyPane):      # the app is closing: its stages are gone already
            return
        self.show_verify()
        self.show_guidance()
        self.refresh_bindings()
        if self.quitting:
            self.exit(return_code=ExitCode.INTERRUPTED)

    # --- verify --------------------------------------------------------------------------------------

    def action_verify(self) -> None:
        self.query_one(VerifyPane).start(self.session)

    def on_verified(self, _message: Verified) -> None:
        """(After the verify pane: the result is shown at the width the app has.)"""
        if not self.query(VerifyPane):
            return
        self.show_verify()
        self.show_guidance()

    # --- report --------------------------------------------------------------------------------------

    def action_export(self) -> None:
        """The report (print-ready HTML and Markdown) from the same model as `acme-wizard report`."""
        if self.session.diagnosis is not None:
            self.report_path = self.query_one(ReportPane).export(self.session, self.report_dir) or self.report_path

    # --- quit ------------------------------------------------------------------------------------------

    def action_quit_wizard(self) -> None:
        if not self.applying:
            self.exit(return_code=self.exit_code)
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.quitting = True
                self.apply_pane.stop()
        question = (_("Apply is running. Quit now? The running command is stopped, and the demo's copy is thrown "
                      "away.") if self.session.demo else
                    _("Apply is running. Quit now? The running command is stopped and the journal records where it "
                      "stopped; run apply again to resume."))
        self.push_screen(ConfirmModal(question), decided)


@functools.cache
def _app_class(language: str) -> type[WizardApp]:
    """WizardApp with its key labels in `language` (Textual reads BINDINGS when a class is made)."""
    return type(f"WizardApp_{language}", (WizardApp,), {"BINDINGS": keys.bindings(), "__module__": __name__})


def wizard_app(session: Session, report_dir: str | None = None) -> WizardApp:
    """The wizard for this session, its keys labelled in the current language."""
    return _app_class(current_language())(session, report_dir)


def run_tui(session: Session, mouse: bool) -> int:
    app = wizard_app(session)
    app.run(mouse=mouse)
    return app.return_code if app.return_code is not None else ExitCode.OK

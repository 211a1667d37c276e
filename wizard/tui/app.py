"""The guided wizard: overview → findings → plan → apply → verify → report, keyboard first.

Made for an 80×24 SSH terminal: one column, a preview banner that never leaves the screen,
every action on a key shown in the footer, long content scrolling. Probing, applying and
verifying wait on subprocesses, so they run in worker threads; the UI only shows their results.
"""
from __future__ import annotations

import datetime
import os
from dataclasses import replace
from typing import ClassVar

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, Footer, Header, Log, Static

from wizard.core.analyse.findings import SEVERITY_NAMES
from wizard.core.errors import TargetError
from wizard.core.plan.build import Step
from wizard.core.run.journal import StepRecord
from wizard.i18n import N_, _
from wizard.render.check import finding_counts, system_rows, verdict_line
from wizard.render.plan import STATUS_MARK, render_plan
from wizard.render.styles import rich_style
from wizard.render.verify import render_verify
from wizard.render.width import cells, pad
from wizard.tui.modals import ChoiceModal, ConfirmModal, HelpScreen
from wizard.tui.session import ApplyBridge, Session

STAGES = ["overview", "findings", "plan", "apply", "verify", "report"]
STAGE_TITLES = {"overview": N_("Overview"), "findings": N_("Findings"), "plan": N_("Plan"), "apply": N_("Apply"),
                "verify": N_("Verify"), "report": N_("Report")}
STAGE_KEYS = {"choose": ("plan",), "start_apply": ("apply",), "answer": ("apply",), "retry": ("apply",),
              "verify": ("verify",), "export": ("report",)}


class WizardApp(App):
    CSS_PATH = "wizard.tcss"
    TITLE = "acme-wizard"
    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(str(n), f"stage('{name}')", STAGE_TITLES[name], show=False) for n, name in enumerate(STAGES, 1)],
        Binding("n", "move(1)", N_("Next")),
        Binding("b", "move(-1)", N_("Back")),
        Binding("c", "choose", N_("Choose")),
        Binding("a", "start_apply", N_("Apply")),
        Binding("y", "answer('yes')", N_("Run step")),
        Binding("s", "answer('skip')", N_("Skip")),
        Binding("x", "answer('quit')", N_("Abort")),
        Binding("r", "retry", N_("Retry")),
        Binding("v", "verify", N_("Verify")),
        Binding("e", "export", N_("Export")),
        Binding("d", "toggle_preview", N_("Preview")),
        Binding("question_mark,f1", "help", N_("Help")),
        Binding("q", "quit_wizard", N_("Quit"), priority=True),
        Binding("ctrl+c", "quit_wizard", N_("Quit"), show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session, report_dir: str | None = None) -> None:
        super().__init__()
        # Key labels are written N_() at class level; translate them now that the language is known.
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [replace(b, description=_(b.description)) for b in bindings]
        self.session = session
        self.report_dir = report_dir or os.getcwd()
        self.stage = "overview"
        self.bridge: ApplyBridge | None = None
        self.pending: Step | None = None        # a step waiting for y / s / x
        self.applying = False
        self.failed_step: str | None = None
        self.load_error: str | None = None
        self.exit_code = 0
        self.skip_once: str | None = None       # a failed step the admin chose to skip on the re-run
        self.quitting = False
        self.report_path: str | None = None

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(id="banner")
        yield Static(id="stages")
        with ContentSwitcher(initial="overview", id="content"):
            with VerticalScroll(id="overview"):
                yield Static(_("Probing {target}…", target=self.session.label), id="overview-body")
            with VerticalScroll(id="findings"):
                yield Static(id="findings-body")
            with VerticalScroll(id="plan"):
                yield Static(id="plan-body")
            with Vertical(id="apply"):
                with VerticalScroll(id="apply-steps"):
                    yield Static(id="apply-body")
                yield Log(id="apply-log", max_lines=5000)
                yield Static(id="apply-prompt")
            with Vertical(id="verify"):
                with VerticalScroll(id="verify-scroll"):
                    yield Static(id="verify-body")
                yield Log(id="verify-log", max_lines=2000)
            with VerticalScroll(id="report"):
                yield Static(id="report-body")
        yield Footer()

    def on_mount(self) -> None:
        self.theme = "ansi-dark"          # the terminal's own 16 colours
        self.sub_title = self.session.label
        self.refresh_chrome()
        self.load()

    @work(thread=True, exclusive=True, group="probe")
    def load(self) -> None:
        try:
            self.session.load()
        except TargetError as error:
            self.call_from_thread(self.show_load_error, str(error))
            return
        self.call_from_thread(self.show_all)

    def show_load_error(self, message: str) -> None:
        self.load_error, self.exit_code = message, 3
        self.query_one("#overview-body", Static).update(Text(message, style="bold red"))

    # --- rendering ------------------------------------------------------------------------------

    def refresh_chrome(self) -> None:
        banner = self.query_one("#banner", Static)
        if self.session.preview:
            text = _("PREVIEW: nothing will be changed.") + " " + (
                _("This is the demo host.") if self.session.demo else _("Press d to leave preview."))
            banner.update(Text(text, style="bold"))
            banner.set_class(True, "preview")
            banner.set_class(False, "live")
        else:
            banner.update(Text(_("LIVE: apply changes {target}. Press d to go back to preview.",
                                 target=self.session.label), style="bold"))
            banner.set_class(False, "preview")
            banner.set_class(True, "live")
        bar = Text()
        for number, name in enumerate(STAGES, 1):
            label = f" {number} {_(STAGE_TITLES[name])} "
            bar.append(label, style="reverse bold" if name == self.stage else "")
        self.query_one("#stages", Static).update(bar)
        self.refresh_bindings()

    def show_all(self) -> None:
        diagnosis = self.session.diagnosis
        assert diagnosis is not None
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
        self.query_one("#findings-body", Static).update(self.findings_text())
        self.show_plan()
        self.show_apply_steps()
        self.query_one("#verify-body", Static).update(self.verify_hint())
        self.query_one("#report-body", Static).update(
            Text(_("Press e to export the report (what was found, the plan, what was done and the "
                   "verification) as print-ready HTML and Markdown in {dir}.", dir=self.report_dir)))

    def findings_text(self) -> Group | Text:
        diagnosis = self.session.diagnosis
        parts = []
        for finding in diagnosis.findings:
            title = Text()
            title.append(pad(_(SEVERITY_NAMES[finding.severity]).upper(), 8) + " ", style=rich_style(finding.severity))
            title.append(f"{finding.id}  {finding.title}", style="bold")
            parts += [title, Padding(Text(finding.detail), (0, 0, 0, 2))]
            for evidence in finding.evidence[:6]:
                line = Text.assemble((_("at") + " ", "dim"), (evidence.where(), "underline"))
                if evidence.text:
                    line.append("  " + " ".join(evidence.text.split())[:200], style="dim")
                parts.append(Padding(line, (0, 0, 0, 2)))
            parts.append(Padding(Text(_("Fix: ") + finding.remediation, style="green"), (0, 0, 1, 2)))
        return Group(*parts) if parts else Text(_("No findings."))

    def text_width(self) -> int:
        """Columns the scrolling panes leave for text (padding and scrollbar taken off)."""
        return max(40, self.size.width - 6)

    def show_plan(self) -> None:
        plan = self.session.plan
        body = render_plan(plan, self.session.label, preview=False, invocation=self.session.invocation,
                           width=self.text_width())
        if plan.decision_needed:
            body = _("A decision is needed: press c to choose how this server gets a current client.") + "\n\n" + body
        self.query_one("#plan-body", Static).update(Text(body))

    def show_apply_steps(self) -> None:
        plan = self.session.plan
        text = Text()
        if self.session.preview:
            text.append(_("Preview: these steps would run, in this order. Nothing is executed.") + "\n\n", style="bold")
        for number, step in enumerate(plan.steps, 1):
            record = self.session.records.get(step.id)
            mark = STATUS_MARK.get(record.status, "?") if record else " "
            style = {"ok": "green", "already-done": "green", "failed": "bold red", "started": "bold"}.get(
                record.status if record else "", "")
            text.append(f"{mark} {number}. {step.title}", style=style)
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
        if self.pending is not None:
            prompt.update(Text(_("Step [{id}] {title}: y run · s skip · x abort", id=self.pending.id,
                                 title=self.pending.title), style="bold reverse"))
        elif self.failed_step:
            prompt.update(Text(_("Step {step} failed: r retry · s skip it · x stop here", step=self.failed_step),
                               style="bold red reverse"))
        elif self.applying:
            prompt.update(Text(_("Running…"), style="bold"))
        elif self.session.outcome is not None:
            outcome = self.session.outcome
            undo = self.session.invocation.command("rollback", outcome.run_id)
            prompt.update(Text(_("Run {run}: {status}. Backups and journal in {path}", run=outcome.run_id,
                                 status=outcome.status, path=outcome.run_path) + "\n" + _("Undo with:") + "\n" + undo,
                               style="bold"))
        elif self.session.preview:
            prompt.update(Text(_("Preview only. Press d to leave preview, then a to apply."), style="dim"))
        else:
            prompt.update(Text(_("Press a to start: each step asks before it runs."), style="bold"))

    def verify_hint(self) -> Text:
        if self.session.preview:
            return Text(_("Verify runs a test renewal (certbot renew --dry-run), so it is not run in preview."))
        return Text(_("Press v to verify: probe again, run a test renewal and check that no ACMEv1 pin is left."))

    # --- navigation ------------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.session.diagnosis is not None:
            self.show_plan()
            if self.session.verify_result is not None:
                self.show_verify()

    def action_stage(self, name: str) -> None:
        self.stage = name
        self.query_one("#content", ContentSwitcher).current = name
        self.refresh_chrome()

    def action_move(self, delta: int) -> None:
        index = max(0, min(len(STAGES) - 1, STAGES.index(self.stage) + delta))
        self.action_stage(STAGES[index])

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Show only the keys that do something here and now (False hides a key in the footer)."""
        stages = STAGE_KEYS.get(action)
        if stages is not None and self.stage not in stages:
            return False
        plan = self.session.plan
        if action == "answer":
            return self.pending is not None or bool(self.failed_step)
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

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # --- preview / live ----------------------------------------------------------------------------

    def action_toggle_preview(self) -> None:
        if self.applying:
            self.notify(_("Not while apply runs."))
            return
        if self.session.demo:
            self.notify(_("The demo host is preview only."))
            return
        if not self.session.preview:
            self.session.preview = True
            self.after_mode_change()
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.session.preview = False
                self.after_mode_change()
        self.push_screen(ConfirmModal(_("Leave preview? Apply will then change {target}, step by step, "
                                        "with a backup first.", target=self.session.label)), decided)

    def after_mode_change(self) -> None:
        self.refresh_chrome()
        if self.session.diagnosis is not None:
            self.show_apply_steps()
            self.query_one("#verify-body", Static).update(self.verify_hint())

    # --- plan choice -------------------------------------------------------------------------------

    def action_choose(self) -> None:
        plan = self.session.plan
        options = [(o.key, f"{o.key}: {o.title}" + ("" if o.supported else " " + _("(not a supported path)")))
                   for o in plan.options]

        def chosen(key: str | None) -> None:
            if key:
                self.session.choose(key)
                self.show_plan()
                self.show_apply_steps()
                self.refresh_bindings()
        self.push_screen(ChoiceModal(_("How should this server get a current ACME client?"), options), chosen)

    # --- apply ---------------------------------------------------------------------------------------

    def action_start_apply(self) -> None:
        reason = self.session.can_apply()
        if reason:
            self.notify(reason, severity="error", timeout=8)
            return
        self.begin_apply()

    def begin_apply(self, skip: str | None = None) -> None:
        self.applying, self.failed_step = True, None
        self.bridge = ApplyBridge(lambda *event: self.call_from_thread(self.on_apply_event, *event))
        self.skip_once = skip
        self.query_one("#apply-log", Log).write_line(_("— apply started —"))
        self.show_apply_steps()
        self.refresh_bindings()
        self.run_apply()

    @work(thread=True, exclusive=True, group="apply")
    def run_apply(self) -> None:
        try:
            outcome = self.session.apply(self.bridge)
        except KeyboardInterrupt:
            self.call_from_thread(self.apply_done, "interrupted")
            return
        except Exception as error:          # shown to the admin; the journal says what was done
            self.call_from_thread(self.apply_done, "error", str(error))
            return
        self.call_from_thread(self.apply_done, outcome.status, outcome.message, outcome.failed_step)

    def on_apply_event(self, kind: str, step: Step, *rest) -> None:
        log = self.query_one("#apply-log", Log)
        if kind == "started":
            index, total = rest
            log.write_line(f"▶ {index}/{total} [{step.id}] {step.title}")
        elif kind == "output":
            log.write_line("  " + rest[0])
        elif kind == "finished":
            record: StepRecord = rest[0]
            self.session.records[step.id] = record
            log.write_line(f"  {STATUS_MARK.get(record.status, '?')} {record.status} {record.message}".rstrip())
            self.show_apply_steps()
        elif kind == "confirm":
            if self.skip_once == step.id:
                self.skip_once = None
                self.bridge.answer("skip")
                return
            self.pending = step
            self.show_prompt()
            self.refresh_bindings()

    def action_answer(self, value: str) -> None:
        if self.pending is not None and self.bridge is not None:
            self.pending = None
            self.bridge.answer(value)
            self.show_prompt()
            self.refresh_bindings()
        elif self.failed_step:
            if value == "skip":
                self.begin_apply(skip=self.failed_step)
            elif value == "quit":
                self.failed_step = None
                self.show_prompt()
                self.refresh_bindings()

    def action_retry(self) -> None:
        if self.failed_step:
            self.begin_apply()          # the unfinished run resumes; the failed step runs again

    def apply_done(self, status: str, message: str = "", failed_step: str | None = None) -> None:
        self.applying, self.pending = False, None
        self.failed_step = failed_step if status == "failed" else None
        log = self.query_one("#apply-log", Log)
        log.write_line(_("— apply ended: {status} {message} —", status=status, message=message).replace("  ", " "))
        if self.session.verify_result is not None:
            self.show_verify()
        self.show_apply_steps()
        self.refresh_bindings()
        if self.quitting:
            self.exit(return_code=130)

    # --- verify --------------------------------------------------------------------------------------

    def action_verify(self) -> None:
        self.query_one("#verify-log", Log).clear()
        self.query_one("#verify-body", Static).update(Text(_("Verifying: probe, test renewal, checks…")))
        self.run_verify()

    @work(thread=True, exclusive=True, group="verify")
    def run_verify(self) -> None:
        log = self.query_one("#verify-log", Log)
        self.session.verify(lambda line: self.call_from_thread(log.write_line, line))
        self.call_from_thread(self.show_verify)

    def show_verify(self) -> None:
        result = self.session.verify_result
        self.query_one("#verify-body", Static).update(
            Text(render_verify(result, self.session.label, self.session.before_summary,
                          invocation=self.session.invocation, width=self.text_width())))

    # --- report --------------------------------------------------------------------------------------

    def action_export(self) -> None:
        """The report (print-ready HTML and Markdown) from the same model as `acme-wizard report`."""
        if self.session.diagnosis is None:
            return
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = os.path.join(self.report_dir, f"acme-wizard-report-{stamp}")
        try:
            paths = self.session.write_report(base)
        except OSError as error:
            self.notify(_("Cannot write {path}: {reason}", path=base, reason=error.strerror), severity="error")
            return
        self.report_path = paths[0]
        message = _("Report written to {paths}", paths=", ".join(paths))
        self.query_one("#report-body", Static).update(Text(message, style="bold"))
        self.notify(message)

    # --- quit ------------------------------------------------------------------------------------------

    def action_quit_wizard(self) -> None:
        if not self.applying:
            self.exit(return_code=self.exit_code)
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.quitting = True
                self.session.target.interrupt()
                if self.bridge is not None:
                    self.bridge.answer("quit")
        self.push_screen(ConfirmModal(_("Apply is running. Quit now? The running command is stopped and the "
                                        "journal records where it stopped; run apply again to resume.")), decided)


def run_tui(session: Session, mouse: bool) -> int:
    app = WizardApp(session)
    app.run(mouse=mouse)
    return app.return_code if app.return_code is not None else 0

"""Carry out a plan on the target: lock, back up first, journal every step, stop at the first failure.

A re-run resumes the unfinished run (same run directory, so the first backup — the original
state — is kept): steps the journal records as done are not run again, and a step that was
interrupted is run again (edits are idempotent and written atomically). Command steps cannot run
inside a root prefix: they are recorded as not run and the steps that depend on them are blocked.
"""
from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from wizard.core.errors import ExitCode, UsageError
from wizard.core.plan.edits import EditConflict
from wizard.core.plan.model import CHECK_STEPS, Action, Plan, Step
from wizard.core.run.journal import JournalState, Lock, RunDir, StepRecord, new_run_id, now_iso, unfinished_run
from wizard.core.run.state_shapes import PLAN
from wizard.core.target.confine import is_within
from wizard.core.target.errors import CommandsNotAllowed
from wizard.core.target.protocol import Emit, Target
from wizard.i18n import _

OUTPUT_TAIL_LINES = 20


class ApplyRefused(UsageError):
    """The plan cannot be applied as asked: a decision is missing (exit 2), root is needed (exit 3), …"""


@dataclass
class ApplyOutcome:
    run_id: str
    run_path: str
    status: str                       # complete, failed, interrupted, incomplete, stopped
    records: dict[str, StepRecord] = field(default_factory=dict)
    failed_step: str | None = None
    message: str = ""
    resumed: bool = False


class ApplyEvents(Protocol):
    def step_started(self, step: Step, index: int, total: int) -> None: ...
    def output(self, step: Step, line: str) -> None: ...
    def step_finished(self, step: Step, record: StepRecord) -> None: ...
    def confirm(self, step: Step) -> str: ...          # "yes", "skip" or "quit"


# The verify step: probe again, test-renew, and say (passed, a one-line summary).
Verifier = Callable[[Emit], tuple[bool, str]]


class _StepFailed(Exception):
    def __init__(self, message: str, exit_code: int | None = None, status: str = "failed") -> None:
        super().__init__(message)
        self.exit_code, self.status = exit_code, status


def check_can_apply(plan: Plan, target: Target) -> None:
    if plan.decision_needed:
        raise ApplyRefused(_("this host needs a decision first: choose how it gets a current client "
                             "(options: {options})", options=", ".join(o.key for o in plan.options)))
    needs_root = any(s.requires_root for s in plan.steps)
    if target.privilege_error and needs_root:
        raise ApplyRefused(target.privilege_error, ExitCode.TARGET)


def check_state_dir_apart(target: Target, plan: Plan, state_dir: str) -> None:
    """The state directory must not lie in anything the plan backs up, edits, creates or retires:
    a restore or a retire would take the backups with it."""
    state = target.resolve(state_dir)
    for path in plan.touched_paths:
        for where in {target.resolve(path, follow=False), target.resolve(path)}:
            if is_within(state, where) or is_within(where, state):
                raise ApplyRefused(_("the state directory {state} lies in {path}, which the plan backs up or "
                                     "changes: choose another --state-dir (nothing was changed)",
                                     state=state_dir, path=path))


def sweep_after_a_kill(target: Target, directories: list[str]) -> None:
    """A run killed mid-write leaves this tool's temporary files beside what it was writing:
    remove them from these directories before the run goes on (or is rolled back)."""
    for directory in dict.fromkeys(directories):
        try:
            target.sweep_temporaries(directory)
        except OSError:
            pass


def parents(paths: list[str]) -> list[str]:
    return [posixpath.dirname(path.rstrip("/")) or "/" for path in paths]


def apply_plan(target: Target, plan: Plan, state_dir: str, events: ApplyEvents, before: dict[str, Any] | None = None,
               verifier: Verifier | None = None) -> ApplyOutcome:
    previous = unfinished_run(target, state_dir)
    if previous is not None:
        # A run that has started is carried out as it was planned: the host has changed since, and
        # a new plan made from it would forget what the run already did (a retired certbot-auto).
        try:
            plan = Plan.from_saved(previous.read_json("plan.json", {}, PLAN))
        except ValueError:
            pass                        # a run of an older version: its plan is rebuilt, as before
    check_state_dir_apart(target, plan, state_dir)
    run = previous or RunDir(target, state_dir, new_run_id())
    with Lock(target, state_dir, run.run_id):
        run.create()
        state = run.journal()
        if previous is not None:
            sweep_after_a_kill(target, [*parents(plan.touched_paths), run.path])
        if previous is None:
            run.write_json("before.json", before or {})
            run.write_json("plan.json", plan.to_json())
        run.event(event="run-start", resumed=previous is not None,
                  interrupted_steps=state.interrupted_steps(), steps=[s.id for s in plan.steps])
        outcome = ApplyOutcome(run.run_id, run.path, "complete", resumed=previous is not None)
        runner = _StepRunner(target, plan, run, events, verifier)
        try:
            for index, step in enumerate(plan.steps, 1):
                record = runner.run_step(step, index, state)
                outcome.records[step.id] = record
                if record.status == "failed":
                    outcome.status, outcome.failed_step, outcome.message = "failed", step.id, record.message
                    break
                if record.status == "stopped":
                    outcome.status, outcome.message = "stopped", record.message
                    break
                if record.status in ("not-run", "blocked", "skipped"):
                    outcome.status = "incomplete"
        except KeyboardInterrupt:
            outcome.status = "interrupted"
            run.event(event="run-end", status="interrupted")
            raise
        run.event(event="run-end", status=outcome.status, failed_step=outcome.failed_step)
        return outcome


class _StepRunner:
    def __init__(self, target: Target, plan: Plan, run: RunDir, events: ApplyEvents,
                 verifier: Verifier | None) -> None:
        self.target, self.plan, self.run, self.events, self.verifier = target, plan, run, events, verifier
        self.done: set[str] = set()

    def run_step(self, step: Step, index: int, earlier: JournalState) -> StepRecord:
        self.events.step_started(step, index, len(self.plan.steps))
        if earlier.succeeded(step.id) and step.id not in CHECK_STEPS:
            record = StepRecord("already-done", message=_("in an earlier attempt of this run"))
            self.done.add(step.id)
            self.events.step_finished(step, record)
            return record
        missing = [d for d in step.depends_on if d not in self.done]
        if missing:
            record = StepRecord("blocked", message=_("not run: needs {steps} to succeed first",
                                                     steps=", ".join(missing)))
            self.run.event(event="step-end", step=step.id, status="blocked", message=record.message)
            self.events.step_finished(step, record)
            return record
        answer = self.events.confirm(step)
        if answer in ("skip", "quit"):
            status = "skipped" if answer == "skip" else "stopped"
            record = StepRecord(status, message=_("at the admin's word"))
            self.run.event(event="step-end", step=step.id, status=status, message=record.message)
            self.events.step_finished(step, record)
            return record
        record = StepRecord("started", started=now_iso())
        self.run.event(event="step-start", step=step.id, title=step.title)
        output: list[str] = []

        def emit(line: str) -> None:
            output.append(line)
            self.events.output(step, line)

        # Files of a step are named by its place in the plan, never by a lineage's name (which can be
        # as long as a file name may be, or longer once a suffix is added).
        self.log_name = f"step-{index:02d}"
        self.job_prefix = self.run.file(f"jobs/{self.log_name}")
        self.reattach = step.id in earlier.interrupted_steps()
        try:
            for number, action in enumerate(step.actions, 1):
                self.action_index = number
                self._action(action, emit)
            record.status = "ok"
        except _StepFailed as failure:
            record.status, record.exit_code, record.message = failure.status, failure.exit_code, str(failure)
            emit(str(failure))
        except OSError as error:          # a full disk, a vanished directory: the step failed, cleanly
            record.status, record.message = "failed", _("{path}: {reason}", path=error.filename or step.id,
                                                         reason=error.strerror or str(error))
            emit(record.message)
        except KeyboardInterrupt:
            record.status, record.message = "interrupted", _("interrupted by the admin")
            self._finish(step, record, output)
            raise
        self._finish(step, record, output)
        if record.status == "ok":
            self.done.add(step.id)
        return record

    def _finish(self, step: Step, record: StepRecord, output: list[str]) -> None:
        record.ended = now_iso()
        if output:
            try:
                self.target.write_bytes(self.run.file(f"output/{self.log_name}.log"),
                                        ("\n".join(output) + "\n").encode("utf-8", "backslashreplace"), 0o600,
                                        follow=False)
            except OSError as error:      # the journal's output tail still says what happened
                output.append(_("(the step's log could not be written: {reason})", reason=error.strerror))
        self.run.event(event="step-end", step=step.id, status=record.status, exit_code=record.exit_code,
                       message=record.message, output_tail=output[-OUTPUT_TAIL_LINES:])
        self.events.step_finished(step, record)

    # --- actions ------------------------------------------------------------------------------

    def _action(self, action: Action, emit: Callable[[str], None]) -> None:
        handlers: dict[str, Callable[[Action, Callable[[str], None]], None]] = {
            "backup": self._backup, "command": self._command, "test-renewal": self._command,
            "edit": self._edit, "create": self._create, "retire": self._retire, "verify": self._verify}
        handlers[action.type](action, emit)

    def _backup(self, action: Action, emit: Emit) -> None:
        paths = list(dict.fromkeys((action.paths or []) + self.plan.edit_paths))
        entries = self.run.add_backup(paths)
        files = sum(1 for e in entries if e.kind == "file")
        emit(_("backed up {count} file(s) into {path}", count=files, path=self.run.path))

    def _command(self, action: Action, emit: Emit) -> None:
        emit("$ " + shlex.join(action.argv or []))
        job = f"{self.job_prefix}-{self.action_index}"
        try:
            code = self._reattached(job, emit)
            if code is None:
                code = self.target.run(action.argv or [], emit, job=job)
        except CommandsNotAllowed as reason:
            raise _StepFailed(str(reason), status="not-run") from None
        except FileNotFoundError as error:
            raise _StepFailed(_("cannot run {program}: {reason}", program=(action.argv or ["?"])[0],
                                reason=error.strerror)) from None
        if code != 0:
            raise _StepFailed(_("'{command}' exited with {code}", command=shlex.join(action.argv or []), code=code),
                              code)

    def _reattached(self, job: str, emit: Emit) -> int | None:
        """A command of an interrupted step that is still running or finished on a remote target while
        the link was down: follow it instead of starting it again."""
        if not self.reattach:
            return None
        state, _code = self.target.job_state(job)
        if state not in ("running", "done"):
            return None
        emit(_("re-attached: this command {state} while the link was down; its output follows",
               state=_("is still running") if state == "running" else _("finished")))
        return self.target.follow(job, emit)

    def _edit(self, action: Action, emit: Emit) -> None:
        edit = action.edit
        assert edit is not None
        try:
            data = self.target.read_bytes(edit.path)
        except OSError as error:
            raise _StepFailed(_("cannot read {path}: {reason}", path=edit.path, reason=error.strerror)) from None
        if edit.is_applied(data):
            emit(_("{path} already reads as planned", path=edit.path))
            return
        try:
            new = edit.apply_to(data)
        except EditConflict as conflict:
            raise _StepFailed(_("{path} changed since the plan was made: {detail}", path=edit.path,
                                detail=str(conflict))) from None
        self.run.add_backup([edit.path])          # no-op when the backup step already has it
        if not self.run.covers(edit.path):
            raise _StepFailed(_("{path} is not in a verified backup of this run, so it was not edited",
                                path=edit.path))
        try:
            self.target.write_bytes(edit.path, new)
        except OSError as error:
            raise _StepFailed(_("cannot write {path}: {reason}", path=edit.path, reason=error.strerror)) from None
        emit(_("edited {path}", path=edit.path))

    def _create(self, action: Action, emit: Emit) -> None:
        path, content = action.path or "", (action.content or "").encode()
        if self.target.exists(path) and self.target.read_bytes(path) == content:
            emit(_("{path} already exists as planned", path=path))
            return
        self.run.add_backup([path])
        self.target.write_bytes(path, content, 0o644)
        emit(_("created {path}", path=path))

    def _retire(self, action: Action, emit: Emit) -> None:
        for path in action.paths or []:
            if not self.target.exists(path):
                emit(_("{path} is already gone", path=path))
                continue
            destination = self.run.file("retired" + path)
            # Intent first: a kill between the two leaves a journal that still knows where to look.
            self.run.event(event="retired", path=path, to=destination)
            self.target.move(path, destination)
            emit(_("moved {path} to {destination}", path=path, destination=destination))

    def _verify(self, action: Action, emit: Emit) -> None:
        if self.verifier is None:
            return
        if not self.target.allow_commands:
            raise _StepFailed(_("verify needs a test renewal, and commands cannot run inside a root "
                                "prefix; run acme-wizard verify on the live system"), status="not-run")
        passed, summary = self.verifier(emit)
        if not passed:
            raise _StepFailed(summary)


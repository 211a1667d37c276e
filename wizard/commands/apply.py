"""`acme-wizard apply`: carry out the plan step by step (or preview it with --dry-run)."""
from __future__ import annotations

import argparse
import sys

from wizard.commands.files import answers_from
from wizard.commands.plan import plan_exit, print_how_to_carry_out
from wizard.commands.target import invocation, target_from
from wizard.commands.terminal import OutputClosed, show
from wizard.core.analyse.diagnose import diagnose
from wizard.core.errors import ExitCode, UsageError
from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Plan, Step
from wizard.core.probe.run import run_probe
from wizard.core.run.apply import check_can_apply
from wizard.core.run.journal import StepRecord
from wizard.core.run.remediate import apply_and_verify
from wizard.core.run.verify import VerifyResult
from wizard.core.target.protocol import Emit
from wizard.i18n import _
from wizard.render.plan import render_plan, render_record, render_step
from wizard.render.verify import check_line
from wizard.render.words import status_word


class _TerminalEvents:
    """Streams apply's progress to the terminal and asks before each step unless --yes."""

    def __init__(self, assume_yes: bool) -> None:
        self.assume_yes = assume_yes

    def step_started(self, step: Step, index: int, total: int) -> None:
        show("\n" + "\n".join(render_step(step, index, total)))

    def output(self, step: Step, line: str) -> None:
        show("    | " + line)

    def step_finished(self, step: Step, record: StepRecord) -> None:
        show(render_record(step, record))

    def confirm(self, step: Step) -> str:
        if self.assume_yes:
            return "yes"
        while True:
            try:
                reply = input(_("  Run this step? [y]es / [s]kip / [q]uit: ")).strip().lower()
            except EOFError:
                return "quit"
            if reply in ("y", "yes"):
                return "yes"
            if reply in ("s", "skip"):
                return "skip"
            if reply in ("q", "quit", "n", "no"):
                return "quit"


def _ask_choice(plan: Plan) -> str:
    """CentOS 6 and the like: show the ranked options with their caveats and let the admin pick."""
    sys.stdout.write(render_plan(plan, _("this host")))
    keys = [o.key for o in plan.options]
    while True:
        reply = input(_("Choose an option [1-{count}] or q to quit: ", count=len(keys))).strip().lower()
        if reply in ("q", "quit"):
            raise KeyboardInterrupt
        if reply.isdigit() and 1 <= int(reply) <= len(keys):
            return keys[int(reply) - 1]


def _show_checks(result: VerifyResult, emit: Emit) -> None:
    for check in result.checks:
        emit(check_line(check.passed, check.text))


def run(args: argparse.Namespace) -> ExitCode:
    answers = answers_from(args)
    follow = invocation(args)
    if args.demo and not args.dry_run:
        raise UsageError(_("the demo host is for previews here: add --dry-run (the wizard, {command}, rehearses "
                           "apply on a throwaway copy)", command="acme-wizard --demo"))
    if not args.dry_run and not args.yes and not sys.stdin.isatty():
        raise UsageError(_("no terminal to confirm each step: pass --yes to apply without asking"))
    with target_from(args) as (target, label):
        diagnosis = diagnose(run_probe(target))
        plan = build_plan(diagnosis, answers)
        if plan.decision_needed and not args.dry_run and sys.stdin.isatty():
            answers.client = _ask_choice(plan)
            diagnosis = diagnose(run_probe(target))
            plan = build_plan(diagnosis, answers)
        if args.dry_run:
            sys.stdout.write(render_plan(plan, label, preview=True, invocation=follow))
            print("")
            print(_("Nothing was executed or written."))
            print_how_to_carry_out(plan, follow, previewed=True)
            return plan_exit(plan)
        if not plan.steps and not plan.decision_needed:
            print(_("Nothing to do on {target}.", target=label))
            return ExitCode.OK
        if plan.decision_needed:
            raise UsageError(_("this host needs a decision first: name a client with --client KEY (options: "
                               "{options})", options=", ".join(o.key for o in plan.options)))
        check_can_apply(plan, target)
        print(_("Applying the plan for {target}: {count} step(s)", target=label, count=len(plan.steps)))
        try:
            outcome = apply_and_verify(target, plan, diagnosis, args.state_dir, _TerminalEvents(args.yes),
                                       on_verified=_show_checks)
        except KeyboardInterrupt as stop:
            closed = isinstance(stop, OutputClosed)
            print("", file=sys.stderr)
            print(_("The output was closed, so the run stopped.") if closed else _("Interrupted."), file=sys.stderr)
            print(_("The journal is consistent; resume with the first command, or undo with the second:"),
                  file=sys.stderr)
            print("  " + follow.command("apply"), file=sys.stderr)
            print("  " + follow.command("rollback"), file=sys.stderr)
            return ExitCode.BROKEN_PIPE if closed else ExitCode.INTERRUPTED
    print("")
    if outcome.resumed:
        print(_("(resumed the unfinished run {run})", run=outcome.run_id))
    print(_("Run {run}: {status}. Backups and journal: {path}", run=outcome.run_id, status=status_word(outcome.status),
            path=target.shown_path(outcome.run_path)))
    print(_("Undo with:"))
    print("  " + follow.command("rollback", outcome.run_id))
    if outcome.status == "failed":
        print(_("Step {step} failed: {message}. Fix the cause, then resume with:",
                step=outcome.failed_step, message=outcome.message), file=sys.stderr)
        print("  " + follow.command("apply"), file=sys.stderr)
        return ExitCode.STEP_FAILED
    if outcome.status == "complete":
        print(_("Prove it with:"))
        print("  " + follow.command("verify"))
    return ExitCode.OK if outcome.status == "complete" else ExitCode.ACTION_NEEDED

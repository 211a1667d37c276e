"""The remediation commands: plan, apply (and its preview), verify and rollback.

A thin front end like the rest of the CLI: it reads the admin's answers, asks the core for the
plan, streams what apply does, and maps outcomes onto the documented exit codes.
"""
from __future__ import annotations

import os
import sys

from wizard.cli import (EXIT_ACTION, EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OK, EXIT_STEP_FAILED, EXIT_TARGET,
                        EXIT_USAGE, UsageError, invocation, refuse, silence_stdout)
from wizard.core import textsafe
from wizard.core.run.apply import ApplyRefused, apply_plan, check_can_apply
from wizard.core.analyse.document import check_document
from wizard.core.analyse.diagnose import diagnose
from wizard.core.plan.build import Answers, AnswersError, Plan, Step, build_plan
from wizard.core.probe.run import run_probe
from wizard.core.run.rollback import RollbackError, find_run, rollback as rollback_run
from wizard.core.run.journal import LockedError, RunDir, StepRecord, list_runs
from wizard.core.run.verify import summarize, verify_and_record
from wizard.i18n import _
from wizard.render.plan import render_plan, render_record, render_rollback, render_step, render_verify


MAX_ANSWERS = 65536              # an answers file is a few lines; /dev/zero is not one


def read_answers(args) -> Answers:
    if not getattr(args, "answers", None):
        return Answers()
    try:
        with open(args.answers, "rb") as handle:
            data = handle.read(MAX_ANSWERS + 1)
        if len(data) > MAX_ANSWERS:
            raise AnswersError(_("larger than {size} bytes", size=MAX_ANSWERS))
        return Answers.from_json(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise UsageError(_("{path}: {reason}", path=args.answers, reason=_("not UTF-8 text"))) from error
    except OSError as error:
        raise UsageError(_("cannot read the answers {path}: {reason}", path=args.answers, reason=error.strerror)) from error
    except AnswersError as error:
        raise UsageError(_("{path}: {reason}", path=args.answers, reason=str(error))) from error


def _make_plan(target, answers: Answers):
    diagnosis = diagnose(run_probe(target))
    try:
        return diagnosis, build_plan(diagnosis, answers)
    except AnswersError as error:
        raise UsageError(str(error)) from error


def plan(args, target_from) -> int:
    from wizard.cli import _bundle
    answers = read_answers(args)
    if args.from_bundle:
        label = _("bundle {path}", path=args.from_bundle)
        the_plan = _plan_or_none(diagnose(_bundle(args.from_bundle)), answers)
    else:
        with target_from(args) as (target, label):
            _diagnosis, the_plan = _make_plan(target, answers)
    follow = invocation(args)
    if args.json:
        sys.stdout.write(textsafe.json_text(the_plan.to_json()))
    else:
        sys.stdout.write(render_plan(the_plan, label, invocation=follow))
        _how_to_carry_out(the_plan, follow, previewed=False)
    return EXIT_ACTION if the_plan.decision_needed or len(the_plan.steps) > 1 else EXIT_OK


def _how_to_carry_out(the_plan: Plan, follow, previewed: bool) -> None:
    """After a plan or its preview: the commands that carry it out, as far as this target allows."""
    if not the_plan.steps or the_plan.decision_needed:
        return
    if not follow.can("apply"):
        print("")
        print(_("A bundle cannot be applied: run apply on the host itself, or from here with --host."))
        return
    commands = ([] if previewed else [follow.command("apply", "--dry-run")]) + \
               ([] if follow.demo else [follow.command("apply")])
    if commands:
        print("")
        print(_("To carry it out (asks before each step):") if previewed else
              _("Preview it, then carry it out (asks before each step):"))
        for command in commands:
            print("  " + command)


class OutputClosed(KeyboardInterrupt):
    """stdout went away (`apply --yes | head`): the run stops as on Ctrl-C, with a consistent journal."""


class _TerminalEvents:
    """Streams apply's progress to the terminal and asks before each step unless --yes."""

    def __init__(self, assume_yes: bool) -> None:
        self.assume_yes = assume_yes
        self.total = 0

    def _show(self, text: str) -> None:
        try:
            print(text, flush=True)
        except BrokenPipeError:
            silence_stdout()
            raise OutputClosed from None

    def step_started(self, step: Step, index: int, total: int) -> None:
        self._show("\n" + "\n".join(render_step(step, index, total)))

    def output(self, step: Step, line: str) -> None:
        self._show("    | " + line)

    def step_finished(self, step: Step, record: StepRecord) -> None:
        self._show(render_record(step, record))

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


def _ask_choice(the_plan: Plan) -> str:
    """CentOS 6 and the like: show the ranked options with their caveats and let the admin pick."""
    sys.stdout.write(render_plan(the_plan, _("this host")))
    keys = [o.key for o in the_plan.options]
    while True:
        reply = input(_("Choose an option [1-{count}] or q to quit: ", count=len(keys))).strip().lower()
        if reply in ("q", "quit"):
            raise KeyboardInterrupt
        if reply.isdigit() and 1 <= int(reply) <= len(keys):
            return keys[int(reply) - 1]


def apply(args, target_from) -> int:
    answers = read_answers(args)
    follow = invocation(args)
    if args.demo and not args.dry_run:
        raise UsageError(_("the demo host is for previews only: add --dry-run"))
    if not args.dry_run and not args.yes and not sys.stdin.isatty():
        raise UsageError(_("no terminal to confirm each step: pass --yes to apply without asking"))
    with target_from(args) as (target, label):
        diagnosis, the_plan = _make_plan(target, answers)
        if the_plan.decision_needed and not args.dry_run and sys.stdin.isatty():
            answers.client = _ask_choice(the_plan)
            diagnosis, the_plan = _make_plan(target, answers)
        if args.dry_run:
            sys.stdout.write(render_plan(the_plan, label, preview=True, invocation=follow))
            print("")
            print(_("Nothing was executed or written."))
            _how_to_carry_out(the_plan, follow, previewed=True)
            return EXIT_ACTION if the_plan.decision_needed or len(the_plan.steps) > 1 else EXIT_OK
        if not the_plan.steps and not the_plan.decision_needed:
            print(_("Nothing to do on {target}.", target=label))
            return EXIT_OK
        try:
            check_can_apply(the_plan, target, os.geteuid())
        except ApplyRefused as refused:
            return refuse(refused, EXIT_USAGE if the_plan.decision_needed else EXIT_TARGET)
        print(_("Applying the plan for {target}: {count} step(s)", target=label, count=len(the_plan.steps)))

        def verifier(emit):
            result, _document = verify_and_record(target, args.state_dir, emit)
            for check in result.checks:
                emit(f"{'✔' if check.passed else '✘'} {check.text}")
            return result.passed, result.summary()

        try:
            before = {**check_document(diagnosis, target), "summary": summarize(diagnosis)}
            outcome = apply_plan(target, the_plan, args.state_dir, _TerminalEvents(args.yes),
                                 before=before, verifier=verifier)
        except LockedError as locked:
            return refuse(locked, EXIT_TARGET)
        except ApplyRefused as refused:
            return refuse(refused, EXIT_USAGE)
        except KeyboardInterrupt as stop:
            closed = isinstance(stop, OutputClosed)
            print("", file=sys.stderr)
            print(_("The output was closed, so the run stopped.") if closed else _("Interrupted."), file=sys.stderr)
            print(_("The journal is consistent; resume with the first command, or undo with the second:"),
                  file=sys.stderr)
            print("  " + follow.command("apply"), file=sys.stderr)
            print("  " + follow.command("rollback"), file=sys.stderr)
            return EXIT_BROKEN_PIPE if closed else EXIT_INTERRUPTED
    print("")
    if outcome.resumed:
        print(_("(resumed the unfinished run {run})", run=outcome.run_id))
    print(_("Run {run}: {status}. Backups and journal: {path}", run=outcome.run_id, status=outcome.status,
            path=outcome.run_path))
    print(_("Undo with:"))
    print("  " + follow.command("rollback", outcome.run_id))
    if outcome.status == "failed":
        print(_("Step {step} failed: {message}. Fix the cause, then resume with:",
                step=outcome.failed_step, message=outcome.message), file=sys.stderr)
        print("  " + follow.command("apply"), file=sys.stderr)
        return EXIT_STEP_FAILED
    if outcome.status == "complete":
        print(_("Prove it with:"))
        print("  " + follow.command("verify"))
    return EXIT_OK if outcome.status == "complete" else EXIT_ACTION


def verify(args, target_from) -> int:
    with target_from(args) as (target, label):
        lines: list[str] = []

        def show(line: str) -> None:
            lines.append(line)
            if not args.json:
                print("    | " + line, flush=True)

        if args.real_renewal and not args.json:
            print(_("Warning: a real renewal of {name} counts against Let's Encrypt's rate limits.",
                    name=args.real_renewal))
        result, document = verify_and_record(target, args.state_dir, show, real_renewal=args.real_renewal)
        before = _saved_before(target, args.state_dir)          # while the target is still reachable
    if args.json:
        sys.stdout.write(textsafe.json_text(document))
    else:
        print("")
        sys.stdout.write(render_verify(result, label, before, invocation=invocation(args)))
    return EXIT_OK if result.passed else EXIT_ACTION


def _saved_before(target, state_dir: str) -> dict | None:
    """The summary the newest apply saved before it changed anything."""
    runs = list_runs(target, state_dir)
    if not runs:
        return None
    return (RunDir(target, state_dir, runs[-1]).read_json("before.json") or {}).get("summary")


def rollback(args, target_from) -> int:
    with target_from(args) as (target, label):
        try:
            run = find_run(target, args.state_dir, args.run_id)
        except RollbackError as error:
            raise UsageError(str(error)) from error
        if not args.dry_run and not args.yes and not sys.stdin.isatty():
            raise UsageError(_("no terminal to confirm the rollback: pass --yes"))
        try:
            if not args.dry_run and not args.yes:
                preview = rollback_run(target, run, dry_run=True)
                sys.stdout.write(render_rollback(preview))
                if input(_("Restore these now? [y/N]: ")).strip().lower() not in ("y", "yes"):
                    print(_("Nothing was changed."))
                    return EXIT_ACTION
            report = rollback_run(target, run, dry_run=args.dry_run)
        except RollbackError as error:
            return refuse(error, EXIT_STEP_FAILED)
        except LockedError as locked:
            return refuse(locked, EXIT_TARGET)
    sys.stdout.write(render_rollback(report))
    return EXIT_OK


def report(args, target_from) -> int:
    from wizard.cli import _bundle, _open_output, _read_email
    from wizard.core.report.redact import Redactor, known_hosts
    from wizard.core.report.model import build_report
    from wizard.render.report import RENDERERS
    answers = read_answers(args)
    follow = invocation(args)
    email = _read_email(args.email) if args.email else None
    if args.from_bundle:
        diagnosis = diagnose(_bundle(args.from_bundle), email)
        document = build_report(diagnosis, _plan_or_none(diagnosis, answers), None, args.state_dir,
                                label=_("bundle {path}", path=args.from_bundle), invocation=follow)
    else:
        with target_from(args) as (target, label):
            diagnosis = diagnose(run_probe(target), email)
            document = build_report(diagnosis, _plan_or_none(diagnosis, answers), target, args.state_dir, label=label,
                                    invocation=follow)
    if args.redact:
        document = Redactor(known_hosts(diagnosis)).document(document)
    text = RENDERERS[args.format](document)
    if args.output:
        with _open_output(args.output) as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _plan_or_none(diagnosis, answers: Answers):
    try:
        return build_plan(diagnosis, answers)
    except AnswersError as error:
        raise UsageError(str(error)) from error

"""`acme-wizard plan`: the ordered steps that would fix this server, with every command and diff."""
from __future__ import annotations

import argparse
import sys

from wizard.commands.files import answers_from, bundle_label, read_bundle
from wizard.commands.target import invocation, target_from
from wizard.core import textsafe
from wizard.core.analyse.diagnose import diagnose
from wizard.core.errors import ExitCode
from wizard.core.invocation import Invocation
from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Plan
from wizard.core.probe.run import run_probe
from wizard.i18n import _
from wizard.render.plan import render_plan


def run(args: argparse.Namespace) -> ExitCode:
    answers = answers_from(args)
    if args.from_bundle:
        label = bundle_label(args.from_bundle)
        plan = build_plan(diagnose(read_bundle(args.from_bundle)), answers)
    else:
        with target_from(args) as (target, label):
            plan = build_plan(diagnose(run_probe(target)), answers)
    follow = invocation(args)
    if args.json:
        sys.stdout.write(textsafe.json_text(plan.to_json()))
    else:
        sys.stdout.write(render_plan(plan, label, invocation=follow))
        print_how_to_carry_out(plan, follow, previewed=False)
    return plan_exit(plan)


def plan_exit(plan: Plan) -> ExitCode:
    """1 while there is something to do (a decision, or steps beyond the verification)."""
    return ExitCode.ACTION_NEEDED if plan.decision_needed or len(plan.steps) > 1 else ExitCode.OK


def print_how_to_carry_out(plan: Plan, follow: Invocation, previewed: bool) -> None:
    """After a plan or its preview: the commands that carry it out, as far as this target allows."""
    if not plan.steps or plan.decision_needed:
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

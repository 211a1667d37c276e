"""`acme-wizard report`: the printable report, before any change or as the remediation record."""
from __future__ import annotations

import argparse

from wizard.commands.files import answers_from, bundle_label, read_bundle, read_email, write_text
from wizard.commands.target import invocation, target_from
from wizard.core.analyse.diagnose import diagnose
from wizard.core.errors import ExitCode
from wizard.core.plan.build import build_plan
from wizard.core.probe.run import run_probe
from wizard.core.report.model import build_report
from wizard.core.report.redact import Redactor, known_hosts
from wizard.render.report import RENDERERS


def run(args: argparse.Namespace) -> ExitCode:
    answers = answers_from(args)
    follow = invocation(args)
    email = read_email(args.email)
    if args.from_bundle:
        diagnosis = diagnose(read_bundle(args.from_bundle), email)
        document = build_report(diagnosis, build_plan(diagnosis, answers), None, args.state_dir,
                                label=bundle_label(args.from_bundle), invocation=follow)
    else:
        with target_from(args) as (target, label):
            diagnosis = diagnose(run_probe(target), email)
            document = build_report(diagnosis, build_plan(diagnosis, answers), target, args.state_dir, label=label,
                                    invocation=follow)
    if args.redact:
        document = Redactor(known_hosts(diagnosis)).document(document)
    write_text(args.output, RENDERERS[args.format](document))
    return ExitCode.OK

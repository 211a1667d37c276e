"""`acme-wizard check`: diagnose ACMEv1 use, read-only, with the file and line behind every claim."""
from __future__ import annotations

import argparse
import os
import sys

from wizard.commands.files import bundle_label, open_binary_output, read_bundle, read_email, write_pieces, write_text
from wizard.commands.target import invocation, target_from
from wizard.core import textsafe
from wizard.core.analyse.diagnose import diagnose
from wizard.core.analyse.document import RUNS_AT, check_document, run_documents
from wizard.core.errors import ExitCode
from wizard.core.probe.run import run_probe
from wizard.core.target.protocol import Target
from wizard.render.check import render_check


def run(args: argparse.Namespace) -> ExitCode:
    email = read_email(args.email)
    target: Target | None = None
    if args.from_bundle:
        label = bundle_label(args.from_bundle)
        diagnosis = diagnose(read_bundle(args.from_bundle), email)
    else:
        with target_from(args) as (target, label):
            if args.save_bundle:
                with open_binary_output(args.save_bundle) as sink:
                    snapshot = run_probe(target, save_to=sink)
            else:
                snapshot = run_probe(target)
            diagnosis = diagnose(snapshot, email)
    if args.json:        # the runs written one at a time: a host may have logged tens of thousands
        write_pieces(args.output, textsafe.json_pieces(check_document(diagnosis, target, runs=False), RUNS_AT,
                                                       run_documents(diagnosis)))
    else:
        colour = not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        write_text(args.output, render_check(diagnosis, label, colour, invocation(args)))
    return ExitCode.ACTION_NEEDED if diagnosis.action_needed else ExitCode.OK

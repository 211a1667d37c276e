"""`acme-wizard verify`: prove renewals now use ACMEv2 (probe again, run a test renewal)."""
from __future__ import annotations

import argparse
import sys

from wizard.commands.target import invocation, target_from
from wizard.core import textsafe
from wizard.core.errors import ExitCode
from wizard.core.run.verify import saved_before_summary, verify_and_record
from wizard.i18n import _
from wizard.render.verify import render_verify


def run(args: argparse.Namespace) -> ExitCode:
    with target_from(args) as (target, label):
        def show(line: str) -> None:
            if not args.json:
                print("    | " + line, flush=True)

        if args.real_renewal and not args.json:
            print(_("Warning: a real renewal of {name} counts against Let's Encrypt's rate limits.",
                    name=args.real_renewal))
        result, document = verify_and_record(target, args.state_dir, show, real_renewal=args.real_renewal)
        before = saved_before_summary(target, args.state_dir)          # while the target is still reachable
    if args.json:
        sys.stdout.write(textsafe.json_text(document))
    else:
        print("")
        sys.stdout.write(render_verify(result, label, before, invocation=invocation(args)))
    return ExitCode.OK if result.passed else ExitCode.ACTION_NEEDED

"""`acme-wizard rollback`: restore what a run changed, byte for byte (after checking every backup)."""
from __future__ import annotations

import argparse
import sys

from wizard.commands.target import target_from
from wizard.core.errors import ExitCode, UsageError
from wizard.core.run.rollback import find_run, rollback
from wizard.i18n import _
from wizard.render.rollback import render_rollback


def run(args: argparse.Namespace) -> ExitCode:
    with target_from(args) as (target, _label):
        run_dir = find_run(target, args.state_dir, args.run_id)
        if not args.dry_run and not args.yes and not sys.stdin.isatty():
            raise UsageError(_("no terminal to confirm the rollback: pass --yes"))
        if not args.dry_run and not args.yes:
            sys.stdout.write(render_rollback(rollback(target, run_dir, dry_run=True)))
            if input(_("Restore these now? [y/N]: ")).strip().lower() not in ("y", "yes"):
                print(_("Nothing was changed."))
                return ExitCode.ACTION_NEEDED
        report = rollback(target, run_dir, dry_run=args.dry_run)
    sys.stdout.write(render_rollback(report))
    return ExitCode.OK

"""`acme-wizard` with no command: the interactive wizard (Textual), on a terminal only."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

from wizard.commands.files import answers_from
from wizard.commands.target import invocation, target_from
from wizard.core.errors import ExitCode, UsageError
from wizard.i18n import _


def mouse_default(environ: Mapping[str, str]) -> bool:
    """Off over SSH: after a dropped connection, mouse tracking would leave the admin's terminal noisy."""
    return not (environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def run(args: argparse.Namespace) -> ExitCode:
    if not all(stream.isatty() for stream in (sys.stdin, sys.stdout, sys.stderr)):
        # Without a terminal Textual would write escape codes into a pipe or a log for ever (it draws
        # on stderr and reads stdin; stdout too, so `acme-wizard | cat` is refused).
        raise UsageError(_("the wizard needs a terminal; for plain output use {command} (or plan, report), and "
                           "over SSH use 'ssh -t HOST acme-wizard'", command=invocation(args).command("check")))
    from wizard.tui.app import run_tui  # Textual loads only for the wizard
    from wizard.tui.session import Session
    answers = answers_from(args)
    mouse = args.mouse if args.mouse is not None else mouse_default(os.environ)
    with target_from(args) as (target, label):
        session = Session(target, label, preview=args.dry_run or args.demo, demo=args.demo,
                          state_dir=args.state_dir, answers=answers, invocation=invocation(args))
        return ExitCode(run_tui(session, mouse))

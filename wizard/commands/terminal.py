"""How a command talks to the admin's terminal: one-line refusals, and a reader that went away."""
from __future__ import annotations

import os
import sys

from wizard.core.errors import ExitCode


class OutputClosed(KeyboardInterrupt):
    """stdout went away (`apply --yes | head`): the run stops as on Ctrl-C, with a consistent journal."""


def refuse(reason: object, code: ExitCode) -> ExitCode:
    """Say why on one line of stderr; the exit code that goes with it."""
    print(f"acme-wizard: {reason}", file=sys.stderr)
    return code


def silence_stdout() -> None:
    """The reader of stdout went away: send what is left (and Python's flush at exit) nowhere."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def show(text: str) -> None:
    """Print a progress line now; a closed reader stops the work like Ctrl-C (OutputClosed)."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        silence_stdout()
        raise OutputClosed from None

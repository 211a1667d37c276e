"""The exit codes users' scripts rely on (docs/CONTRACT.md) and the one error base that carries them.

Every error the wizard reports to the admin derives from `WizardError`: its message is the one line
printed on stderr and its `exit_code` is what the process ends with, so a front end never maps
exception classes to numbers by hand.
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0                  # done; nothing needs doing
    ACTION_NEEDED = 1       # ACMEv1 in use, a blocking finding, a plan with steps
    USAGE = 2               # a bad or contradictory option or argument, a missing decision
    TARGET = 3              # the target could not be inspected or changed as asked
    STEP_FAILED = 4         # a remediation step failed; a rollback found a damaged backup
    INTERNAL = 70           # EX_SOFTWARE: a bug in the wizard, never a verdict
    INTERRUPTED = 130       # 128 + SIGINT
    BROKEN_PIPE = 141       # 128 + SIGPIPE: the reader of the output went away


class WizardError(Exception):
    """An error the admin is told about in one line; `exit_code` is how the command ends.

    A subclass sets the usual code; a single raise may give another (`exit_code=`)."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(WizardError):
    """Bad options, arguments or answers (exit 2)."""

    exit_code = ExitCode.USAGE


class TargetError(WizardError):
    """The target could not be inspected or used at all (exit 3)."""

    exit_code = ExitCode.TARGET


class StepFailed(WizardError):
    """A remediation step or a rollback could not be carried out (exit 4); the journal says how far."""

    exit_code = ExitCode.STEP_FAILED

"""What can go wrong when reaching a target, each with the exit code it ends a command with."""
from __future__ import annotations

from wizard.core.errors import StepFailed, TargetError

__all__ = ["CommandsNotAllowed", "JobLost", "SshError", "TargetError", "UntrustedStateError"]


class UntrustedStateError(TargetError):
    """The state directory (runs, backups, the lock) is not this user's own: another user could
    have planted runs or links there."""


class CommandsNotAllowed(StepFailed):
    """Command steps cannot run on this target (a root prefix is not a running system)."""


class SshError(TargetError):
    """The host could not be reached or used; the message says why and what would help."""

    def __init__(self, message: str, legacy_options: list[str] | None = None) -> None:
        super().__init__(message)
        self.legacy_options = legacy_options or []


class JobLost(TargetError):
    """The link dropped while following a detached job; it may still be running on the target
    (exit 3, like any lost target: the journal lets the next run re-attach)."""

"""What the worker threads tell the UI, as Textual messages (post_message is thread-safe).

A probe, an apply and a verification wait on subprocesses, so they run in worker threads; each
event they produce arrives here as one typed message and is handled on the UI thread.
"""
from __future__ import annotations

from textual.message import Message

from wizard.core.plan.model import Step
from wizard.core.run.journal import StepRecord


class Loaded(Message):
    """The target was probed, diagnosed and planned."""


class LoadFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class StepStarted(Message):
    def __init__(self, step: Step, index: int, total: int) -> None:
        super().__init__()
        self.step, self.index, self.total = step, index, total


class StepOutput(Message):
    def __init__(self, step: Step, line: str) -> None:
        super().__init__()
        self.step, self.line = step, line


class StepFinished(Message):
    def __init__(self, step: Step, record: StepRecord) -> None:
        super().__init__()
        self.step, self.record = step, record


class StepAwaitsAnswer(Message):
    """Apply waits for y / s / x before it runs this step."""

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step


class ApplyEnded(Message):
    def __init__(self, status: str, message: str = "", failed_step: str | None = None) -> None:
        super().__init__()
        self.status, self.message, self.failed_step = status, message, failed_step


class VerifyOutput(Message):
    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class Verified(Message):
    """The verification finished; its result is in the session."""

"""The core's ApplyEvents for a worker thread: each event becomes a message for the UI, and the
worker waits for the admin's answer to each step."""
from __future__ import annotations

import queue
from typing import Callable

from textual.message import Message

from wizard.core.plan.model import Step
from wizard.core.run.journal import StepRecord
from wizard.tui.messages import StepAwaitsAnswer, StepFinished, StepOutput, StepStarted


class ApplyBridge:
    def __init__(self, post: Callable[[Message], object]) -> None:
        self.post = post
        self.answers: queue.Queue[str] = queue.Queue()

    def step_started(self, step: Step, index: int, total: int) -> None:
        self.post(StepStarted(step, index, total))

    def output(self, step: Step, line: str) -> None:
        self.post(StepOutput(step, line))

    def step_finished(self, step: Step, record: StepRecord) -> None:
        self.post(StepFinished(step, record))

    def confirm(self, step: Step) -> str:
        self.post(StepAwaitsAnswer(step))
        return self.answers.get()          # "yes", "skip" or "quit", from the UI thread

    def answer(self, value: str) -> None:
        self.answers.put(value)

"""Compressed logs read in one gzip pass, split back into logs.

probe.sh hands gzip every .gz log at once, each followed by a name that cannot exist: gzip's
complaint about it, `gzip: <log>/` + line break + `.acme-wizard-end: Not a directory`, puts a
line of its own (END) after each log's lines. The kept lines arrive labelled `!gz` with their
line number in the whole stream; the G records before them name the logs in order. Here each
line goes back to its log, numbered from that log's first line.
"""
from __future__ import annotations

from collections.abc import Callable

LABEL = "!gz"
END = ".acme-wizard-end: "


class GzipBatch:
    def __init__(self, feed: Callable[[str, int, str], None], problem: Callable[[str, str], None]) -> None:
        self._feed = feed              # (log, line number in it, text)
        self._problem = problem        # (log, reason)
        self.logs: list[str] = []
        self._index = 0                # the log whose lines are arriving
        self._base = 0                 # the stream's line number just before that log's first line
        self._held: tuple[int, str] | None = None    # the last line: it may carry gzip's `gzip: <log>/`
        self._failed: set[int] = set()

    def add(self, log: str) -> None:
        self.logs.append(log)

    def line(self, number: int, text: str) -> None:
        if self._index >= len(self.logs):
            return
        log = self.logs[self._index]
        if text.startswith(END):
            self._release(number, log)
            self._index += 1
            self._base = number
            return
        complaint = text.find(f"gzip: {log}: ")
        if complaint >= 0:             # gzip could not read on: a corrupt or truncated log
            self._flush()
            self._failed.add(self._index)
            self._problem(log, "bad-gzip")
            text = text[:complaint]
            if not text:
                return
        self._flush()
        self._held = (number, text)

    def finish(self) -> None:
        """The stream ended: a log gzip was still reading and did not complain about was cut."""
        self._flush()
        if self._index < len(self.logs) and self._index not in self._failed:
            self._problem(self.logs[self._index], "log-cut")
        self._index = len(self.logs)

    def _release(self, number: int, log: str) -> None:
        """The held line, without gzip's words about the end marker when they were glued to it (a
        log whose last line had no line break)."""
        if self._held is not None and self._held[0] == number - 1:
            held_number, text = self._held
            self._held = None
            text = text.removesuffix(f"gzip: {log}/")
            if text:
                self._feed(log, held_number - self._base, text)
            return
        self._flush()

    def _flush(self) -> None:
        if self._held is not None:
            number, text = self._held
            self._held = None
            self._feed(self.logs[self._index], number - self._base, text)

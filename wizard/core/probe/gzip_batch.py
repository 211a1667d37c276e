"""Compressed logs read in one gzip pass, split back into logs.

probe.sh hands gzip every .gz log at once, each followed by a name that cannot exist: gzip's
complaint about it, `gzip: <log>/` + line break + `<END>: Not a directory`, puts a line of its
own after each log's lines. END holds a token drawn for that run (the H gz_end record), so no
line a log held before can pose as it. The kept lines arrive labelled `!gz` with their line
number in their pass's stream; the G records before them name the logs in order. Here each line
goes back to its log, numbered from that log's first line; gzip's complaint about a log
(corrupt, truncated, not gzip) becomes a problem, never a line of it.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from wizard.core.probe.logs import kept_lines_pattern

LABEL = "!gz"
_KEPT = re.compile(kept_lines_pattern())
# What gzip says after a log's name when it cannot read it whole (GNU gzip 1.3.12 to 1.12).
_COMPLAINT = re.compile(r"[: ] ?.*(unexpected end of file|invalid compressed data|crc error|length error|"
                        r"format violated|trailing (garbage|zero)|not in gzip format|not supported|corrupt|"
                        r"use unzip|Input/output error)")


class GzipBatch:
    def __init__(self, feed: Callable[[str, int, str], None], problem: Callable[[str, str], None]) -> None:
        self._feed = feed              # (log, line number in it, text)
        self._problem = problem        # (log, reason)
        self.end = ".acme-wizard-end"  # the run's end marker (H gz_end); this one before tokens
        self.logs: list[str] = []
        self._index = 0                # the log whose lines are arriving
        self._base = 0                 # the stream's line number just before that log's first line
        self._held: tuple[int, str] | None = None    # the last line: it may carry gzip's `gzip: <log>/`
        self._failed: set[int] = set()
        self._complaint: tuple[int, str, int] | None = None    # (number, text, where gzip's words start)

    def begin(self, end: str) -> None:
        """A pass with its own marker and logs; what is left of the one before ends here."""
        self.finish()
        self.end, self.logs, self._index, self._base = end, [], 0, 0
        self._failed = set()

    def add(self, log: str) -> None:
        self.logs.append(log)

    def line(self, number: int, text: str) -> None:
        if self._index >= len(self.logs):
            return
        log = self.logs[self._index]
        if text.startswith(self.end + ": "):
            self._confirm(log)
            self._release(number, log)
            self._index += 1
            self._base = number
            return
        if text.endswith(f"gzip: {log}/"):          # the first half of gzip's words about the marker
            self._flush()
            self._held = (number, text)
            return
        said = text.find(f"gzip: {log}")
        if said >= 0 and _COMPLAINT.match(text, said + len(f"gzip: {log}")):
            # gzip's complaint comes last, before the marker or the end: a line of the log that only
            # looks like one is followed by more of the log, and is fed as the line it is
            self._flush()
            self._ordinary()
            self._complaint = (number, text, said)
            return
        self._flush()
        self._ordinary()
        self._held = (number, text)

    def finish(self) -> None:
        """The stream ended: a log gzip was still reading and did not complain about was cut."""
        if self._index < len(self.logs):
            self._confirm(self.logs[self._index])
        self._flush()
        if self._index < len(self.logs) and self._index not in self._failed:
            self._problem(self.logs[self._index], "log-cut")
        self._index = len(self.logs)

    def _confirm(self, log: str) -> None:
        """The complaint held last was gzip's: a problem, and the log's glued last line if any."""
        if self._complaint is None:
            return
        number, text, said = self._complaint
        self._complaint = None
        self._failed.add(self._index)
        self._problem(log, "bad-gzip")
        if text[:said]:                  # a last line without a line break, glued to the complaint
            self._feed(log, number - self._base, text[:said])

    def _ordinary(self) -> None:
        """The complaint held last was a line of the log after all: fed when it is one the probe
        keeps (it came only because it looked like gzip's words)."""
        if self._complaint is not None:
            number, text, _said = self._complaint
            self._complaint = None
            if _KEPT.search(text):
                self._feed(self.logs[self._index], number - self._base, text)

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

"""File edits as exact line replacements, shown as unified diffs and applied byte for byte.

A plan is built from the probe's view of a file; at apply time the file is read again and every
edited line must still be exactly what the plan saw, so an edit never lands on a file that
changed in between. Line endings and every other byte are kept.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from wizard.core.errors import StepFailed
from wizard.i18n import _


class EditConflict(StepFailed):
    """The file no longer matches what the plan was built from."""


@dataclass(frozen=True)
class LineChange:
    line: int            # 1-based
    old: str             # the line as the plan saw it, without its line ending
    new: str | None      # None deletes the line


@dataclass
class FileEdit:
    path: str
    changes: list[LineChange] = field(default_factory=list)
    context: dict[int, str] = field(default_factory=dict)   # the file's lines, for the diff

    def diff(self) -> str:
        """A unified diff with the file's own line numbers. The probe may have sent only some lines
        (an acme.sh conf's Le_API line): each contiguous run of them is diffed on its own and its
        hunk headers are moved to where the run stands in the file."""
        hunks: list[str] = []
        shift = 0                                   # lines the earlier runs added (or removed)
        for run in _contiguous(sorted(self.context)):
            part = {n: self.context[n] for n in run}
            before = [part[n] + "\n" for n in run]
            after = [line + "\n" for line in _apply_lines(part, [c for c in self.changes if c.line in part])]
            for line in list(difflib.unified_diff(before, after, n=2))[2:]:      # without the file headers
                hunks.append(_moved(line, run[0] - 1, run[0] - 1 + shift) if line.startswith("@@") else line)
            shift += len(after) - len(before)
        return f"--- a{self.path}\n+++ b{self.path}\n" + "".join(hunks) if hunks else ""

    def apply_to(self, data: bytes) -> bytes:
        """The new file content; raises EditConflict if an edited line is not what was planned."""
        lines = data.splitlines(keepends=True)
        for change in self.changes:
            index = change.line - 1
            if index >= len(lines):
                raise EditConflict(_("{path}: line {line} is gone", path=self.path, line=change.line))
            current = lines[index].rstrip(b"\r\n").decode("utf-8", "surrogateescape")
            if current.rstrip() != change.old.rstrip():
                raise EditConflict(_("{path}:{line} is now {current!r}, the plan expected {planned!r}", path=self.path,
                                      line=change.line, current=current, planned=change.old))
        result = []
        by_line = {c.line: c for c in self.changes}
        for number, raw in enumerate(lines, 1):
            found = by_line.get(number)
            if found is None:
                result.append(raw)
                continue
            change = found
            if change.new is None:
                continue
            ending = raw[len(raw.rstrip(b"\r\n")):] or b""
            result.append(change.new.encode("utf-8", "surrogateescape") + ending)
        return b"".join(result)

    def is_applied(self, data: bytes) -> bool:
        """True when every change is already in place (re-runs are idempotent)."""
        lines = [raw.rstrip(b"\r\n").decode("utf-8", "surrogateescape") for raw in data.splitlines(keepends=True)]
        for change in self.changes:
            index = change.line - 1
            if change.new is None:
                if index < len(lines) and lines[index].rstrip() == change.old.rstrip():
                    return False
            elif index >= len(lines) or lines[index].rstrip() != change.new.rstrip():
                return False
        return True


def _contiguous(numbers: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _moved(header: str, old_offset: int, new_offset: int) -> str:
    """A hunk header of a run diffed on its own, numbered as in the whole file."""
    match = _HUNK.match(header)
    if match is None:
        return header
    old, new = int(match.group(1)) + old_offset, int(match.group(3)) + new_offset
    return f"@@ -{old}{match.group(2) or ''} +{new}{match.group(4) or ''} @@" + header[match.end():]


def _apply_lines(context: dict[int, str], changes: list[LineChange]) -> list[str]:
    by_line = {c.line: c for c in changes}
    out = []
    for number in sorted(context):
        change = by_line.get(number)
        if change is None:
            out.append(context[number])
        elif change.new is not None:
            out.append(change.new)
    return out

"""File edits as exact line replacements, shown as unified diffs and applied byte for byte.

A plan is built from the probe's view of a file; at apply time the file is read again and every
edited line must still be exactly what the plan saw, so an edit never lands on a file that
changed in between. Line endings and every other byte are kept.
"""
from __future__ import annotations

import difflib
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
        before = [self.context[n] for n in sorted(self.context)]
        after = _apply_lines(self.context, self.changes)
        return "".join(difflib.unified_diff(
            [line + "\n" for line in before], [line + "\n" for line in after],
            fromfile=f"a{self.path}", tofile=f"b{self.path}", n=2))

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

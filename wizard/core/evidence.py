"""A claim's proof: a path on the target, a line number and the line itself."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int | None = None
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "text": self.text}

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

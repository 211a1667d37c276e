"""A command's live output: every line wrapped at the log's width with its indent kept, so an
error message is never cut at the right edge; the plain lines are kept for whoever asks."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from wizard.tui.widgets.prose import Para, lay_out


class OutputLog(RichLog):
    DEFAULT_CSS = """
    OutputLog {
        height: 1fr;
        min-height: 4;
        border: round $primary;
    }
    """

    def __init__(self, id: str | None = None, max_lines: int = 5000) -> None:
        super().__init__(id=id, max_lines=max_lines, wrap=False, markup=False, highlight=False, min_width=20)
        self.plain_lines: list[str] = []

    def add(self, line: str, style: str = "") -> None:
        self.plain_lines.append(line)
        width = self.scrollable_content_region.width or self.app.size.width - 6
        indent = len(line) - len(line.lstrip(" "))
        self.write(lay_out([Para(Text(line, style=style), indent, indent + 2, fold=True)], max(20, width - 1)))

    def reset(self) -> None:
        self.plain_lines.clear()
        self.clear()

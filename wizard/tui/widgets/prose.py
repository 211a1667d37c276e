"""Text wrapped once, by the widget, at the width it really has.

Rich wraps at spaces only, so a Japanese sentence breaks at its one space ("c" alone at a line's
end) and a line pre-wrapped for 80 columns wraps again in 78. Prose keeps paragraphs unwrapped and
lays them out with wizard.render.width.wrap (cells, kinsoku, words kept whole) whenever its width
is known; the styles of each paragraph carry over to its lines.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from wizard.render.width import wrap


@dataclass(frozen=True)
class Para:
    """One paragraph: its text (with styles), the first line's indent, the other lines' indent.
    fold: a word longer than a line is split at the edge (commands, diff lines) instead of cut."""
    text: Text | str
    indent: int = 0
    hanging: int | None = None
    fold: bool = False
    style: str = ""


def lay_out(paragraphs: list[Para], width: int) -> Text:
    """The paragraphs as lines of at most `width` cells (a word wider than that only when not fold)."""
    out = Text(no_wrap=True, overflow="ellipsis")
    first = True
    for para in paragraphs:
        text = para.text if isinstance(para.text, Text) else Text(para.text, style=para.style)
        hanging = para.indent if para.hanging is None else para.hanging
        for piece in text.split("\n", allow_blank=True) if text.plain else [text]:
            for line in _wrapped(piece, width, para.indent, hanging, para.fold):
                if not first:
                    out.append("\n")
                out.append_text(line)
                first = False
    return out


def _wrapped(text: Text, width: int, indent: int, hanging: int, fold: bool) -> list[Text]:
    plain = text.plain
    lines = wrap(plain, max(1, width), " " * indent, " " * hanging, break_long=fold)
    out, position = [], 0
    for number, line in enumerate(lines):
        prefix = indent if number == 0 else hanging
        body = line[prefix:] if line[:prefix].isspace() or not prefix else line.lstrip()
        start = plain.find(body, position) if body else position
        if start < 0:                       # cannot happen (wrap keeps the text's order); stay readable
            out.append(Text(line))
            continue
        styled = Text(" " * (len(line) - len(body))) + text[start:start + len(body)]
        position = start + len(body)
        out.append(styled)
    return out


class Prose(Widget):
    """Paragraphs of text, wrapped at the widget's width; as high as its lines."""

    DEFAULT_CSS = """
    Prose {
        height: auto;
    }
    """

    def __init__(self, *paragraphs: Para | str, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.paragraphs = [p if isinstance(p, Para) else Para(p) for p in paragraphs]
        self._laid: tuple[int, Text] | None = None

    def update(self, *paragraphs: Para | str | Text) -> None:
        self.paragraphs = [p if isinstance(p, Para) else Para(p) for p in paragraphs]
        self._laid = None
        self.refresh(layout=True)

    @property
    def plain(self) -> str:
        """What it says, unwrapped (for tests and the log)."""
        return "\n".join(p.text.plain if isinstance(p.text, Text) else p.text for p in self.paragraphs)

    def lines_at(self, width: int) -> Text:
        if self._laid is None or self._laid[0] != width:
            self._laid = (width, lay_out(self.paragraphs, width))
        return self._laid[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines_at(width).plain.split("\n")) if self.paragraphs else 0

    def render(self) -> Text:
        return self.lines_at(self.content_size.width or self.size.width or 80)

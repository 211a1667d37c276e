"""Text measured in terminal cells: a CJK character takes two, so Japanese lines wrap and align.

`wrap` works like textwrap.wrap but counts cells and may break between two CJK characters (there
are no spaces in Japanese), never before closing punctuation such as 、 or 。.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

NO_LINE_START = set("、。，．・：；？！）」』】〉》〕ー…っゃゅょァィゥェォッャュョ)]}>,.:;!?")
_WIDE = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"      # CJK: a line may break between any two
# A word written straight against a CJK character stays with it: "cキーで" never breaks after the c.
_TOKENS = re.compile(rf"\s+|[^\s{_WIDE}]+[{_WIDE}]|[{_WIDE}]|[^\s{_WIDE}]+")


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def pad(text: str, width: int) -> str:
    """Left-justify in `width` cells."""
    return text + " " * max(0, width - cells(text))


def clip(text: str, width: int) -> str:
    if cells(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        if used + cells(ch) > width - 1:
            break
        out, used = out + ch, used + cells(ch)
    return out + "…"


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "",
         break_long: bool = False) -> list[str]:
    """Greedy fill by cells. A word longer than a line stays whole (a path is never cut) unless
    break_long is set, then it is split at the width."""
    tokens = _TOKENS.findall(str(text).replace("\n", " "))
    lines: list[str] = []
    line = initial_indent
    fresh = True                    # nothing but the indent on this line yet
    last = ""                       # the word written last
    words: list[tuple[int, str]] = []   # (where it starts in `line`, word) for this line's words

    def flush() -> None:
        nonlocal line, fresh
        lines.append(line.rstrip())
        line, fresh = subsequent_indent, True
        words.clear()

    def command_start(token: str) -> int | None:
        """Where the command that `token` belongs to starts on this line ("rm -rf /opt/x" stays whole),
        or None when the break may come right here."""
        chained = token[0] == "-" and len(token) > 1
        index = len(words) - 1
        if not chained and not (words and words[-1][1][0] == "-" and len(words[-1][1]) > 1):
            return None
        while index > 0 and words[index][1][0] == "-" and len(words[index][1]) > 1:
            index -= 1
        start = words[index][0] if index >= 0 else None
        if start is None or not line[:start].strip() or not all(w.isascii() for _at, w in words[index:]):
            return None
        return start if cells(line[start:]) + cells(token) <= width - cells(subsequent_indent) else None

    for token in tokens:
        if token.isspace():
            if not fresh or (not lines and line == initial_indent):   # a paragraph's own indent stays
                line += token
                fresh = fresh and not lines and line.strip() == ""
            continue
        too_long = (break_long and token.isascii() and cells(token) > width - cells(subsequent_indent)
                    and cells(line) < width - 1)
        if not fresh and cells(line) + cells(token) > width and not too_long:    # (too long: fold it from here)
            carried = ""
            if token[0] in NO_LINE_START and not line.endswith(" ") and cells(line[-1:]) == 2:
                # 、 。 ー never start a line: take a character along (the whole of "cキ" when it was one word)
                take = len(last) if last.endswith(line[-1]) and len(last) > 1 and line.endswith(last) else 1
                if take < len(line.strip()):
                    line, carried = line[:-take], line[-take:]
            elif (start := command_start(token)) is not None:
                line, carried = line[:start], line[start:]          # options stay with their command: "rm -rf"
            flush()
            if carried:
                words.append((len(line), carried.split()[0]))
                for word in carried.split()[1:]:
                    words.append((len(line) + carried.index(word), word))
            line += carried
            fresh = not carried
        if break_long and token.isascii():       # one cell a character: cut by index (linear in the token)
            start = 0
            while cells(line) + len(token) - start > width and width - cells(line) > 0:
                room = width - cells(line)
                line, start = line + token[start:start + room], start + room
                flush()
            token = token[start:]
        words.append((len(line), token))
        line += token
        fresh = False
        last = token
    if not fresh or not lines:
        lines.append(line.rstrip())
    return lines


# --- the width a renderer writes for ------------------------------------------------------------
# 80 columns on a terminal; the TUI renders for the width it has. A renderer that takes width=N
# sets it once (`with at_width(N):`) instead of threading it through every helper.

WIDTH = 80
_width: ContextVar[int] = ContextVar("width", default=WIDTH)


@contextmanager
def at_width(width: int) -> Iterator[None]:
    token = _width.set(width)
    try:
        yield
    finally:
        _width.reset(token)


def fill(text: str, indent: int = 0, hanging: int | None = None, break_long: bool = False) -> list[str]:
    """`text` wrapped to the current width: the first line indented `indent`, the rest `hanging`."""
    hanging = indent if hanging is None else hanging
    return wrap(text, _width.get(), " " * indent, " " * hanging, break_long)

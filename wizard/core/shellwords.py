"""Shell words of a scheduled command line, with where each one stands in the line.

Detection (which server a cron line asks for) and the edit that removes the pin read the line
through this one tokenizer, so every pin that is detected can be removed: `--server 'URL'`,
`--server="URL"`, a tab or two spaces before the URL. A word's span covers its quotes, so an
edit cuts exactly those characters and keeps every other byte of the line. Linear, no regex.
"""
from __future__ import annotations

from dataclasses import dataclass

OPERATORS = ";&|()"
BLANKS = " \t"


@dataclass(frozen=True)
class Word:
    value: str          # the word as the shell passes it (quotes removed, escapes applied)
    start: int          # its span in the line, quotes included
    end: int


def shell_words(line: str) -> list[Word]:
    """The words and operators of a POSIX shell command line. An unbalanced quote runs to the
    end of the line (what a reader of the line would take it to mean)."""
    words: list[Word] = []
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if char in BLANKS or char in "\r\n":
            index += 1
            continue
        if char in OPERATORS:
            end = index + 1
            while end < length and line[end] in OPERATORS and line[end] == char:     # && || ;;
                end += 1
            words.append(Word(line[index:end], index, end))
            index = end
            continue
        start, value = index, []
        while index < length and line[index] not in BLANKS and line[index] not in OPERATORS \
                and line[index] not in "\r\n":
            char = line[index]
            if char == "'":
                close = line.find("'", index + 1)
                close = length if close < 0 else close
                value.append(line[index + 1:close])
                index = close + 1
            elif char == '"':
                index += 1
                while index < length and line[index] != '"':
                    if line[index] == "\\" and index + 1 < length and line[index + 1] in '"\\$`':
                        index += 1
                    value.append(line[index])
                    index += 1
                index += 1
            elif char == "\\" and index + 1 < length:
                value.append(line[index + 1])
                index += 2
            else:
                value.append(char)
                index += 1
        words.append(Word("".join(value), start, min(index, length)))
    return words


def rewrite(line: str, changes: list[tuple[int, int, str | None]]) -> str:
    """The line with each (start, end) span replaced by its text; None removes the span together
    with the blanks before it. Spans do not overlap."""
    out, last = [], 0
    for start, end, text in sorted(changes, key=lambda change: change[0]):
        if text is None:
            while start > last and line[start - 1] in BLANKS:
                start -= 1
        out.append(line[last:start])
        out.append(text or "")
        last = end
    out.append(line[last:])
    return "".join(out)

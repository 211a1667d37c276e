"""Names that are not UTF-8, carried losslessly and always shown as valid text.

A file name such as b'caf\xe9.conf' reaches the wizard through os.fsdecode as 'caf\udce9.conf'
(surrogateescape): every byte is kept. On output such a byte is written as the four characters
`\xe9` — in text, and inside JSON strings (as the JSON escape "\\xe9", so the document stays
valid JSON and its reader sees `\xe9`). The same form is documented in docs/CONTRACT.md.
"""
from __future__ import annotations

import codecs
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
ERRORS = "acme-wizard-escape"


def _byte(char: str) -> str:
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """Text with every byte that was not UTF-8 written as \\xNN."""
    return _SURROGATE.sub(lambda m: _byte(m.group(0)), text) if _SURROGATE.search(text) else text


def json_text(document: Any) -> str:
    """A JSON document as valid UTF-8 JSON, names that were not UTF-8 written as \\xNN."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _SURROGATE.sub(lambda m: "\\" + _byte(m.group(0)), text) if _SURROGATE.search(text) else text


def json_pieces(document: dict[str, Any], at: tuple[str, ...], items: Iterable[Any]) -> Iterator[str]:
    """json_text(document) with `items` as the list at the path `at` (an empty list there), in
    pieces, one item at a time: the same text, never held whole (26,000 logged runs are 12 MB)."""
    holder: Any = document
    for key in at[:-1]:
        holder = holder[key]
    placeholder = f"acme-wizard-items-{secrets.token_hex(16)}"     # no name or text on a host can be it
    holder[at[-1]] = placeholder
    head, tail = json_text(document).split(json.dumps(placeholder), 1)
    holder[at[-1]] = []
    pad = "\n" + "  " * (len(at) + 1)
    yield head + "["
    written = False
    for item in items:
        text = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", pad)
        if _SURROGATE.search(text):
            text = _SURROGATE.sub(lambda m: "\\" + _byte(m.group(0)), text)
        yield ("," if written else "") + pad + text
        written = True
    yield ("\n" + "  " * len(at) + "]" if written else "]") + tail


def _escape_errors(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler for output streams: \\xNN for a carried byte, '?' for what the
    terminal's encoding cannot show."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(_byte(c) if _SURROGATE.match(c) else "?" for c in bad), error.end


codecs.register_error(ERRORS, _escape_errors)

"""The look of each semantic style (a severity, a verdict, bold), defined once for both front ends:
ANSI SGR codes for the plain-text CLI, Rich style names for the TUI."""
from __future__ import annotations

# style: (ANSI SGR parameters, Rich style)
_LOOKS = {
    "critical": ("1;31", "bold red"),
    "high": ("31", "red"),
    "medium": ("33", "yellow"),
    "low": ("36", "cyan"),
    "info": ("2", "dim"),
    "v1": ("1;31", "bold red"),
    "v2": ("1;32", "bold green"),
    "unknown": ("1;33", "bold yellow"),
    "bold": ("1", "bold"),
    # a step's status, a fix, an error
    "ok": ("32", "green"),
    "already-done": ("32", "green"),
    "failed": ("1;31", "bold red"),
    "started": ("1", "bold"),
    "fix": ("32", "green"),
    "error": ("1;31", "bold red"),
}

ANSI = {style: looks[0] for style, looks in _LOOKS.items()}
RICH = {style: looks[1] for style, looks in _LOOKS.items()}


def paint(text: str, style: str, colour: bool) -> str:
    """`text` in the terminal colour of `style` when colour is on (an unknown style stays plain)."""
    code = ANSI.get(style)
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def rich_style(style: str) -> str:
    return RICH.get(style, "")

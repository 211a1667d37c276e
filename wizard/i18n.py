"""The one translation function for every user-facing string.

Write messages in English with named placeholders (literal braces doubled: {{ }}) and pass them
through `_()`:

    _("Cannot read {path}: {reason}", path=p, reason=r)

The English text is the catalogue key, so a missing translation falls back to readable English.
Catalogues for other languages (Japanese first) are plain dicts added to `CATALOGUES`.
"""
from __future__ import annotations

CATALOGUES: dict[str, dict[str, str]] = {"en": {}}
_language = "en"


def set_language(language: str) -> None:
    global _language
    _language = language if language in CATALOGUES else "en"


def current_language() -> str:
    return _language


def _(message: str, /, **params: object) -> str:
    text = CATALOGUES.get(_language, {}).get(message, message)
    return text.format(**params)          # always: literal braces are written {{ }} in every message

"""The shapes of a run's JSON files, checked before anything reads them.

A run directory is this user's own (journal.py checks that), but a file in it can still be cut by a
crash, hand-edited or written by another version. A file that does not have the shape below is
treated as absent — the report says the record is missing, rollback refuses — never a crash.

A shape is a type (or a tuple of types), [shape] for a list of it, or {key: shape} for a dict
that has at least those keys; a key ending in '?' may be absent. Dicts may hold more keys.
"""
from __future__ import annotations

from typing import Any, Union

# A type, a tuple of types, [shape] or {key: shape} (see above).
Shape = Union[type, tuple[type, ...], list[Any], dict[str, Any]]

MAX_DEPTH = 24          # no file of a run nests deeper; a deeper one is not ours

STR_LIST = [str]
ACTION = {"type": str, "argv?": STR_LIST, "paths?": STR_LIST, "path?": (str, type(None)), "diff?": str,
          "changes?": [{"line": int, "old": str, "new": (str, type(None))}], "content?": (str, type(None))}
PLAN = {"steps": [{"id": str, "title": str, "risk?": str, "undo?": str, "requires_root?": bool,
                   "actions": [ACTION], "depends_on?": STR_LIST, "why?": STR_LIST, "done_when?": str}]}
BACKUP = {"tarballs": STR_LIST, "entries": [{"path": str, "kind": str, "sha256?": str, "link?": str, "tarball": str,
                                             "top?": bool}], "sha256?": dict}
VERIFICATION = {"passed": bool, "checks": [{"passed": bool, "text": str}], "time?": (str, type(None)),
                "test_renewal?": (dict, type(None)), "summary_before?": (dict, type(None)),
                "summary_after?": (dict, type(None))}
TEST_RENEWAL = {"argv?": STR_LIST}
_TEXT = (str, type(None))
EVENT = {"event": str, "time?": str, "step?": _TEXT, "status?": _TEXT, "message?": _TEXT, "title?": _TEXT,
         "exit_code?": (int, type(None)), "output_tail?": STR_LIST, "failed_step?": _TEXT, "path?": str, "to?": str,
         "steps?": STR_LIST, "interrupted_steps?": STR_LIST, "resumed?": bool, "restored?": STR_LIST,
         "removed?": STR_LIST, "moved_back?": STR_LIST}


def fits(value: Any, shape: Shape, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(shape, list):
        return isinstance(value, list) and all(fits(item, shape[0], depth + 1) for item in value)
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return False
        for key, inner in shape.items():
            optional = key.endswith("?")
            name = key.rstrip("?")
            if name not in value:
                if not optional:
                    return False
                continue
            if not fits(value[name], inner, depth + 1):
                return False
        return True
    if shape is int or shape == (int,):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, shape)


def shallow(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a loaded JSON value nests no deeper than `limit` (checked without recursion)."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)
    return True

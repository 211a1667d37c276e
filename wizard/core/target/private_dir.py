"""When a directory may hold this user's private state (runs, backups, the lock): the one rule
both targets apply. It must be a real directory (not a symlink), this user's own, and 0700; an
existing one is checked, never changed (a state dir another user controls is never trusted)."""
from __future__ import annotations

import stat

from wizard.core.target.errors import UntrustedStateError
from wizard.i18n import _


def problem(mode: int, uid: int, my_uid: int) -> str | None:
    """Why a directory with this lstat mode and owner cannot hold private state, or None."""
    if stat.S_ISLNK(mode):
        return _("is a symbolic link")
    if not stat.S_ISDIR(mode):
        return _("is not a directory")
    if uid != my_uid:
        return _("belongs to another user (uid {uid})", uid=uid)
    if stat.S_IMODE(mode) & 0o077:
        return _("is open to other users (mode {mode:o}; a state directory is 0700)", mode=stat.S_IMODE(mode))
    return None


def refuse_to_keep(path: str, why: str) -> UntrustedStateError:
    return UntrustedStateError(_("{path} {problem}: refusing to keep state or backups there", path=path, problem=why))


def refuse_to_read(path: str, why: str) -> UntrustedStateError:
    return UntrustedStateError(_("{path} {problem}: refusing to read state or backups from it", path=path,
                                 problem=why))

"""Resolve a target path the way the target itself would, inside its root prefix.

Under `--root /mnt/img` the tree is a whole system: its absolute symlinks (`etc/letsencrypt ->
/srv/le`) name paths of that system, not of this machine, and `..` cannot climb above its `/`.
Every component is resolved here — not only the last — so no read, write, backup or restore
reaches a file outside the root, whatever links the tree holds. On the live system (root '/')
this is the kernel's own resolution.
"""
from __future__ import annotations

import errno
import os

MAX_LINKS = 40          # the kernel's limit (ELOOP)


def host_path(root: str, path: str) -> str:
    """The host path of target path `path` taken literally (no link resolved)."""
    return path if root == "/" else os.path.join(root, path.lstrip("/"))


def _parts(path: str) -> list[str]:
    return [part for part in path.split("/") if part not in ("", ".")]


def resolve(root: str, path: str, follow_last: bool = True) -> str:
    """The target path `path` leads to, every symlink followed inside `root`.

    With follow_last=False a symlink as the last component is kept (for lstat-like uses:
    removing or moving the link itself). Raises OSError(ELOOP) on a link loop.
    """
    pending = _parts(path)
    done: list[str] = []
    links = 0
    while pending:
        name = pending.pop(0)
        if name == "..":
            if done:
                done.pop()
            continue
        candidate = "/" + "/".join([*done, name])
        if (pending or follow_last) and os.path.islink(host_path(root, candidate)):
            links += 1
            if links > MAX_LINKS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
            target = os.readlink(host_path(root, candidate))
            if target.startswith("/"):
                done = []
            pending = _parts(target) + pending
            continue
        done.append(name)
    return "/" + "/".join(done)


def resolved_host_path(root: str, path: str, follow_last: bool = True) -> str:
    """The host path where the target path `path` really is (see resolve)."""
    return host_path(root, resolve(root, path, follow_last))


def is_within(path: str, directory: str) -> bool:
    """Whether target path `path` is `directory` or below it (both already resolved)."""
    directory = directory.rstrip("/") or "/"
    return path == directory or directory == "/" or path.startswith(directory + "/")

"""Software Collections: Pythons under /opt/rh that run only with their own libraries on the path.

An SCL Python has no rpath: it starts only after `source /opt/rh/<collection>/enable`, or with
LD_LIBRARY_PATH pointing at the collection's lib64 (facts §9; certbot-auto sourced the enable
script itself). A venv made from one, and every cron line or command that runs it, needs the same.
The wizard runs such a program through `env LD_LIBRARY_PATH=… program`: one argv, no shell.
"""
from __future__ import annotations

import re

from wizard.core.probe.snapshot import Snapshot
from wizard.core.readers.clients import Install

RH_PYTHON36 = "rh-python36"
PYTHON36 = "/opt/rh/rh-python36/root/usr/bin/python3"
_COLLECTION = re.compile(r"^/opt/rh/([A-Za-z0-9_.-]+)/root/")


def runner(collection: str) -> list[str]:
    """What goes before a program of the collection so that it starts (no shell needed)."""
    return ["env", f"LD_LIBRARY_PATH=/opt/rh/{collection}/root/usr/lib64"]


def collection_of(python_path: str) -> str | None:
    match = _COLLECTION.match(python_path)
    return match.group(1) if match else None


def runner_for(snapshot: Snapshot, install: Install) -> list[str]:
    """The runner an install needs: its venv's python resolves into a collection, or nothing."""
    if not install.prefix:
        return []
    for name in ("python3", "python", f"python{install.python_version or ''}"):
        collection = collection_of(snapshot.resolve(f"{install.prefix.rstrip('/')}/bin/{name}"))
        if collection:
            return runner(collection)
    return []

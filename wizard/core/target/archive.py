"""A run's backup archives: prove one matches its manifest, and extract one path from it.

Rollback trusts nothing it has not checked: before any live path is touched, every archive it
needs is read whole and each member is compared with the manifest written when the backup was
taken (kind, link target, sha256 of every file). A truncated, swapped or edited archive stops the
rollback with nothing changed. Extraction takes only the members the manifest names, refuses
anything but files, directories and symlinks, and writes into a fresh directory that the caller
then swaps in — never over the live tree.
"""
from __future__ import annotations

import copy
import hashlib
import io
import os
import tarfile
import zlib
from typing import Any

from wizard.core.errors import StepFailed
from wizard.i18n import _

MAX_ARCHIVE_BYTES = 1 << 30


class ArchiveProblem(StepFailed):
    """An archive does not match its manifest (or cannot be read)."""


def _members(archive_bytes: bytes) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    try:
        with tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:gz") as archive:
            out: list[tuple[tarfile.TarInfo, bytes | None]] = []
            for member in archive:
                stream = archive.extractfile(member) if member.isfile() else None
                out.append((member, stream.read() if stream is not None else None))
            return out
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ArchiveProblem(_("cannot be read ({reason})", reason=str(error) or type(error).__name__)) from None


def verify(archive_bytes: bytes, entries: list[dict[str, Any]], sha256: str | None = None) -> None:
    """Raise ArchiveProblem unless the archive holds exactly what `entries` (its manifest) says."""
    if sha256 and hashlib.sha256(archive_bytes).hexdigest() != sha256:
        raise ArchiveProblem(_("its checksum is not the one recorded when it was written"))
    found = {}
    for member, data in _members(archive_bytes):
        name = "/" + member.name.lstrip("/")
        if ".." in member.name.split("/"):
            raise ArchiveProblem(_("it names a path outside the tree: {name}", name=member.name))
        if not (member.isfile() or member.isdir() or member.issym()):
            raise ArchiveProblem(_("it holds a device, FIFO or hard link: {name}", name=member.name))
        found[name] = (member, data)
    for entry in entries:
        if entry["kind"] in ("absent", "other"):
            continue
        pair = found.get(entry["path"])
        if pair is None:
            raise ArchiveProblem(_("{path} is missing from it", path=entry["path"]))
        member, data = pair
        digest = hashlib.sha256(data or b"").hexdigest()
        if entry["kind"] == "file" and (not member.isfile() or digest != entry["sha256"]):
            raise ArchiveProblem(_("{path} does not match its sha256 in the manifest", path=entry["path"]))
        if entry["kind"] == "link" and (not member.issym() or member.linkname != entry["link"]):
            raise ArchiveProblem(_("{path} is not the symlink the manifest records", path=entry["path"]))
        if entry["kind"] == "dir" and not member.isdir():
            raise ArchiveProblem(_("{path} is not a directory in it", path=entry["path"]))
    named = {entry["path"] for entry in entries}
    extra = sorted(set(found) - named)
    if extra:
        raise ArchiveProblem(_("it holds {path}, which the manifest does not name", path=extra[0]))


def extract_one(archive_bytes: bytes, path: str, staging: str) -> None:
    """Extract `path` (a target path) and what is below it into `staging`/payload."""
    prefix = path.strip("/")
    wanted: list[tarfile.TarInfo] = []
    links: list[str] = []
    with tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:gz") as archive:
        for member in archive.getmembers():
            name = member.name.strip("/")
            if name != prefix and not name.startswith(prefix + "/"):
                continue
            if not (member.isfile() or member.isdir() or member.issym()) or ".." in name.split("/"):
                raise ArchiveProblem(_("refusing to extract {name}", name=member.name))
            if any(name.startswith(link + "/") for link in links):
                raise ArchiveProblem(_("{name} lies below a symlink in the archive", name=member.name))
            if member.issym():
                links.append(name)
            renamed = copy.copy(member)
            renamed.name = "payload" + name[len(prefix):]
            wanted.append(renamed)
        if not wanted:
            raise ArchiveProblem(_("{path} is missing from it", path=path))
        # Only manifest-checked members, renamed below a fresh directory: modes, owners and links
        # are restored exactly as they were (the 'data' filter would change modes and refuse the
        # absolute links a real /etc/letsencrypt may hold).
        if hasattr(tarfile, "fully_trusted_filter"):      # Python 3.12+, and 3.9-3.11 security updates
            archive.extractall(path=staging, members=wanted, numeric_owner=True, filter="fully_trusted")
        else:
            archive.extractall(path=staging, members=wanted, numeric_owner=True)
    os.chmod(staging, 0o700)

"""Run the probe script through a target and read its output into a snapshot."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import BinaryIO

from wizard.core.errors import TargetError
from wizard.core.probe.logs import kept_lines_pattern
from wizard.core.probe.snapshot import Snapshot, SnapshotReader, read_snapshot
from wizard.core.target.protocol import Target
from wizard.i18n import _

MAX_BUNDLE = 1 << 30            # a probe's output is megabytes; /dev/zero is not one

PROBE_MISSING_ROOT = 3          # probe.sh's own exit code when the root it was given is not a directory


def probe_script() -> bytes:
    script = resources.files("wizard.core.probe").joinpath("probe.sh").read_bytes()
    return script.replace(b"@KEPT_LINES@", kept_lines_pattern().encode("ascii"))


def run_probe(target: Target, save_to: BinaryIO | None = None) -> Snapshot:
    """Probe the target read-only. With save_to, the raw output is kept as an offline bundle."""
    try:
        run = target.start_shell_script(probe_script(), target.probe_args())
    except OSError as error:
        raise TargetError(_("Cannot start the probe: {reason}", reason=error.strerror or error)) from error
    lines = run.lines()
    if save_to is not None:
        lines = _tee(lines, save_to)
    reader = SnapshotReader()
    reader.feed(lines)
    returncode, stderr = run.finish()
    if save_to is not None and stderr:
        save_to.write(stderr)
    snapshot = reader.finish(stderr)
    if returncode == PROBE_MISSING_ROOT or "root" not in snapshot.facts:
        # the probe names paths below the root, so a missing root itself would read "(/)": name it as given
        reasons = "; ".join(p.message + (f" ({target.shown_root if p.reason == 'missing-root' else p.path})"
                                         if p.path else "") for p in snapshot.problems)
        raise TargetError(_("Cannot inspect {target}: {reason}", target=target.describe(),
                            reason=reasons or _("the probe failed (exit code {code})", code=returncode)))
    return snapshot


def read_bundle(stream: BinaryIO) -> Snapshot:
    """A probe output saved on a host the workstation cannot reach (`sh probe.sh > out`)."""
    return read_snapshot(stream, b"")


class BundleError(ValueError):
    """A file that is not a probe output this tool can read (the message says why)."""


def read_bundle_file(path: str) -> Snapshot:
    """The probe output saved in `path`: a regular file, at most MAX_BUNDLE bytes, with the probe's header.
    Raises OSError when it cannot be read, BundleError when it is not one."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BundleError(_("not a regular file"))
        if info.st_size > MAX_BUNDLE:
            raise BundleError(_("larger than {size} bytes", size=MAX_BUNDLE))
        snapshot = read_bundle(handle)
    if "root" not in snapshot.facts:
        raise BundleError(_("not a probe output (no probe header)"))
    return snapshot


def _tee(lines: Iterable[bytes], sink: BinaryIO) -> Iterator[bytes]:
    for line in lines:
        sink.write(line)
        yield line

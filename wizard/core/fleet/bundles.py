"""A fleet's bundle directory, as the Ansible probe run leaves it (or as an admin fills it by hand):

    HOST.probe        the probe's output for HOST (what `sh probe.sh … > out 2> err; cat err >> out` makes)
    HOST.error.json   why HOST gave no probe output: {"host": …, "status": "unreachable"|"failed", "message": …}
    run.json          the run itself (optional): {"started": …, "inventory": …, "hosts": […]}

Every host becomes one HostResult, whatever state its files are in: a host is never silently missing.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from wizard.core.analyse.diagnose import diagnose
from wizard.core.analyse.model import Diagnosis
from wizard.core.errors import UsageError
from wizard.core.probe.run import BundleError, read_bundle_file
from wizard.i18n import _

PROBE_SUFFIX = ".probe"
ERROR_SUFFIX = ".error.json"
MAX_ERROR = 1 << 20


@dataclass
class HostResult:
    host: str
    status: str                         # ok, unreachable, probe-failed, no-result
    diagnosis: Diagnosis | None = None
    message: str = ""                   # why there is no diagnosis
    files: list[str] = field(default_factory=list)


def read_bundles(directory: str, expected: list[str] | None = None) -> tuple[list[HostResult], dict[str, Any]]:
    """Every host of the directory (and of `expected`, the inventory's hosts) with its result, and the
    run's own record. Raises UsageError when the directory cannot be listed."""
    try:
        names = sorted(os.listdir(directory))
    except OSError as error:
        raise UsageError(_("cannot read the bundle directory {path}: {reason}", path=directory,
                           reason=error.strerror)) from error
    run = _read_json(os.path.join(directory, "run.json")) if "run.json" in names else {}
    hosts = {name[:-len(PROBE_SUFFIX)] for name in names if name.endswith(PROBE_SUFFIX)}
    hosts |= {name[:-len(ERROR_SUFFIX)] for name in names if name.endswith(ERROR_SUFFIX)}
    hosts |= set(expected or []) | {str(h) for h in run.get("hosts", []) if isinstance(h, str)}
    return [_result(directory, host, names) for host in sorted(hosts)], run


def _result(directory: str, host: str, names: list[str]) -> HostResult:
    probe, error = host + PROBE_SUFFIX, host + ERROR_SUFFIX
    if probe in names:
        path = os.path.join(directory, probe)
        try:
            return HostResult(host, "ok", diagnose(read_bundle_file(path)), files=[path])
        except (OSError, BundleError) as failure:
            reason = failure.strerror if isinstance(failure, OSError) and failure.strerror else str(failure)
            return HostResult(host, "probe-failed", message=_("{path}: {reason}", path=path, reason=reason),
                              files=[path])
    if error in names:
        path = os.path.join(directory, error)
        record = _read_json(path)
        status = "unreachable" if record.get("status") == "unreachable" else "probe-failed"
        message = str(record.get("message") or record.get("msg") or _("no reason given"))
        return HostResult(host, status, message=" ".join(message.split())[:500], files=[path])
    return HostResult(host, "no-result", message=_("in the inventory, but the run left nothing for it"))


def _read_json(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read(MAX_ERROR).decode("utf-8", "replace"))
    except (OSError, ValueError):
        return {"message": _("{path} cannot be read as JSON", path=path)}
    return data if isinstance(data, dict) else {}

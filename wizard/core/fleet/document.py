"""The fleet report as data: counts by verdict, then one row a host, most urgent first.

A row says what a manager needs to decide: the host, its OS and end of life, the client that renews
(method, version, Python), the verdict, the blocking findings, the nearest expiry and whether the
admin must choose how the host gets a current client. A host without a result is a row too.
"""
from __future__ import annotations

import datetime
import math
from collections import Counter
from typing import Any

from wizard import __version__
from wizard.core import defaults
from wizard.core.analyse.model import Diagnosis
from wizard.core.fleet.bundles import HostResult
from wizard.core.plan.build import build_plan

EXPIRING_DAYS = 30
# Most urgent first: a host still on ACMEv1 with a certificate expired or about to, …, a healthy one.
URGENCY = ("v1-expiring", "expiring", "v1", "no-answer", "blocking", "unknown", "healthy")


def fleet_document(results: list[HostResult], run: dict[str, Any],
                   now: datetime.datetime | None = None) -> dict[str, Any]:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    rows = sorted((host_row(result, now) for result in results),
                  key=lambda row: (URGENCY.index(row["urgency"]), _days_key(row), row["host"]))
    counts = Counter(row["verdict"] or row["status"] for row in rows)
    return {
        "format_version": defaults.FORMAT_VERSION,
        "tool_version": __version__,
        "generated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run": {key: run[key] for key in ("started", "ended", "inventory") if key in run},
        "counts": {key: counts.get(key, 0) for key in ("v1", "v2", "unknown", "unreachable", "probe-failed",
                                                        "no-result")},
        "needs_action": sum(1 for row in rows if row["urgency"] != "healthy"),
        "hosts": rows,
    }


def host_row(result: HostResult, now: datetime.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {"host": result.host, "status": result.status, "message": result.message,
                           "files": result.files, "os": None, "client": None, "verdict": None, "blocking": [],
                           "nearest_expiry": None, "decision_needed": False}
    diagnosis = result.diagnosis
    if diagnosis is None:
        row["urgency"] = "no-answer"
        return row
    os_info = diagnosis.os
    row["os"] = {"name": os_info.pretty_name, "eol": os_info.eol,
                 "eol_date": os_info.eol_date.isoformat() if os_info.eol_date else None}
    clients = diagnosis.renewing or diagnosis.installs
    if clients:
        client = clients[0]
        row["client"] = {"kind": client.kind, "method": client.method, "version": client.version,
                         "python": client.python_version, "path": client.path}
    row["verdict"] = diagnosis.verdict
    row["blocking"] = [f.id for f in diagnosis.findings if f.blocking]
    row["nearest_expiry"] = _nearest_expiry(diagnosis, now)
    row["decision_needed"] = build_plan(diagnosis).decision_needed
    row["urgency"] = _urgency(row)
    return row


def _nearest_expiry(diagnosis: Diagnosis, now: datetime.datetime) -> dict[str, Any] | None:
    dated = [(days, cert) for cert in diagnosis.certs if (days := cert.days_left(now)) is not None]
    if not dated:
        return None
    days, cert = min(dated, key=lambda item: item[0])
    assert cert.not_after is not None
    return {"name": cert.name, "not_after": cert.not_after.date().isoformat(), "days": math.floor(days)}


def _urgency(row: dict[str, Any]) -> str:
    expiry = row["nearest_expiry"]
    expiring = expiry is not None and expiry["days"] <= EXPIRING_DAYS
    if row["verdict"] == "v1":
        return "v1-expiring" if expiring else "v1"
    if expiring:
        return "expiring"
    if row["blocking"]:
        return "blocking"
    return "unknown" if row["verdict"] == "unknown" else "healthy"


def _days_key(row: dict[str, Any]) -> int:
    expiry = row["nearest_expiry"]
    return expiry["days"] if expiry else 1 << 30

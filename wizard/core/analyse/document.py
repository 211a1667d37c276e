"""The `check --json` document, exactly as CONTRACT.md describes it (format_version 1)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wizard import __version__
from wizard.core import defaults
from wizard.core.analyse.model import Diagnosis
from wizard.core.target.protocol import Target

# Where `check --json` writes the runs one at a time (textsafe.json_pieces): a host that renewed
# for ten years has tens of thousands of them.
RUNS_AT = ("logs", "runs")


def check_document(diagnosis: Diagnosis, target: Target | None = None, runs: bool = True) -> dict[str, Any]:
    """target: None for a probe bundle (its own header names the root). runs=False leaves
    logs.runs empty, for the caller to write run_documents() in its place."""
    snap = diagnosis.snapshot
    os_info = diagnosis.os
    demo = target is not None and target.demo
    return {
        "format_version": defaults.FORMAT_VERSION,
        "tool_version": __version__,
        "target": {
            "root": "/" if demo else (target.root if target is not None else snap.root),
            "demo": demo,
            "host": target.host if target is not None else None,
            "config_dir": snap.config_dir,
            "logs_dir": snap.logs_dir,
        },
        "os": {
            "id": os_info.id,
            "version": os_info.version,
            "pretty_name": os_info.pretty_name,
            "eol": os_info.eol,
            "eol_date": os_info.eol_date.isoformat() if os_info.eol_date else None,
        },
        "clients": [
            {
                "kind": install.kind,
                "install_method": install.method,
                "path": install.path,
                "version": install.version,
                "version_is_minimum": install.version_is_minimum,   # dated by log era markers only
                "python_version": install.python_version,
                "speaks_v2": install.speaks_v2,
                "rewrites_v1": install.rewrites_v1,
                "present": install.present,
                "seen_in_logs": install.seen_in_logs,
                "renews": install in diagnosis.renewing,
                "package": install.package,
                "scheduled": [
                    {"source": run.source, "line": run.line, "command": run.command,
                     "kind": run.kind, "active": run.systemd_active is not False}
                    for run in diagnosis.schedules_for(install)
                ],
            }
            for install in diagnosis.installs
        ],
        "schedules": [
            {"source": run.source, "line": run.line, "command": run.command, "kind": run.kind,
             "program": run.program, "client_path": run.install.path if run.install else None,
             "renews": run in diagnosis.schedules.renewing()}
            for run in diagnosis.schedules.runs
        ],
        "logs": {
            "files_scanned": len(diagnosis.logs.files),
            "runs_summarised": diagnosis.logs.runs_summarised,
            "runs_dropped": diagnosis.logs.runs_dropped,
            "runs": list(run_documents(diagnosis)) if runs else [],
        },
        "renewal_confs": [
            {"name": conf.name, "path": conf.path, "version": conf.version,
             "server": conf.server.value if conf.server else None, "server_api": conf.server_api,
             "authenticator": conf.param("authenticator"), "installer": conf.param("installer"),
             "account": conf.param("account"), "readable": conf.unreadable is None,
             "malformed_lines": [e.line for e in conf.malformed]}
            for conf in diagnosis.renewal_confs
        ],
        "certificates": [
            {"name": cert.name, "path": cert.path,
             "not_after": cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ") if cert.not_after else None}
            for cert in diagnosis.certs
        ],
        "acme": {"verdict": diagnosis.verdict, "reasons": diagnosis.reasons},
        "findings": [finding.to_json() for finding in diagnosis.findings],
        "problems": [{"path": p.path, "reason": p.reason} for p in diagnosis.problems],
        "email": diagnosis.email.to_json() if diagnosis.email else None,
    }


def run_documents(diagnosis: Diagnosis) -> Iterator[dict[str, Any]]:
    """logs.runs, oldest first, one at a time."""
    for run in diagnosis.logs.runs:
        yield {
            "file": run.file,
            "line": run.line,
            "started": run.started,
            "certbot_version": run.certbot_version,
            "entry_point": run.entry_point,
            "arguments": run.arguments,
            "endpoints": [{"url": e.url, "api": e.api, "line": e.line} for e in run.endpoints],
        }

"""`acme-wizard fleet-report --bundles DIR [--inventory FILE]`: one page for many hosts, every host's
probe output analysed in this process (no subprocess a host)."""
from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from wizard.commands.files import write_text
from wizard.core import defaults
from wizard.core.errors import ExitCode, UsageError
from wizard.core.fleet.bundles import HostResult, read_bundles
from wizard.core.fleet.document import fleet_document
from wizard.i18n import _
from wizard.render.fleet import RENDERERS

if TYPE_CHECKING:
    from wizard.core.report.redact import Redactor

MAX_INVENTORY = 16 * 1024 * 1024


def run(args: argparse.Namespace) -> ExitCode:
    if not args.bundles:
        raise UsageError(_("fleet-report needs --bundles DIR (the directory a fleet run filled)"))
    expected = read_inventory(args.inventory) if args.inventory else None
    results, fleet_run = read_bundles(args.bundles, expected)
    document = fleet_document(results, fleet_run)
    redactor = None
    if args.redact:         # one redactor for the page: a host keeps one mask wherever it is named
        from wizard.core.report.redact import Redactor, known_hosts
        names = [r.host for r in results] + [n for r in results if r.diagnosis for n in known_hosts(r.diagnosis)]
        redactor = Redactor(names)
        document = redactor.document(document)
    if args.output and args.format in ("html", "md"):
        write_host_reports(results, document, args.output, args.format, redactor)
    write_text(args.output, RENDERERS[args.format](document))
    return ExitCode.ACTION_NEEDED if document["needs_action"] else ExitCode.OK


def write_host_reports(results: list[HostResult], document: dict[str, Any], output: str, fmt: str,
                       redactor: Redactor | None) -> None:
    """Each host's full report beside the page (OUTPUT.hosts/HOST.html), linked from its row."""
    from wizard.core.plan.build import build_plan
    from wizard.core.report.model import build_report
    from wizard.render.report import RENDERERS as HOST_RENDERERS
    folder = os.path.splitext(output)[0] + ".hosts"
    rows = {row["host"]: row for row in document["hosts"]}
    for result in results:
        if result.diagnosis is None:
            continue
        host = redactor.text(result.host) if redactor else result.host
        if host in (".", "..") or "/" in host or host not in rows:
            continue
        report = build_report(result.diagnosis, build_plan(result.diagnosis), None, defaults.STATE_DIR, label=host)
        if redactor is not None:
            report = redactor.document(report)
        name = os.path.join(folder, f"{host}.{fmt}")
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise UsageError(_("cannot write {path}: {reason}", path=folder, reason=error.strerror)) from error
        write_text(name, HOST_RENDERERS[fmt](report))
        rows[host]["report"] = os.path.join(os.path.basename(folder), f"{host}.{fmt}")


def read_inventory(path: str) -> list[str]:
    """The host names of an Ansible INI inventory (or a plain list, one name a line): every line of a
    group's hosts, its first word; [group:vars] and [group:children] sections name no hosts."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_INVENTORY + 1)
    except OSError as error:
        raise UsageError(_("cannot read the inventory {path}: {reason}", path=path, reason=error.strerror)) from error
    if len(data) > MAX_INVENTORY:
        raise UsageError(_("cannot read the inventory {path}: {reason}", path=path,
                           reason=_("larger than {size} bytes", size=MAX_INVENTORY)))
    hosts: list[str] = []
    section = ""
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if ":" in section and section.split(":", 1)[1] in ("vars", "children"):
            continue
        name = line.split()[0]
        if name not in hosts:
            hosts.append(name)
    return hosts

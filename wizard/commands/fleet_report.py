"""`acme-wizard fleet-report --bundles DIR [--inventory FILE]`: one page for many hosts, every host's
probe output analysed in this process (no subprocess a host)."""
from __future__ import annotations

import argparse

from wizard.commands.files import write_text
from wizard.core.errors import ExitCode, UsageError
from wizard.core.fleet.bundles import read_bundles
from wizard.core.fleet.document import fleet_document
from wizard.i18n import _
from wizard.render.fleet import RENDERERS

MAX_INVENTORY = 16 * 1024 * 1024


def run(args: argparse.Namespace) -> ExitCode:
    if not args.bundles:
        raise UsageError(_("fleet-report needs --bundles DIR (the directory a fleet run filled)"))
    expected = read_inventory(args.inventory) if args.inventory else None
    results, fleet_run = read_bundles(args.bundles, expected)
    document = fleet_document(results, fleet_run)
    if args.redact:         # one redactor for the page: a host keeps one mask wherever it is named
        from wizard.core.report.redact import Redactor, known_hosts
        names = [r.host for r in results] + [n for r in results if r.diagnosis for n in known_hosts(r.diagnosis)]
        document = Redactor(names).document(document)
    write_text(args.output, RENDERERS[args.format](document))
    return ExitCode.ACTION_NEEDED if document["needs_action"] else ExitCode.OK


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

"""From a snapshot to a diagnosis: facts, the ACMEv1 verdict and findings with evidence.

Pure: no I/O beyond what `distro` needs in a temporary directory. The verdict follows exactly
the rules in CONTRACT.md ("The verdict"); each rule that holds names the finding that proves it.
"""
from __future__ import annotations

import datetime

from wizard.core import versions
from wizard.core.analyse import findings as F
from wizard.core.analyse.model import Diagnosis, unique_installs
from wizard.core.analyse.rules import RULES
from wizard.core.analyse.rules.context import RuleContext
from wizard.core.evidence import Evidence
from wizard.core.probe.logs import LogEvidence
from wizard.core.probe.snapshot import Snapshot
from wizard.core.readers.acme_sh import read_le_api_pins
from wizard.core.readers.certbot_config import (
    cli_ini_paths,
    read_accounts,
    read_ini_pins,
    read_renewal_confs,
)
from wizard.core.readers.certs import read_live_certs
from wizard.core.readers.clients import Install, detect_installs, shebang_python
from wizard.core.readers.dehydrated import read_ca_pins
from wizard.core.readers.email_notice import AcmeV1Email
from wizard.core.readers.osinfo import detect_os
from wizard.core.readers.schedule import Schedules, find_schedules, option_values


def diagnose(snapshot: Snapshot, email: AcmeV1Email | None = None,
             now: datetime.datetime | None = None) -> Diagnosis:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    installs = detect_installs(snapshot)
    for install in installs:
        if install.python_version is None:
            install.python_version = shebang_python(snapshot, install.path)
    schedules = find_schedules(snapshot, installs)
    cli_pins = [pin for path in cli_ini_paths(snapshot) for pin in read_ini_pins(snapshot, path)]
    config_file_pins = [(run, pin) for run in schedules.renewing() for path in run.config_files
                        for pin in read_ini_pins(snapshot, path)]
    renewing, reason = _renewing_clients(installs, schedules, snapshot.logs)
    diagnosis = Diagnosis(
        snapshot=snapshot, os=detect_os(snapshot, now.date()), installs=installs, schedules=schedules,
        renewal_confs=read_renewal_confs(snapshot), cli_pins=cli_pins, config_file_pins=config_file_pins,
        accounts=read_accounts(snapshot), certs=read_live_certs(snapshot), logs=snapshot.logs,
        email=email, renewing=renewing, renewing_reason=reason, now=now, acme_sh_pins=read_le_api_pins(snapshot),
        dehydrated_pins=read_ca_pins(snapshot, tuple(
            path for run in schedules.runs if run.client_kind == "dehydrated"
            for path in option_values(run.arguments, ("--config", "-f")))),
    )
    context = RuleContext(diagnosis)
    for rule in RULES:
        rule(context)
    diagnosis.findings.sort(key=lambda f: (-F.severity_rank(f.severity), f.id))
    return diagnosis


def _renewing_clients(installs: list[Install], schedules: Schedules, logs: LogEvidence) -> tuple[list[Install], str]:
    scheduled = unique_installs(r.install for r in schedules.renewing() if r.install)
    if scheduled:
        return scheduled, "scheduled"
    present = ([i for i in installs if i.kind == "certbot" and i.present]
               or [i for i in installs if i.present])
    if present:
        return [max(present, key=lambda i: versions.sort_key(i.version))], "installed"
    dated = logs.newest_era()          # newer than any run whose header survived
    if dated and dated.era:
        version, line, text = dated.era
        install = Install("certbot", "unknown", dated.entry_point or "certbot", version, present=False,
                          seen_in_logs=True, version_is_minimum=True)
        install.evidence.append(Evidence(dated.file, line, text))
        return [install], "logs"
    in_logs = logs.newest_version()
    if in_logs:
        run, version = in_logs
        install = Install("certbot", "unknown", run.entry_point or "certbot", version, present=False,
                          seen_in_logs=True)
        install.evidence.append(Evidence(run.file, run.line, f"certbot version: {version}"))
        return [install], "logs"
    return [], "none"

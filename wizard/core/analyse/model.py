"""A diagnosis: what was found on the target, the ACMEv1 verdict and the findings that prove it."""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from wizard.core.analyse.findings import Finding
from wizard.core.probe.logs import LogEvidence
from wizard.core.probe.snapshot import Problem, Snapshot
from wizard.core.readers.certbot_config import (
    AccountDir,
    RenewalConf,
    ServerPin,
)
from wizard.core.readers.certs import LiveCert
from wizard.core.readers.clients import Install
from wizard.core.readers.email_notice import AcmeV1Email
from wizard.core.readers.osinfo import OsInfo
from wizard.core.readers.schedule import ScheduledRun, Schedules


@dataclass
class Diagnosis:
    snapshot: Snapshot
    os: OsInfo
    installs: list[Install]
    schedules: Schedules
    renewal_confs: list[RenewalConf]
    cli_pins: list[ServerPin]
    config_file_pins: list[tuple[ScheduledRun, ServerPin]]
    accounts: list[AccountDir]
    certs: list[LiveCert]
    logs: LogEvidence
    email: AcmeV1Email | None
    renewing: list[Install]              # the client(s) whose next renewal decides the verdict
    renewing_reason: str
    verdict: str = "unknown"
    reasons: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    acme_sh_pins: list[ServerPin] = field(default_factory=list)       # Le_API lines of acme.sh certificates
    dehydrated_pins: list[ServerPin] = field(default_factory=list)    # CA= lines of dehydrated's config files

    @property
    def problems(self) -> list[Problem]:
        return self.snapshot.problems

    @property
    def action_needed(self) -> bool:
        return self.verdict == "v1" or any(f.blocking for f in self.findings)

    def scheduled_installs(self) -> list[Install]:
        return unique_installs(r.install for r in self.schedules.renewing() if r.install is not None)

    def schedules_for(self, install: Install) -> list[ScheduledRun]:
        return [r for r in self.schedules.runs if r.install is install]


def unique_installs(items: Iterable[Install]) -> list[Install]:
    seen: set[int] = set()
    result: list[Install] = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            result.append(item)
    return result

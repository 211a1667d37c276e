"""What every rule gets: the diagnosis it reads, and where its findings go."""
from __future__ import annotations

from wizard.core.analyse.findings import Finding
from wizard.core.analyse.model import Diagnosis
from wizard.core.evidence import Evidence
from wizard.core.readers.clients import Install


class RuleContext:
    def __init__(self, diagnosis: Diagnosis) -> None:
        self.d = diagnosis
        self.v1_reasons: list[str] = []      # the findings that prove ACMEv1 use, in the order found

    def add(self, finding: Finding, verdict_reason: bool = False) -> None:
        """Record a finding; verdict_reason: it proves ACMEv1 use (the verdict names it)."""
        self.d.findings.append(finding)
        if verdict_reason and finding.id not in self.v1_reasons:
            self.v1_reasons.append(finding.id)

    def renewing_evidence(self, install: Install) -> list[Evidence]:
        """Where `install` is scheduled (and the line that runs its wrapper), then the install itself."""
        evidence: list[Evidence] = []
        for run in self.d.schedules_for(install):
            evidence += [run.evidence] + ([run.via] if run.via else [])
        return evidence + install.evidence

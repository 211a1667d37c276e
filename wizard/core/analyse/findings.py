"""Findings: stable ids, severity, whether they block, and the evidence behind each claim."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.core.evidence import Evidence
from wizard.i18n import N_

SEVERITIES = ("info", "low", "medium", "high", "critical")
SEVERITY_NAMES = {"info": N_("info"), "low": N_("low"), "medium": N_("medium"), "high": N_("high"),
                  "critical": N_("critical")}          # shown translated; JSON keeps the English words

# Stable ids: never renumber, never reuse. The constant names say what each one means.
CLIENT_CANNOT_SPEAK_V2 = "ACME-001"
V1_IN_RENEWAL_CONF = "ACME-002"
V1_IN_RENEWAL_CONF_REWRITTEN = "ACME-003"
V1_IN_CLI_INI = "ACME-004"
V1_IN_CONFIG_FILE = "ACME-005"
V1_ON_SCHEDULED_COMMAND = "ACME-006"
V1_STAGING_LINEAGE = "ACME-007"
V1_NEWEST_CONTACT = "ACME-008"
NO_SERVER_FALLS_BACK_TO_V1 = "ACME-009"
CERTBOT_AUTO_PRESENT = "ACME-010"
PYTHON2_RUNTIME = "ACME-011"
OS_END_OF_LIFE = "ACME-012"
SCHEDULER_RUNS_OLD_INSTALL = "ACME-013"
NOTHING_SCHEDULED = "ACME-014"
CERT_EXPIRED = "ACME-015"
CERT_EXPIRING = "ACME-016"
NO_EVIDENCE = "ACME-017"
V1_IN_LOGGED_ARGUMENTS = "ACME-018"
V1_EMAIL_NOT_RESOLVED = "ACME-019"
UNREADABLE_INPUT = "ACME-020"
MALFORMED_RENEWAL_CONF = "ACME-021"
SEVERAL_INSTALLS = "ACME-022"
V1_ACCOUNT_ONLY = "ACME-023"
V1_IN_ACME_SH_CONF = "ACME-024"
V1_IN_ACME_SH_CONF_REWRITTEN = "ACME-025"
PROTECTED_INPUTS = "ACME-026"
MUST_STAPLE_REFUSED = "ACME-027"
V1_IN_DEHYDRATED_CONFIG = "ACME-028"
CLIENT_AUTH_PROFILE_GONE = "ACME-029"
CLIENT_AUTH_EKU_ENDS = "ACME-030"

PERMISSION_REASONS = ("permission-denied", "unlistable-directory")   # problems that hide evidence


@dataclass
class Finding:
    id: str
    severity: str
    blocking: bool
    title: str
    detail: str
    remediation: str
    evidence: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "blocking": self.blocking,
            "title": self.title,
            "detail": self.detail,
            "evidence": [e.to_json() for e in self.evidence],
            "remediation": self.remediation,
        }


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0

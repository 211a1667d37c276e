"""A finding as every front end shows it: one reading of its severity, heading, evidence and fix.

The check text, the TUI and the three report formats each lay it out in their own medium; what
they show, and in which words, comes from here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wizard.core.analyse.findings import SEVERITY_NAMES, Finding
from wizard.i18n import _


@dataclass(frozen=True)
class FindingView:
    severity: str                       # the style key: critical, high, medium, low, info
    label: str                          # the severity as shown (CRITICAL, 重大 …)
    id: str
    title: str
    detail: str
    evidence: list[tuple[str, str]]     # (path or path:line, the line with its blanks folded)
    more: int                           # evidence left out by the limit
    fix: str


def finding_view(finding: Finding | Mapping[str, Any], evidence_limit: int | None = None) -> FindingView:
    """A finding (the object, or its JSON form in a report document) as the front ends show it."""
    data = finding.to_json() if isinstance(finding, Finding) else finding
    evidence = [(_where(item), " ".join(str(item.get("text") or "").split())) for item in data["evidence"]]
    shown = evidence if evidence_limit is None else evidence[:evidence_limit]
    return FindingView(severity=data["severity"], label=_(SEVERITY_NAMES[data["severity"]]).upper(), id=data["id"],
                       title=data["title"], detail=data["detail"], evidence=shown, more=len(evidence) - len(shown),
                       fix=data["remediation"])


def _where(evidence: Mapping[str, Any]) -> str:
    line = evidence.get("line")
    return f"{evidence['path']}:{line}" if line else str(evidence["path"])

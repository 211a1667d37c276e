"""The verdict, from the findings the other rules proved (CONTRACT.md, "The verdict")."""
from __future__ import annotations

from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import Finding
from wizard.core.analyse.rules.context import RuleContext
from wizard.core.endpoints import V2_APIS
from wizard.core.evidence import Evidence
from wizard.i18n import _


def verdict(ctx: RuleContext) -> None:
    d = ctx.d
    if ctx.v1_reasons:
        d.verdict, d.reasons = "v1", list(ctx.v1_reasons)
        return
    if any(f.id == F.PROTECTED_INPUTS for f in d.findings):
        d.verdict, d.reasons = "unknown", [F.PROTECTED_INPUTS]
        return
    any_evidence = bool(d.installs or d.logs.runs or d.renewal_confs or d.email or d.accounts)
    if not any_evidence:
        d.verdict, d.reasons = "unknown", [F.NO_EVIDENCE]
        ctx.add(Finding(
            id=F.NO_EVIDENCE, severity="info", blocking=False,
            title=_("No ACME client evidence found"),
            detail=_("Looked in: {places}.", places=", ".join(d.snapshot.looked)),
            remediation=_("If certificates are managed here, point --config-dir / --logs-dir at their "
              "directories, or check another host."),
            evidence=[Evidence(path) for path in d.snapshot.looked]))
        return
    v2_capable = any(i.speaks_v2 for i in d.renewing)
    v2_used = any(e.api in V2_APIS for run in d.logs.runs for e in run.endpoints)
    v2_conf = any(c.server_api in V2_APIS for c in d.renewal_confs)
    d.verdict = "v2" if (v2_capable or v2_used or v2_conf) else "unknown"
    d.reasons = []

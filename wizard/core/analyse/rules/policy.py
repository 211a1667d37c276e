"""What the CA refuses today, whatever the ACME version: renewals that will fail for another reason."""
from __future__ import annotations

from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import Finding
from wizard.core.analyse.rules.context import RuleContext
from wizard.i18n import _

TRUE_WORDS = ("true", "yes", "1", "on")


def must_staple(ctx: RuleContext) -> None:
    """Let's Encrypt refuses Must-Staple requests since 2025-05-07 (facts §9): a lineage that asks
    for it fails every renewal, on ACMEv2 too."""
    for conf in ctx.d.renewal_confs:
        setting = conf.params.get("must_staple")
        if setting is None or setting.value.strip().lower() not in TRUE_WORDS:
            continue
        ctx.add(Finding(
            id=F.MUST_STAPLE_REFUSED, severity="critical", blocking=True,
            title=_("{name} asks for OCSP Must-Staple, which Let's Encrypt refuses", name=conf.name),
            detail=_("Let's Encrypt has rejected Must-Staple certificate requests since 2025-05-07 (and ended "
                     "OCSP on 2025-08-06): every renewal of {name} fails, whichever client renews it.",
                     name=conf.name),
            remediation=_("Drop must_staple from {path} (the plan comments the line out, with a backup).",
                          path=conf.path),
            evidence=[setting.evidence]))

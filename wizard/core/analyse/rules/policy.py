"""What the CA refuses today, whatever the ACME version: renewals that will fail for another reason."""
from __future__ import annotations

from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import Finding
from wizard.core.analyse.rules.context import RuleContext
from wizard.core.evidence import Evidence
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


def client_auth(ctx: RuleContext) -> None:
    """Let's Encrypt's default profile dropped the TLS client auth EKU on 2026-02-11 and the tlsclient
    profile that kept it is gone too (LE blog 2025-05-14; facts §9): a lineage that asks for that
    profile, or a certificate still carrying the EKU, is one renewal away from breaking mTLS."""
    for conf in ctx.d.renewal_confs:
        for key in ("required_profile", "preferred_profile"):
            setting = conf.params.get(key)
            if setting is None or setting.value.strip() != "tlsclient":
                continue
            required = key == "required_profile"
            ctx.add(Finding(
                id=F.CLIENT_AUTH_PROFILE_GONE, severity="high" if required else "medium", blocking=required,
                title=_("{name} asks for the tlsclient profile, which Let's Encrypt no longer offers", name=conf.name),
                detail=(_("With {key} = tlsclient every renewal of {name} fails.", key=key, name=conf.name)
                        if required else
                        _("With {key} = tlsclient the renewal falls back to the default profile: the new certificate "
                          "of {name} cannot be used for TLS client authentication.", key=key, name=conf.name)),
                remediation=_("Move whatever uses {name} as a client certificate to a private CA, then drop the "
                              "{key} line from {path}.", name=conf.name, key=key, path=conf.path),
                evidence=[setting.evidence]))
    carrying = [c for c in ctx.d.certs if c.client_auth]
    if carrying:
        ctx.add(Finding(
            id=F.CLIENT_AUTH_EKU_ENDS, severity="info", blocking=False,
            title=_("{count} certificate(s) still allow TLS client authentication; the next renewal will not",
                    count=len(carrying)),
            detail=_("Let's Encrypt stopped putting the clientAuth extended key usage in certificates on "
                     "2026-02-11. Web servers do not need it; anything that presents these certificates as a "
                     "client (mutual TLS, some mail or XMPP server-to-server links) will fail after renewal."),
            remediation=_("Check that nothing uses these certificates as client certificates; if something "
                          "does, give it a certificate from a private CA."),
            evidence=[Evidence(c.path) for c in carrying][:20]))

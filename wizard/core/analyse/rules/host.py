"""The host around the client: its OS, its certificates, and what could not be read."""
from __future__ import annotations

from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import PERMISSION_REASONS, Finding
from wizard.core.analyse.rules.context import RuleContext
from wizard.core.analyse.rules.helpers import EXPIRY_WARNING_DAYS
from wizard.core.evidence import Evidence
from wizard.i18n import _


def os_end_of_life(ctx: RuleContext) -> None:
    os_info = ctx.d.os
    if not os_info.eol:
        return
    ctx.add(Finding(
        id=F.OS_END_OF_LIFE, severity="medium", blocking=False,
        title=_("{name} is past its end of life ({date})", name=os_info.pretty_name, date=os_info.eol_date),
        detail=_("No security updates, mirrors moved to archives, and current certbot releases do not run "
          "on its Python. Any fix here is a stopgap."),
        remediation=_("Plan the move to a supported release; until then keep renewals working with the plan."),
        evidence=[Evidence(os_info.evidence_path)] if os_info.evidence_path else []))


def certificates(ctx: RuleContext) -> None:
    for cert in ctx.d.certs:
        days = cert.days_left(ctx.d.now)
        if days is None or cert.not_after is None:
            continue
        expiry = cert.not_after.strftime("%Y-%m-%d %H:%M UTC")
        if days < 0:
            ctx.add(Finding(
                id=F.CERT_EXPIRED, severity="critical", blocking=True,
                title=_("Certificate {name} expired on {date}", name=cert.name, date=expiry),
                detail=_("Visitors see a certificate error. Renewals have been failing for at least 30 days."),
                remediation=_("Fix the renewal path (the plan), then renew this certificate."),
                evidence=[Evidence(cert.path, None, f"notAfter={expiry}")]))
        elif days <= EXPIRY_WARNING_DAYS:
            ctx.add(Finding(
                id=F.CERT_EXPIRING, severity="high", blocking=False,
                title=_("Certificate {name} expires in {days} days", name=cert.name, days=int(days)),
                detail=_("certbot renews when a third of the lifetime is left (30 days of a 90-day certificate); "
                         "a certificate this close means renewals are failing or have not run."),
                remediation=_("Fix the renewal path (the plan), then run a renewal."),
                evidence=[Evidence(cert.path, None, f"notAfter={expiry}")]))


def unreadable_inputs(ctx: RuleContext) -> None:
    problems = [p for p in ctx.d.problems if p.path]
    denied = list({p.path: p for p in problems if p.reason in PERMISSION_REASONS}.values())
    problems = [p for p in problems if p.reason not in PERMISSION_REASONS]
    if denied:
        # What could not be read may hold the v1 pin: never an all-clear (see verdict()).
        uid = ctx.d.snapshot.facts.get("uid") or "?"
        ctx.add(Finding(
            id=F.PROTECTED_INPUTS, severity="high", blocking=True,
            title=_("{count} protected place(s) could not be read", count=len(denied)),
            detail=_("The probe ran as uid {uid} and was refused: {paths}. Renewal settings, logs or schedules "
                     "behind them could pin ACMEv1: without them there is no all-clear.",
                     uid=uid, paths="; ".join(p.path for p in denied[:10])),
            remediation=_("Run the check again as root (sudo acme-wizard check …; over SSH, log in as root or as "
                          "a user with passwordless sudo).") if uid != "0" else
            _("Even root was refused (a network filesystem or a security module): check these paths on the "
              "host itself."),
            evidence=[Evidence(p.path, None, _(p.message)) for p in denied[:20]]))
    if not problems:
        return
    ctx.add(Finding(
        id=F.UNREADABLE_INPUT, severity="low", blocking=False,
        title=_("{count} input(s) could not be read; the rest was diagnosed", count=len(problems)),
        detail="; ".join(f"{p.path}: {_(p.message)}" for p in problems[:10]),
        remediation=_("Check the paths listed; run as root to read protected files."),
        evidence=[Evidence(p.path, None, _(p.message)) for p in problems[:20]]))

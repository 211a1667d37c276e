"""What the client actually did: the newest contact in the logs, the Let's Encrypt email, the accounts."""
from __future__ import annotations

from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import Finding
from wizard.core.analyse.rules.context import RuleContext
from wizard.core.analyse.rules.helpers import seen_after
from wizard.core.endpoints import V1_APIS, V2_APIS
from wizard.core.evidence import Evidence
from wizard.i18n import _


def newest_contact(ctx: RuleContext) -> None:
    newest = ctx.d.logs.newest_contact()
    if newest is None:
        return
    run, endpoint = newest
    if endpoint.api not in V1_APIS:
        return
    # a version known only as "at least", from the very run that asked acme-v01, settles nothing
    version_known = any(i.version and not i.version_is_minimum for i in ctx.d.renewing)
    evidence = [Evidence(run.file, endpoint.line, endpoint.text[:300])]
    evidence += [Evidence(run.file, n, t) for n, t in run.errors[:3]]
    ctx.add(Finding(
        id=F.V1_NEWEST_CONTACT, severity="high", blocking=not version_known,
        title=_("The newest ACME server contacted in the logs is ACMEv1"),
        detail=_("The run started {started} ({file}) talked to {url}. Since June 2021 that fails, and "
          "today its name does not even resolve.", started=run.started or "?",
          file=run.file, url=endpoint.url),
        remediation=_("Make sure the next renewal uses acme-v02, then run a test renewal to prove it."),
        evidence=evidence), verdict_reason=not version_known)


def email_notice(ctx: RuleContext) -> None:
    email = ctx.d.email
    if email is None:
        return
    later_v2 = [run for run in ctx.d.logs.runs
                if any(e.api in V2_APIS for e in run.endpoints) and seen_after(run, email.request_time)]
    if later_v2:
        return
    agent = email.user_agent
    ctx.add(Finding(
        id=F.V1_EMAIL_NOT_RESOLVED, severity="high", blocking=True,
        title=_("Let's Encrypt reported ACMEv1 use, and nothing here shows ACMEv2 since"),
        detail=_("The notice names {agent} at {time}; no logged run after that talked to acme-v02.",
          agent=agent.text if agent else "?", time=email.request_time or "?"),
        remediation=_("Upgrade the client named in the email and prove acme-v02 with a test renewal."),
        evidence=email.evidence), verdict_reason=True)


def accounts(ctx: RuleContext) -> None:
    apis = {a.api for a in ctx.d.accounts}
    if "v1" in apis and "v2" not in apis:
        v1 = [a for a in ctx.d.accounts if a.api == "v1"]
        ctx.add(Finding(
            id=F.V1_ACCOUNT_ONLY, severity="info", blocking=False,
            title=_("Only an ACMEv1 account exists"),
            detail=_("certbot 0.26+ reuses a v1 account on v2 (it links accounts/acme-v02… to the v1 "
              "directory on its first v2 run), so this needs no action by itself."),
            remediation=_("Nothing to do; the first v2 run links the account."),
            evidence=[Evidence(a.path) for a in v1]))

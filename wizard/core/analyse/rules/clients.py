"""Which client renews, and whether it can speak ACMEv2 at all."""
from __future__ import annotations

from wizard.core import versions
from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import Finding
from wizard.core.analyse.rules.context import RuleContext
from wizard.core.evidence import Evidence
from wizard.i18n import _


def client_cannot_speak_v2(ctx: RuleContext) -> None:
    for install in ctx.d.renewing:
        if install.speaks_v2 is False:
            ctx.add(Finding(
                id=F.CLIENT_CANNOT_SPEAK_V2, severity="critical", blocking=True,
                title=_("{client} {version} cannot speak ACMEv2", client=install.kind, version=install.version),
                detail=_("The client that renews here is {label}. {kind} speaks ACMEv2 from {since}; "
                  "this version can only talk to the ACMEv1 API, which Let's Encrypt switched off in "
                  "June 2021, so every renewal fails.", label=install.label, kind=install.kind,
                  since=install.v2_since),
                remediation=_("Install a current ACME client (the plan shows the path for this server) and move "
                  "the scheduled renewal to it."),
                evidence=ctx.renewing_evidence(install)), verdict_reason=True)


def certbot_auto_and_python(ctx: RuleContext) -> None:
    for install in ctx.d.installs:
        if install.method == "certbot-auto" and install.present:
            ctx.add(Finding(
                id=F.CERTBOT_AUTO_PRESENT, severity="medium", blocking=False,
                title=_("certbot-auto is installed ({path})", path=install.path),
                detail=_("certbot-auto was deprecated in 1.11.0 and frozen in 1.14.0: it never updates "
                  "itself again and only runs the certbot already in its venv ({version}).",
                  version=install.version or "?"),
                remediation=_("Replace it with a supported install, then remove the script, its cron line and "
                  "/opt/eff.org (after a successful test renewal)."),
                evidence=install.evidence[:3]))
        python = install.python_version or ""
        if install.kind == "certbot" and python.startswith("2") and install.present:
            ctx.add(Finding(
                id=F.PYTHON2_RUNTIME, severity="medium", blocking=False,
                title=_("{label} runs on Python {python}", label=install.label, python=python),
                detail=_("certbot dropped Python 2.6 in 0.22.0 and Python 2.7 in 1.12.0, so this install "
                  "can never be upgraded past {newest}.",
                  newest=versions.NEWEST_CERTBOT_FOR_PYTHON.get(python[:3], "1.11.0")),
                remediation=_("Use a Python 3 based install (snap, distribution package or a venv on Python 3)."),
                evidence=install.evidence[:3]))


def several_installs(ctx: RuleContext) -> None:
    certbots = [i for i in ctx.d.installs if i.kind == "certbot" and i.present]
    if len(certbots) < 2:
        return
    newest = max(certbots, key=lambda i: versions.sort_key(i.version))
    scheduled = ctx.d.scheduled_installs()
    old_scheduled = [i for i in scheduled if i is not newest
                     and versions.sort_key(i.version) < versions.sort_key(newest.version)]
    listing = "; ".join(i.label for i in certbots)
    if old_scheduled:
        ctx.add(Finding(
            id=F.SCHEDULER_RUNS_OLD_INSTALL, severity="high", blocking=False,
            title=_("The scheduler runs the older of {count} certbot installs", count=len(certbots)),
            detail=_("Installed: {listing}. Renewals run {old}, not {newest}.", listing=listing,
              old=old_scheduled[0].label, newest=newest.label),
            remediation=_("Point the scheduled job at the newer install (or replace both) and retire the old one."),
            evidence=[r.evidence for i in old_scheduled for r in ctx.d.schedules_for(i)] + newest.evidence[:2]))
    else:
        ctx.add(Finding(
            id=F.SEVERAL_INSTALLS, severity="low", blocking=False,
            title=_("{count} certbot installs on one host", count=len(certbots)),
            detail=_("Installed: {listing}. A person running 'certbot' by hand may get another one than "
              "the scheduler.", listing=listing),
            remediation=_("Keep one install and remove the others."),
            evidence=[e for i in certbots for e in i.evidence[:1]]))


def nothing_scheduled(ctx: RuleContext) -> None:
    has_certs = bool(ctx.d.renewal_confs or ctx.d.certs)          # certbot's lineages
    # a job whose program is gone renews nothing (a retired certbot-auto's line)
    runs = [r for r in ctx.d.schedules.renewing() if not r.program_gone(ctx.d.snapshot)]
    others = sorted({r.client_kind for r in runs if r.client_kind != "certbot"})
    if any(r.client_kind == "certbot" for r in runs) or not (has_certs or ctx.d.installs):
        return
    if others and not has_certs:
        return           # another client renews, and certbot has no lineage here to renew
    ctx.add(Finding(
        id=F.NOTHING_SCHEDULED, severity="high", blocking=has_certs,
        title=_("Nothing schedules certbot's renewals (only {others} is scheduled)", others=", ".join(others))
        if others else _("Nothing schedules certificate renewals"),
        detail=_("The scheduled jobs run {others} only, which cannot renew certbot's certificates: they expire "
                 "unless someone renews them by hand.", others=", ".join(others)) if others else
        _("No cron entry, cron script or enabled systemd timer runs an ACME client, so "
          "certificates expire unless someone renews them by hand."),
        remediation=_("Schedule 'certbot renew' twice a day. Debian/Ubuntu's package and the snap start a timer "
                      "themselves; EPEL's and Fedora's package do not (systemctl enable --now certbot-renew.timer); "
                      "the plan does it."),
        evidence=[Evidence(path) for path in ctx.d.snapshot.looked if "cron" in path or "systemd" in path][:8]))

"""Every place an ACMEv1 server can be pinned: renewal confs, cli.ini, config files, acme.sh confs,
the scheduled command line and the arguments certbot logged."""
from __future__ import annotations

from wizard.core import versions
from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import Finding
from wizard.core.analyse.rules.context import RuleContext
from wizard.core.analyse.rules.helpers import api_of
from wizard.core.endpoints import V1_APIS, V1_URL, V2_URL
from wizard.core.evidence import Evidence
from wizard.core.readers.schedule import option_values
from wizard.i18n import _


def no_server_line_falls_back(ctx: RuleContext) -> None:
    old = [i for i in ctx.d.renewing
           if i.kind == "certbot" and versions.at_least(i.version, versions.CERTBOT_V2_DEFAULT) is False]
    for install in old:
        missing = [c for c in ctx.d.renewal_confs if c.unreadable is None and c.server is None]
        if missing:
            ctx.add(Finding(
                id=F.NO_SERVER_FALLS_BACK_TO_V1, severity="critical", blocking=True,
                title=_("Renewal confs without a server line fall back to ACMEv1 on certbot {version}",
                  version=install.version),
                detail=_("certbot before 0.26.0 uses the ACMEv1 server by default; {count} renewal conf(s) "
                  "name no server, so their renewals go to acme-v01.", count=len(missing)),
                remediation=_("Upgrade certbot to 0.26.0 or later (better: a current release)."),
                evidence=[Evidence(c.path) for c in missing][:20] + install.evidence), verdict_reason=True)


def renewal_conf_pins(ctx: RuleContext) -> None:
    rewriting = bool(ctx.d.renewing) and all(i.rewrites_v1 for i in ctx.d.renewing)
    for conf in ctx.d.renewal_confs:
        if conf.malformed:
            ctx.add(Finding(
                id=F.MALFORMED_RENEWAL_CONF, severity="medium", blocking=False,
                title=_("Renewal conf {name} has lines certbot cannot read", name=conf.name),
                detail=_("certbot may refuse to renew this lineage ('renewal configuration file is broken')."),
                remediation=_("Compare the file with a working conf and fix or remove the lines shown."),
                evidence=conf.malformed[:10]))
        if conf.server is None:
            continue
        api, evidence = conf.server_api, [conf.server.evidence]
        if api == "v1-staging":
            ctx.add(Finding(
                id=F.V1_STAGING_LINEAGE, severity="high", blocking=True,
                title=_("Lineage {name} is pinned to the ACMEv1 staging server", name=conf.name),
                detail=_("Its renewal conf names {url}, which no certbot rewrites and which no longer "
                  "exists. This is a test certificate lineage.", url=conf.server.value),
                remediation=_("Decide: move it to acme-staging-v02 if it is still a test lineage, or delete it "
                  "(certbot delete --cert-name {name}).", name=conf.name),
                evidence=evidence), verdict_reason=True)
        elif api == "v1" and (not rewriting or conf.server.value != V1_URL):
            ctx.add(Finding(
                id=F.V1_IN_RENEWAL_CONF, severity="critical", blocking=True,
                title=_("Lineage {name} renews against ACMEv1", name=conf.name),
                detail=_("Its renewal conf pins {url} and the certbot that renews here does not rewrite it "
                  "(certbot reads a v01 server as v02 only from 1.6.0, and only that exact URL).",
                  url=conf.server.value),
                remediation=_("Change the server line to {v2} (the plan does it with a backup).", v2=V2_URL),
                evidence=evidence), verdict_reason=True)
        elif api == "v1":
            ctx.add(Finding(
                id=F.V1_IN_RENEWAL_CONF_REWRITTEN, severity="low", blocking=False,
                title=_("Lineage {name} still names acme-v01 (rewritten in memory)", name=conf.name),
                detail=_("certbot 1.6.0+ reads this URL as acme-v02 at renewal time and writes v02 back "
                  "after the next successful renewal; an older certbot run by hand would not."),
                remediation=_("Change the server line to {v2} to remove the doubt.", v2=V2_URL),
                evidence=evidence))


def cli_ini_pins(ctx: RuleContext) -> None:
    for pin in ctx.d.cli_pins:
        if pin.api in V1_APIS:
            ctx.add(Finding(
                id=F.V1_IN_CLI_INI, severity="critical", blocking=True,
                title=_("cli.ini pins the ACMEv1 server"),
                detail=_("{path} sets server = {url}. Settings in cli.ini count as chosen by the user, so "
                  "no certbot version rewrites them; every run uses ACMEv1.",
                  path=pin.evidence.path, url=pin.value),
                remediation=_("Remove the server line or change it to {v2}.", v2=V2_URL),
                evidence=[pin.evidence]), verdict_reason=True)


def acme_sh_pins(ctx: RuleContext) -> None:
    acme_sh = [i for i in ctx.d.installs if i.kind == "acme.sh"]
    for pin in ctx.d.acme_sh_pins:
        if pin.api not in V1_APIS:
            continue
        if acme_sh and all(versions.acme_sh_reads_v1_as_v2(i.version, pin.value) for i in acme_sh):
            ctx.add(Finding(
                id=F.V1_IN_ACME_SH_CONF_REWRITTEN, severity="low", blocking=False,
                title=_("An acme.sh certificate still names acme-v01 (read as v02 when it renews)"),
                detail=_("acme.sh {version} renews {path} against ACMEv2; from 3.0.5 on acme.sh renews against "
                         "exactly what Le_API says, so an upgrade would renew against ACMEv1 again.",
                         version=", ".join(i.version or "?" for i in acme_sh), path=pin.evidence.path),
                remediation=_("Change the line to Le_API='{v2}' (the plan does it with a backup) before "
                              "acme.sh is upgraded.", v2=V2_URL),
                evidence=[pin.evidence]))
        else:
            ctx.add(Finding(
                id=F.V1_IN_ACME_SH_CONF, severity="critical", blocking=True,
                title=_("An acme.sh certificate renews against ACMEv1"),
                detail=_("{path} sets Le_API to {url}; this acme.sh does not read it as ACMEv2, so the renewal "
                  "fails.", path=pin.evidence.path, url=pin.value),
                remediation=_("Upgrade acme.sh and change the line to Le_API='{v2}' (the plan does it with a backup).",
                  v2=V2_URL),
                evidence=[pin.evidence]), verdict_reason=True)


def dehydrated_pins(ctx: RuleContext) -> None:
    for pin in ctx.d.dehydrated_pins:
        if pin.api in V1_APIS:
            ctx.add(Finding(
                id=F.V1_IN_DEHYDRATED_CONFIG, severity="critical", blocking=True,
                title=_("dehydrated's configuration pins the ACMEv1 server"),
                detail=_("{path} sets CA to {url}. dehydrated uses an explicit CA exactly as written (no version "
                         "reads v01 as v02), so every renewal asks ACMEv1.", path=pin.evidence.path, url=pin.value),
                remediation=_("Change the line to CA=\"{v2}\" (the plan does it with a backup); dehydrated 0.6.0 "
                              "or later is needed for ACMEv2.", v2=V2_URL),
                evidence=[pin.evidence]), verdict_reason=True)


def scheduled_pins(ctx: RuleContext) -> None:
    for run in ctx.d.schedules.renewing():
        for server in run.servers:
            if server and api_of(server) in V1_APIS:
                ctx.add(Finding(
                    id=F.V1_ON_SCHEDULED_COMMAND, severity="critical", blocking=True,
                    title=_("A scheduled renewal passes --server {url}", url=server),
                    detail=_("A server given on the command line wins over everything else, so this job "
                      "always uses ACMEv1."),
                    remediation=_("Remove the --server option from the job or change it to {v2}.", v2=V2_URL),
                    evidence=[run.evidence] + ([run.via] if run.via else [])), verdict_reason=True)
    for run, pin in ctx.d.config_file_pins:
        if pin.api in V1_APIS:
            ctx.add(Finding(
                id=F.V1_IN_CONFIG_FILE, severity="critical", blocking=True,
                title=_("A --config file used by a scheduled renewal pins ACMEv1"),
                detail=_("{path} sets server = {url} and is passed with --config by a scheduled job.",
                  path=pin.evidence.path, url=pin.value),
                remediation=_("Remove the server line from that file or change it to {v2}.", v2=V2_URL),
                evidence=[pin.evidence, run.evidence]), verdict_reason=True)


def logged_argument_pins(ctx: RuleContext) -> None:
    run = ctx.d.logs.newest_run
    if run is None or not run.arguments:
        return
    for value in option_values(run.arguments, ("--server",)):
        if api_of(value) in V1_APIS:
            ctx.add(Finding(
                id=F.V1_IN_LOGGED_ARGUMENTS, severity="critical", blocking=True,
                title=_("The newest logged run was started with --server {url}", url=value),
                detail=_("Whatever started that run (a script, a cron job on another host, a person) "
                  "asks for ACMEv1 explicitly."),
                remediation=_("Find what runs certbot with these arguments and remove --server or change it to {v2}.",
                  v2=V2_URL),
                evidence=[Evidence(run.file, run.arguments_line, "Arguments: " + run.arguments_text[:300])]),
                verdict_reason=True)
            return

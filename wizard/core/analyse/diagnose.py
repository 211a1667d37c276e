"""From a snapshot to a diagnosis: facts, the ACMEv1 verdict and findings with evidence.

Pure: no I/O beyond what `distro` needs in a temporary directory. The verdict follows exactly
the rules in CONTRACT.md ("The verdict"); each rule that holds names the finding that proves it.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from wizard.core import versions
from wizard.core.analyse import findings as F
from wizard.core.analyse.findings import PERMISSION_REASONS, Finding
from wizard.core.endpoints import V1_APIS, V1_URL, V2_APIS, V2_URL, classify_url
from wizard.core.evidence import Evidence
from wizard.core.probe.logs import LogEvidence, LogRun
from wizard.core.probe.snapshot import Problem, Snapshot
from wizard.core.readers.acme_sh import read_le_api_pins
from wizard.core.readers.certbot_config import (
    AccountDir,
    RenewalConf,
    ServerPin,
    cli_ini_paths,
    read_accounts,
    read_ini_pins,
    read_renewal_confs,
)
from wizard.core.readers.certs import LiveCert, read_live_certs
from wizard.core.readers.clients import Install, detect_installs, shebang_python
from wizard.core.readers.email_notice import AcmeV1Email
from wizard.core.readers.osinfo import OsInfo, detect_os
from wizard.core.readers.schedule import ScheduledRun, Schedules, find_schedules, option_values
from wizard.i18n import _

EXPIRY_WARNING_DAYS = 30


@dataclass
class Diagnosis:
    snapshot: Snapshot
    os: OsInfo
    installs: list[Install]
    schedules: Schedules
    renewal_confs: list[RenewalConf]
    cli_pins: list[ServerPin]
    config_file_pins: list[tuple[ScheduledRun, ServerPin]]
    accounts: list[AccountDir]
    certs: list[LiveCert]
    logs: LogEvidence
    email: AcmeV1Email | None
    renewing: list[Install]              # the client(s) whose next renewal decides the verdict
    renewing_reason: str
    verdict: str = "unknown"
    reasons: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    acme_sh_pins: list[ServerPin] = field(default_factory=list)       # Le_API lines of acme.sh certificates

    @property
    def problems(self) -> list[Problem]:
        return self.snapshot.problems

    @property
    def action_needed(self) -> bool:
        return self.verdict == "v1" or any(f.blocking for f in self.findings)

    def scheduled_installs(self) -> list[Install]:
        return _unique(r.install for r in self.schedules.renewing() if r.install is not None)

    def schedules_for(self, install: Install) -> list[ScheduledRun]:
        return [r for r in self.schedules.runs if r.install is install]


def diagnose(snapshot: Snapshot, email: AcmeV1Email | None = None,
             now: datetime.datetime | None = None) -> Diagnosis:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    installs = detect_installs(snapshot)
    for install in installs:
        if install.python_version is None:
            install.python_version = shebang_python(snapshot, install.path)
    schedules = find_schedules(snapshot, installs)
    cli_pins = [pin for path in cli_ini_paths(snapshot) for pin in read_ini_pins(snapshot, path)]
    config_file_pins = [(run, pin) for run in schedules.renewing() for path in run.config_files
                        for pin in read_ini_pins(snapshot, path)]
    renewing, reason = _renewing_clients(installs, schedules, snapshot.logs)
    diagnosis = Diagnosis(
        snapshot=snapshot, os=detect_os(snapshot, now.date()), installs=installs, schedules=schedules,
        renewal_confs=read_renewal_confs(snapshot), cli_pins=cli_pins, config_file_pins=config_file_pins,
        accounts=read_accounts(snapshot), certs=read_live_certs(snapshot), logs=snapshot.logs,
        email=email, renewing=renewing, renewing_reason=reason, now=now, acme_sh_pins=read_le_api_pins(snapshot),
    )
    _Rules(diagnosis).apply()
    diagnosis.findings.sort(key=lambda f: (-F.severity_rank(f.severity), f.id))
    return diagnosis


def _renewing_clients(installs: list[Install], schedules: Schedules, logs: LogEvidence) -> tuple[list[Install], str]:
    scheduled = _unique(r.install for r in schedules.renewing() if r.install)
    if scheduled:
        return scheduled, "scheduled"
    present = ([i for i in installs if i.kind == "certbot" and i.present]
               or [i for i in installs if i.present])
    if present:
        return [max(present, key=lambda i: versions.sort_key(i.version))], "installed"
    in_logs = logs.newest_version()
    if in_logs:
        run, version = in_logs
        install = Install("certbot", "unknown", run.entry_point or "certbot", version, present=False,
                          seen_in_logs=True)
        install.evidence.append(Evidence(run.file, run.line, f"certbot version: {version}"))
        return [install], "logs"
    return [], "none"


def _unique(items: Iterable[Install]) -> list[Install]:
    seen: set[int] = set()
    result: list[Install] = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            result.append(item)
    return result


class _Rules:
    """Each method checks one thing and adds the finding (and verdict reason) it proves."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        self.d = diagnosis
        self.v1_reasons: list[str] = []

    def add(self, finding: Finding, verdict_reason: bool = False) -> None:
        self.d.findings.append(finding)
        if verdict_reason and finding.id not in self.v1_reasons:
            self.v1_reasons.append(finding.id)

    def apply(self) -> None:
        self.client_cannot_speak_v2()
        self.no_server_line_falls_back()
        self.renewal_conf_pins()
        self.cli_ini_pins()
        self.acme_sh_pins()
        self.scheduled_pins()
        self.logged_argument_pins()
        self.newest_contact()
        self.email_notice()
        self.certbot_auto_and_python()
        self.several_installs()
        self.nothing_scheduled()
        self.os_end_of_life()
        self.certificates()
        self.accounts()
        self.unreadable_inputs()
        self.verdict()

    # --- the verdict rules ------------------------------------------------------------------

    def _renewing_evidence(self, install: Install) -> list[Evidence]:
        evidence = []
        for run in self.d.schedules_for(install):
            evidence += [run.evidence] + ([run.via] if run.via else [])
        return evidence + install.evidence

    def client_cannot_speak_v2(self) -> None:
        for install in self.d.renewing:
            if install.speaks_v2 is False:
                self.add(Finding(
                    F.CLIENT_CANNOT_SPEAK_V2, "critical", True,
                    _("{client} {version} cannot speak ACMEv2", client=install.kind, version=install.version),
                    _("The client that renews here is {label}. {kind} speaks ACMEv2 from {since}; "
                      "this version can only talk to the ACMEv1 API, which Let's Encrypt switched off in "
                      "June 2021, so every renewal fails.", label=install.label, kind=install.kind,
                      since=install.v2_since),
                    _("Install a current ACME client (the plan shows the path for this server) and move "
                      "the scheduled renewal to it."),
                    self._renewing_evidence(install)), verdict_reason=True)

    def no_server_line_falls_back(self) -> None:
        old = [i for i in self.d.renewing
               if i.kind == "certbot" and versions.at_least(i.version, versions.CERTBOT_V2_DEFAULT) is False]
        for install in old:
            missing = [c for c in self.d.renewal_confs if c.unreadable is None and c.server is None]
            if missing:
                self.add(Finding(
                    F.NO_SERVER_FALLS_BACK_TO_V1, "critical", True,
                    _("Renewal confs without a server line fall back to ACMEv1 on certbot {version}",
                      version=install.version),
                    _("certbot before 0.26.0 uses the ACMEv1 server by default; {count} renewal conf(s) "
                      "name no server, so their renewals go to acme-v01.", count=len(missing)),
                    _("Upgrade certbot to 0.26.0 or later (better: a current release)."),
                    [Evidence(c.path) for c in missing][:20] + install.evidence), verdict_reason=True)

    def renewal_conf_pins(self) -> None:
        rewriting = bool(self.d.renewing) and all(i.rewrites_v1 for i in self.d.renewing)
        for conf in self.d.renewal_confs:
            if conf.malformed:
                self.add(Finding(
                    F.MALFORMED_RENEWAL_CONF, "medium", False,
                    _("Renewal conf {name} has lines certbot cannot read", name=conf.name),
                    _("certbot may refuse to renew this lineage ('renewal configuration file is broken')."),
                    _("Compare the file with a working conf and fix or remove the lines shown."),
                    conf.malformed[:10]))
            if conf.server is None:
                continue
            api, evidence = conf.server_api, [conf.server.evidence]
            if api == "v1-staging":
                self.add(Finding(
                    F.V1_STAGING_LINEAGE, "high", True,
                    _("Lineage {name} is pinned to the ACMEv1 staging server", name=conf.name),
                    _("Its renewal conf names {url}, which no certbot rewrites and which no longer "
                      "exists. This is a test certificate lineage.", url=conf.server.value),
                    _("Decide: move it to acme-staging-v02 if it is still a test lineage, or delete it "
                      "(certbot delete --cert-name {name}).", name=conf.name),
                    evidence), verdict_reason=True)
            elif api == "v1" and (not rewriting or conf.server.value != V1_URL):
                self.add(Finding(
                    F.V1_IN_RENEWAL_CONF, "critical", True,
                    _("Lineage {name} renews against ACMEv1", name=conf.name),
                    _("Its renewal conf pins {url} and the certbot that renews here does not rewrite it "
                      "(certbot reads a v01 server as v02 only from 1.6.0, and only that exact URL).",
                      url=conf.server.value),
                    _("Change the server line to {v2} (the plan does it with a backup).", v2=V2_URL),
                    evidence), verdict_reason=True)
            elif api == "v1":
                self.add(Finding(
                    F.V1_IN_RENEWAL_CONF_REWRITTEN, "low", False,
                    _("Lineage {name} still names acme-v01 (rewritten in memory)", name=conf.name),
                    _("certbot 1.6.0+ reads this URL as acme-v02 at renewal time and writes v02 back "
                      "after the next successful renewal; an older certbot run by hand would not."),
                    _("Change the server line to {v2} to remove the doubt.", v2=V2_URL),
                    evidence))

    def cli_ini_pins(self) -> None:
        for pin in self.d.cli_pins:
            if pin.api in V1_APIS:
                self.add(Finding(
                    F.V1_IN_CLI_INI, "critical", True,
                    _("cli.ini pins the ACMEv1 server"),
                    _("{path} sets server = {url}. Settings in cli.ini count as chosen by the user, so "
                      "no certbot version rewrites them; every run uses ACMEv1.",
                      path=pin.evidence.path, url=pin.value),
                    _("Remove the server line or change it to {v2}.", v2=V2_URL),
                    [pin.evidence]), verdict_reason=True)

    def acme_sh_pins(self) -> None:
        acme_sh = [i for i in self.d.installs if i.kind == "acme.sh"]
        rewrites = bool(acme_sh) and all(versions.at_least(i.version, versions.ACME_SH_REWRITES_V1)
                                         for i in acme_sh)
        for pin in self.d.acme_sh_pins:
            if pin.api not in V1_APIS:
                continue
            if rewrites and pin.value == V1_URL:
                self.add(Finding(
                    F.V1_IN_ACME_SH_CONF_REWRITTEN, "low", False,
                    _("An acme.sh certificate still names acme-v01 (read as v02 when it renews)"),
                    _("acme.sh 3.0.1+ renews {path} against ACMEv2 and rewrites the line then.",
                      path=pin.evidence.path),
                    _("Change the line to Le_API='{v2}' to remove the doubt.", v2=V2_URL),
                    [pin.evidence]))
            else:
                self.add(Finding(
                    F.V1_IN_ACME_SH_CONF, "critical", True,
                    _("An acme.sh certificate renews against ACMEv1"),
                    _("{path} sets Le_API to {url}; this acme.sh does not read it as ACMEv2, so the renewal "
                      "fails.", path=pin.evidence.path, url=pin.value),
                    _("Upgrade acme.sh and change the line to Le_API='{v2}' (the plan does it with a backup).",
                      v2=V2_URL),
                    [pin.evidence]), verdict_reason=True)

    def scheduled_pins(self) -> None:
        for run in self.d.schedules.renewing():
            for server in run.servers:
                if server and _api(server) in V1_APIS:
                    self.add(Finding(
                        F.V1_ON_SCHEDULED_COMMAND, "critical", True,
                        _("A scheduled renewal passes --server {url}", url=server),
                        _("A server given on the command line wins over everything else, so this job "
                          "always uses ACMEv1."),
                        _("Remove the --server option from the job or change it to {v2}.", v2=V2_URL),
                        [run.evidence] + ([run.via] if run.via else [])), verdict_reason=True)
        for run, pin in self.d.config_file_pins:
            if pin.api in V1_APIS:
                self.add(Finding(
                    F.V1_IN_CONFIG_FILE, "critical", True,
                    _("A --config file used by a scheduled renewal pins ACMEv1"),
                    _("{path} sets server = {url} and is passed with --config by a scheduled job.",
                      path=pin.evidence.path, url=pin.value),
                    _("Remove the server line from that file or change it to {v2}.", v2=V2_URL),
                    [pin.evidence, run.evidence]), verdict_reason=True)

    def logged_argument_pins(self) -> None:
        run = self.d.logs.newest_run
        if run is None or not run.arguments:
            return
        for value in option_values(run.arguments, ("--server",)):
            if _api(value) in V1_APIS:
                self.add(Finding(
                    F.V1_IN_LOGGED_ARGUMENTS, "critical", True,
                    _("The newest logged run was started with --server {url}", url=value),
                    _("Whatever started that run (a script, a cron job on another host, a person) "
                      "asks for ACMEv1 explicitly."),
                    _("Find what runs certbot with these arguments and remove --server or change it to {v2}.",
                      v2=V2_URL),
                    [Evidence(run.file, run.arguments_line, "Arguments: " + run.arguments_text[:300])]),
                    verdict_reason=True)
                return

    def newest_contact(self) -> None:
        newest = self.d.logs.newest_contact()
        if newest is None:
            return
        run, endpoint = newest
        if endpoint.api not in V1_APIS:
            return
        version_known = any(i.version for i in self.d.renewing)
        evidence = [Evidence(run.file, endpoint.line, endpoint.text[:300])]
        evidence += [Evidence(run.file, n, t) for n, t in run.errors[:3]]
        self.add(Finding(
            F.V1_NEWEST_CONTACT, "high", not version_known,
            _("The newest ACME server contacted in the logs is ACMEv1"),
            _("The run started {started} ({file}) talked to {url}. Since June 2021 that fails, and "
              "today its name does not even resolve.", started=run.started or "?",
              file=run.file, url=endpoint.url),
            _("Make sure the next renewal uses acme-v02, then run a test renewal to prove it."),
            evidence), verdict_reason=not version_known)

    def email_notice(self) -> None:
        email = self.d.email
        if email is None:
            return
        later_v2 = [run for run in self.d.logs.runs
                    if any(e.api in V2_APIS for e in run.endpoints) and _after(run, email.request_time)]
        if later_v2:
            return
        agent = email.user_agent
        self.add(Finding(
            F.V1_EMAIL_NOT_RESOLVED, "high", True,
            _("Let's Encrypt reported ACMEv1 use, and nothing here shows ACMEv2 since"),
            _("The notice names {agent} at {time}; no logged run after that talked to acme-v02.",
              agent=agent.text if agent else "?", time=email.request_time or "?"),
            _("Upgrade the client named in the email and prove acme-v02 with a test renewal."),
            email.evidence), verdict_reason=True)

    # --- the other findings -----------------------------------------------------------------

    def certbot_auto_and_python(self) -> None:
        for install in self.d.installs:
            if install.method == "certbot-auto" and install.present:
                self.add(Finding(
                    F.CERTBOT_AUTO_PRESENT, "medium", False,
                    _("certbot-auto is installed ({path})", path=install.path),
                    _("certbot-auto was deprecated in 1.11.0 and frozen in 1.14.0: it never updates "
                      "itself again and only runs the certbot already in its venv ({version}).",
                      version=install.version or "?"),
                    _("Replace it with a supported install, then remove the script, its cron line and "
                      "/opt/eff.org (after a successful test renewal)."),
                    install.evidence[:3]))
            python = install.python_version or ""
            if install.kind == "certbot" and python.startswith("2") and install.present:
                self.add(Finding(
                    F.PYTHON2_RUNTIME, "medium", False,
                    _("{label} runs on Python {python}", label=install.label, python=python),
                    _("certbot dropped Python 2.6 in 0.22.0 and Python 2.7 in 1.12.0, so this install "
                      "can never be upgraded past {newest}.",
                      newest=versions.NEWEST_CERTBOT_FOR_PYTHON.get(python[:3], "1.11.0")),
                    _("Use a Python 3 based install (snap, distribution package or a venv on Python 3)."),
                    install.evidence[:3]))

    def several_installs(self) -> None:
        certbots = [i for i in self.d.installs if i.kind == "certbot" and i.present]
        if len(certbots) < 2:
            return
        newest = max(certbots, key=lambda i: versions.sort_key(i.version))
        scheduled = self.d.scheduled_installs()
        old_scheduled = [i for i in scheduled if i is not newest
                         and versions.sort_key(i.version) < versions.sort_key(newest.version)]
        listing = "; ".join(i.label for i in certbots)
        if old_scheduled:
            self.add(Finding(
                F.SCHEDULER_RUNS_OLD_INSTALL, "high", False,
                _("The scheduler runs the older of {count} certbot installs", count=len(certbots)),
                _("Installed: {listing}. Renewals run {old}, not {newest}.", listing=listing,
                  old=old_scheduled[0].label, newest=newest.label),
                _("Point the scheduled job at the newer install (or replace both) and retire the old one."),
                [r.evidence for i in old_scheduled for r in self.d.schedules_for(i)] + newest.evidence[:2]))
        else:
            self.add(Finding(
                F.SEVERAL_INSTALLS, "low", False,
                _("{count} certbot installs on one host", count=len(certbots)),
                _("Installed: {listing}. A person running 'certbot' by hand may get another one than "
                  "the scheduler.", listing=listing),
                _("Keep one install and remove the others."),
                [e for i in certbots for e in i.evidence[:1]]))

    def nothing_scheduled(self) -> None:
        has_certs = bool(self.d.renewal_confs or self.d.certs)
        if self.d.schedules.renewing() or not (has_certs or self.d.installs):
            return
        self.add(Finding(
            F.NOTHING_SCHEDULED, "high", False,
            _("Nothing schedules certificate renewals"),
            _("No cron entry, cron script or enabled systemd timer runs an ACME client, so "
              "certificates expire unless someone renews them by hand."),
            _("Schedule 'certbot renew' twice a day (the distribution package or snap does this)."),
            [Evidence(path) for path in self.d.snapshot.looked if "cron" in path or "systemd" in path][:8]))

    def os_end_of_life(self) -> None:
        os_info = self.d.os
        if not os_info.eol:
            return
        self.add(Finding(
            F.OS_END_OF_LIFE, "medium", False,
            _("{name} is past its end of life ({date})", name=os_info.pretty_name, date=os_info.eol_date),
            _("No security updates, mirrors moved to archives, and current certbot releases do not run "
              "on its Python. Any fix here is a stopgap."),
            _("Plan the move to a supported release; until then keep renewals working with the plan."),
            [Evidence(os_info.evidence_path)] if os_info.evidence_path else []))

    def certificates(self) -> None:
        for cert in self.d.certs:
            days = cert.days_left(self.d.now)
            if days is None or cert.not_after is None:
                continue
            expiry = cert.not_after.strftime("%Y-%m-%d %H:%M UTC")
            if days < 0:
                self.add(Finding(
                    F.CERT_EXPIRED, "critical", True,
                    _("Certificate {name} expired on {date}", name=cert.name, date=expiry),
                    _("Visitors see a certificate error. Renewals have been failing for at least 30 days."),
                    _("Fix the renewal path (the plan), then renew this certificate."),
                    [Evidence(cert.path, None, f"notAfter={expiry}")]))
            elif days <= EXPIRY_WARNING_DAYS:
                self.add(Finding(
                    F.CERT_EXPIRING, "high", False,
                    _("Certificate {name} expires in {days} days", name=cert.name, days=int(days)),
                    _("certbot renews 30 days before expiry; a certificate this close means renewals "
                      "are failing or have not run."),
                    _("Fix the renewal path (the plan), then run a renewal."),
                    [Evidence(cert.path, None, f"notAfter={expiry}")]))

    def accounts(self) -> None:
        apis = {a.api for a in self.d.accounts}
        if "v1" in apis and "v2" not in apis:
            v1 = [a for a in self.d.accounts if a.api == "v1"]
            self.add(Finding(
                F.V1_ACCOUNT_ONLY, "info", False,
                _("Only an ACMEv1 account exists"),
                _("certbot 0.26+ reuses a v1 account on v2 (it links accounts/acme-v02… to the v1 "
                  "directory on its first v2 run), so this needs no action by itself."),
                _("Nothing to do; the first v2 run links the account."),
                [Evidence(a.path) for a in v1]))

    def unreadable_inputs(self) -> None:
        problems = [p for p in self.d.problems if p.path]
        denied = list({p.path: p for p in problems if p.reason in PERMISSION_REASONS}.values())
        problems = [p for p in problems if p.reason not in PERMISSION_REASONS]
        if denied:
            # What could not be read may hold the v1 pin: never an all-clear (see verdict()).
            uid = self.d.snapshot.facts.get("uid") or "?"
            self.add(Finding(
                F.PROTECTED_INPUTS, "high", True,
                _("{count} protected place(s) could not be read", count=len(denied)),
                _("The probe ran as uid {uid} and was refused: {paths}. Renewal settings, logs or schedules "
                  "behind them could pin ACMEv1: without them there is no all-clear.", uid=uid, paths="; ".join(p.path for p in denied[:10])),
                _("Run the check again as root (sudo acme-wizard check …; over SSH, log in as root or as a user "
                  "with passwordless sudo).") if uid != "0" else
                _("Even root was refused (a network filesystem or a security module): check these paths on the "
                  "host itself."),
                [Evidence(p.path, None, _(p.message)) for p in denied[:20]]))
        if not problems:
            return
        self.add(Finding(
            F.UNREADABLE_INPUT, "low", False,
            _("{count} input(s) could not be read; the rest was diagnosed", count=len(problems)),
            "; ".join(f"{p.path}: {_(p.message)}" for p in problems[:10]),
            _("Check the paths listed; run as root to read protected files."),
            [Evidence(p.path, None, _(p.message)) for p in problems[:20]]))

    def verdict(self) -> None:
        d = self.d
        if self.v1_reasons:
            d.verdict, d.reasons = "v1", list(self.v1_reasons)
            return
        if any(f.id == F.PROTECTED_INPUTS for f in d.findings):
            d.verdict, d.reasons = "unknown", [F.PROTECTED_INPUTS]
            return
        any_evidence = bool(d.installs or d.logs.runs or d.renewal_confs or d.email or d.accounts)
        if not any_evidence:
            d.verdict, d.reasons = "unknown", [F.NO_EVIDENCE]
            self.add(Finding(
                F.NO_EVIDENCE, "info", False,
                _("No ACME client evidence found"),
                _("Looked in: {places}.", places=", ".join(d.snapshot.looked)),
                _("If certificates are managed here, point --config-dir / --logs-dir at their "
                  "directories, or check another host."),
                [Evidence(path) for path in d.snapshot.looked]))
            return
        v2_capable = any(i.speaks_v2 for i in d.renewing)
        v2_used = any(e.api in V2_APIS for run in d.logs.runs for e in run.endpoints)
        v2_conf = any(c.server_api in V2_APIS for c in d.renewal_confs)
        d.verdict = "v2" if (v2_capable or v2_used or v2_conf) else "unknown"
        d.reasons = []


def _api(url: str) -> str:
    return classify_url(url)


def _after(run: LogRun, when: datetime.datetime | None) -> bool:
    if when is None or not run.started:
        return when is None
    try:
        return datetime.datetime.fromisoformat(run.started) >= when.replace(tzinfo=None)
    except ValueError:
        return False

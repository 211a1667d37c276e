"""The steps of a plan, one function each, in the order build() calls them.

Order: back up; install the new client (removing a conflicting package first when certbot's
instructions say so); fix every ACMEv1 pin; prove the new client with a test renewal; move the
schedule to it; only then retire certbot-auto (moved aside, not deleted); verify.
Each step says why (finding ids), whether it needs root, its risk, how it is undone and how to
tell it is done. Steps already satisfied on the host are not planned, so a fixed host gets a
verify-only plan.
"""
from __future__ import annotations

import hashlib
import shlex

from wizard.core import versions
from wizard.core.analyse import findings as F
from wizard.core.analyse.model import Diagnosis
from wizard.core.endpoints import V2_STAGING_URL, V2_URL, classify_url
from wizard.core.plan import platform
from wizard.core.plan.draft import Draft
from wizard.core.plan.lines import (
    drop_server_option,
    is_plain_renewal,
    move_line,
    move_unit_line,
    replace_url,
    retire_line,
)
from wizard.core.plan.model import Action, Plan, Step, StepId, changed_paths
from wizard.core.plan.options import ClientOption
from wizard.core.plan.repositories import APT_ARCHIVE_OPTION, repository_fixes
from wizard.core.readers.dehydrated import v2_ca_line
from wizard.core.readers.schedule import ScheduledRun
from wizard.i18n import _, listing


def build(draft: Draft) -> Plan:
    d, choice = draft.d, draft.choice
    decision_needed = choice is None and d.verdict == "v1"
    if choice is None and draft.options and draft.options[0].key == "move-host":
        draft.notes.append(_("There is no supported way to run a current ACME client on {os}. Choose one of "
                            "the options; moving the sites to a supported OS is the only fully supported one.",
                            os=d.os.pretty_name))
    if choice is not None and choice.key == "move-host":
        draft.notes += move_host_notes(d, chosen=True)
        return draft.plan(decision_needed=False)
    if choice is not None and choice.key != "keep" and not choice.commands and choice.client_path is None:
        draft.notes.append(_("{title}: done by hand, outside this plan; done when {done_when}.", title=choice.title,
                             done_when=choice.done_when or "?"))
    elif choice is not None and choice.key != "keep" and draft.something_to_renew():
        repositories_step(draft, choice)
        install_step(draft, choice)
    pin_edits(draft)
    unscheduled = bool(choice and choice.key == "keep" and choice.client_path and not d.schedules.renewing_certbot()
                       and draft.something_to_renew())
    if not decision_needed and (draft.steps or unscheduled):
        test_renewal(draft)
        move_schedules(draft)
        retire_certbot_auto(draft)
    if draft.steps:
        draft.steps.insert(0, backup_step(draft))
    if not decision_needed and (draft.steps or d.installs or d.renewal_confs):
        draft.steps.append(Step(
            id=StepId.VERIFY, title=_("Verify: probe again and check every ACMEv1 pin is gone"), why=[],
            requires_root=False, risk="low", actions=[Action("verify")], undo=_("nothing to undo (read-only)"),
            done_when=_("acme-wizard verify passes")))
    return draft.plan(decision_needed)


def backup_step(draft: Draft) -> Step:
    paths = [draft.d.snapshot.config_dir] + [p for p in changed_paths(draft.steps)
                                            if not p.startswith(draft.d.snapshot.config_dir.rstrip("/") + "/")]
    return Step(id=StepId.BACKUP,
                title=_("Back up {config} and every file the plan changes", config=draft.d.snapshot.config_dir),
                why=[], requires_root=True, risk="low", actions=[Action("backup", paths=paths)],
                undo=_("nothing to undo; the backup stays in the run directory"),
                done_when=_("the run directory holds backup.tar.gz and its sha256 manifest"))


def install_step(draft: Draft, choice: ClientOption) -> None:
    actions = []
    for argv in choice.commands:
        if draft.apt_archive and argv[:2] == ["apt-get", "update"]:
            argv = ["apt-get", *APT_ARCHIVE_OPTION, "update"]      # the archive's Release files have expired
        actions.append(Action("command", argv=argv))
    removed = draft.removed_installs()
    names = list(dict.fromkeys((i.package or "certbot").split()[0] for i in removed))
    if removed:
        # Only once the new client is in place (a failed install leaves the old certbot working), and
        # before /usr/bin/certbot is linked: a package's file is never overwritten.
        link = next((n for n, a in enumerate(actions) if (a.argv or [""])[0] == "ln"
                     and (a.argv or [])[-1] == "/usr/bin/certbot"), len(actions))
        actions.insert(link, Action("command", argv=platform.remove(draft.d.os, names)))
        draft.notes.append(_("certbot's instructions remove the distribution package before /usr/bin/certbot is "
                            "linked (a package's file is never overwritten); the plan does it once the new "
                            "client is installed. Certificates and configuration in {config} stay.",
                            config=draft.d.snapshot.config_dir))
    why = [f.id for f in draft.d.findings if f.id in (F.CLIENT_CANNOT_SPEAK_V2, F.NO_SERVER_FALLS_BACK_TO_V1,
                                                       F.CERTBOT_AUTO_PRESENT, F.PYTHON2_RUNTIME,
                                                       F.V1_IN_RENEWAL_CONF)]
    undo = _("the install cannot be rolled back from the backup; remove it with: {undo}", undo=choice.undo)
    if removed:
        undo += " " + _("The distribution package comes back with: {command}",
                        command=shlex.join(platform.install(draft.d.os, names)[-1]))
    draft.steps.append(Step(
        id=StepId.INSTALL_CLIENT, title=choice.title, why=why, requires_root=True, risk="medium", actions=actions,
        undo=undo,
        done_when=choice.done_when or _("{path} runs and reports its version (certbot --version)",
                                        path=shlex.join(choice.client_argv) or "?"),
        depends_on=[StepId.REPOSITORIES] if any(s.id == StepId.REPOSITORIES for s in draft.steps) else []))


def repositories_step(draft: Draft, choice: ClientOption) -> None:
    """Point dead repositories at the archives before anything is installed (facts §9)."""
    if not any(argv and argv[0] in platform.PACKAGE_MANAGERS for argv in choice.commands):
        return
    fixes = repository_fixes(draft.d.os, draft.d.snapshot, set(choice.repositories))
    if not fixes:
        return
    why = [F.OS_END_OF_LIFE]
    for fix in fixes.lines:
        draft.change(fix.path, fix.line, fix.old, fix.new, why)
    actions = [Action("edit", edit=edit) for edit in draft.edits.values()]
    actions += [Action("create", path=path, content=content) for path, content in fixes.new_files.items()]
    if fixes.check:
        actions.append(Action("command", argv=fixes.check))
    draft.edits, draft.edit_why = {}, {}
    draft.steps.append(Step(
        id=StepId.REPOSITORIES, title=_("Point the package repositories at the archives ({os} is past its end of "
                                        "life)", os=draft.d.os.pretty_name),
        why=[f.id for f in draft.d.findings if f.id in why], requires_root=True, risk="medium", actions=actions,
        undo=_("rollback restores the repository files from the backup and removes the ones it added"),
        done_when=_("{check} succeeds", check=shlex.join(fixes.check or []))))
    draft.apt_archive = fixes.archived_apt


def pin_edits(draft: Draft) -> None:
    for conf in draft.d.renewal_confs:
        if conf.server is None:
            continue
        api = conf.server_api
        if api == "v1":
            draft.change(conf.server.evidence.path, conf.server.evidence.line, conf.server.evidence.text,
                         replace_url(conf.server.evidence.text, V2_URL),
                         [F.V1_IN_RENEWAL_CONF, F.V1_IN_RENEWAL_CONF_REWRITTEN])
        elif api == "v1-staging":
            if draft.answers.staging_lineages == "move":
                draft.change(conf.server.evidence.path, conf.server.evidence.line, conf.server.evidence.text,
                             replace_url(conf.server.evidence.text, V2_STAGING_URL), [F.V1_STAGING_LINEAGE])
            elif draft.answers.staging_lineages == "delete" and draft.client:
                draft.steps.append(Step(
                    id=StepId.DELETE_STAGING.format(name=conf.name),
                    title=_("Delete the v1 staging lineage {name}", name=conf.name),
                    why=[F.V1_STAGING_LINEAGE], requires_root=True, risk="medium",
                    actions=[Action("command", argv=[*draft.client_argv, "delete", "--non-interactive", "--cert-name",
                                                     conf.name, *draft.dirs])],
                    undo=_("rollback restores {config} from the backup", config=draft.d.snapshot.config_dir),
                    done_when=_("no renewal conf names {name}", name=conf.name),
                    depends_on=[StepId.INSTALL_CLIENT] if draft.installs() else []))
            else:
                draft.notes.append(_("The v1 staging lineage {name} is left as it is (answers: "
                                    "staging_lineages = move | delete); verify will keep flagging it.",
                                    name=conf.name))
    for pin in draft.d.cli_pins + [pin for _run, pin in draft.d.config_file_pins]:
        if pin.api in ("v1", "v1-staging"):
            why = F.V1_IN_CLI_INI if pin.evidence.path.endswith("cli.ini") else F.V1_IN_CONFIG_FILE
            draft.change(pin.evidence.path, pin.evidence.line, pin.evidence.text,
                         "# " + pin.evidence.text + "   # acme-wizard: ACMEv1 is gone; certbot's default is ACMEv2",
                         [why])
    for pin in draft.d.acme_sh_pins:
        if pin.api in ("v1", "v1-staging"):
            quote = "'" if "'" in pin.evidence.text else ('"' if '"' in pin.evidence.text else "")
            draft.change(pin.evidence.path, pin.evidence.line, pin.evidence.text,
                         f"Le_API={quote}{V2_URL if pin.api == 'v1' else V2_STAGING_URL}{quote}",
                         [F.V1_IN_ACME_SH_CONF, F.V1_IN_ACME_SH_CONF_REWRITTEN])
    for pin in draft.d.dehydrated_pins:
        if pin.api in ("v1", "v1-staging"):
            draft.change(pin.evidence.path, pin.evidence.line, pin.evidence.text,
                         v2_ca_line(pin.evidence.text, V2_URL if pin.api == "v1" else V2_STAGING_URL),
                         [F.V1_IN_DEHYDRATED_CONFIG])
    for run in draft.d.schedules.renewing():
        if any(classify_url(s) in ("v1", "v1-staging") for s in run.servers):
            line = draft.line(run.source, run.line)
            new_line = drop_server_option(line, run.server_options)
            if new_line == line:
                draft.notes.append(_("The ACMEv1 server on {where} sits where the plan cannot edit it (inside a "
                                     "quoted command): remove it by hand.", where=f"{run.source}:{run.line}"))
            draft.change(run.source, run.line, line, new_line, [F.V1_ON_SCHEDULED_COMMAND])
            if run.client_kind == "lego" and new_line != line:
                draft.notes.append(_("lego keeps one account per server, and `renew` refuses an account not "
                                     "registered there: before the next renewal, run once (it registers on "
                                     "acme-v02 and issues a certificate): {command}", command=lego_register(run)))
    for finding in draft.d.findings:               # the lines the Must-Staple finding proves, and no other
        if finding.id == F.MUST_STAPLE_REFUSED:
            for proof in finding.evidence:
                draft.change(proof.path, proof.line, proof.text,
                             "# " + proof.text + "   # acme-wizard: Let's Encrypt refuses Must-Staple",
                             [F.MUST_STAPLE_REFUSED])
    for number, (path, edit) in enumerate(draft.edits.items(), 1):
        only_staple = draft.edit_why[path] == [F.MUST_STAPLE_REFUSED]
        draft.steps.append(Step(
            id=StepId.FIX_PINS.format(number=number),
            title=_("Drop Must-Staple from {path}", path=path) if only_staple
            else _("Remove the ACMEv1 pin from {path}", path=path),
            why=draft.edit_why[path], requires_root=True, risk="low", actions=[Action("edit", edit=edit)],
            undo=_("rollback restores the file from the backup"),
            done_when=_("the changed lines read as in the diff")))
    draft.edits = {}


def test_renewal(draft: Draft) -> None:
    if not draft.client:
        return
    depends = [StepId.INSTALL_CLIENT] if draft.installs() else []
    draft.steps.append(Step(
        id=StepId.TEST_RENEWAL, title=_("Test renewal with {client} (certbot renew --dry-run)", client=draft.client),
        why=[F.V1_NEWEST_CONTACT] if any(f.id == F.V1_NEWEST_CONTACT for f in draft.d.findings) else [],
        requires_root=True, risk="low",
        actions=[Action("test-renewal", argv=[*draft.client_argv, "renew", "--dry-run",
                                              *versions.renew_quietly(draft.choice.client_version if draft.choice
                                                                      else None), *draft.dirs])],
        undo=_("nothing to undo: a dry run saves no certificate (it may reload the web server through hooks)"),
        done_when=_("the dry run exits 0 and its log shows the ACMEv2 staging directory"), depends_on=depends))


def move_schedules(draft: Draft) -> None:
    """Leave exactly one scheduler renewing with the new client (facts §9): a timer the install
    brings replaces plain cron renewals; a cron line with the admin's own options moves to the new
    client (and the new timer is stopped); with nothing left, the package's timer is enabled or a
    cron line is added."""
    choice = draft.choice
    if not draft.client or choice is None:
        return
    if choice.key == "keep":
        if not draft.d.schedules.renewing_certbot():
            _schedule_kept_client(draft)
        return
    removed = draft.removed_installs()
    # A removed package takes its own timer and its stand-down cron file along; an admin's cron line
    # that calls it stays (and would fail, or race the new client): it is moved or retired below.
    # Only certbot's lines move: acme.sh, dehydrated and lego keep their own certificates.
    surviving = [r for r in draft.d.schedules.renewing_certbot()
                 if not (r.install in removed and (_package_unit(r) or r.fallback_only))]
    stop_new_timer = False
    retired: set[str] = set()
    units: set[str] = set()
    command = shlex.join(draft.client_argv)
    for run in surviving:
        if run.install is not None and draft.client in run.install.paths:
            continue
        if _package_unit(run):
            continue          # a package's own unit: the package step changes or removes it
        line = draft.line(run.source, run.line)
        if run.kind == "systemd":
            # the admin's own unit: its ExecStart moves (commented out, the unit would fail), and
            # systemd reads it again
            new_line = move_unit_line(line, run, draft.client, command)
            stop_new_timer = stop_new_timer or bool(choice.own_timer)
            units.add(run.source)
        elif choice.own_timer and is_plain_renewal(run):
            new_line = retire_line(line, choice.own_timer)
            retired.add(run.source)
        else:
            new_line = move_line(line, run, draft.client, command)
            stop_new_timer = stop_new_timer or bool(choice.own_timer)
            retired.discard(run.source)
        if new_line != line:
            draft.change(run.source, run.line, line, new_line, [F.SCHEDULER_RUNS_OLD_INSTALL, F.CLIENT_CANNOT_SPEAK_V2])
    keeps_a_line = any(not _package_unit(r) and (r.kind == "systemd" or not (choice.own_timer and is_plain_renewal(r)))
                       for r in surviving)
    runs_after = keeps_a_line or any(_package_unit(r) for r in surviving) or bool(choice.own_timer)
    if not runs_after and choice.timer_to_enable:
        _enable_timer(draft, choice.timer_to_enable)
    elif not runs_after and choice.key in ("pip", "rh-python36"):
        _add_cron_line(draft, command, choice.client_version)
    for path, edit in draft.edits.items():
        actions = [Action("edit", edit=edit)]
        if path in units:
            actions.append(Action("command", argv=["systemctl", "daemon-reload"]))
        if stop_new_timer and choice.own_timer:
            actions.append(Action("command", argv=_stop_timer(choice.own_timer)))
            stop_new_timer = False
        title = (_("Stop the old scheduled renewal in {path} ({timer} renews now)", path=path, timer=choice.own_timer)
                 if path in retired else
                 _("Move the scheduled renewal in {path} to {client}", path=path, client=draft.client))
        draft.steps.append(Step(
            id=StepId.MOVE_SCHEDULE, title=title,
            why=draft.edit_why[path], requires_root=True, risk="medium", actions=actions,
            undo=_("rollback restores the file from the backup"),
            done_when=_("the old line is commented out") if path in retired
            else _("the job names {client}", client=draft.client),
            depends_on=[StepId.TEST_RENEWAL]))
    draft.edits = {}
    if not surviving and choice.own_timer:
        draft.notes.append(_("The new client brings its own renewal timer ({timer}).", timer=choice.own_timer))


def lego_register(run: ScheduledRun) -> str:
    """`lego … run` with the line's global flags, without its v1 server: what registers on acme-v02."""
    verb = run.arguments.index(run.verb) if run.verb in run.arguments else len(run.arguments)
    flags = run.arguments[:verb]
    accept = [] if any(word in ("--accept-tos", "-a") for word in flags) else ["--accept-tos"]
    return drop_server_option(shlex.join([run.program, *accept, *flags, "run"]), run.server_options)


def _package_unit(run: ScheduledRun) -> bool:
    """A unit a package installed (under /lib or /usr/lib), not one the admin wrote in /etc."""
    return run.kind == "systemd" and run.source.startswith(("/lib/systemd/", "/usr/lib/systemd/"))


def _schedule_kept_client(draft: Draft) -> None:
    """A good client nothing runs (EPEL's timer is never started by its package, facts §9): start
    the timer its install ships, or give it a cron line."""
    kept = next((i for i in draft.d.installs if i.path == draft.client), None)
    if kept is None:
        return
    if kept.method == "os-package":
        _enable_timer(draft, "certbot.timer" if draft.d.os.family == "debian" else "certbot-renew.timer")
    elif kept.method == "snap":
        _enable_timer(draft, "snap.certbot.renew.timer")
    else:
        _add_cron_line(draft, shlex.join(draft.client_argv), kept.version or "0")


def _nothing_scheduled(draft: Draft) -> list[str]:
    return [F.NOTHING_SCHEDULED] if any(f.id == F.NOTHING_SCHEDULED for f in draft.d.findings) else []


def _enable_timer(draft: Draft, timer: str) -> None:
    argv = ["snap", "start", "--enable", "certbot.renew"] if timer.startswith("snap.") \
        else ["systemctl", "enable", "--now", timer]
    draft.steps.append(Step(
        id=StepId.ENABLE_TIMER, title=_("Start the package's renewal timer ({timer})", timer=timer),
        why=_nothing_scheduled(draft), requires_root=True, risk="low", actions=[Action("command", argv=argv)],
        undo=shlex.join(_stop_timer(timer)),
        done_when=_("systemctl is-enabled {timer} says enabled", timer=timer),
        depends_on=[StepId.TEST_RENEWAL]))


def _add_cron_line(draft: Draft, command: str, client_version: str | None) -> None:
    facts = draft.d.snapshot.facts
    # the host's own name when the probe ran on it; under --root, uname names the workstation: the tree then
    host = facts.get("nodename") if facts.get("root", "/") == "/" else facts.get("root")
    minute, hour = renewal_time(host or draft.d.snapshot.root)
    content = (f"# Added by acme-wizard: renew twice a day with {draft.client}, at this host's own minute\n"
               f"{minute} {hour},{hour + 12} * * * root {command} renew -q "
               f"{' '.join(versions.renew_quietly(client_version))}".rstrip() + "\n")
    draft.steps.append(Step(
        id=StepId.ADD_SCHEDULE, title=_("Schedule renewals twice a day"), why=_nothing_scheduled(draft),
        requires_root=True, risk="low", actions=[Action("create", path="/etc/cron.d/certbot-renew", content=content)],
        undo=_("rollback removes the file"), done_when=_("/etc/cron.d/certbot-renew exists"),
        depends_on=[StepId.TEST_RENEWAL]))


def _stop_timer(timer: str) -> list[str]:
    """Stop the timer an install brought, for good: a moved cron line renews instead."""
    if timer.startswith("snap."):
        return ["snap", "stop", "--disable", "certbot.renew"]
    return ["systemctl", "disable", "--now", timer]


def retire_certbot_auto(draft: Draft) -> None:
    if not draft.answers.retire_certbot_auto or not draft.client:
        return
    paths: list[str] = []
    for install in draft.d.installs:
        if install.method != "certbot-auto" or not install.present:
            continue
        inside_venv = (install.prefix or "\0").rstrip("/") + "/"
        paths += sorted(p for p in install.paths if draft.d.snapshot.exists(p) and not p.startswith(inside_venv))
        if install.prefix and draft.d.snapshot.has_under(install.prefix):
            paths.append(_venv_root(install.prefix))
    paths = list(dict.fromkeys(paths))
    if not paths:
        return
    moves_schedule = any(s.id == StepId.MOVE_SCHEDULE for s in draft.steps)
    draft.steps.append(Step(
        id=StepId.RETIRE_CERTBOT_AUTO, title=_("Retire certbot-auto (moved aside into the run directory, not deleted)"),
        why=[F.CERTBOT_AUTO_PRESENT], requires_root=True, risk="low", actions=[Action("retire", paths=paths)],
        undo=_("rollback moves them back"), done_when=_("none of {paths} exists", paths=", ".join(paths)),
        depends_on=[StepId.TEST_RENEWAL] + ([StepId.MOVE_SCHEDULE] if moves_schedule else [])))


def renewal_time(host: str) -> tuple[int, int]:
    """(minute, first hour) of a host's twice-daily renewal: fixed for the host, spread across a
    fleet, as certbot's packaging guidance asks (never every server at 0:00 and 12:00)."""
    value = int.from_bytes(hashlib.sha256(host.encode("utf-8", "surrogateescape")).digest()[:4], "big")
    return value % 60, (value // 60) % 12


def _venv_root(prefix: str) -> str:
    """certbot-auto's venv lives in /opt/eff.org/certbot/venv: retire /opt/eff.org as the docs say."""
    return "/opt/eff.org" if prefix.startswith("/opt/eff.org/") else prefix


def move_host_notes(d: Diagnosis, chosen: bool) -> list[str]:
    """What moving the sites means for the admin: what to do instead, and which certificates cannot wait
    for the move (the chooser shows it before the choice, the plan after it)."""
    notes = [_("You chose to move the sites: nothing is changed on this host, and apply has no steps to run here.")
             if chosen else _("Choosing this changes nothing on this host: the wizard has no steps to run here.")]
    schedule = ", ".join(f"{run.source}:{run.line}" for run in d.schedules.runs if run.install in d.renewing)
    notes.append(_("What to do instead: set up a server on a supported OS with a current ACME client; copy "
                   "the sites and {config} to it (or issue their certificates again there); point DNS at it; "
                   "then switch off this host's renewal ({schedule}).", config=d.snapshot.config_dir,
                   schedule=schedule or _("no schedule found")))
    urgent = []
    for cert in d.certs:
        days = cert.days_left(d.now)
        if days is None or cert.not_after is None:
            continue
        if days < 0:
            urgent.append(_("{name} expired on {date}", name=cert.name, date=cert.not_after.date()))
        elif days <= 30:
            urgent.append(_("{name} expires on {date} (in {days} days)", name=cert.name, date=cert.not_after.date(),
                            days=int(days)))
    if urgent:
        notes.append(_("Before the move, see to these certificates now, as nothing here renews them: {certs}.",
                       certs=listing(urgent)))
    return notes

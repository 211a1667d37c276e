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

from wizard.core import versions
from wizard.core.analyse import findings as F
from wizard.core.endpoints import V2_STAGING_URL, V2_URL, classify_url
from wizard.core.plan.draft import Draft
from wizard.core.plan.lines import drop_server_option, move_line, replace_url
from wizard.core.plan.model import Action, Plan, Step, StepId, changed_paths
from wizard.core.plan.options import ClientOption
from wizard.i18n import _


def build(draft: Draft) -> Plan:
    d, choice = draft.d, draft.choice
    decision_needed = choice is None and d.verdict == "v1"
    if choice is None and draft.options and draft.options[0].key == "move-host":
        draft.notes.append(_("There is no supported way to run a current ACME client on {os}. Choose one of "
                            "the options (answers file: {{\"client\": \"…\"}}); moving the sites to a "
                            "supported OS is the only fully supported one.", os=d.os.pretty_name))
    if choice is not None and choice.key == "move-host":
        draft.notes.append(_("You chose to move the sites: nothing is changed on this host."))
        return draft.plan(decision_needed=False)
    if choice is not None and choice.key != "keep" and draft.something_to_renew():
        install_step(draft, choice)
    pin_edits(draft)
    if not decision_needed and draft.steps:
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
    conflicting = [i for i in draft.d.installs if i.method == "os-package" and i.present]
    if choice.key == "snap" and conflicting:
        manager = "apt-get" if draft.d.os.family == "debian" else "yum"
        names = [(i.package or "certbot").split()[0] for i in conflicting]
        actions.append(Action("command", argv=[manager, "remove", "-y", *dict.fromkeys(names)]))
        draft.notes.append(_("certbot's snap instructions remove the distribution package first; its "
                            "certificates and configuration in {config} stay.", config=draft.d.snapshot.config_dir))
    actions += [Action("command", argv=argv) for argv in choice.commands]
    why = [f.id for f in draft.d.findings if f.id in (F.CLIENT_CANNOT_SPEAK_V2, F.NO_SERVER_FALLS_BACK_TO_V1,
                                                       F.CERTBOT_AUTO_PRESENT, F.PYTHON2_RUNTIME,
                                                       F.V1_IN_RENEWAL_CONF)]
    draft.steps.append(Step(
        id=StepId.INSTALL_CLIENT, title=choice.title, why=why, requires_root=True, risk="medium", actions=actions,
        undo=_("the install cannot be rolled back from the backup; remove it with: {undo}", undo=choice.undo),
        done_when=choice.done_when or _("{path} runs and reports its version (certbot --version)",
                                        path=choice.client_path or "?")))


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
                    actions=[Action("command", argv=[draft.client, "delete", "--non-interactive", "--cert-name",
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
    for run in draft.d.schedules.renewing():
        if any(classify_url(s) in ("v1", "v1-staging") for s in run.servers):
            line = draft.line(run.source, run.line)
            draft.change(run.source, run.line, line, drop_server_option(line), [F.V1_ON_SCHEDULED_COMMAND])
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
        actions=[Action("test-renewal", argv=[draft.client, "renew", "--dry-run",
                                              *versions.renew_quietly(draft.choice.client_version if draft.choice
                                                                      else None), *draft.dirs])],
        undo=_("nothing to undo: a dry run saves no certificate (it may reload the web server through hooks)"),
        done_when=_("the dry run exits 0 and its log shows the ACMEv2 staging directory"), depends_on=depends))


def move_schedules(draft: Draft) -> None:
    if not draft.client or (draft.choice and draft.choice.key == "keep"):
        return
    for run in draft.d.schedules.renewing():
        if run.install is not None and draft.client in run.install.paths:
            continue
        if run.kind == "systemd":
            continue          # a package's own unit: the package step changes or removes it
        line = draft.line(run.source, run.line)
        new_line = move_line(line, run, draft.client)
        if new_line != line:
            draft.change(run.source, run.line, line, new_line, [F.SCHEDULER_RUNS_OLD_INSTALL, F.CLIENT_CANNOT_SPEAK_V2])
    if not draft.d.schedules.renewing() and draft.choice and draft.choice.key in ("pip", "rh-python36"):
        minute, hour = renewal_time(draft.d.snapshot.facts.get("nodename") or draft.d.snapshot.root)
        content = (f"# Added by acme-wizard: renew twice a day with {draft.client}, at this host's own minute\n"
                   f"{minute} {hour},{hour + 12} * * * root {draft.client} renew -q --no-random-sleep-on-renew\n")
        draft.steps.append(Step(id=StepId.ADD_SCHEDULE, title=_("Schedule renewals twice a day"),
                                why=[F.NOTHING_SCHEDULED],
                                requires_root=True, risk="low",
                                actions=[Action("create", path="/etc/cron.d/certbot-renew", content=content)],
                               undo=_("rollback removes the file"), done_when=_("/etc/cron.d/certbot-renew exists"),
                               depends_on=[StepId.TEST_RENEWAL]))
    for path, edit in draft.edits.items():
        draft.steps.append(Step(
            id=StepId.MOVE_SCHEDULE,
            title=_("Move the scheduled renewal in {path} to {client}", path=path, client=draft.client),
            why=draft.edit_why[path], requires_root=True, risk="medium", actions=[Action("edit", edit=edit)],
            undo=_("rollback restores the file from the backup"),
            done_when=_("the job names {client}", client=draft.client),
            depends_on=[StepId.TEST_RENEWAL]))
    draft.edits = {}
    if not draft.d.schedules.renewing() and draft.choice and draft.choice.key in ("snap", "os-package"):
        draft.notes.append(_("The new client brings its own renewal timer."))


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

"""The upgrade path for this server as ordered, typed steps (pure: diagnosis + choices -> plan).

Order: back up; install the new client (removing a conflicting package first when certbot's
instructions say so); fix every ACMEv1 pin; prove the new client with a test renewal; move the
schedule to it; only then retire certbot-auto (moved aside, not deleted); verify.
Each step says why (finding ids), whether it needs root, its risk, how it is undone and how to
tell it is done. Steps already satisfied on the host are not planned, so a fixed host gets a
verify-only plan.
"""
from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Any

from wizard.core import defaults
from wizard.core.analyse import findings as F
from wizard.core.analyse.model import Diagnosis
from wizard.core.endpoints import V1_STAGING_URL, V1_URL, V2_STAGING_URL, V2_URL, classify_url
from wizard.core.errors import UsageError
from wizard.core.plan.edits import FileEdit, LineChange
from wizard.core.plan.options import ClientOption, choose, client_options
from wizard.core.readers.schedule import ScheduledRun, split_words
from wizard.core.shellwords import rewrite, shell_words
from wizard.i18n import _

AUTO_ONLY_FLAGS = {"--no-self-upgrade", "--no-bootstrap", "--os-packages-only", "--non-interactive-bootstrap"}
STAGING_CHOICES = ("move", "delete", "keep")


class AnswersError(UsageError):
    """An answers file that cannot be used."""


@dataclass
class Answers:
    client: str | None = None                 # an option key (keep, snap, os-package, pip, …)
    staging_lineages: str = "keep"            # move | delete | keep
    retire_certbot_auto: bool = True

    @classmethod
    def from_json(cls, text: str) -> Answers:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise AnswersError(f"not JSON: {error}") from error
        except RecursionError:
            raise AnswersError("not JSON this tool reads: nested too deep") from None
        if not isinstance(data, dict):
            raise AnswersError("expected a JSON object")
        if not isinstance(data.get("client"), (str, type(None))):
            raise AnswersError("client must be a string")
        unknown = set(data) - {"client", "staging_lineages", "retire_certbot_auto"}
        if unknown:
            raise AnswersError(f"unknown keys: {', '.join(sorted(unknown))}")
        answers = cls(data.get("client"), data.get("staging_lineages", "keep"),
                      bool(data.get("retire_certbot_auto", True)))
        if answers.staging_lineages not in STAGING_CHOICES:
            raise AnswersError(f"staging_lineages must be one of {', '.join(STAGING_CHOICES)}")
        return answers


@dataclass
class Action:
    type: str                         # backup, command, edit, create, retire, test-renewal, verify
    argv: list[str] | None = None
    paths: list[str] | None = None
    edit: FileEdit | None = None
    path: str | None = None           # create: the new file
    content: str | None = None        # create: its text

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        if self.argv is not None:
            data["argv"] = self.argv
        if self.paths is not None:
            data["paths"] = self.paths
        if self.edit is not None:
            data["path"] = self.edit.path
            data["diff"] = self.edit.diff()
            data["changes"] = [{"line": c.line, "old": c.old, "new": c.new} for c in self.edit.changes]
        if self.type == "create":
            data["path"] = self.path
            data["diff"] = _creation_diff(self.path or "", self.content or "")
            data["content"] = self.content
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Action:
        edit = None
        if data.get("changes") is not None:
            edit = FileEdit(data["path"], [LineChange(int(c["line"]), str(c["old"]),
                                                      None if c["new"] is None else str(c["new"]))
                                           for c in data["changes"]])
        return cls(str(data["type"]), argv=data.get("argv"), paths=data.get("paths"), edit=edit,
                   path=data.get("path") if data["type"] == "create" else None, content=data.get("content"))


@dataclass
class Step:
    id: str
    title: str
    why: list[str]
    requires_root: bool
    risk: str
    actions: list[Action]
    undo: str
    done_when: str
    depends_on: list[str] = field(default_factory=list)   # steps that must have succeeded first

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "why": self.why, "requires_root": self.requires_root,
                "risk": self.risk, "actions": [a.to_json() for a in self.actions], "undo": self.undo,
                "done_when": self.done_when, "depends_on": self.depends_on}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        return cls(str(data["id"]), str(data["title"]), list(data.get("why", [])), bool(data["requires_root"]),
                   str(data.get("risk", "")), [Action.from_json(a) for a in data["actions"]],
                   str(data.get("undo", "")), str(data.get("done_when", "")), list(data.get("depends_on", [])))


@dataclass
class Plan:
    steps: list[Step]
    options: list[ClientOption]
    choice: ClientOption | None
    decision_needed: bool
    notes: list[str]
    client_path: str | None
    certbot_dirs: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": defaults.FORMAT_VERSION,
            "steps": [s.to_json() for s in self.steps],
            "decision_needed": self.decision_needed,
            "choice": self.choice.key if self.choice else None,
            "client_options": [{"key": o.key, "title": o.title, "supported": o.supported, "caveats": o.caveats,
                                "commands": o.commands} for o in self.options],
            "notes": self.notes,
        }

    @property
    def edit_paths(self) -> list[str]:
        paths = []
        for step in self.steps:
            for action in step.actions:
                path = action.edit.path if action.edit else action.path if action.type == "create" else None
                if path and path not in paths:
                    paths.append(path)
        return paths

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @classmethod
    def from_saved(cls, data: dict[str, Any]) -> Plan:
        """The plan a run saved when it started (what a resume carries out, never a new plan).
        Raises ValueError when it is not one this version can carry out."""
        try:
            steps = [Step.from_json(step) for step in data["steps"]]
            for step in steps:
                for action in step.actions:
                    if action.type == "edit" and action.edit is None:
                        raise ValueError("an edit without its changes (saved by an older version)")
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a saved plan: {error}") from None
        return cls(steps, [], None, bool(data.get("decision_needed")), list(data.get("notes", [])), None, [])


def build_plan(diagnosis: Diagnosis, answers: Answers | None = None) -> Plan:
    answers = answers or Answers()
    options = client_options(diagnosis)
    if answers.client and not any(o.key == answers.client for o in options):
        raise AnswersError(f"client {answers.client!r} is not an option here "
                           f"(options: {', '.join(o.key for o in options)})")
    choice = choose(options, answers.client)
    return _Builder(diagnosis, answers, options, choice).build()


class _Builder:
    def __init__(self, diagnosis: Diagnosis, answers: Answers, options: list[ClientOption],
                 choice: ClientOption | None) -> None:
        self.d, self.answers, self.options, self.choice = diagnosis, answers, options, choice
        self.steps: list[Step] = []
        self.notes: list[str] = []
        snap = diagnosis.snapshot
        self.dirs = defaults.certbot_dir_options(snap.config_dir, snap.logs_dir)
        self.client = choice.client_path if choice else None
        self.edits: dict[str, FileEdit] = {}
        self.edit_why: dict[str, list[str]] = {}

    def build(self) -> Plan:
        d, choice = self.d, self.choice
        decision_needed = choice is None and d.verdict == "v1"
        if choice is None and self.options and self.options[0].key == "move-host":
            self.notes.append(_("There is no supported way to run a current ACME client on {os}. Choose one of "
                                "the options (answers file: {{\"client\": \"…\"}}); moving the sites to a "
                                "supported OS is the only fully supported one.", os=d.os.pretty_name))
        if choice is not None and choice.key == "move-host":
            self.notes.append(_("You chose to move the sites: nothing is changed on this host."))
            return self._plan(decision_needed=False)
        if choice is not None and choice.key != "keep" and self._something_to_renew():
            self._install_step(choice)
        self._pin_edits()
        if not decision_needed and self.steps:
            self._test_renewal()
            self._move_schedules()
            self._retire_certbot_auto()
        if self.steps:
            self.steps.insert(0, self._backup_step())
        if not decision_needed and (self.steps or d.installs or d.renewal_confs):
            self.steps.append(Step(id="verify", title=_("Verify: probe again and check every ACMEv1 pin is gone"), why=[],
                                   requires_root=False, risk="low", actions=[Action("verify")], undo=_("nothing to undo (read-only)"),
                                   done_when=_("acme-wizard verify passes")))
        return self._plan(decision_needed)

    def _plan(self, decision_needed: bool) -> Plan:
        return Plan(self.steps, self.options, self.choice, decision_needed, self.notes, self.client, self.dirs)

    # --- steps ----------------------------------------------------------------------------------

    def _backup_step(self) -> Step:
        paths = [self.d.snapshot.config_dir] + [p for p in self._changed_paths()
                                                if not p.startswith(self.d.snapshot.config_dir.rstrip("/") + "/")]
        return Step(id="backup", title=_("Back up {config} and every file the plan changes", config=self.d.snapshot.config_dir),
                    why=[], requires_root=True, risk="low", actions=[Action("backup", paths=paths)],
                    undo=_("nothing to undo; the backup stays in the run directory"),
                    done_when=_("the run directory holds backup.tar.gz and its sha256 manifest"))

    def _something_to_renew(self) -> bool:
        return bool(self.d.renewal_confs or self.d.certs or self.d.verdict == "v1")

    def _changed_paths(self) -> list[str]:
        paths: list[str] = []
        for step in self.steps:
            for action in step.actions:
                for path in ([action.edit.path] if action.edit else []) + (
                        [action.path] if action.type == "create" and action.path else []):
                    if path not in paths:
                        paths.append(path)
        return paths

    def _install_step(self, choice: ClientOption) -> None:
        actions = []
        conflicting = [i for i in self.d.installs if i.method == "os-package" and i.present]
        if choice.key == "snap" and conflicting:
            manager = "apt-get" if self.d.os.family == "debian" else "yum"
            names = [(i.package or "certbot").split()[0] for i in conflicting]
            actions.append(Action("command", argv=[manager, "remove", "-y", *dict.fromkeys(names)]))
            self.notes.append(_("certbot's snap instructions remove the distribution package first; its "
                                "certificates and configuration in {config} stay.", config=self.d.snapshot.config_dir))
        actions += [Action("command", argv=argv) for argv in choice.commands]
        why = [f.id for f in self.d.findings if f.id in (F.CLIENT_CANNOT_SPEAK_V2, F.NO_SERVER_FALLS_BACK_TO_V1,
                                                           F.CERTBOT_AUTO_PRESENT, F.PYTHON2_RUNTIME,
                                                           F.V1_IN_RENEWAL_CONF)]
        self.steps.append(Step(
            id="install-client", title=choice.title, why=why, requires_root=True, risk="medium", actions=actions,
            undo=_("the install cannot be rolled back from the backup; remove it with: {undo}", undo=choice.undo),
            done_when=_("{path} runs and reports its version (certbot --version)", path=choice.client_path or "?")))

    def _pin_edits(self) -> None:
        for conf in self.d.renewal_confs:
            if conf.server is None:
                continue
            api = conf.server_api
            if api == "v1":
                self._change(conf.server.evidence.path, conf.server.evidence.line, conf.server.evidence.text,
                             _replace_url(conf.server.evidence.text, V2_URL),
                             [F.V1_IN_RENEWAL_CONF, F.V1_IN_RENEWAL_CONF_REWRITTEN])
            elif api == "v1-staging":
                if self.answers.staging_lineages == "move":
                    self._change(conf.server.evidence.path, conf.server.evidence.line, conf.server.evidence.text,
                                 _replace_url(conf.server.evidence.text, V2_STAGING_URL), [F.V1_STAGING_LINEAGE])
                elif self.answers.staging_lineages == "delete" and self.client:
                    self.steps.append(Step(
                        id=f"delete-staging-{conf.name}", title=_("Delete the v1 staging lineage {name}", name=conf.name),
                        why=[F.V1_STAGING_LINEAGE], requires_root=True, risk="medium",
                        actions=[Action("command", argv=[self.client, "delete", "--non-interactive", "--cert-name", conf.name,
                                                 *self.dirs])],
                        undo=_("rollback restores {config} from the backup", config=self.d.snapshot.config_dir),
                        done_when=_("no renewal conf names {name}", name=conf.name), depends_on=["install-client"] if self._installs() else []))
                else:
                    self.notes.append(_("The v1 staging lineage {name} is left as it is (answers: "
                                        "staging_lineages = move | delete); verify will keep flagging it.",
                                        name=conf.name))
        for pin in self.d.cli_pins + [pin for _run, pin in self.d.config_file_pins]:
            if pin.api in ("v1", "v1-staging"):
                why = F.V1_IN_CLI_INI if pin.evidence.path.endswith("cli.ini") else F.V1_IN_CONFIG_FILE
                self._change(pin.evidence.path, pin.evidence.line, pin.evidence.text,
                             "# " + pin.evidence.text + "   # acme-wizard: ACMEv1 is gone; certbot's default is ACMEv2",
                             [why])
        for pin in self.d.acme_sh_pins:
            if pin.api in ("v1", "v1-staging"):
                quote = "'" if "'" in pin.evidence.text else ('"' if '"' in pin.evidence.text else "")
                self._change(pin.evidence.path, pin.evidence.line, pin.evidence.text,
                             f"Le_API={quote}{V2_URL if pin.api == 'v1' else V2_STAGING_URL}{quote}",
                             [F.V1_IN_ACME_SH_CONF, F.V1_IN_ACME_SH_CONF_REWRITTEN])
        for run in self.d.schedules.renewing():
            if any(classify_url(s) in ("v1", "v1-staging") for s in run.servers):
                line = self._line(run.source, run.line)
                self._change(run.source, run.line, line, _drop_server_option(line), [F.V1_ON_SCHEDULED_COMMAND])
        for number, (path, edit) in enumerate(self.edits.items(), 1):
            self.steps.append(Step(
                id=f"fix-pins-{number}", title=_("Remove the ACMEv1 pin from {path}", path=path),
                why=self.edit_why[path], requires_root=True, risk="low", actions=[Action("edit", edit=edit)],
                undo=_("rollback restores the file from the backup"),
                done_when=_("the changed lines read as in the diff")))
        self.edits = {}

    def _installs(self) -> bool:
        return any(s.id == "install-client" for s in self.steps)

    def _test_renewal(self) -> None:
        if not self.client:
            return
        depends = ["install-client"] if self._installs() else []
        self.steps.append(Step(
            id="test-renewal", title=_("Test renewal with {client} (certbot renew --dry-run)", client=self.client),
            why=[F.V1_NEWEST_CONTACT] if any(f.id == F.V1_NEWEST_CONTACT for f in self.d.findings) else [],
            requires_root=True, risk="low", actions=[Action("test-renewal", argv=[self.client, "renew", "--dry-run",
                                                       "--no-random-sleep-on-renew", *self.dirs])],
            undo=_("nothing to undo: a dry run saves no certificate (it may reload the web server through hooks)"),
            done_when=_("the dry run exits 0 and its log shows the ACMEv2 staging directory"), depends_on=depends))

    def _move_schedules(self) -> None:
        if not self.client or (self.choice and self.choice.key == "keep"):
            return
        for run in self.d.schedules.renewing():
            if run.install is not None and self.client in run.install.paths:
                continue
            if run.kind == "systemd":
                continue          # a package's own unit: the package step changes or removes it
            line = self._line(run.source, run.line)
            new_line = _move_line(line, run, self.client)
            if new_line != line:
                self._change(run.source, run.line, line, new_line, [F.SCHEDULER_RUNS_OLD_INSTALL, F.CLIENT_CANNOT_SPEAK_V2])
        if not self.d.schedules.renewing() and self.choice and self.choice.key in ("pip", "rh-python36"):
            content = (f"# Added by acme-wizard: renew twice a day with {self.client}\n"
                       f"0 0,12 * * * root {self.client} renew -q --no-random-sleep-on-renew\n")
            self.steps.append(Step(id="add-schedule", title=_("Schedule renewals twice a day"), why=[F.NOTHING_SCHEDULED], requires_root=True, risk="low",
                                   actions=[Action("create", path="/etc/cron.d/certbot-renew", content=content)],
                                   undo=_("rollback removes the file"), done_when=_("/etc/cron.d/certbot-renew exists"),
                                   depends_on=["test-renewal"]))
        for path, edit in self.edits.items():
            self.steps.append(Step(
                id="move-schedule", title=_("Move the scheduled renewal in {path} to {client}", path=path, client=self.client),
                why=self.edit_why[path], requires_root=True, risk="medium", actions=[Action("edit", edit=edit)],
                undo=_("rollback restores the file from the backup"), done_when=_("the job names {client}", client=self.client),
                depends_on=["test-renewal"]))
        self.edits = {}
        if not self.d.schedules.renewing() and self.choice and self.choice.key in ("snap", "os-package"):
            self.notes.append(_("The new client brings its own renewal timer."))

    def _retire_certbot_auto(self) -> None:
        if not self.answers.retire_certbot_auto or not self.client:
            return
        paths: list[str] = []
        for install in self.d.installs:
            if install.method != "certbot-auto" or not install.present:
                continue
            inside_venv = (install.prefix or "\0").rstrip("/") + "/"
            paths += sorted(p for p in install.paths if self.d.snapshot.exists(p) and not p.startswith(inside_venv))
            if install.prefix and self.d.snapshot.has_under(install.prefix):
                paths.append(_venv_root(install.prefix))
        paths = list(dict.fromkeys(paths))
        if not paths:
            return
        self.steps.append(Step(
            id="retire-certbot-auto", title=_("Retire certbot-auto (moved aside into the run directory, not deleted)"),
            why=[F.CERTBOT_AUTO_PRESENT], requires_root=True, risk="low", actions=[Action("retire", paths=paths)],
            undo=_("rollback moves them back"), done_when=_("none of {paths} exists", paths=", ".join(paths)),
            depends_on=["test-renewal"] + (["move-schedule"] if any(s.id == "move-schedule" for s in self.steps) else [])))

    # --- helpers --------------------------------------------------------------------------------

    def _line(self, path: str, number: int) -> str:
        """The line as it will be when this step runs: earlier planned edits included."""
        for step in reversed(self.steps):
            for action in step.actions:
                if action.edit and action.edit.path == path:
                    for change in action.edit.changes:
                        if change.line == number and change.new is not None:
                            return change.new
        text_file = self.d.snapshot.file(path)
        return text_file.lines.get(number, "") if text_file else ""

    def _change(self, path: str, number: int | None, old: str, new: str, why: list[str]) -> None:
        if number is None or old == new:
            return
        text_file = self.d.snapshot.file(path)
        edit = self.edits.get(path)
        if edit is None:
            context = dict(text_file.lines) if text_file else {}
            context.update({n: self._line(path, n) for n in context})
            edit = self.edits[path] = FileEdit(path, context=context)
            self.edit_why[path] = []
        if any(c.line == number for c in edit.changes):        # a second change to a line in this step
            edit.changes = [c if c.line != number else LineChange(number, c.old, new) for c in edit.changes]
        else:
            edit.changes.append(LineChange(number, old, new))
        for reason in why:
            if reason in {f.id for f in self.d.findings} and reason not in self.edit_why[path]:
                self.edit_why[path].append(reason)


def _replace_url(line: str, url: str) -> str:
    for old in (V1_URL, V1_STAGING_URL):
        if old in line:
            return line.replace(old, url)
    key, _sep, _value = line.partition("=")
    return f"{key.rstrip()} = {url}"


def _drop_server_option(line: str) -> str:
    """The line without its v1 `--server URL` / `--server=URL` (quoted or not, any blanks), read
    with the same shell words that detected the pin; every other byte is kept."""
    words = shell_words(line)
    changes: list[tuple[int, int, str | None]] = []
    for index, word in enumerate(words):
        if word.value == "--server" and index + 1 < len(words) \
                and classify_url(words[index + 1].value) in ("v1", "v1-staging"):
            changes.append((word.start, words[index + 1].end, None))
        elif word.value.startswith("--server=") and classify_url(word.value[9:]) in ("v1", "v1-staging"):
            changes.append((word.start, word.end, None))
    return rewrite(line, changes)


def _move_line(line: str, run: ScheduledRun, client: str) -> str:
    """The cron line with the old program replaced by the new client, certbot-auto-only flags dropped."""
    program_names = {run.program, posixpath.basename(run.program)}
    raw_program = next((w for w in split_words(run.command) if w == run.program or posixpath.basename(w) ==
                        posixpath.basename(run.program)), run.program)
    program_names.add(raw_program)
    changes: list[tuple[int, int, str | None]] = []
    for word in shell_words(line):
        if word.value in program_names:
            changes.append((word.start, word.end, client))
        elif word.value in AUTO_ONLY_FLAGS:
            changes.append((word.start, word.end, None))
    return rewrite(line, changes)


def _venv_root(prefix: str) -> str:
    """certbot-auto's venv lives in /opt/eff.org/certbot/venv: retire /opt/eff.org as the docs say."""
    return "/opt/eff.org" if prefix.startswith("/opt/eff.org/") else prefix


def _creation_diff(path: str, content: str) -> str:
    lines = content.splitlines()
    return f"--- /dev/null\n+++ b{path}\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)

"""A plan being built: the steps so far, the notes, and the line edits still being gathered."""
from __future__ import annotations

from wizard.core import defaults
from wizard.core.analyse.model import Diagnosis
from wizard.core.plan.edits import FileEdit, LineChange
from wizard.core.plan.model import Answers, Plan, Step, StepId
from wizard.core.plan.options import ClientOption
from wizard.core.readers.clients import Install


class Draft:
    """What build() and the step functions share while they write the plan."""

    def __init__(self, diagnosis: Diagnosis, answers: Answers, options: list[ClientOption],
                 choice: ClientOption | None) -> None:
        self.d, self.answers, self.options, self.choice = diagnosis, answers, options, choice
        self.steps: list[Step] = []
        self.notes: list[str] = []
        snap = diagnosis.snapshot
        self.dirs = defaults.certbot_dir_options(snap.config_dir, snap.logs_dir)
        self.client = choice.client_path if choice else None
        self.client_argv = choice.client_argv if choice else []     # how to run it (an SCL runner first)
        self.apt_archive = False        # apt reads an archive whose Release files have expired
        self.edits: dict[str, FileEdit] = {}
        self.edit_why: dict[str, list[str]] = {}

    def plan(self, decision_needed: bool) -> Plan:
        return Plan(steps=self.steps, options=self.options, choice=self.choice, decision_needed=decision_needed,
                    notes=self.notes)

    def something_to_renew(self) -> bool:
        return bool(self.d.renewal_confs or self.d.certs or self.d.verdict == "v1")

    def removed_installs(self) -> list[Install]:
        """The distribution certbot the chosen install removes first, as certbot's instructions say."""
        if self.choice is None or not self.choice.replaces_os_package:
            return []
        return [i for i in self.d.installs if i.method == "os-package" and i.present and i.kind == "certbot"]

    def installs(self) -> bool:
        """Whether the plan installs a client (later steps then wait for it)."""
        return any(s.id == StepId.INSTALL_CLIENT for s in self.steps)

    def line(self, path: str, number: int) -> str:
        """The line as it will be when this step runs: earlier planned edits included, and this
        step's own (two pins on one line are both removed)."""
        pending = self.edits.get(path)
        for change in (pending.changes if pending else []):
            if change.line == number and change.new is not None:
                return change.new
        for step in reversed(self.steps):
            for action in step.actions:
                if action.edit and action.edit.path == path:
                    for change in action.edit.changes:
                        if change.line == number and change.new is not None:
                            return change.new
        text_file = self.d.snapshot.file(path)
        return text_file.lines.get(number, "") if text_file else ""

    def change(self, path: str, number: int | None, old: str, new: str, why: list[str]) -> None:
        """Gather a line change into this step's edit of `path` (why: the findings it answers)."""
        if number is None or old == new:
            return
        text_file = self.d.snapshot.file(path)
        edit = self.edits.get(path)
        if edit is None:
            context = dict(text_file.lines) if text_file else {}
            context.update({n: self.line(path, n) for n in context})
            edit = self.edits[path] = FileEdit(path, context=context)
            self.edit_why[path] = []
        if any(c.line == number for c in edit.changes):        # a second change to a line in this step
            edit.changes = [c if c.line != number else LineChange(number, c.old, new) for c in edit.changes]
        else:
            edit.changes.append(LineChange(number, old, new))
        for reason in why:
            if reason in {f.id for f in self.d.findings} and reason not in self.edit_why[path]:
                self.edit_why[path].append(reason)

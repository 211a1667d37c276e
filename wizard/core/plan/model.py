"""A plan as data: ordered steps of typed actions, the client options, and the admin's answers.

Saved with a run (plan.json) and read back by a resume and by rollback, so its JSON form is
part of the contract (docs/CONTRACT.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wizard.core import defaults
from wizard.core.errors import UsageError
from wizard.core.plan.edits import FileEdit, LineChange
from wizard.core.plan.options import ClientOption
from wizard.i18n import _

STAGING_CHOICES = ("move", "delete", "keep")


class StepId:
    """The ids of a plan's steps (saved in plan.json and the journal: never renamed)."""

    BACKUP = "backup"
    REPOSITORIES = "repositories"
    INSTALL_CLIENT = "install-client"
    FIX_PINS = "fix-pins-{number}"
    DELETE_STAGING = "delete-staging-{name}"
    TEST_RENEWAL = "test-renewal"
    ADD_SCHEDULE = "add-schedule"
    MOVE_SCHEDULE = "move-schedule"
    ENABLE_TIMER = "enable-timer"
    RETIRE_CERTBOT_AUTO = "retire-certbot-auto"
    VERIFY = "verify"


# Steps that check rather than change: run again on every resume, never undone by a rollback.
CHECK_STEPS = (StepId.TEST_RENEWAL, StepId.VERIFY)


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
            raise AnswersError(_("not JSON: {reason}", reason=error)) from error
        except RecursionError:
            raise AnswersError(_("not JSON this tool reads: nested too deep")) from None
        if not isinstance(data, dict):
            raise AnswersError(_("expected a JSON object"))
        if not isinstance(data.get("client"), (str, type(None))):
            raise AnswersError(_("client must be a string"))
        unknown = set(data) - {"client", "staging_lineages", "retire_certbot_auto"}
        if unknown:
            raise AnswersError(_("unknown keys: {keys}", keys=", ".join(sorted(unknown))))
        answers = cls(data.get("client"), data.get("staging_lineages", "keep"),
                      bool(data.get("retire_certbot_auto", True)))
        if answers.staging_lineages not in STAGING_CHOICES:
            raise AnswersError(_("staging_lineages must be one of {choices}", choices=", ".join(STAGING_CHOICES)))
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
        return cls(id=str(data["id"]), title=str(data["title"]), why=list(data.get("why", [])),
                   requires_root=bool(data["requires_root"]), risk=str(data.get("risk", "")),
                   actions=[Action.from_json(a) for a in data["actions"]], undo=str(data.get("undo", "")),
                   done_when=str(data.get("done_when", "")), depends_on=list(data.get("depends_on", [])))


@dataclass
class Plan:
    steps: list[Step]
    options: list[ClientOption]
    choice: ClientOption | None
    decision_needed: bool
    notes: list[str]

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
        return changed_paths(self.steps)

    @property
    def touched_paths(self) -> list[str]:
        """Every path the plan backs up, retires, edits or creates, once each."""
        moved = [path for step in self.steps for action in step.actions for path in action.paths or []]
        return list(dict.fromkeys(moved + self.edit_paths))

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
        return cls(steps=steps, options=[], choice=None, decision_needed=bool(data.get("decision_needed")),
                   notes=list(data.get("notes", [])))


def changed_paths(steps: list[Step]) -> list[str]:
    """Every file the steps edit or create, in order, once each."""
    paths: list[str] = []
    for step in steps:
        for action in step.actions:
            path = action.edit.path if action.edit else action.path if action.type == "create" else None
            if path and path not in paths:
                paths.append(path)
    return paths


def _creation_diff(path: str, content: str) -> str:
    lines = content.splitlines()
    return f"--- /dev/null\n+++ b{path}\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)

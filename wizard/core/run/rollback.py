"""Undo a run: move retired files back, restore every backed-up path byte for byte, and say
what a backup cannot undo (a package install) with the command that would.

Nothing is destroyed on the way: every archive is checked against its manifest before the first
live path is touched; each path is restored by extracting it beside the live one and swapping it
in; what the run created, and what stands where a retired file goes back, is moved into the run
directory (displaced/), not deleted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.core.errors import StepFailed, UsageError
from wizard.core.plan.model import CHECK_STEPS
from wizard.core.run.apply import parents, sweep_after_a_kill
from wizard.core.run.journal import Lock, RunDir, list_runs
from wizard.core.run.state_shapes import PLAN
from wizard.core.target.archive import MAX_ARCHIVE_BYTES, ArchiveProblem
from wizard.core.target.archive import verify as verify_archive
from wizard.core.target.confine import is_within
from wizard.core.target.protocol import Target
from wizard.i18n import _


class RollbackError(StepFailed):
    """A backup that does not match its manifest, or cannot be read: nothing was changed (exit 4)."""


class RunNotFound(UsageError):
    """No such run, or no run left that changed something (exit 2)."""


@dataclass
class RollbackReport:
    run_id: str
    restored: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)      # created by the run, absent before
    moved_back: list[tuple[str, str]] = field(default_factory=list)
    cannot_undo: list[tuple[str, str]] = field(default_factory=list)   # (step title, how to undo)
    dry_run: bool = False
    displaced_to: str = ""                                # where what stood in the way was moved


def changed_something(run: RunDir) -> bool:
    """Whether a run backed up, retired or ran anything that a rollback would undo."""
    journal = run.journal()
    if journal.rolled_back:
        return False
    try:
        if any(entry.get("top") for entry in run.backups()["entries"]):
            return True
    except OSError:
        return True                      # a damaged record: let the rollback itself say so
    if any(event.get("event") == "retired" for event in journal.events):
        return True
    return any(journal.succeeded(step) for step in journal.steps if step not in CHECK_STEPS)


def find_run(target: Target, state_dir: str, run_id: str | None) -> RunDir:
    """The run to undo: the one named, or the newest that changed something and is not yet undone."""
    runs = list_runs(target, state_dir)
    if not runs:
        raise RunNotFound(_("no runs in {path}", path=f"{state_dir}/runs"))
    if run_id is not None:
        if run_id not in runs:
            raise RunNotFound(_("no run {run} in {path} (runs: {runs})", run=run_id, path=f"{state_dir}/runs",
                                  runs=", ".join(runs[-5:])))
        return RunDir(target, state_dir, run_id)
    for name in reversed(runs):
        run = RunDir(target, state_dir, name)
        if changed_something(run):
            return run
    raise RunNotFound(_("no run in {path} changed anything that is not already rolled back (runs: {runs}); "
                          "give its run id to roll one back again", path=f"{state_dir}/runs",
                          runs=", ".join(runs[-5:])))


def rollback(target: Target, run: RunDir, dry_run: bool = False) -> RollbackReport:
    report = RollbackReport(run.run_id, dry_run=dry_run, displaced_to=run.file("displaced"))
    try:
        record = run.backups()
    except OSError as error:
        raise RollbackError(_("{problem}; nothing was changed", problem=str(error))) from None
    tops = [e for e in record["entries"] if e.get("top")]
    plan = run.read_json("plan.json", {"steps": []}, PLAN)
    journal = run.journal()
    for step in plan.get("steps", []) if isinstance(plan, dict) else []:
        ran_a_command = any(a.get("type") == "command" for a in step.get("actions", []))
        if ran_a_command and journal.succeeded(step.get("id")) and step["id"] not in CHECK_STEPS:
            report.cannot_undo.append((step.get("title", step["id"]), step.get("undo", "")))
    report.moved_back = run.retired_moves()
    for entry in tops:
        (report.removed if entry["kind"] == "absent" else report.restored).append(entry["path"])
    archives = _verified_archives(target, run, record)         # before anything is touched
    state = target.resolve(run.state_dir)
    for entry in tops:
        if is_within(state, entry["path"]):
            raise RollbackError(_("the state directory {state} lies in {path}: restoring it would remove the "
                                  "backups; nothing was changed", state=run.state_dir, path=entry["path"]))
    if dry_run:
        return report
    with Lock(target, run.state_dir, run.run_id):
        sweep_after_a_kill(target, parents([e["path"] for e in tops] + [m[0] for m in report.moved_back]
                                           + plan_edits(plan)))
        for original, moved_to in reversed(report.moved_back):
            if target.exists(moved_to):
                if target.exists(original):
                    target.move(original, _free(target, run.file("displaced" + original)))
                target.move(moved_to, original)
        for entry in tops:
            if entry["kind"] == "absent":
                if target.exists(entry["path"]):
                    target.move(entry["path"], _free(target, run.file("displaced" + entry["path"])))
            else:
                target.restore_path(archives[entry["tarball"]], entry["path"],
                                    _free(target, run.file("displaced" + entry["path"])))
        run.event(event="rollback", restored=report.restored, removed=report.removed,
                  moved_back=[m[0] for m in report.moved_back])
    return report


def _free(target: Target, path: str) -> str:
    """`path`, or `path.2`, `path.3`…: a second rollback of a run never overwrites what the first kept."""
    candidate, number = path, 1
    while target.exists(candidate):
        number += 1
        candidate = f"{path}.{number}"
    return candidate


def plan_edits(plan: dict[str, Any]) -> list[str]:
    """The paths a saved plan edits or creates (their directories may hold a killed write's temporaries)."""
    if not isinstance(plan, dict):
        return []
    return [a["path"] for s in plan.get("steps", []) for a in s.get("actions", [])
            if isinstance(a, dict) and a.get("type") in ("edit", "create") and isinstance(a.get("path"), str)]


def _verified_archives(target: Target, run: RunDir, record: dict[str, Any]) -> dict[str, bytes]:
    """Every archive of the run, read and checked against its manifest; RollbackError if one fails."""
    archives: dict[str, bytes] = {}
    listed = _manifest_lines(target, run)
    for tarball in record["tarballs"]:
        entries = [e for e in record["entries"] if e.get("tarball") == tarball]
        try:
            data = target.read_bytes(run.file(tarball), limit=MAX_ARCHIVE_BYTES, follow=False)
            verify_archive(data, entries, record["sha256"].get(tarball))
        except OSError as error:
            raise RollbackError(_("cannot read the backup {path} ({reason}); nothing was changed",
                                  path=run.file(tarball), reason=error.strerror or str(error))) from None
        except ArchiveProblem as problem:
            raise RollbackError(_("the backup {path} does not match its manifest: {problem}; nothing was changed",
                                  path=run.file(tarball), problem=str(problem))) from None
        for entry in entries:
            if entry["kind"] == "file" and listed is not None and listed.get(entry["path"]) != entry["sha256"]:
                raise RollbackError(_("{manifest} does not list {path} with the checksum the backup records; "
                                      "nothing was changed", manifest=run.file("manifest.sha256"),
                                      path=entry["path"]))
        archives[tarball] = data
    return archives


def _manifest_lines(target: Target, run: RunDir) -> dict[str, str] | None:
    """manifest.sha256 as {path: sha256}; None for a run that has no backup yet."""
    try:
        text = target.read_bytes(run.file("manifest.sha256"), limit=MAX_ARCHIVE_BYTES, follow=False)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RollbackError(_("cannot read {path} ({reason}); nothing was changed",
                              path=run.file("manifest.sha256"), reason=error.strerror)) from None
    listed = {}
    for line in text.decode("utf-8", "surrogateescape").splitlines():
        digest, _sep, path = line.partition("  ")
        listed[path] = digest
    return listed

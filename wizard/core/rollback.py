"""Undo a run: move retired files back, restore every backed-up path byte for byte, and say
what a backup cannot undo (a package install) with the command that would."""
from __future__ import annotations

from dataclasses import dataclass, field

from wizard.core.apply import retired_moves
from wizard.core.runstate import RunDir, list_runs
from wizard.i18n import _


class RollbackError(Exception):
    """No such run, or nothing to roll back."""


@dataclass
class RollbackReport:
    run_id: str
    restored: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)      # created by the run, absent before
    moved_back: list[tuple[str, str]] = field(default_factory=list)
    cannot_undo: list[tuple[str, str]] = field(default_factory=list)   # (step title, how to undo)
    dry_run: bool = False


def find_run(target, state_dir: str, run_id: str | None) -> RunDir:
    runs = list_runs(target, state_dir)
    if not runs:
        raise RollbackError(_("no runs in {path}", path=f"{state_dir}/runs"))
    if run_id is None:
        return RunDir(target, state_dir, runs[-1])
    if run_id not in runs:
        raise RollbackError(_("no run {run} in {path} (runs: {runs})", run=run_id, path=f"{state_dir}/runs",
                              runs=", ".join(runs[-5:])))
    return RunDir(target, state_dir, run_id)


def rollback(target, run: RunDir, dry_run: bool = False) -> RollbackReport:
    report = RollbackReport(run.run_id, dry_run=dry_run)
    record = run.read_json("backup.json", {"tarballs": [], "entries": []})
    tops = [e for e in record["entries"] if e.get("top")]
    plan = run.read_json("plan.json", {"steps": []})
    journal = run.journal()
    for step in plan.get("steps", []):
        if any(a.get("type") == "command" for a in step.get("actions", [])) and journal.succeeded(step["id"]):
            if step["id"] not in ("test-renewal", "verify"):
                report.cannot_undo.append((step["title"], step.get("undo", "")))
    report.moved_back = retired_moves(run)
    for entry in tops:
        (report.removed if entry["kind"] == "absent" else report.restored).append(entry["path"])
    if dry_run:
        return report
    for original, moved_to in reversed(report.moved_back):
        if target.exists(moved_to):
            target.remove(original)
            target.move(moved_to, original)
    for entry in tops:
        if entry["kind"] == "absent":
            target.remove(entry["path"])
        else:
            target.restore(run.file(entry["tarball"]), [entry["path"]])
    run.event(event="rollback", restored=report.restored, removed=report.removed,
              moved_back=[m[0] for m in report.moved_back])
    return report

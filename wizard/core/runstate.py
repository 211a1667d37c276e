"""A remediation run on the target: its directory, journal, lock and backup manifest.

    <state dir>/lock                      who is applying now (pid, run id)
    <state dir>/runs/<run id>/plan.json   the plan as it was shown
                              before.json the check document before any change
                              journal.jsonl one event a line, written as each step starts and ends
                              backup-N.tar.gz + manifest.sha256 + backup.json
                              retired/…   what the plan moved aside (certbot-auto)
                              output/<step>.log  the full output of each step

The journal is appended (and fsynced) before and after every step, so a run stopped at any
point — Ctrl-C, a kill, a dropped connection — can be read by the next one.
"""
from __future__ import annotations

import datetime
import json
import os
import secrets
from dataclasses import dataclass, field

from wizard.core.target import ManifestEntry
from wizard.i18n import _

DEFAULT_STATE_DIR = "/var/lib/acme-wizard"


class LockedError(Exception):
    """Another apply holds the lock."""


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


@dataclass
class StepRecord:
    status: str                 # started, ok, failed, skipped, not-run, blocked, interrupted, already-done
    started: str | None = None
    ended: str | None = None
    exit_code: int | None = None
    message: str = ""


@dataclass
class JournalState:
    steps: dict[str, StepRecord] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    finished: str | None = None          # complete, failed, interrupted, incomplete

    def succeeded(self, step_id: str) -> bool:
        record = self.steps.get(step_id)
        return record is not None and record.status in ("ok", "already-done")

    def interrupted_steps(self) -> list[str]:
        return [step for step, record in self.steps.items() if record.status in ("started", "interrupted")]


class RunDir:
    def __init__(self, target, state_dir: str, run_id: str) -> None:
        self.target, self.state_dir, self.run_id = target, state_dir, run_id
        self.path = f"{state_dir.rstrip('/')}/runs/{run_id}"

    def file(self, name: str) -> str:
        return f"{self.path}/{name}"

    def create(self) -> None:
        self.target.make_private_dir(self.state_dir)
        self.target.make_private_dir(f"{self.state_dir.rstrip('/')}/runs")
        self.target.make_private_dir(self.path)
        self.target.make_private_dir(self.file("output"))

    def write_json(self, name: str, data) -> None:
        self.target.write_bytes(self.file(name), (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode(), 0o600)

    def read_json(self, name: str, default=None):
        try:
            return json.loads(self.target.read_bytes(self.file(name)))
        except (OSError, ValueError):
            return default

    def event(self, **fields) -> None:
        self.target.append_line(self.file("journal.jsonl"), json.dumps({"time": now_iso(), **fields}, ensure_ascii=False))

    def journal(self) -> JournalState:
        state = JournalState()
        try:
            text = self.target.read_bytes(self.file("journal.jsonl")).decode("utf-8", "replace")
        except OSError:
            return state
        for line in text.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue                     # a line cut by a crash: the events before it still count
            state.events.append(event)
            kind, step = event.get("event"), event.get("step")
            if kind == "step-start":
                state.steps[step] = StepRecord("started", started=event.get("time"))
            elif kind == "step-end":
                record = state.steps.setdefault(step, StepRecord("started"))
                record.status, record.ended = event.get("status", "failed"), event.get("time")
                record.exit_code, record.message = event.get("exit_code"), event.get("message", "")
            elif kind == "run-end":
                state.finished = event.get("status")
            elif kind == "run-start":
                state.finished = None
        return state

    # --- backups ----------------------------------------------------------------------------

    def add_backup(self, paths: list[str]) -> list[ManifestEntry]:
        """Back up the paths not already in this run's backup (the first copy is the original)."""
        record = self.read_json("backup.json", {"tarballs": [], "entries": []})
        known: list[str] = [entry["path"] for entry in record["entries"] if entry.get("top")]
        new: list[str] = []
        for path in sorted(dict.fromkeys(paths), key=len):     # a directory before what it contains
            if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in known + new):
                new.append(path)
        if not new:
            return []
        tarball = f"backup-{len(record['tarballs']) + 1}.tar.gz"
        entries = self.target.backup(new, self.file(tarball))
        record["tarballs"].append(tarball)
        for entry in entries:
            record["entries"].append({"path": entry.path, "kind": entry.kind, "sha256": entry.sha256,
                                      "mode": entry.mode, "link": entry.link, "tarball": tarball,
                                      "top": entry.path in new})
        self.write_json("backup.json", record)
        manifest = [e for e in record["entries"] if e["kind"] == "file"]
        self.target.write_bytes(self.file("manifest.sha256"),
                                "".join(f"{e['sha256']}  {e['path']}\n" for e in manifest).encode(), 0o600)
        return entries

    def manifest_checksum(self) -> str | None:
        try:
            return self.target.sha256(self.file("manifest.sha256"))
        except OSError:
            return None


def list_runs(target, state_dir: str) -> list[str]:
    return [name for name in target.list_dir(f"{state_dir.rstrip('/')}/runs") if not name.startswith(".")]


def unfinished_run(target, state_dir: str) -> RunDir | None:
    """The newest run, if it did not complete: the next apply resumes it (older runs are history)."""
    runs = list_runs(target, state_dir)
    if not runs:
        return None
    run = RunDir(target, state_dir, runs[-1])
    state = run.journal()
    return run if state.events and state.finished != "complete" else None


class Lock:
    """One apply at a time per target: a lock file naming its holder (created atomically on the
    target); a lock left by a dead process on this workstation is taken over."""

    def __init__(self, target, state_dir: str, run_id: str) -> None:
        self.target, self.path, self.run_id = target, f"{state_dir.rstrip('/')}/lock", run_id

    def __enter__(self) -> "Lock":
        holder = {"pid": os.getpid(), "workstation": os.uname().nodename, "run_id": self.run_id, "since": now_iso()}
        for _attempt in range(2):
            if self.target.create_exclusive(self.path, json.dumps(holder).encode()):
                return self
            try:
                current = json.loads(self.target.read_bytes(self.path))
            except (OSError, ValueError):
                current = {}
            ours = current.get("workstation") == holder["workstation"]
            if not ours or pid_alive(current.get("pid", 0)):
                raise LockedError(_("another apply is running (pid {pid} on {where}, run {run}); lock file {path}",
                                    pid=current.get("pid"), where=current.get("workstation", "?"),
                                    run=current.get("run_id"), path=self.path))
            self.target.remove(self.path)        # its holder on this workstation is gone: a crash or a kill
        raise LockedError(_("cannot take the lock {path}", path=self.path))

    def __exit__(self, *exc) -> None:
        try:
            self.target.remove(self.path)
        except Exception:       # a dropped link: the next run takes a dead holder's lock over
            pass


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine (one of another user's counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""A remediation run on the target: its directory, journal, lock and backup manifest.

    <state dir>/lock                      who is applying now (pid, run id)
    <state dir>/runs/<run id>/plan.json   the plan as it was shown
                              before.json the check document before any change
                              journal.jsonl one event a line, written as each step starts and ends
                              backup-N.tar.gz + manifest.sha256 + backup.json
                              retired/…   what the plan moved aside (certbot-auto)
                              output/step-NN.log  the full output of each step (NN: its place in the plan)
                              jobs/step-NN-K.*  a remote command's detached job (log, pid, exit code)

The journal is appended (and fsynced) before and after every step, so a run stopped at any
point — Ctrl-C, a kill, a dropped connection — can be read by the next one.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from wizard.core.errors import TargetError
from wizard.core.run.state_shapes import BACKUP, EVENT, Shape, fits, shallow
from wizard.core.target.archive import MAX_ARCHIVE_BYTES, ArchiveProblem
from wizard.core.target.archive import verify as verify_archive
from wizard.core.target.confine import is_within
from wizard.core.target.protocol import ManifestEntry, Target
from wizard.i18n import _

MAX_STATE_FILE = 64 << 20        # a journal or plan larger than this is not ours


def load_state_json(data: bytes, shape: Shape | None = None, default: Any = None) -> Any:
    """A state file's JSON, or `default` when it is not JSON, nests absurdly deep or is not of `shape`."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return default
    if not shallow(value) or (shape is not None and not fits(value, shape)):
        return default
    return value


def json_bytes(data: Any) -> bytes:
    """JSON as the state files keep it: a name that is not UTF-8 (caf\\xe9.conf) is carried in its
    escaped form, never dropped and never a crash."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


class LockedError(TargetError):
    """Another apply holds the lock."""


class BackupFailed(OSError):
    """A backup could not be written or does not read back as written."""


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
    events: list[dict[str, Any]] = field(default_factory=list)
    finished: str | None = None          # complete, failed, interrupted, incomplete
    rolled_back: bool = False            # a rollback restored what this run changed: it is closed

    def succeeded(self, step_id: str) -> bool:
        record = self.steps.get(step_id)
        return record is not None and record.status in ("ok", "already-done")

    def interrupted_steps(self) -> list[str]:
        return [step for step, record in self.steps.items() if record.status in ("started", "interrupted")]


class RunDir:
    def __init__(self, target: Target, state_dir: str, run_id: str) -> None:
        self.target, self.state_dir, self.run_id = target, state_dir, run_id
        self.path = f"{state_dir.rstrip('/')}/runs/{run_id}"

    def file(self, name: str) -> str:
        return f"{self.path}/{name}"

    def create(self) -> None:
        self.target.make_private_dir(self.state_dir)   # refuses one that is not this user's own
        self.target.make_private_dir(f"{self.state_dir.rstrip('/')}/runs")
        self.target.make_private_dir(self.path)
        self.target.make_private_dir(self.file("output"))

    def write_json(self, name: str, data: Any) -> None:
        self.target.write_bytes(self.file(name), json_bytes(data), 0o600, follow=False)

    def read_json(self, name: str, default: Any = None, shape: Shape | None = None) -> Any:
        """A state file of this run; `default` when it is absent, unreadable or not of `shape`."""
        try:
            return load_state_json(self.target.read_bytes(self.file(name), limit=MAX_STATE_FILE, follow=False),
                                   shape, default)
        except OSError:
            return default

    def event(self, **fields: Any) -> None:
        self.target.append_line(self.file("journal.jsonl"),
                                json.dumps({"time": now_iso(), **fields}, ensure_ascii=True))

    def retired_moves(self) -> list[tuple[str, str]]:
        """(original path, where it was moved) for everything this run retired."""
        return [(e["path"], e["to"]) for e in self.journal().events if e.get("event") == "retired"]

    def journal(self) -> JournalState:
        state = JournalState()
        try:
            text = self.target.read_bytes(self.file("journal.jsonl"), limit=MAX_STATE_FILE,
                                          follow=False).decode("utf-8", "replace")
        except OSError:
            return state
        for line in text.splitlines():
            try:
                event = json.loads(line)
            except (ValueError, RecursionError):
                continue                     # a line cut by a crash: the events before it still count
            if not (shallow(event) and fits(event, EVENT)):
                continue                     # not an event this tool wrote
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
            elif kind == "rollback":
                state.rolled_back = True
        return state

    # --- backups ----------------------------------------------------------------------------

    def backups(self) -> dict[str, Any]:
        """backup.json (empty when there is none). Raises BackupFailed when it exists but is damaged:
        a rollback must not take a damaged record for 'nothing was backed up'."""
        try:
            data = self.target.read_bytes(self.file("backup.json"), limit=MAX_STATE_FILE, follow=False)
        except FileNotFoundError:
            return {"tarballs": [], "entries": [], "sha256": {}}
        record: dict[str, Any] | None = load_state_json(data, BACKUP)
        if record is None:
            raise BackupFailed(_("{path} is damaged: it cannot be read as this tool wrote it",
                                 path=self.file("backup.json")))
        record.setdefault("sha256", {})
        return record

    def add_backup(self, paths: list[str]) -> list[ManifestEntry]:
        """Back up the paths not already in this run's backup (the first copy is the original).

        A path is backed up where it really is: a symlinked /etc/letsencrypt -> /srv/le keeps both
        the link and /srv/le. Each archive is read back and checked against its manifest before
        anything relies on it; one that does not match is removed and the step fails."""
        record = self.backups()
        known: list[str] = [entry["path"] for entry in record["entries"] if entry.get("top")]
        new: list[str] = []
        for path in sorted(dict.fromkeys(p for given in paths for p in self._where_all(given)), key=len):
            if not any(is_within(path, k) for k in known + new):     # a directory before what it contains
                new.append(path)
        if not new:
            return []
        tarball = f"backup-{len(record['tarballs']) + 1}.tar.gz"
        entries = self.target.backup(new, self.file(tarball))
        rows = [{"path": e.path, "kind": e.kind, "sha256": e.sha256, "mode": e.mode, "link": e.link,
                 "tarball": tarball, "top": e.path in new} for e in entries]
        try:
            data = self.target.read_bytes(self.file(tarball), limit=MAX_ARCHIVE_BYTES, follow=False)
            verify_archive(data, rows)
        except (OSError, ArchiveProblem) as problem:
            self.target.remove(self.file(tarball))
            raise BackupFailed(_("the backup {path} does not match what was archived ({reason}); nothing was "
                                 "changed", path=self.file(tarball), reason=str(problem))) from None
        record["tarballs"].append(tarball)
        record["sha256"][tarball] = hashlib.sha256(data).hexdigest()
        record["entries"].extend(rows)
        self.write_json("backup.json", record)
        manifest = [e for e in record["entries"] if e["kind"] == "file"]
        # The names' own bytes (surrogateescape): sha256sum -c reads the manifest.
        lines = "".join(f"{e['sha256']}  {e['path']}\n" for e in manifest).encode("utf-8", "surrogateescape")
        self.target.write_bytes(self.file("manifest.sha256"), lines, 0o600, follow=False)
        return entries

    def _where_all(self, path: str) -> list[str]:
        """The paths that hold `path`: itself (its directories resolved) and, for a symlink, what it
        leads to."""
        itself = self.target.resolve(path, follow=False)
        leads_to = self.target.resolve(path)
        return [itself] if leads_to == itself else [itself, leads_to]

    def covers(self, path: str) -> bool:
        """Whether the file `path` leads to lies in a verified backup of this run."""
        real = self.target.resolve(path)
        return any(is_within(real, entry["path"]) for entry in self.backups()["entries"]
                   if entry.get("top") and entry["kind"] != "link")

    def manifest_checksum(self) -> str | None:
        try:
            return self.target.sha256(self.file("manifest.sha256"))
        except OSError:
            return None


RUN_ID_SHAPE = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{4}")


def list_runs(target: Target, state_dir: str) -> list[str]:
    """The runs in the state directory, oldest first (only names this tool gives its runs)."""
    runs = f"{state_dir.rstrip('/')}/runs"
    target.check_private_dir(state_dir)
    target.check_private_dir(runs)
    return [name for name in target.list_dir(runs) if RUN_ID_SHAPE.fullmatch(name)]


def unfinished_run(target: Target, state_dir: str) -> RunDir | None:
    """The newest run, if it did not complete and was not rolled back: the next apply resumes it
    (older runs are history)."""
    runs = list_runs(target, state_dir)
    if not runs:
        return None
    run = RunDir(target, state_dir, runs[-1])
    target.check_private_dir(run.path)
    state = run.journal()
    return run if state.events and state.finished != "complete" and not state.rolled_back else None


class Lock:
    """One apply at a time per target: a lock file naming its holder (created atomically on the
    target); a lock left by a dead process on this workstation is taken over."""

    def __init__(self, target: Target, state_dir: str, run_id: str) -> None:
        self.target, self.path, self.run_id = target, f"{state_dir.rstrip('/')}/lock", run_id
        self.state_dir = state_dir

    def __enter__(self) -> Lock:
        self.target.make_private_dir(self.state_dir)      # created 0700, or refused if not this user's own
        holder = {"pid": os.getpid(), "workstation": os.uname().nodename, "run_id": self.run_id, "since": now_iso()}
        for _attempt in range(2):
            if self.target.create_exclusive(self.path, json.dumps(holder).encode()):
                return self
            try:
                current = json.loads(self.target.read_bytes(self.path, limit=4096, follow=False))
            except (OSError, ValueError):
                current = {}
            if not isinstance(current, dict) or not isinstance(current.get("pid"), int):
                raise LockedError(_("the lock file {path} is not one this tool wrote: if no apply is running, "
                                    "remove it and try again", path=self.path))
            ours = current.get("workstation") == holder["workstation"]
            if not ours or pid_alive(current.get("pid", 0)):
                raise LockedError(_("another apply is running (pid {pid} on {where}, run {run}); lock file {path}",
                                    pid=current.get("pid"), where=current.get("workstation", "?"),
                                    run=current.get("run_id"), path=self.path))
            self.target.remove(self.path)        # its holder on this workstation is gone: a crash or a kill
        raise LockedError(_("cannot take the lock {path}", path=self.path))

    def __exit__(self, *exc: object) -> None:
        try:
            self.target.remove(self.path)
        except Exception:       # a dropped link: the next run takes a dead holder's lock over
            pass


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine (one of another user's counts)."""
    if not 0 < pid < 1 << 22:           # above the kernel's pid_max: no such process
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

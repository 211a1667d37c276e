"""This machine as a target, seen through a root prefix ('/' for the live system)."""
from __future__ import annotations

import errno
import hashlib
import os
import posixpath
import shutil
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from typing import Callable

from wizard.core.defaults import CONFIG_DIR, LOGS_DIR
from wizard.core.errors import TargetError
from wizard.core.target import private_dir
from wizard.core.target.archive import extract_one
from wizard.core.target.confine import resolve, resolved_host_path
from wizard.core.target.errors import CommandsNotAllowed, JobLost
from wizard.core.target.process import ScriptRun, start_script, stop_process
from wizard.core.target.protocol import TEMPORARY, JobState, ManifestEntry, Target, commands_allowed
from wizard.i18n import _

# The demo's rehearsal runs only programs that start with this (wizard.demo.stand_ins writes them): the
# demo tree's own programs are placeholders, never run on this machine.
STAND_IN_MARK = b"#!/bin/sh\n# acme-wizard demo: a stand-in for "
TREE_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


@dataclass
class LocalTarget(Target):
    """This machine, seen through a root prefix ('/' for the live system).

    Command steps run only on the live system ('/'), unless ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT=1
    (labs and tests): then only programs inside the root run, never the workstation's own (a bare
    name is looked up in the tree's bin directories, then in ACME_WIZARD_STUB_PATH, a lab's stubs).
    """

    root: str = "/"
    config_dir: str = CONFIG_DIR
    logs_dir: str = LOGS_DIR
    allow_commands: bool | None = None
    demo: bool = False              # the bundled demo tree: shown as "/", its temp path never printed
    stand_ins: str | None = None    # demo only: the directory of its stand-in programs (wizard.demo.stand_ins)
    euid: int = field(default_factory=os.geteuid)     # whom the wizard acts as here
    _children: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)
    _interrupted: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.root = os.path.abspath(self.root)
        if not os.path.isdir(self.root):
            reason = _("no such directory") if not os.path.exists(self.root) else _("not a directory")
            raise TargetError(_("Cannot inspect {path}: {reason}", path=self.root, reason=reason))
        if self.demo:          # the demo's programs are placeholders: only its stand-ins run, in a rehearsal
            self.allow_commands = self.stand_ins is not None
        elif self.allow_commands is None:
            self.allow_commands = commands_allowed(self.is_live)

    def describe(self) -> str:
        return _("this machine") if self.root == "/" else self.root

    @property
    def host(self) -> str | None:
        return None

    @property
    def privilege_error(self) -> str | None:
        if self.is_live and self.euid != 0:
            return _("applying to / needs root: run it with sudo (nothing was changed)")
        return None              # a tree under a root prefix is changed as whoever owns it

    def close(self) -> None:
        pass

    @property
    def is_live(self) -> bool:
        return self.root == "/"

    @property
    def shown_root(self) -> str:
        """The root as messages name it: never the demo's temporary tree."""
        return _("the demo host") if self.demo else self.root

    def shown_path(self, path: str) -> str:
        """(The demo's tree is temporary and never named: its paths are shown as the demo host's own.)"""
        return path if self.is_live or self.demo else os.path.join(self.root, path.lstrip("/"))

    def start_shell_script(self, script: bytes, args: list[str]) -> ScriptRun:
        return start_script(["sh", "-s", "--", *args], script)

    def probe_args(self) -> list[str]:
        return ["" if self.root == "/" else self.root, self.config_dir, self.logs_dir]

    # --- files --------------------------------------------------------------------------------
    # Every target path is resolved inside the root (wizard.core.target.confine) at the moment it is used:
    # no symlink in the tree, at any component, leads a read or a write outside it.

    def host_path(self, path: str, follow: bool = True) -> str:
        return resolved_host_path(self.root, path, follow)

    def resolve(self, path: str, follow: bool = True) -> str:
        """The target path `path` leads to (symlinks followed inside the root)."""
        return resolve(self.root, path, follow)

    def exists(self, path: str) -> bool:
        try:
            return os.path.lexists(self.host_path(path, follow=False))
        except OSError:
            return True            # a link loop is something, not nothing

    def is_link(self, path: str) -> bool:
        return os.path.islink(self.host_path(path, follow=False))

    def read_bytes(self, path: str, limit: int | None = None, follow: bool = True) -> bytes:
        """A regular file's bytes; never blocks on a FIFO, never reads more than `limit` bytes
        (OSError EFBIG beyond it). follow=False refuses a symlink as the last component."""
        flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
        real = self.host_path(path, follow)
        handle = os.open(real, flags)
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, _("not a regular file"), path)
            data = stream.read(limit + 1 if limit is not None else -1)
        if limit is not None and len(data) > limit:
            raise OSError(errno.EFBIG, _("larger than {size} bytes", size=limit), path)
        return data

    def write_bytes(self, path: str, data: bytes, mode: int = 0o644, follow: bool = True) -> None:
        """Replace a file atomically, keeping its mode and owner (a new file gets `mode`).
        A symlinked file is written where it leads (inside the root); follow=False replaces
        the link itself (state files: never written through a link)."""
        real = self.host_path(path, follow)
        directory = os.path.dirname(real)
        os.makedirs(directory, exist_ok=True)
        try:
            info = os.lstat(real)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            info = None if stat.S_ISLNK(info.st_mode) else info
            if info is not None:
                raise OSError(errno.EINVAL, _("not a regular file"), path)
        handle, temporary = tempfile.mkstemp(prefix=".acme-wizard.", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, stat.S_IMODE(info.st_mode) if info else mode)
            if info is not None and os.geteuid() == 0:
                os.chown(temporary, info.st_uid, info.st_gid)
            os.replace(temporary, real)
        except BaseException:
            if os.path.lexists(temporary):
                os.unlink(temporary)
            raise

    def append_line(self, path: str, line: str) -> None:
        real = self.host_path(path, follow=False)
        os.makedirs(os.path.dirname(real), exist_ok=True)
        handle = os.open(real, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
        with open(handle, "a", encoding="utf-8", errors="surrogateescape") as out:
            if not stat.S_ISREG(os.fstat(out.fileno()).st_mode):
                raise OSError(errno.EINVAL, _("not a regular file"), path)
            out.write(line.rstrip("\n") + "\n")
            out.flush()
            os.fsync(out.fileno())

    def make_private_dir(self, path: str) -> None:
        """Create a 0700 directory, or make sure an existing one is this user's own, not a
        symlink, and 0700 (a state directory another user controls is never trusted)."""
        real = self.host_path(path, follow=False)
        try:
            os.mkdir(real, 0o700)
            os.chmod(real, 0o700)                   # whatever the umask
            return
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(os.path.dirname(real), exist_ok=True)
            os.mkdir(real, 0o700)
            os.chmod(real, 0o700)
            return
        why = _private_dir_problem(real)         # an existing one is checked, never changed (not /var/lib)
        if why:
            raise private_dir.refuse_to_keep(path, why)

    def check_private_dir(self, path: str) -> None:
        """Raise UntrustedStateError when an existing directory is not this user's own (see make_private_dir)."""
        real = self.host_path(path, follow=False)
        if not os.path.lexists(real):
            return
        why = _private_dir_problem(real)
        if why:
            raise private_dir.refuse_to_read(path, why)

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self.host_path(path)))
        except OSError:
            return []

    def remove(self, path: str) -> None:
        """Remove a path (a symlink itself, never what it points to)."""
        _remove_host(self.host_path(path, follow=False))

    def move(self, source: str, destination: str) -> None:
        real_destination = self.host_path(destination, follow=False)
        os.makedirs(os.path.dirname(real_destination), exist_ok=True)
        shutil.move(self.host_path(source, follow=False), real_destination)   # a rename on one filesystem

    # --- backups ------------------------------------------------------------------------------

    def backup(self, paths: list[str], tarball: str) -> list[ManifestEntry]:
        """Archive paths (resolved target paths; a symlink is archived as the link) into tarball;
        return the manifest. A failed archive (a full disk) is removed, never left half-written."""
        entries: list[ManifestEntry] = []
        real_tarball = self.host_path(tarball, follow=False)
        try:
            with open(os.open(real_tarball, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600),
                      "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                for path in paths:
                    real = self.host_path(path, follow=False)
                    if not os.path.lexists(real):
                        entries.append(ManifestEntry(path, "absent"))
                        continue
                    archive.add(real, arcname=path.lstrip("/"), recursive=True)
                    entries.extend(self._manifest(path))
                archive.close()
                raw.flush()
                os.fsync(raw.fileno())
        except BaseException:
            if os.path.lexists(real_tarball):
                os.unlink(real_tarball)
            raise
        return entries

    def _manifest(self, path: str) -> list[ManifestEntry]:
        real = self.host_path(path, follow=False)
        if os.path.islink(real):
            return [ManifestEntry(path, "link", link=os.readlink(real))]
        if os.path.isfile(real):
            return [ManifestEntry(path, "file", _sha256(real), stat.S_IMODE(os.lstat(real).st_mode))]
        entries = [ManifestEntry(path, "dir", mode=stat.S_IMODE(os.lstat(real).st_mode))]
        if not os.path.isdir(real):
            return [ManifestEntry(path, "other")]
        for name in sorted(os.listdir(real)):
            entries.extend(self._manifest(path.rstrip("/") + "/" + name))
        return entries

    def restore_path(self, archive_bytes: bytes, path: str, displaced: str) -> None:
        """Put `path` back exactly as the (already verified) archive holds it: extract it beside the
        live path on the same filesystem, then swap it in with renames. What is there now is
        moved aside first (put back if the swap fails) and then kept at `displaced` (a target
        path in the run directory): what changed after the apply is never lost."""
        real = self.host_path(path, follow=False)
        parent = os.path.dirname(real)
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".acme-wizard-restore.", dir=parent)
        aside = staging + ".old"
        try:
            extract_one(archive_bytes, path, staging)
            had_live = os.path.lexists(real)
            if had_live:
                os.rename(real, aside)
            try:
                os.rename(os.path.join(staging, "payload"), real)
            except BaseException:
                if had_live:
                    os.rename(aside, real)
                raise
            if had_live:
                self.move(aside[len(self.root.rstrip("/")):] if self.root != "/" else aside, displaced)
        finally:
            _remove_host(staging)

    def sha256(self, path: str) -> str:
        return _sha256(self.host_path(path, follow=False))

    def sweep_temporaries(self, directory: str) -> list[str]:
        """Remove what a killed write or restore left in `directory` (this tool's own temporary
        names only: a half-written .acme-wizard.XXXXXXXX, a restore's staging directory)."""
        real = self.host_path(directory)
        removed: list[str] = []
        try:
            names = os.listdir(real)
        except OSError:
            return removed
        for name in names:
            if TEMPORARY.fullmatch(name):
                _remove_host(os.path.join(real, name))
                removed.append(directory.rstrip("/") + "/" + name)
        return removed

    def create_exclusive(self, path: str, data: bytes) -> bool:
        real = self.host_path(path, follow=False)
        os.makedirs(os.path.dirname(real), exist_ok=True)
        try:
            handle = os.open(real, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return True

    # --- commands -----------------------------------------------------------------------------

    def run(self, argv: list[str], on_output: Callable[[str], None], env: dict[str, str] | None = None,
            timeout: float | None = None, job: str | None = None) -> int:
        """Run argv (never through a shell), streaming merged stdout/stderr lines to on_output.
        (job: where a remote target keeps a detached job; here the command simply runs.)"""
        if not self.allow_commands:
            raise CommandsNotAllowed(_("commands cannot run inside a root prefix ({root}); run apply on the "
                                       "live system for this step", root=self.shown_root))
        argv = list(argv)
        if self.root != "/" and argv:
            argv[0] = self._program_in_tree(argv[0])
        process: subprocess.Popen[bytes] | None = None
        try:          # a Ctrl-C that lands right after the start still stops the command it started
            process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
                                       start_new_session=True)
            self._children.append(process)
            assert process.stdout is not None
            for raw in process.stdout:
                on_output(raw.decode("utf-8", "replace").rstrip("\n"))
            code = process.wait(timeout=timeout)
        except BaseException:
            if process is not None:
                stop_process(process)
            raise
        finally:
            if process in self._children:
                self._children.remove(process)
        if self._interrupted:
            raise KeyboardInterrupt        # interrupt() from another thread: the step is journalled as such
        return code

    def _program_in_tree(self, program: str) -> str:
        """The program a command under a root prefix runs: inside the tree, or a lab's stub; never the
        workstation's own certbot or package manager (raises FileNotFoundError)."""
        if "/" in program:
            candidates = [self.host_path(program)]
        else:
            candidates = [self.host_path(posixpath.join(d, program)) for d in TREE_PATH]
            stubs = (self.stand_ins or "") if self.demo else os.environ.get("ACME_WIZARD_STUB_PATH", "")
            candidates += [os.path.join(d, program) for d in stubs.split(":") if d]
        for candidate in candidates:
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                if self.demo and not _is_stand_in(candidate):
                    raise FileNotFoundError(errno.ENOENT, _("the demo runs its stand-in programs only"), program)
                return candidate
        raise FileNotFoundError(errno.ENOENT, _("not found inside {root}", root=self.shown_root), program)

    def interrupt(self) -> None:
        """Stop running commands from another thread (the TUI's quit); run() then raises KeyboardInterrupt."""
        self._interrupted = True
        for process in list(self._children):
            stop_process(process)

    def job_state(self, job: str) -> tuple[JobState, int | None]:
        return "absent", None        # commands here run attached: none outlives the run that started it

    def follow(self, job: str, on_output: Callable[[str], None]) -> int:
        raise JobLost(_("no detached job {job} on this machine", job=job))


def _is_stand_in(real: str) -> bool:
    with open(real, "rb") as handle:
        return handle.read(len(STAND_IN_MARK)) == STAND_IN_MARK


def _remove_host(real: str) -> None:
    """Remove a host path (a symlink itself, never what it points to)."""
    if os.path.isdir(real) and not os.path.islink(real):
        shutil.rmtree(real)
    elif os.path.lexists(real):
        os.unlink(real)


def _private_dir_problem(real: str) -> str | None:
    info = os.lstat(real)
    return private_dir.problem(info.st_mode, info.st_uid, os.geteuid())


def _sha256(real_path: str) -> str:
    digest = hashlib.sha256()
    with open(real_path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()

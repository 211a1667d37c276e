"""How the wizard reaches a system: this machine under a root prefix (later also a host over ssh).

A target runs argv commands and, most importantly, the probe script. Nothing above this layer
knows which kind of target it has.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import tarfile
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

from wizard.i18n import _

DEFAULT_CONFIG_DIR = "/etc/letsencrypt"
DEFAULT_LOGS_DIR = "/var/log/letsencrypt"


class TargetError(Exception):
    """The target could not be inspected at all (exit code 3)."""


class CommandsNotAllowed(Exception):
    """Command steps cannot run on this target (a root prefix is not a running system)."""


@dataclass
class ManifestEntry:
    path: str                 # a path on the target
    kind: str                 # file, dir, link, absent
    sha256: str = ""
    mode: int = 0
    link: str = ""

    def line(self) -> str:
        if self.kind == "file":
            return f"{self.sha256}  {self.path}"
        return f"# {self.kind} {self.path}" + (f" -> {self.link}" if self.link else "")


@dataclass
class ScriptRun:
    """A running shell script: stream its stdout lines, then call finish()."""

    process: subprocess.Popen
    _stderr_chunks: list[bytes]
    _stderr_thread: threading.Thread

    def lines(self) -> Iterator[bytes]:
        assert self.process.stdout is not None
        yield from self.process.stdout

    def finish(self) -> tuple[int, bytes]:
        returncode = self.process.wait()
        self._stderr_thread.join()
        return returncode, b"".join(self._stderr_chunks)


def start_script(argv: list[str], script: bytes) -> ScriptRun:
    """Start argv (a shell reading its script on stdin) and feed it the script."""
    process = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    chunks: list[bytes] = []

    def drain_stderr() -> None:   # stderr is read aside so a chatty script cannot block stdout
        assert process.stderr is not None
        for chunk in iter(lambda: process.stderr.read(65536), b""):
            chunks.append(chunk)

    thread = threading.Thread(target=drain_stderr, daemon=True)
    thread.start()
    assert process.stdin is not None
    try:
        process.stdin.write(script)
        process.stdin.close()
    except BrokenPipeError:
        pass
    return ScriptRun(process, chunks, thread)


class Target(Protocol):
    root: str
    host: str | None
    config_dir: str
    logs_dir: str

    def describe(self) -> str: ...

    def start_shell_script(self, script: bytes, args: list[str]) -> ScriptRun: ...


@dataclass
class LocalTarget:
    """This machine, seen through a root prefix ('/' for the live system).

    Command steps run only on the live system ('/'), unless ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT=1
    (labs and tests): then a program named by an absolute path runs from inside the root.
    """

    root: str = "/"
    config_dir: str = DEFAULT_CONFIG_DIR
    logs_dir: str = DEFAULT_LOGS_DIR
    host: str | None = None
    allow_commands: bool | None = None
    demo: bool = False              # the bundled demo tree: shown as "/", its temp path never printed
    _children: list = field(default_factory=list, repr=False)
    _interrupted: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.root = os.path.abspath(self.root)
        if not os.path.isdir(self.root):
            reason = _("no such directory") if not os.path.exists(self.root) else _("not a directory")
            raise TargetError(_("Cannot inspect {path}: {reason}", path=self.root, reason=reason))
        if self.demo:
            self.allow_commands = False          # the demo previews; its programs are placeholders
        elif self.allow_commands is None:
            self.allow_commands = self.root == "/" or os.environ.get("ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT") == "1"

    def describe(self) -> str:
        return _("this machine") if self.root == "/" else self.root

    @property
    def is_live(self) -> bool:
        return self.root == "/"

    @property
    def shown_root(self) -> str:
        """The root as messages name it: never the demo's temporary tree."""
        return _("the demo host") if self.demo else self.root

    def start_shell_script(self, script: bytes, args: list[str]) -> ScriptRun:
        return start_script(["sh", "-s", "--", *args], script)

    def probe_args(self) -> list[str]:
        return ["" if self.root == "/" else self.root, self.config_dir, self.logs_dir]

    # --- files --------------------------------------------------------------------------------

    def host_path(self, path: str) -> str:
        return path if self.root == "/" else os.path.join(self.root, path.lstrip("/"))

    def exists(self, path: str) -> bool:
        return os.path.lexists(self.host_path(path))

    def read_bytes(self, path: str) -> bytes:
        with open(self.host_path(path), "rb") as handle:
            return handle.read()

    def write_bytes(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Replace a file atomically, keeping its mode and owner (a new file gets `mode`)."""
        real = self.host_path(path)
        directory = os.path.dirname(real)
        os.makedirs(directory, exist_ok=True)
        try:
            info = os.stat(real)
        except FileNotFoundError:
            info = None
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
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def append_line(self, path: str, line: str) -> None:
        real = self.host_path(path)
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(os.open(real, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a", encoding="utf-8") as handle:
            handle.write(line.rstrip("\n") + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def make_private_dir(self, path: str) -> None:
        real = self.host_path(path)
        os.makedirs(real, mode=0o700, exist_ok=True)
        os.chmod(real, 0o700)

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self.host_path(path)))
        except OSError:
            return []

    def remove(self, path: str) -> None:
        real = self.host_path(path)
        if os.path.isdir(real) and not os.path.islink(real):
            shutil.rmtree(real)
        elif os.path.lexists(real):
            os.unlink(real)

    def move(self, source: str, destination: str) -> None:
        real_destination = self.host_path(destination)
        os.makedirs(os.path.dirname(real_destination), exist_ok=True)
        shutil.move(self.host_path(source), real_destination)

    # --- backups ------------------------------------------------------------------------------

    def backup(self, paths: list[str], tarball: str) -> list[ManifestEntry]:
        """Archive paths (target paths) into tarball (a target path); return the manifest."""
        entries: list[ManifestEntry] = []
        real_tarball = self.host_path(tarball)
        with tarfile.open(real_tarball, "w:gz") as archive:
            os.chmod(real_tarball, 0o600)
            for path in paths:
                real = self.host_path(path)
                if not os.path.lexists(real):
                    entries.append(ManifestEntry(path, "absent"))
                    continue
                archive.add(real, arcname=path.lstrip("/"), recursive=True)
                entries.extend(self._manifest(path))
        return entries

    def _manifest(self, path: str) -> list[ManifestEntry]:
        real = self.host_path(path)
        if os.path.islink(real):
            return [ManifestEntry(path, "link", link=os.readlink(real))]
        if os.path.isfile(real):
            return [ManifestEntry(path, "file", _sha256(real), stat.S_IMODE(os.lstat(real).st_mode))]
        entries = [ManifestEntry(path, "dir", mode=stat.S_IMODE(os.lstat(real).st_mode))]
        for name in sorted(os.listdir(real)):
            entries.extend(self._manifest(path.rstrip("/") + "/" + name))
        return entries

    def restore(self, tarball: str, paths: list[str]) -> None:
        """Put paths back exactly as the tarball holds them (what is there now is removed first)."""
        for path in paths:
            self.remove(path)
        with tarfile.open(self.host_path(tarball), "r:gz") as archive:
            wanted = [m for m in archive.getmembers()
                      if any(("/" + m.name) == p or ("/" + m.name).startswith(p.rstrip("/") + "/") for p in paths)]
            for member in wanted:
                # Our own archive, kept in a 0700 run directory: extract modes and links exactly.
                archive.extract(member, path=self.root, set_attrs=True, numeric_owner=True,
                                **({"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}))
            for member in wanted:        # directories' times and modes after their content is back
                if member.isdir():
                    os.chmod(self.host_path("/" + member.name), member.mode)
                    os.utime(self.host_path("/" + member.name), (member.mtime, member.mtime))

    def sha256(self, path: str) -> str:
        return _sha256(self.host_path(path))

    # --- commands -----------------------------------------------------------------------------

    def create_exclusive(self, path: str, data: bytes) -> bool:
        real = self.host_path(path)
        os.makedirs(os.path.dirname(real), exist_ok=True)
        try:
            handle = os.open(real, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return True

    def run(self, argv: list[str], on_output: Callable[[str], None], env: dict | None = None,
            timeout: float | None = None, job: str | None = None) -> int:
        """Run argv (never through a shell), streaming merged stdout/stderr lines to on_output.
        (job: where a remote target keeps a detached job; here the command simply runs.)"""
        if not self.allow_commands:
            raise CommandsNotAllowed(_("commands cannot run inside a root prefix ({root}); run apply on the "
                                       "live system for this step", root=self.shown_root))
        argv = list(argv)
        if self.root != "/" and argv and argv[0].startswith("/") and os.path.exists(self.host_path(argv[0])):
            argv[0] = self.host_path(argv[0])
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
        self._children.append(process)
        try:
            assert process.stdout is not None
            for raw in process.stdout:
                on_output(raw.decode("utf-8", "replace").rstrip("\n"))
            code = process.wait(timeout=timeout)
        except BaseException:
            _stop(process)
            raise
        finally:
            self._children.remove(process)
        if self._interrupted:
            raise KeyboardInterrupt        # interrupt() from another thread: the step is journalled as such
        return code

    def interrupt(self) -> None:
        """Stop running commands from another thread (the TUI's quit); run() then raises KeyboardInterrupt."""
        self._interrupted = True
        for process in list(self._children):
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop a command and its children (it runs in its own session)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def _sha256(real_path: str) -> str:
    digest = hashlib.sha256()
    with open(real_path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()

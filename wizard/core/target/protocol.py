"""The one interface every part of the wizard uses to reach a system: `Target`.

Two kinds implement it in full: `LocalTarget` (this machine, under a root prefix) and `SshTarget`
(a host over the system ssh client, nothing installed there). Nothing above this layer knows which
kind it holds, and nothing asks (no hasattr): what only one kind can do is a method of both, with
the other's honest answer (a local target has no detached jobs, no sudo problem).

Paths are target paths ('/etc/letsencrypt/cli.ini'), resolved inside the root at the moment they
are used, so no symlink in the tree leads a read or a write outside it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Literal, Protocol

from wizard.core.target.process import ScriptRun

# The names this tool gives its temporary files beside a live path (mkstemp/mkdtemp and the remote
# mktemp: 8 characters), which a run killed mid-write may leave behind and the next run sweeps.
TEMPORARY = re.compile(r"\.acme-wizard(?:\.[a-z0-9_]{8}|-restore\.[a-z0-9_]{8})")

JobState = Literal["absent", "running", "done", "lost"]


def commands_allowed(is_live: bool) -> bool:
    """Command steps run on a running system; in a tree under a root prefix only in labs and tests
    (ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT=1: only programs inside the tree run, see LocalTarget)."""
    return is_live or os.environ.get("ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT") == "1"
Emit = Callable[[str], None]           # where a command's output lines go, one at a time


@dataclass
class ManifestEntry:
    """One path of a backup, as the manifest records it."""

    path: str                 # a path on the target
    kind: str                 # file, dir, link, absent, other
    sha256: str = ""
    mode: int = 0
    link: str = ""

    def line(self) -> str:
        if self.kind == "file":
            return f"{self.sha256}  {self.path}"
        return f"# {self.kind} {self.path}" + (f" -> {self.link}" if self.link else "")


class Target(Protocol):
    """A system the wizard inspects and changes."""

    root: str                   # the root prefix ('/' for the live system)
    config_dir: str             # certbot's config and logs dirs on the target
    logs_dir: str
    allow_commands: bool | None  # whether command steps may run here (decided when built)

    # --- what it is ---------------------------------------------------------------------------
    @property
    def host(self) -> str | None:
        """The [USER@]HOST[:PORT] of a remote target; None for this machine."""

    @property
    def demo(self) -> bool:
        """The bundled demo tree (its temporary path is never shown)."""

    @property
    def is_live(self) -> bool:
        """The running system itself, not a tree under a root prefix."""

    @property
    def shown_root(self) -> str:
        """The root as messages name it."""

    def shown_path(self, path: str) -> str:
        """A target path as the admin finds it from where they are: under the root prefix it lives in."""

    @property
    def privilege_error(self) -> str | None:
        """Why changes cannot be made as root here (a remote sudo that needs a password), or None."""

    def describe(self) -> str: ...

    def close(self) -> None:
        """Release the connection (nothing to do for this machine)."""

    # --- the probe ------------------------------------------------------------------------------
    def start_shell_script(self, script: bytes, args: list[str]) -> ScriptRun: ...

    def probe_args(self) -> list[str]: ...

    # --- files ----------------------------------------------------------------------------------
    def resolve(self, path: str, follow: bool = True) -> str:
        """The target path `path` leads to, symlinks followed inside the root."""

    def exists(self, path: str) -> bool: ...

    def is_link(self, path: str) -> bool: ...

    def read_bytes(self, path: str, limit: int | None = None, follow: bool = True) -> bytes:
        """A regular file's bytes (never a FIFO or device); OSError beyond `limit` bytes."""

    def write_bytes(self, path: str, data: bytes, mode: int = 0o644, follow: bool = True) -> None:
        """Replace a file atomically, keeping its mode and owner (a new file gets `mode`)."""

    def append_line(self, path: str, line: str) -> None: ...

    def create_exclusive(self, path: str, data: bytes) -> bool:
        """Create a file only if it does not exist yet; False when it does."""

    def make_private_dir(self, path: str) -> None:
        """Create a 0700 directory, or make sure an existing one is this user's own (else
        UntrustedStateError)."""

    def check_private_dir(self, path: str) -> None: ...

    def list_dir(self, path: str) -> list[str]: ...

    def remove(self, path: str) -> None: ...

    def move(self, source: str, destination: str) -> None: ...

    def sha256(self, path: str) -> str: ...

    def sweep_temporaries(self, directory: str) -> list[str]:
        """Remove this tool's own temporary names (TEMPORARY) that a killed run left in `directory`."""

    # --- backups ----------------------------------------------------------------------------
    def backup(self, paths: list[str], tarball: str) -> list[ManifestEntry]: ...

    def restore_path(self, archive_bytes: bytes, path: str, displaced: str) -> None:
        """Put `path` back as the verified archive holds it; what stood there goes to `displaced`."""

    # --- commands ---------------------------------------------------------------------------
    def run(self, argv: list[str], on_output: Callable[[str], None], env: dict[str, str] | None = None,
            timeout: float | None = None, job: str | None = None) -> int:
        """Run argv (never through a shell), streaming its output lines; its exit code.
        Raises CommandsNotAllowed where commands cannot run."""

    def job_state(self, job: str) -> tuple[JobState, int | None]:
        """How a detached job (a command of an interrupted run) stands, and its exit code if done."""

    def follow(self, job: str, on_output: Callable[[str], None]) -> int:
        """Stream a running or finished job's output; its exit code."""

    def interrupt(self) -> None:
        """Stop running commands from another thread; run() then raises KeyboardInterrupt."""

"""How the wizard reaches a system: this machine under a root prefix (later also a host over ssh).

A target runs argv commands and, most importantly, the probe script. Nothing above this layer
knows which kind of target it has.
"""
from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from typing import Iterator, Protocol

from wizard.i18n import _

DEFAULT_CONFIG_DIR = "/etc/letsencrypt"
DEFAULT_LOGS_DIR = "/var/log/letsencrypt"


class TargetError(Exception):
    """The target could not be inspected at all (exit code 3)."""


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
    """This machine, seen through a root prefix ('/' for the live system)."""

    root: str = "/"
    config_dir: str = DEFAULT_CONFIG_DIR
    logs_dir: str = DEFAULT_LOGS_DIR
    host: str | None = None

    def __post_init__(self) -> None:
        self.root = os.path.abspath(self.root)
        if not os.path.isdir(self.root):
            reason = _("no such directory") if not os.path.exists(self.root) else _("not a directory")
            raise TargetError(_("Cannot inspect {path}: {reason}", path=self.root, reason=reason))

    def describe(self) -> str:
        return _("this machine") if self.root == "/" else self.root

    def start_shell_script(self, script: bytes, args: list[str]) -> ScriptRun:
        return start_script(["sh", "-s", "--", *args], script)

    def probe_args(self) -> list[str]:
        return ["" if self.root == "/" else self.root, self.config_dir, self.logs_dir]

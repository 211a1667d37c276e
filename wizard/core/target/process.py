"""Local processes a target starts: the probe's shell (fed its script on stdin) and stopping a
command together with its children."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Callable


@dataclass
class ScriptRun:
    """A running shell script: stream its stdout lines, then call finish()."""

    process: subprocess.Popen[bytes]
    _stderr_chunks: list[bytes]
    _stderr_thread: threading.Thread
    on_bytes: Callable[[int], None] | None = field(default=None)   # counts what crosses an ssh link
    reader: Callable[[IO[bytes]], Iterator[bytes]] | None = field(default=None)   # unpacks a wrapped answer

    def lines(self) -> Iterator[bytes]:
        assert self.process.stdout is not None
        if self.reader is not None:
            yield from self.reader(self.process.stdout)
            return
        for line in self.process.stdout:
            if self.on_bytes is not None:
                self.on_bytes(len(line))
            yield line

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
    stderr = process.stderr
    assert stderr is not None

    def drain_stderr() -> None:   # stderr is read aside so a chatty script cannot block stdout
        for chunk in iter(lambda: stderr.read(65536), b""):
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


def stop_process(process: subprocess.Popen[bytes]) -> None:
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

import os
import shlex
import shutil
import subprocess
import sys
import uuid

import pytest

SNAPSHOT_PYTHON = (3, 11)      # SVG snapshots are generated and compared on this Python only


def pytest_configure(config):
    if config.getoption("--snapshot-update", default=False) and sys.version_info[:2] != SNAPSHOT_PYTHON:
        raise pytest.UsageError(f"update the TUI snapshots with Python {SNAPSHOT_PYTHON[0]}.{SNAPSHOT_PYTHON[1]} only")


@pytest.fixture
def tmux(tmp_path):
    assert shutil.which("tmux"), "tmux is installed by the test command"
    socket = f"acme-wizard-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"     # one server a test: no race with the last
    base = ["tmux", "-L", socket]

    def start(env: dict) -> tuple[list[str], str]:
        exit_file = str(tmp_path / "exit")
        command = ["env", *[f"{k}={v}" for k, v in env.items()], sys.executable, "-m", "wizard", "--demo"]
        script = " ".join(shlex.quote(c) for c in command) + f"; echo EXIT=$? > {exit_file}"
        subprocess.run(base + ["new-session", "-d", "-s", "w", "-x", "80", "-y", "24", "sh", "-c", script], check=True)
        subprocess.run(base + ["set-option", "-t", "w", "remain-on-exit", "on"], check=True)
        return base, exit_file

    yield start
    subprocess.run(base + ["kill-server"], capture_output=True)

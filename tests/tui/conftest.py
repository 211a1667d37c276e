import sys

import pytest

SNAPSHOT_PYTHON = (3, 11)      # SVG snapshots are generated and compared on this Python only


def pytest_configure(config):
    if config.getoption("--snapshot-update", default=False) and sys.version_info[:2] != SNAPSHOT_PYTHON:
        raise pytest.UsageError(f"update the TUI snapshots with Python {SNAPSHOT_PYTHON[0]}.{SNAPSHOT_PYTHON[1]} only")

"""`acme-wizard probe-script`: the POSIX sh probe, for hosts the workstation cannot reach."""
from __future__ import annotations

import argparse
import sys

from wizard.core.errors import ExitCode
from wizard.core.probe.run import probe_script


def run(args: argparse.Namespace) -> ExitCode:
    sys.stdout.buffer.write(probe_script())
    return ExitCode.OK

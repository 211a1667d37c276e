"""How long the demo's rehearsal takes: the rh-python36 plan carried out by the real apply engine
on a fresh demo tree with its stand-ins (the first attempt stops at the stand-in yum's timeout, the
second resumes and completes, verification included), against a baseline in the same process:
one probe and diagnosis of the same tree (what `check --demo` does). Medians of several runs.

    python3 benchmarks/demo_rehearsal.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wizard.core.analyse.diagnose import diagnose
from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Answers, Step
from wizard.core.probe.run import run_probe
from wizard.core.run.journal import StepRecord
from wizard.core.run.remediate import apply_and_verify
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host, stand_ins


class Yes:
    """Every step answered yes, its output counted."""

    def __init__(self) -> None:
        self.lines = 0

    def step_started(self, step: Step, index: int, total: int) -> None:
        pass

    def output(self, step: Step, line: str) -> None:
        self.lines += 1

    def step_finished(self, step: Step, record: StepRecord) -> None:
        pass

    def confirm(self, step: Step) -> str:
        return "yes"


def one_run() -> tuple[float, float, list[str], int]:
    base = tempfile.mkdtemp(prefix="acme-wizard-bench-demo-")
    try:
        root = build_demo_host(os.path.join(base, "host"))
        target = LocalTarget(root, demo=True, stand_ins=stand_ins.install(root))
        started = time.perf_counter()
        diagnosis = diagnose(run_probe(target))
        probed = time.perf_counter() - started
        plan = build_plan(diagnosis, Answers(client="rh-python36"))
        events = Yes()
        started = time.perf_counter()
        statuses = [apply_and_verify(target, plan, diagnosis, "/var/lib/acme-wizard", events).status for _ in (1, 2)]
        return probed, time.perf_counter() - started, statuses, events.lines
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = [one_run() for _ in range(parser.parse_args().runs)]
    probe = statistics.median(r[0] for r in runs)
    rehearsal = statistics.median(r[1] for r in runs)
    print(f"probe + diagnosis of the demo tree (baseline): {probe * 1000:.0f} ms")
    print(f"rehearsal, both attempts and the verification: {rehearsal * 1000:.0f} ms = {rehearsal / probe:.1f}x the "
          f"baseline; outcomes {runs[0][2]}, {runs[0][3]} output lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long does each era of the real-client matrix take (issue 14), and how long would CI wait?

Builds every era of tests/e2e/eras.py (and the seed's whole remediation) the way the test suite
does, three at a time, and prints per era: the build (virtualenv + pip from PyPI), the real
client's run against pebble, and `acme-wizard check` on the tree it left. With --cold, pip starts
from empty caches (E2E_PIP_CACHE in a fresh directory), as on a fresh machine; the baseline is the
same build with this machine's caches warm, in this process.

    python3 benchmarks/era_matrix.py [--cold] [--workers 3]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.e2e import eras  # the repository root first: tests/ is not installed


def timed_matrix(workers: int, cold: bool) -> tuple[float, dict[str, eras.Era]]:
    base = tempfile.mkdtemp(prefix="era-bench-")
    saved = os.environ.get("E2E_PIP_CACHE")
    if cold:
        os.environ["E2E_PIP_CACHE"] = os.path.join(base, "empty-pip-cache")
    try:
        started = time.monotonic()
        made = eras.make_all(base, eras.ERAS, workers=workers)
        made.update(eras.make_all(base + "-seed", [eras.SEED], workers=1))     # --le: alone
        elapsed = time.monotonic() - started
        for era in made.values():
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "wizard", "check", "--root", era.root, "--json"],
                           capture_output=True, timeout=120)
            era.seconds["check"] = time.monotonic() - started
        return elapsed, made
    finally:
        os.environ.pop("E2E_PIP_CACHE", None)
        if saved is not None:
            os.environ["E2E_PIP_CACHE"] = saved
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(base + "-seed", ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="bypass pip's cache, as a fresh machine would")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    warm_total, warm = timed_matrix(args.workers, cold=False)
    runs = [("warm", warm_total, warm)]
    if args.cold:
        cold_total, cold = timed_matrix(args.workers, cold=True)
        runs.append(("cold", cold_total, cold))
    print(f"{'era':26} " + " ".join(f"{label + ' ' + step:>12}" for label, _t, _m in runs
                                      for step in ("build", "run", "check")))
    for name in warm:
        cells = [f"{made[name].seconds.get(step, 0):11.1f}s" + ("!" if made[name].failed else " ")
                 for _label, _total, made in runs for step in ("build", "run", "check")]
        print(f"{name:26} " + " ".join(cells))
    for label, total, made in runs:
        print(f"{label}: {len(made)} eras in {total:.1f} s wall clock ({args.workers} at a time)")
    if args.cold:
        print(f"cold / warm: {runs[1][1] / runs[0][1]:.2f}x")
    failed = [era.failed for _label, _total, made in runs for era in made.values() if era.failed]
    for failure in failed:
        print(failure, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

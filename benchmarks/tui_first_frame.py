"""Time from launching `acme-wizard --demo` in a real terminal (tmux, 80×24) to its first frame
and to the overview with the verdict, read with capture-pane. Median of several runs.

    python3 benchmarks/tui_first_frame.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def one_run(socket: str) -> tuple[float, float]:
    base = ["tmux", "-L", socket]
    started = time.perf_counter()
    subprocess.run(base + ["new-session", "-d", "-s", "b", "-x", "80", "-y", "24",
                           "env", "TERM=xterm", sys.executable, "-m", "wizard", "--demo"], check=True)
    first = overview = None
    deadline = started + 30
    while time.perf_counter() < deadline and overview is None:
        screen = subprocess.run(base + ["capture-pane", "-t", "b", "-p"], capture_output=True, text=True).stdout
        now = time.perf_counter()
        if first is None and "acme-wizard" in screen:
            first = now - started
        if "Verdict" in screen:
            overview = now - started
        time.sleep(0.005)
    subprocess.run(base + ["kill-server"], capture_output=True)
    if first is None or overview is None:
        raise SystemExit("the wizard never drew its overview")
    return first, overview


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    socket = f"acme-wizard-bench-{os.getpid()}"
    results = [one_run(f"{socket}-{n}") for n in range(args.runs)]     # a fresh tmux server each run
    firsts, overviews = [r[0] for r in results], [r[1] for r in results]
    print(f"runs: {args.runs}")
    print(f"first frame      median {statistics.median(firsts) * 1000:7.0f} ms  (min {min(firsts) * 1000:.0f}, max {max(firsts) * 1000:.0f})")
    print(f"overview+verdict median {statistics.median(overviews) * 1000:7.0f} ms  (min {min(overviews) * 1000:.0f}, max {max(overviews) * 1000:.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

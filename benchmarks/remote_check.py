"""`check --host` over SSH next to a local `check` on the same tree, and the bytes that crossed the link.

A throwaway sshd on 127.0.0.1 (tests/e2e/sshd.py) serves a synthetic host with 1,000 rotated
40 KB logs and 200 renewal confs; the remote side applies --root itself.

    python3 benchmarks/remote_check.py [--runs 5]
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.check_speed import build_host
from tests.e2e.sshd import SshServer
from wizard.core.probe.run import run_probe
from wizard.core.target.ssh import SshTarget


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="acme-wizard-bench-")
    server = SshServer()
    try:
        build_host(root, 1000, 200)
        on_disk = sum(os.path.getsize(p) for p in glob.glob(os.path.join(root, "var/log/letsencrypt/*")))
        local = median_seconds([sys.executable, "-m", "wizard", "check", "--root", root, "--json"], args.runs)
        remote = median_seconds([sys.executable, "-m", "wizard", "check", "--host", "wizard-test", "--ssh-config",
                                 server.config, "--root", root, "--json"], args.runs)
        target = SshTarget("wizard-test", root, ssh_config=server.config)
        target.connect()
        run_probe(target)
        target.close()
        print(f"host: 1000 logs ({on_disk / 1e6:.1f} MB on the target), 200 renewal confs; median of {args.runs}")
        print(f"local  check --json            {local * 1000:7.0f} ms")
        print(f"remote check --host --json     {remote * 1000:7.0f} ms   ({remote / local:.2f}x local, ssh connect included)")
        print(f"bytes over the link: {target.bytes_sent:,} sent (the probe script and commands), "
              f"{target.bytes_received:,} received ({target.bytes_received / on_disk * 100:.1f}% of the logs' size)")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

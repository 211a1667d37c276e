"""How fast is `acme-wizard check` next to a bare grep over the same logs?

Builds a synthetic host with 1,000 rotated ~40 KB certbot logs and 200 renewal confs, then times
(median of several runs, in this one process) `acme-wizard check --json` against
`grep -c 'request to'` over the same log files, and reports the peak memory of the check. With --gz
the rotated logs are gzipped, as logrotate's `compress` leaves them, and the yardstick is one
`gzip -dcf FILES | grep -c` pass. Every command's output goes to a file: GNU grep writing to
/dev/null stops at its first match and would make the yardstick too fast.

    python3 benchmarks/check_speed.py [--logs 1000] [--confs 200] [--runs 5] [--gz]
"""
from __future__ import annotations

import argparse
import datetime
import glob
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from wizard.demo.hostkit import V2, HostTree, Run

LOG_TARGET_BYTES = 40 * 1024


def build_host(root: str, logs: int, confs: int, gz: bool = False) -> None:
    tree = HostTree(root)
    tree.os_release(pretty_name="Ubuntu 18.04.6 LTS", id="ubuntu", version_id="18.04")
    tree.certbot_auto("/usr/local/bin/certbot-auto", "1.14.0")
    tree.venv("/opt/eff.org/certbot/venv", "3.6", "1.14.0", egg=False)
    tree.file("/etc/crontab", "0 */12 * * * root /usr/local/bin/certbot-auto renew -q\n")
    for index in range(confs):
        tree.renewal_conf(f"site{index:03d}.example.com", version="1.14.0", server=V2)
    start = datetime.datetime(2024, 1, 1)
    for index in range(logs):
        run = Run("1.14.0", start - datetime.timedelta(hours=12 * index), ["renew", "-q"], server=V2,
                  entry_point="/opt/eff.org/certbot/venv/bin/letsencrypt", urllib3="1.26.5")
        text = run.render()
        filler = _filler(run.started)
        while len(text) < LOG_TARGET_BYTES:
            text += filler
        name = "letsencrypt.log" if index == 0 else f"letsencrypt.log.{index}"
        if gz and index:
            tree.file(f"/var/log/letsencrypt/{name}.gz", gzip.compress(text[:LOG_TARGET_BYTES].encode(), mtime=0))
        else:
            tree.file(f"/var/log/letsencrypt/{name}", text[:LOG_TARGET_BYTES])


def _filler(when: datetime.datetime) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,123")
    return (f"{stamp}:DEBUG:certbot._internal.storage:Should renew, less than 30 days before certificate expiry "
            f"2024-02-01 00:00:00 UTC.\n"
            f"{stamp}:DEBUG:acme.client:Received response:\nHTTP 200\nServer: nginx\nContent-Type: "
            f"application/json\nReplay-Nonce: 0002bKQm6wGgtdRqW7TNkr2IZ9jPdKQbNRdbpZhrMDhw\n\n"
            '{\n  "status": "valid",\n  "expires": "2024-01-08T00:00:00Z",\n  "identifier": {"type": "dns", '
            '"value": "site001.example.com"}\n}\n'
            f"{stamp}:DEBUG:acme.client:Storing nonce: 0002bKQm6wGgtdRqW7TNkr2IZ9jPdKQbNRdbpZhrMDhw\n")


def timed(argv: list[str], runs: int) -> tuple[float, int, int]:
    """Median wall seconds, peak RSS (KiB) of the command and of its children, exit code. Output
    goes to a real file (not /dev/null, where GNU grep stops at the first match)."""
    times, peak = [], 0
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        with tempfile.TemporaryFile() as output:
            process = subprocess.Popen(argv, stdout=output, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - started)
        peak = max(peak, usage.ru_maxrss)
        code = os.waitstatus_to_exitcode(status)
    return statistics.median(times), peak, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=1000)
    parser.add_argument("--confs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gz", action="store_true", help="rotated logs gzipped, as logrotate's compress leaves them")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="acme-wizard-bench-")
    try:
        build_host(root, args.logs, args.confs, args.gz)
        logs = sorted(glob.glob(os.path.join(root, "var/log/letsencrypt/letsencrypt.log*")))
        size = sum(os.path.getsize(p) for p in logs)
        yardstick = ["sh", "-c", 'gzip -dcf "$@" | grep -c "request to"', "sh", *logs] if args.gz else \
            ["grep", "-c", "request to", *logs]
        grep_s, grep_kib, _ = timed(yardstick, args.runs)
        check_s, check_kib, code = timed([sys.executable, "-m", "wizard", "check", "--root", root, "--json"], args.runs)
        kind = "logs, rotated ones gzipped" if args.gz else "logs"
        print(f"host: {len(logs)} {kind} ({size / 1e6:.1f} MB), {args.confs} renewal confs; median of {args.runs} runs")
        name = "gzip -dcf | grep -c" if args.gz else "grep -c 'request to'"
        print(f"{name:25} {grep_s * 1000:8.1f} ms   peak RSS {grep_kib / 1024:6.1f} MiB")
        print(f"acme-wizard check --json  {check_s * 1000:8.1f} ms   peak RSS {check_kib / 1024:6.1f} MiB   (exit {code})")
        print(f"ratio check/grep: {check_s / grep_s:.1f}x")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

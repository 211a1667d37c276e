"""Inputs built to be slow: does every parser stay linear?

For each adversarial input (a 150 KB e-mail whose Client IP value is one long run of digits, long
runs for the redactor, a cron line of thousands of quoted words, a .gz log that expands to tens of
MB of matching lines) the wizard's time is measured at size n and 4n, next to a baseline that
reads the same bytes once in this process (a compiled literal search, or `zcat | grep -c` for the
log). Linear code grows about 4x from n to 4n; quadratic code about 16x.

    python3 benchmarks/adversarial.py [--size 150000]
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from wizard.core.readers.email_notice import EmailError, read_email
from wizard.core.readers.schedule import split_words
from wizard.core.report.redact import Redactor
from wizard.demo.hostkit import HostTree

BUDGET_SECONDS = 2.0


def _email(size: int) -> bytes:
    return (b"Subject: Update your client software\n\nHostname: example.com\nClient IP address: "
            + b"1" * size + b"\n")


def _parse_email(data: bytes) -> None:
    try:
        read_email("mail.eml", data)
    except EmailError:
        pass


CASES = [
    ("e-mail, Client IP of n digits", _email, _parse_email),
    ("redact, n digits", lambda n: "1" * n, lambda text: Redactor([]).text(text)),
    ("redact, 'a.' * n/2", lambda n: "a." * (n // 2), lambda text: Redactor([]).text(text)),
    ("redact, 'a:' * n/2", lambda n: "a:" * (n // 2), lambda text: Redactor([]).text(text)),
    ("redact, n chars then '@'", lambda n: "x" * n + "@", lambda text: Redactor([]).text(text)),
    ("cron line, n/6 quoted words", lambda n: "certbot renew " + "'a b' " * (n // 6), split_words),
]


def _seconds(function, argument) -> float:
    started = time.perf_counter()
    function(argument)
    return time.perf_counter() - started


def _baseline(data) -> float:
    text = data if isinstance(data, str) else data.decode("latin-1")
    pattern = re.compile("ZZZ-not-there")
    started = time.perf_counter()
    pattern.search(text)
    return max(time.perf_counter() - started, 1e-6)


def gzip_bomb(lines: int) -> tuple[float, float]:
    """`check --root` on a host whose one .gz log expands to `lines` matching lines; and zcat | grep -c."""
    with tempfile.TemporaryDirectory(prefix="acme-wizard-bench-") as root:
        HostTree(root).os_release(pretty_name="Debian GNU/Linux 12 (bookworm)", id="debian", version_id="12")
        log = os.path.join(root, "var/log/letsencrypt/letsencrypt.log.1.gz")
        os.makedirs(os.path.dirname(log))
        line = (b"2026-01-01 00:00:00,000:DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): "
                b"acme-v02.api.letsencrypt.org:443\n")
        with gzip.open(log, "wb", compresslevel=9) as out:
            for _ in range(lines // 10_000):
                out.write(line * 10_000)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "wizard", "check", "--root", root, "--json"], capture_output=True)
        wizard = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(["sh", "-c", 'gzip -dc "$1" | grep -c Starting', "sh", log], capture_output=True)
        return wizard, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=150_000)
    args = parser.parse_args()
    worst = 0.0
    print(f"{'input':34} {'n':>8} {'time n':>9} {'time 4n':>9} {'growth':>7} {'x baseline':>11}")
    for name, make, function in CASES:
        small, large = make(args.size), make(4 * args.size)
        t1, t4 = _seconds(function, small), _seconds(function, large)
        worst = max(worst, t4)
        print(f"{name:34} {args.size:>8} {t1:>8.3f}s {t4:>8.3f}s {t4 / max(t1, 1e-6):>6.1f}x "
              f"{t4 / _baseline(large):>10.0f}x")
    for lines in (100_000, 400_000):
        wizard, grep = gzip_bomb(lines)
        worst = max(worst, wizard)
        print(f"{'.gz log, n matching lines':34} {lines:>8} {wizard:>8.3f}s {'':>9} {'':>7} {wizard / grep:>10.1f}x "
              f"(zcat | grep -c: {grep:.3f}s)")
    verdict = "within" if worst <= BUDGET_SECONDS * 5 else "OVER"
    print(f"slowest: {worst:.3f}s ({verdict} the budget of {BUDGET_SECONDS * 5:.0f}s for a 4n input)")
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    sys.exit(main())

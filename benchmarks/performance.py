"""Issue 15's goals, measured: every host shape, the tool next to its yardstick in the same run.

Each shape is built once (kept under --work between runs), then the tool and its yardstick are run
in turns, several times, and the medians compared. Every command writes to a real file: GNU grep
writing to /dev/null stops at its first match and would make the yardstick too fast. Peak RSS is
the largest process of the command's tree (wait4).

    python3 benchmarks/performance.py [--runs 5] [--work DIR] [--only plain,gz,...] [--source CHECKOUT]

--source runs `python -m wizard` from another checkout (PYTHONPATH), for before/after figures.
Shapes: plain, gz, logs10k, lineages, single_line, many_runs, remote, startup, tui.
"""
from __future__ import annotations

import argparse
import datetime
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.check_speed import _filler, build_host
from wizard.demo.hostkit import V2, HostTree, Run

GB = 1 << 30
LOGS = "var/log/letsencrypt"


@dataclass
class Timing:
    seconds: float
    peak_mib: float
    code: int


def timed(argv: list[str], env: dict[str, str] | None = None) -> Timing:
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    return Timing(time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))


def pair(tool: list[str], yardstick: list[str], runs: int, env: dict[str, str]) -> tuple[Timing, Timing]:
    """Medians of the tool and its yardstick, run in turns; the tool's peak is the largest seen."""
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(timed(tool, env))
        theirs.append(timed(yardstick))
    return _median(ours), _median(theirs)


def _median(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.seconds for t in timings), max(t.peak_mib for t in timings),
                  max(t.code for t in timings))


# --- the host shapes -------------------------------------------------------------------------------

def build_once(work: str, name: str, build: Callable[[str], None]) -> str:
    root = os.path.join(work, name)
    if not os.path.exists(os.path.join(root, ".built")):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        build(root)
        open(os.path.join(root, ".built"), "w").close()
    return root


def build_one_log(root: str, single_line: bool) -> None:
    """One letsencrypt.log of 1 GB: a single line, or 26,000 runs of a certbot that never rotates."""
    tree = HostTree(root)
    tree.os_release(pretty_name="Ubuntu 18.04.6 LTS", id="ubuntu", version_id="18.04")
    tree.file("/etc/crontab", "0 */12 * * * root certbot renew -q\n")
    os.makedirs(os.path.join(root, LOGS), exist_ok=True)
    with open(os.path.join(root, LOGS, "letsencrypt.log"), "w") as out:
        start = datetime.datetime(2000, 1, 1)
        if single_line:
            out.write(Run("1.14.0", start, ["renew"], server=V2, entry_point="/usr/bin/certbot").render())
            block = "x" * (1 << 20)
            for _ in range(1024):
                out.write(block)
            out.write("\n")
            return
        written, index = 0, 0
        while written < GB:
            run = Run("1.14.0", start + datetime.timedelta(hours=4 * index), ["renew", "-q"], server=V2,
                      entry_point="/usr/bin/certbot", urllib3="1.26.5")
            text, filler = run.render(), _filler(run.started)
            while len(text) < 40 * 1024:
                text += filler
            out.write(text)
            written += len(text)
            index += 1


def build_lineages(root: str, count: int = 200) -> None:
    """`count` real lineages (openssl certificates, the layout certbot writes), all VALID to certbot."""
    tree = HostTree(root)
    tree.os_release(pretty_name="Debian GNU/Linux 12 (bookworm)", id="debian", version_id="12")
    config = os.path.join(root, "etc/letsencrypt")
    key = os.path.join(root, "key.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
                   check=True, capture_output=True)
    for index in range(count):
        name = f"site{index:03d}.example.com"
        archive, live = os.path.join(config, "archive", name), os.path.join(config, "live", name)
        os.makedirs(archive)
        os.makedirs(live)
        cert = os.path.join(archive, "cert1.pem")
        subprocess.run(["openssl", "req", "-x509", "-key", key, "-out", cert, "-days", "80", "-subj", f"/CN={name}",
                        "-addext", f"subjectAltName=DNS:{name}"], check=True, capture_output=True)
        pem = open(cert).read()
        for part, text in (("chain1.pem", pem), ("fullchain1.pem", pem + pem), ("privkey1.pem", open(key).read())):
            with open(os.path.join(archive, part), "w") as handle:
                handle.write(text)
        for part in ("cert", "chain", "fullchain", "privkey"):
            os.symlink(f"../../archive/{name}/{part}1.pem", os.path.join(live, f"{part}.pem"))
        paths = "".join(f"{part} = {live}/{part}.pem\n" for part in ("cert", "privkey", "chain", "fullchain"))
        tree.file(f"/etc/letsencrypt/renewal/{name}.conf",
                  f"version = 2.1.0\narchive_dir = {archive}\n{paths}\n[renewalparams]\naccount = 0123abcd\n"
                  f"authenticator = standalone\nserver = {V2}\n")


# --- the goals ----------------------------------------------------------------------------------------

def check(root: str, *more: str) -> list[str]:
    return [sys.executable, "-m", "wizard", "check", "--root", root, "--json", *more]


def logs_of(root: str) -> list[str]:
    return sorted(glob.glob(os.path.join(root, LOGS, "letsencrypt.log*")))


def grep_yardstick(root: str) -> list[str]:
    return ["grep", "-c", "request to", *logs_of(root)]


def row(name: str, ours: Timing, theirs: Timing, yardstick: str, goal: str) -> None:
    ratio = ours.seconds / theirs.seconds
    print(f"| {name} | {ours.seconds * 1000:,.0f} ms | {yardstick} {theirs.seconds * 1000:,.0f} ms | "
          f"{ratio:.2f}x | {ours.peak_mib:.0f} MiB | {goal} |", flush=True)


def shape_logs(args: argparse.Namespace, env: dict[str, str], name: str, logs: int, gz: bool = False) -> Timing:
    root = build_once(args.work, name, lambda r: build_host(r, logs, 200, gz))
    if gz:
        yardstick = ["sh", "-c", 'gzip -dcf "$@" | grep -c "request to"', "sh", *logs_of(root)]
        label = "gzip -dcf \\| grep -c"
    else:
        yardstick, label = grep_yardstick(root), "grep -c"
    ours, theirs = pair(check(root), yardstick, args.runs, env)
    goals = {"plain": "<= 8x grep", "gz": "<= 4x gzip pass", "logs10k": "<= 4x grep"}
    row(f"{logs:,} logs{' (.gz)' if gz else ''}, 200 confs", ours, theirs, label, goals[name])
    return ours


def shape_lineages(args: argparse.Namespace, env: dict[str, str]) -> None:
    root = build_once(args.work, "lineages", build_lineages)
    config = os.path.join(root, "etc/letsencrypt")
    scratch = tempfile.mkdtemp(prefix="acme-wizard-bench-certbot-")
    certbot = ["certbot", "certificates", "--config-dir", config, "--work-dir", scratch, "--logs-dir", scratch]
    listed = subprocess.run(certbot, capture_output=True, text=True).stdout
    valid = listed.count("VALID:") - listed.count("INVALID:")
    ours, theirs = pair(check(root), certbot, args.runs, env)
    shutil.rmtree(scratch, ignore_errors=True)
    row(f"200 real lineages ({valid} VALID to certbot)", ours, theirs, "certbot certificates", "<= 0.4x certbot")


def shape_one_log(args: argparse.Namespace, env: dict[str, str], name: str) -> None:
    root = build_once(args.work, name, lambda r: build_one_log(r, name == "single_line"))
    runs = max(1, min(args.runs, 3))
    ours, theirs = pair(check(root), grep_yardstick(root), runs, env)
    what = "1 GB log, one line" if name == "single_line" else "1 GB log, 26,121 runs"
    row(what, ours, theirs, "grep -c", "peak RSS <= 64 MiB")


def shape_remote(args: argparse.Namespace, env: dict[str, str]) -> None:
    from tests.e2e.sshd import SshServer
    from wizard.core.probe.run import run_probe
    from wizard.core.target.ssh import SshTarget
    root = build_once(args.work, "plain", lambda r: build_host(r, 1000, 200))
    server = SshServer()
    try:
        remote = check(root, "--host", "wizard-test", "--ssh-config", server.config)
        ours, theirs = pair(remote, check(root), args.runs, env)
        target = SshTarget("wizard-test", root, ssh_config=server.config)
        target.connect()
        run_probe(target)
        target.close()
        on_disk = sum(os.path.getsize(p) for p in logs_of(root))
        session = statistics.median(_seconds(["ssh", "-F", server.config, "wizard-test", "true"]) for _ in range(3))
    finally:
        server.stop()
    row("check --host, 1,000 logs, loopback", ours, theirs, "local check", "<= 1.7x local")
    print(f"|   bytes received | {target.bytes_received:,} | logs on the target {on_disk:,} | "
          f"{target.bytes_received / on_disk * 100:.2f} % | | < 1 % |")
    print(f"|   one `ssh host true` here | {session * 1000:.0f} ms | (connection + this machine's login shell) | | | |")


def _seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True)
    return time.perf_counter() - started


def shape_startup(args: argparse.Namespace, env: dict[str, str]) -> None:
    core = [sys.executable, "-c", "import wizard.core.analyse.diagnose, wizard.core.analyse.document, "
            "wizard.core.probe.run, wizard.core.target.local"]
    runs = max(args.runs, 7)
    for name, argv in (("acme-wizard --help", [sys.executable, "-m", "wizard", "--help"]),
                       ("acme-wizard check --demo", [sys.executable, "-m", "wizard", "check", "--demo"])):
        ours, theirs = pair(argv, core, runs, env)
        row(name, ours, theirs, "python -c 'import core'", "<= 3x")


def shape_tui(args: argparse.Namespace, env: dict[str, str]) -> None:
    from benchmarks.tui_first_frame import one_run
    firsts = []
    for index in range(max(args.runs, 5)):
        socket = f"acme-wizard-bench-{os.getpid()}-{index}"
        try:
            first, _overview = one_run(socket)
            firsts.append(first)
        finally:
            subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    print(f"| TUI first frame (--demo, tmux 80x24) | {statistics.median(firsts) * 1000:.0f} ms | | | | <= 500 ms |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "acme-wizard-bench-hosts"))
    parser.add_argument("--only", default="plain,gz,logs10k,lineages,single_line,many_runs,remote,startup,tui")
    parser.add_argument("--source", help="a checkout to run instead of this one")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)        # as installed: compiled modules are used
    if args.source:
        env["PYTHONPATH"] = os.path.abspath(args.source)
    subprocess.run([sys.executable, "-m", "wizard", "--help"], env=env, capture_output=True)   # compile once
    print(f"median of {args.runs} paired runs; {os.cpu_count()} cores; {datetime.date.today()}")
    print("| shape | acme-wizard check | yardstick | ratio | peak RSS | goal |")
    print("|---|---|---|---|---|---|")
    shapes = args.only.split(",")
    times: dict[str, Timing] = {}
    for shape in shapes:
        if shape in ("plain", "gz", "logs10k"):
            times[shape] = shape_logs(args, env, shape, 10000 if shape == "logs10k" else 1000, gz=shape == "gz")
        elif shape == "lineages":
            shape_lineages(args, env)
        elif shape in ("single_line", "many_runs"):
            shape_one_log(args, env, shape)
        elif shape == "remote":
            shape_remote(args, env)
        elif shape == "startup":
            shape_startup(args, env)
        elif shape == "tui":
            shape_tui(args, env)
        else:
            parser.error(f"unknown shape {shape}")
    if "plain" in times and "logs10k" in times:
        print(f"\n10,000 logs take {times['logs10k'].seconds / times['plain'].seconds:.1f}x the time of 1,000 "
              "(goal <= 10x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

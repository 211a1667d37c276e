"""The bundled sample legacy host for `--demo`: the classic case the wizard exists for.

CentOS 6.9, certbot-auto 0.20.0 in /opt/eff.org/certbot/venv on the system Python 2.6, run from
/etc/crontab; the last successful renewal (letsencrypt.log.6) talked to acme-v01, and every run
since fails because acme-v01 no longer resolves. One lineage from the letsencrypt-auto 0.4 days
still pins the v01 URL in its renewal conf.
"""
from __future__ import annotations

import datetime
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from wizard.core.run.journal import pid_alive
from wizard.demo.hostkit import EXPIRED_CERT, LATE_2026_CERT, V1, HostTree, Run

VENV = "/opt/eff.org/certbot/venv"
CRON_LINE = "30 2 * * 1 root /usr/local/bin/certbot-auto renew --quiet --no-self-upgrade >> /var/log/le-renew.log 2>&1"


PREFIX = "acme-wizard-demo-"


@contextmanager
def demo_host() -> Iterator[str]:
    """A fresh demo tree for this process, removed on every exit path a process can handle.

    SIGHUP (the SSH session dropped) and SIGTERM become SystemExit, so the `finally` runs; a tree
    left by a process that could not clean up (SIGKILL, power loss) is swept by the next demo.
    """
    sweep_stale_demo_trees()
    # the tree in host/, its stand-ins in programs/
    base = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=demo_parent())
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGHUP, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _exit_on_signal)
    try:
        yield build_demo_host(os.path.join(base, "host"))
    finally:
        shutil.rmtree(base, ignore_errors=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def demo_parent() -> str:
    """Where demo trees live: the temporary directory, unless its name holds a line break (the stand-in
    scripts and the probe name paths one per line), then /tmp."""
    tmp = tempfile.gettempdir()
    return "/tmp" if "\n" in tmp or "\r" in tmp else tmp


def sweep_stale_demo_trees(tmp: str | None = None) -> list[str]:
    """Remove demo trees of ours whose process is gone; return their paths."""
    tmp = tmp or demo_parent()
    removed: list[str] = []
    try:
        names = os.listdir(tmp)
    except OSError:
        return removed
    for name in names:
        pid = name[len(PREFIX):].split("-", 1)[0] if name.startswith(PREFIX) else ""
        if not (pid.isascii() and pid.isdigit() and len(pid) <= 9):
            continue                    # not ours: names are PREFIX + pid + '-' + random
        path = os.path.join(tmp, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if info.st_uid != os.geteuid() or not stat.S_ISDIR(info.st_mode) or pid_alive(int(pid)):
            continue                    # another user's, a symlink or a file, or its process still runs
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def build_demo_host(root: str | None = None) -> str:
    tree = HostTree(root or tempfile.mkdtemp(prefix="acme-wizard-demo-"))
    tree.rhel_release("CentOS release 6.9 (Final)")
    tree.centos_repos("6")
    tree.python_links(python="python2", python2="python2.6")
    tree.file("/usr/bin/python2.6", "\x7fELF (placeholder for the system Python 2.6.6)\n", mode=0o755)
    tree.certbot_auto("/usr/local/bin/certbot-auto", "0.20.0")
    tree.venv(VENV, "2.6", "0.20.0")
    tree.file(f"{VENV}/certbot-auto-bootstrap-version.txt", "BootstrapRpmCommon 1\n")
    tree.file("/etc/crontab", CRONTAB)
    tree.renewal_conf("example.com", version="0.20.0", authenticator="webroot")
    tree.renewal_conf("shop.example.jp", version="0.4.1", server=V1, authenticator="webroot", ancient=True)
    tree.account("acme-v01.api.letsencrypt.org/directory", "0652f690fd6e48af380ad6d6a1b4e792")
    tree.live_cert("example.com", EXPIRED_CERT)
    tree.live_cert("shop.example.jp", LATE_2026_CERT)
    venv_python = f"{VENV}/lib/python2.6"
    renew = ["renew", "--quiet", "--no-self-upgrade"]
    tree.log("letsencrypt.log.6", [Run("0.20.0", datetime.datetime(2020, 5, 9, 19, 23, 2), renew,
                                        urllib3="1.10.2")])
    for index, when in enumerate([datetime.datetime(2026, 11, 23, 2, 30, 1), datetime.datetime(2026, 11, 16, 2, 30, 1),
                                  datetime.datetime(2026, 11, 9, 2, 30, 2), datetime.datetime(2026, 11, 2, 2, 30, 1),
                                  datetime.datetime(2026, 10, 26, 2, 30, 1),
                                  datetime.datetime(2026, 10, 19, 2, 30, 2)]):
        name = "letsencrypt.log" if index == 0 else f"letsencrypt.log.{index}"
        tree.log(name, [Run("0.20.0", when, renew, outcome="dns-failure", urllib3="1.10.2",
                            python_path=venv_python)])
    return tree.root


CRONTAB = f"""SHELL=/bin/bash
PATH=/sbin:/bin:/usr/sbin:/usr/bin
MAILTO=root
HOME=/

# For details see man 4 crontabs

# Example of job definition:
# .---------------- minute (0 - 59)
# |  .------------- hour (0 - 23)
# |  |  .---------- day of month (1 - 31)
# |  |  |  .------- month (1 - 12) OR jan,feb,mar,apr ...
# |  |  |  |  .---- day of week (0 - 6) (Sunday=0 or 7) OR sun,mon,tue,wed,thu,fri,sat
# |  |  |  |  |
# *  *  *  *  * user-name command to be executed

{CRON_LINE}
"""

"""The bundled sample legacy host for `--demo`: the classic case the wizard exists for.

CentOS 6.9, certbot-auto 0.20.0 in /opt/eff.org/certbot/venv on the system Python 2.6, run from
/etc/crontab; the last successful renewal (letsencrypt.log.6) talked to acme-v01, and every run
since fails because acme-v01 no longer resolves. One lineage from the letsencrypt-auto 0.4 days
still pins the v01 URL in its renewal conf.
"""
from __future__ import annotations

import datetime
import tempfile

from wizard.demo.hostkit import EXPIRED_CERT, LATE_2026_CERT, V1, HostTree, Run

DEMO_HOSTNAME = "legacy-web01.example.com"
VENV = "/opt/eff.org/certbot/venv"
CRON_LINE = "30 2 * * 1 root /usr/local/bin/certbot-auto renew --quiet --no-self-upgrade >> /var/log/le-renew.log 2>&1"


def build_demo_host(root: str | None = None) -> str:
    tree = HostTree(root or tempfile.mkdtemp(prefix="acme-wizard-demo-"))
    tree.rhel_release("CentOS release 6.9 (Final)")
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
                                  datetime.datetime(2026, 10, 26, 2, 30, 1), datetime.datetime(2026, 10, 19, 2, 30, 2)]):
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

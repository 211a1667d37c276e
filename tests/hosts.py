"""Fixture hosts: the legacy servers the wizard meets, written from reference facts §2–§4.

Each builder writes a tree under `root` and returns nothing; tests probe it with --root.
The clock of every fixture is NOW (2026-11-27); certificate expiry is judged against it.
"""
from __future__ import annotations

import datetime

from wizard.demo import build_demo_host
from wizard.demo.hostkit import KEY_MARKER, LATE_2026_CERT, V1, V1_STAGING, V2, HostTree, Run

NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.timezone.utc)
D = datetime.datetime
RENEW = ["renew", "--quiet"]
EPEL_TIMER = """[Unit]
Description=This is the timer to set the schedule for automated renewals

[Timer]
OnCalendar=*-*-* 00/12:00:00
RandomizedDelaySec=12hours
Persistent=true

[Install]
WantedBy=timers.target
"""
EPEL_SERVICE = """[Unit]
Description=This service automatically renews any certbot certificates found

[Service]
EnvironmentFile=/etc/sysconfig/certbot
Type=oneshot
ExecStart=/usr/bin/certbot renew --noninteractive --no-random-sleep-on-renew $PRE_HOOK $POST_HOOK $RENEW_HOOK $DEPLOY_HOOK $CERTBOT_ARGS
"""
DEBIAN_CRON = """# /etc/cron.d/certbot: crontab entries for the certbot package
#
# Upstream recommends attempting renewal twice a day
#
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

0 */12 * * * root test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew
"""
DEBIAN_TIMER = """[Unit]
Description=Run certbot twice daily

[Timer]
OnCalendar=*-*-* 00,12:00:00
RandomizedDelaySec=43200
Persistent=true

[Install]
WantedBy=timers.target
"""
DEBIAN_SERVICE = """[Unit]
Description=Certbot
Documentation=file:///usr/share/doc/python-certbot-doc/html/index.html
[Service]
Type=oneshot
ExecStart=/usr/bin/certbot -q renew
PrivateTmp=true
"""
DEBIAN_CLI_INI = """# Because we are using logrotate for greater flexibility, disable the
# internal certbot logrotation.
max-log-backups = 0
"""


def centos6_certbot_auto(root: str) -> None:
    """The classic case (also the --demo host)."""
    build_demo_host(root)


def centos6_frozen_021(root: str) -> None:
    """certbot-auto updated its script, but skipped the Python 3 bootstrap under cron: venv stays 0.21.1."""
    tree = HostTree(root)
    tree.rhel_release("CentOS release 6.10 (Final)")
    tree.python_links(python="python2.6")
    tree.certbot_auto("/root/certbot-auto", "1.14.0")
    tree.venv("/opt/eff.org/certbot/venv", "2.6", "0.21.1")
    tree.file("/var/spool/cron/root", "MAILTO=admin@example.jp\n"
              "15 4 * * * /root/certbot-auto renew --post-hook 'service httpd graceful'\n")
    tree.renewal_conf("www.example.jp", version="0.21.1", installer="apache", authenticator="apache")
    tree.account("acme-v01.api.letsencrypt.org/directory", "1b2c3d4e5f60718293a4b5c6d7e8f901")
    tree.log("letsencrypt.log", [Run("0.21.1", D(2026, 11, 27, 4, 15, 2), ["renew", "--post-hook",
             "service httpd graceful"], outcome="dns-failure", urllib3="1.10.2",
             python_path="/opt/eff.org/certbot/venv/lib/python2.6", lineage="www.example.jp")])
    tree.log("letsencrypt.log.1", [Run("0.21.1", D(2021, 5, 20, 4, 15, 2), ["renew"], outcome="v1-disabled",
                                        urllib3="1.10.2")])


def centos7_epel_027_v01_pin(root: str) -> None:
    """EPEL certbot 0.27.1 (Python 2.7) renewing a pre-0.5 lineage that pins acme-v01."""
    tree = HostTree(root)
    tree.os_release(name="CentOS Linux", version="7 (Core)", id="centos", id_like="rhel fedora",
                    version_id="7", pretty_name="CentOS Linux 7 (Core)")
    tree.file("/etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n")
    tree.python_links(python="python2", python2="python2.7")
    tree.file("/usr/bin/certbot", "#!/usr/bin/python2\n# EASY-INSTALL-ENTRY-SCRIPT: 'certbot==0.27.1'\n", mode=0o755)
    tree.link("/usr/bin/letsencrypt", "certbot")
    tree.file("/usr/lib/python2.7/site-packages/certbot-0.27.1-py2.7.egg-info/PKG-INFO",
              "Metadata-Version: 1.1\nName: certbot\nVersion: 0.27.1\n")
    tree.file("/usr/lib/systemd/system/certbot-renew.timer", EPEL_TIMER)
    tree.file("/usr/lib/systemd/system/certbot-renew.service", EPEL_SERVICE)
    tree.link("/etc/systemd/system/timers.target.wants/certbot-renew.timer",
              "/usr/lib/systemd/system/certbot-renew.timer")
    tree.renewal_conf("legacy.example.com", version="0.27.1", server=V1, ancient=True)
    tree.renewal_conf("new.example.com", version="0.27.1", server=V2)
    tree.account("acme-v01.api.letsencrypt.org/directory", "0652f690fd6e48af380ad6d6a1b4e792")
    tree.link("/etc/letsencrypt/accounts/acme-v02.api.letsencrypt.org/directory",
              "/etc/letsencrypt/accounts/acme-v01.api.letsencrypt.org/directory")
    tree.log("letsencrypt.log", [Run("0.27.1", D(2026, 11, 26, 12, 0, 4), ["renew", "--noninteractive"],
                                      server=V1, outcome="dns-failure", urllib3="1.10.2",
                                      lineage="legacy.example.com")])
    tree.log("letsencrypt.log.1", [Run("0.27.1", D(2026, 11, 26, 0, 0, 3), ["renew", "--noninteractive"],
                                        server=V2, urllib3="1.10.2")])


def centos7_epel_111(root: str) -> None:
    """EPEL certbot 1.11.0: the v01 pin is rewritten in memory and the logs prove acme-v02."""
    tree = HostTree(root)
    tree.os_release(name="CentOS Linux", id="centos", id_like="rhel fedora", version_id="7",
                    pretty_name="CentOS Linux 7 (Core)")
    tree.python_links(python="python2", python2="python2.7")
    tree.file("/usr/bin/certbot", "#!/usr/bin/python2\n", mode=0o755)
    tree.file("/usr/lib/python2.7/site-packages/certbot-1.11.0-py2.7.egg-info/PKG-INFO", "Version: 1.11.0\n")
    tree.file("/usr/lib/systemd/system/certbot-renew.timer", EPEL_TIMER)
    tree.file("/usr/lib/systemd/system/certbot-renew.service", EPEL_SERVICE)
    tree.link("/etc/systemd/system/timers.target.wants/certbot-renew.timer",
              "/usr/lib/systemd/system/certbot-renew.timer")
    tree.renewal_conf("legacy.example.com", version="0.27.1", server=V1, ancient=True)
    tree.live_cert("legacy.example.com", LATE_2026_CERT)
    tree.log("letsencrypt.log", [Run("1.11.0", D(2026, 11, 27, 0, 0, 5), ["renew", "--noninteractive"],
                                      server=V2, entry_point="/usr/bin/certbot", urllib3="1.25.6",
                                      rewritten_from_v1=True)])


def centos7_two_installs(root: str, cron_runs: str = "/usr/local/bin/certbot-auto") -> None:
    """certbot-auto 1.10.1 (Python 3.6 venv) and EPEL 1.9.0 (Python 2.7) side by side."""
    tree = HostTree(root)
    tree.os_release(name="CentOS Linux", id="centos", id_like="rhel fedora", version_id="7",
                    pretty_name="CentOS Linux 7 (Core)")
    tree.python_links(python="python2", python2="python2.7", python3="python3.6")
    tree.certbot_auto("/usr/local/bin/certbot-auto", "1.10.1")
    tree.venv("/opt/eff.org/certbot/venv", "3.6", "1.10.1", egg=False, pyvenv_version="3.6.8")
    tree.file("/usr/bin/certbot", "#!/usr/bin/python2\n", mode=0o755)
    tree.file("/usr/lib/python2.7/site-packages/certbot-1.9.0-py2.7.egg-info/PKG-INFO", "Version: 1.9.0\n")
    tree.file("/etc/crontab", "SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\nMAILTO=root\n\n"
              f"0 0,12 * * * root python -c 'import random; import time; time.sleep(random.random() * 3600)' "
              f"&& {cron_runs} renew -q\n")
    tree.renewal_conf("example.org", version="1.10.1", server=V2)
    tree.log("letsencrypt.log", [Run("1.10.1", D(2026, 11, 27, 0, 31, 7), ["renew", "-q"], server=V2,
                                      urllib3="1.25.11")])


def ubuntu1604_letsencrypt_041(root: str) -> None:
    """Ubuntu 16.04's own `letsencrypt` 0.4.1 package: v1 only, root-logger era logs."""
    tree = HostTree(root)
    tree.os_release(name="Ubuntu", version="16.04.7 LTS (Xenial Xerus)", id="ubuntu", id_like="debian",
                    pretty_name="Ubuntu 16.04.7 LTS", version_id="16.04")
    tree.file("/etc/debian_version", "stretch/sid\n")
    tree.python_links(python="python2.7", python2="python2.7", python3="python3.5")
    tree.dpkg_status([("letsencrypt", "0.4.1-1"), ("python-letsencrypt", "0.4.1-1")])
    tree.file("/usr/bin/letsencrypt", "#!/usr/bin/python\n", mode=0o755)
    tree.file("/var/spool/cron/crontabs/root", "# m h  dom mon dow   command\n"
              "0 3 * * 1 /usr/bin/letsencrypt renew >> /var/log/le-renew.log 2>&1\n")
    tree.renewal_conf("blog.example.net", server=V1, ancient=True)
    tree.log("letsencrypt.log", [Run("0.4.1", D(2026, 11, 23, 3, 0, 1), ["renew"], outcome="dns-failure",
                                      urllib3="1.13.1", lineage="blog.example.net")])
    tree.log("letsencrypt.log.1", [Run("0.4.1", D(2020, 3, 2, 3, 0, 1), ["renew"], urllib3="1.13.1")])


def ubuntu1804_ppa_031_cli_ini(root: str) -> None:
    """PPA certbot 0.31.0 on Python 3.6 with `server = acme-v01` pinned in cli.ini."""
    tree = HostTree(root)
    tree.os_release(name="Ubuntu", version="18.04.6 LTS (Bionic Beaver)", id="ubuntu", id_like="debian",
                    pretty_name="Ubuntu 18.04.6 LTS", version_id="18.04")
    tree.python_links(python3="python3.6")
    version = "0.31.0-2+ubuntu18.04.3+certbot+2"
    tree.dpkg_status([("certbot", version), ("python3-certbot", version), ("python3-certbot-apache", version)])
    tree.file("/usr/bin/certbot", "#!/usr/bin/python3\n", mode=0o755)
    tree.file("/etc/cron.d/certbot", DEBIAN_CRON)
    tree.file("/lib/systemd/system/certbot.timer", DEBIAN_TIMER)
    tree.file("/lib/systemd/system/certbot.service", DEBIAN_SERVICE)
    tree.link("/etc/systemd/system/timers.target.wants/certbot.timer", "/lib/systemd/system/certbot.timer")
    tree.file("/etc/letsencrypt/cli.ini", DEBIAN_CLI_INI + "# the current closed beta (as of 2015-Nov-07) is using this server\n"
              f"server = {V1}\n")
    tree.renewal_conf("www.example.co.jp", version="0.31.0", server=V1, authenticator="apache", installer="apache")
    tree.log("letsencrypt.log", [
        Run("0.31.0", D(2026, 11, 26, 0, 12, 9), ["-q", "renew"], server=V1, outcome="dns-failure",
            urllib3="1.22", lineage="www.example.co.jp"),
        Run("0.31.0", D(2026, 11, 26, 12, 40, 2), ["-q", "renew"], server=V1, outcome="dns-failure",
            urllib3="1.22", lineage="www.example.co.jp"),
    ])


def debian12_apt_21(root: str) -> None:
    """Debian 12's certbot 2.1.0: max-log-backups = 0, runs appended, logrotate's .N.gz."""
    tree = HostTree(root)
    tree.os_release(pretty_name="Debian GNU/Linux 12 (bookworm)", name="Debian GNU/Linux", version_id="12",
                    version="12 (bookworm)", version_codename="bookworm", id="debian")
    tree.file("/etc/debian_version", "12.11\n")
    tree.python_links(python3="python3.11")
    tree.dpkg_status([("certbot", "2.1.0-4"), ("python3-certbot", "2.1.0-4")])
    tree.file("/usr/bin/certbot", "#!/usr/bin/python3\n", mode=0o755)
    tree.file("/etc/cron.d/certbot", DEBIAN_CRON)
    tree.file("/lib/systemd/system/certbot.timer", DEBIAN_TIMER)
    tree.file("/lib/systemd/system/certbot.service", DEBIAN_SERVICE)
    tree.link("/etc/systemd/system/timers.target.wants/certbot.timer", "/lib/systemd/system/certbot.timer")
    tree.file("/etc/letsencrypt/cli.ini", DEBIAN_CLI_INI)
    tree.renewal_conf("example.de", version="2.1.0", server=V2)
    tree.account("acme-v02.api.letsencrypt.org/directory", "9f8e7d6c5b4a39281706f5e4d3c2b1a0")

    def week(start: D) -> list[Run]:
        return [Run("2.1.0", start + datetime.timedelta(hours=12 * i), ["-q", "renew"], server=V2,
                    entry_point="/usr/bin/certbot", urllib3="1.26.12") for i in range(4)]
    tree.log("letsencrypt.log", week(D(2026, 11, 23, 0, 3, 1)))
    for index in range(1, 4):
        tree.log(f"letsencrypt.log.{index}.gz", week(D(2026, 11, 23 - 7 * index, 0, 3, 1)), compress=True)


def snap_certbot(root: str) -> None:
    """The certbot snap on Ubuntu 22.04, renewed by snapd's timer."""
    tree = HostTree(root)
    tree.os_release(name="Ubuntu", id="ubuntu", id_like="debian", version_id="22.04",
                    pretty_name="Ubuntu 22.04.5 LTS")
    tree.file("/snap/certbot/4120/meta/snap.yaml", "name: certbot\nversion: 2.11.0\nsummary: Automatically "
              "configure HTTPS using Let's Encrypt\nbase: core22\nconfinement: classic\n")
    tree.dir("/snap/certbot/4120/lib/python3.10")
    tree.link("/snap/certbot/current", "4120")
    tree.file("/usr/bin/snap", b"\x7fELF\x02\x01\x01 snapd placeholder", mode=0o755)
    tree.link("/snap/bin/certbot", "/usr/bin/snap")
    tree.link("/usr/bin/certbot", "/snap/bin/certbot")
    tree.file("/etc/systemd/system/snap.certbot.renew.timer", "[Unit]\nDescription=Timer renew for snap "
              "application certbot.renew\n[Timer]\nUnit=snap.certbot.renew.service\nOnCalendar=*-*-* 03:31\n")
    tree.file("/etc/systemd/system/snap.certbot.renew.service", "[Unit]\nDescription=Service for snap "
              "application certbot.renew\n[Service]\nExecStart=/usr/bin/snap run --timer=\"00:00~24:00/2\" "
              "certbot.renew\n")
    tree.link("/etc/systemd/system/timers.target.wants/snap.certbot.renew.timer",
              "/etc/systemd/system/snap.certbot.renew.timer")
    tree.renewal_conf("app.example.com", version="2.11.0", server=V2, authenticator="nginx", installer="nginx")
    tree.log("letsencrypt.log", [Run("2.11.0", D(2026, 11, 27, 3, 31, 4), ["-q", "renew"], server=V2,
                                      entry_point="/snap/certbot/4120/bin/certbot", urllib3="1.26.18")])


def pip_opt_certbot(root: str) -> None:
    """The official pip recipe: /opt/certbot venv on Python 3.7, linked to /usr/bin/certbot."""
    tree = HostTree(root)
    tree.os_release(pretty_name="Debian GNU/Linux 10 (buster)", id="debian", version_id="10")
    tree.python_links(python3="python3.7")
    tree.venv("/opt/certbot", "3.7", "1.22.0", egg=False, installer="pip", pyvenv_version="3.7.3")
    tree.link("/usr/bin/certbot", "/opt/certbot/bin/certbot")
    tree.file("/etc/crontab", "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n"
              "0 0,12 * * * root /opt/certbot/bin/python -c 'import random; import time; "
              "time.sleep(random.random() * 3600)' && sudo certbot renew -q\n")
    tree.renewal_conf("example.io", version="1.22.0", server=V2)
    tree.log("letsencrypt.log", [Run("1.22.0", D(2026, 11, 27, 0, 22, 41), ["renew", "-q"], server=V2,
                                      entry_point="/opt/certbot/bin/certbot", urllib3="1.26.7")])


def no_client(root: str) -> None:
    tree = HostTree(root)
    tree.os_release(pretty_name="Debian GNU/Linux 12 (bookworm)", id="debian", version_id="12")
    tree.file("/etc/crontab", "SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n")


def staging_v1_lineage(root: str) -> None:
    """A current certbot, but one test lineage still points at the v1 staging server."""
    pip_opt_certbot(root)
    HostTree(root).renewal_conf("test.example.io", version="0.19.0", server=V1_STAGING)


def letsencrypt_auto_config_file(root: str) -> None:
    """A 2016 git clone of letsencrypt-auto run by a wrapper script with --config (server pinned there)."""
    tree = HostTree(root)
    tree.rhel_release("CentOS release 6.8 (Final)")
    tree.certbot_auto("/opt/letsencrypt/letsencrypt-auto", "0.17.0")
    tree.venv("/root/.local/share/letsencrypt", "2.6", "0.17.0")
    tree.file("/etc/cron.d/letsencrypt", "MAILTO=root\n0 4 * * 0 root /root/bin/renew-certs.sh\n")
    tree.file("/root/bin/renew-certs.sh", "#!/bin/sh\n# renew all sites\n"
              "/opt/letsencrypt/letsencrypt-auto certonly --config /etc/letsencrypt/configs/example.org.conf "
              "--renew-by-default -n\nservice nginx reload\n", mode=0o755)
    tree.file("/etc/letsencrypt/configs/example.org.conf",
              "# the current closed beta (as of 2015-Nov-07) is using this server\n"
              f"server = {V1}\nrsa-key-size = 4096\nemail = admin@example.org\ndomains = example.org\n"
              "authenticator = webroot\nwebroot-path = /var/www/example.org\n")
    tree.renewal_conf("example.org", version="0.17.0")
    tree.log("letsencrypt.log", [Run("0.17.0", D(2026, 11, 22, 4, 0, 1), ["certonly", "--config",
             "/etc/letsencrypt/configs/example.org.conf", "--renew-by-default", "-n"], outcome="dns-failure",
             urllib3="1.10.2", lineage="example.org")])


def cron_server_flag(root: str) -> None:
    """A current pip certbot, but the cron line (and so the newest run) asks for acme-v01."""
    tree = HostTree(root)
    tree.os_release(pretty_name="Debian GNU/Linux 10 (buster)", id="debian", version_id="10")
    tree.python_links(python3="python3.7")
    tree.venv("/opt/certbot", "3.7", "1.22.0", egg=False, installer="pip", pyvenv_version="3.7.3")
    arguments = ["renew", "-q", "--server", V1]
    tree.file("/etc/crontab", "0 3 * * * root /opt/certbot/bin/certbot " + " ".join(arguments) + "\n")
    tree.renewal_conf("example.io", version="1.22.0", server=V2)
    tree.log("letsencrypt.log", [Run("1.22.0", D(2026, 11, 27, 3, 0, 1), arguments, server=V1,
                                      entry_point="/opt/certbot/bin/certbot", urllib3="1.26.7",
                                      outcome="dns-failure", lineage="example.io")])


def acme_sh_old(root: str) -> None:
    """acme.sh 2.7.5 (before ACMEv2) from its own cron line."""
    tree = HostTree(root)
    tree.os_release(pretty_name="Ubuntu 16.04.7 LTS", id="ubuntu", version_id="16.04")
    tree.file("/root/.acme.sh/acme.sh", "#!/usr/bin/env sh\n\nVER=2.7.5\n\nPROJECT_NAME=\"acme.sh\"\n", mode=0o755)
    tree.file("/var/spool/cron/crontabs/root", '12 0 * * * "/root/.acme.sh"/acme.sh --cron --home "/root/.acme.sh" > /dev/null\n')
    tree.file("/root/.acme.sh/shop.example.jp/shop.example.jp.conf",
              "Le_Domain='shop.example.jp'\nLe_Alt='no'\nLe_Webroot='/var/www/shop'\n"
              "Le_API='https://acme-v01.api.letsencrypt.org/directory'\nLe_Keylength=''\n")
    tree.file("/root/.acme.sh/account.conf", "ACCOUNT_EMAIL='admin@example.jp'\nSAVED_CF_Key='" + KEY_MARKER + "'\n")


HOSTS = {
    "centos6_certbot_auto": centos6_certbot_auto,
    "centos6_frozen_021": centos6_frozen_021,
    "centos7_epel_027_v01_pin": centos7_epel_027_v01_pin,
    "centos7_epel_111": centos7_epel_111,
    "centos7_two_installs": centos7_two_installs,
    "ubuntu1604_letsencrypt_041": ubuntu1604_letsencrypt_041,
    "ubuntu1804_ppa_031_cli_ini": ubuntu1804_ppa_031_cli_ini,
    "debian12_apt_21": debian12_apt_21,
    "snap_certbot": snap_certbot,
    "pip_opt_certbot": pip_opt_certbot,
    "no_client": no_client,
    "staging_v1_lineage": staging_v1_lineage,
    "letsencrypt_auto_config_file": letsencrypt_auto_config_file,
    "cron_server_flag": cron_server_flag,
    "acme_sh_old": acme_sh_old,
}


"""Real ACME clients of every era, installed as their admins installed them and run once for real.

Each era is bash scripts run by world.sh in the era's own tree: `build` (this machine's network, so
pip reaches PyPI) installs the client where its era put it and writes the schedule its admin wrote;
`run` runs the client as cron would have, where pebble answers on Let's Encrypt's v2 names
(--offline: a private network where acme-v01 does not resolve; --le: this machine's network, for
the seed's remediation that needs PyPI and pebble at once); `after`, if any, runs in a fresh world.
What the clients wrote lands in the era's tree, which the tests then diagnose. A pip cache per era
keeps the wheels between runs on a machine.

The clients are real (pip's certbot and its dependencies, Debian's certbot, dehydrated and lego);
certbot-auto's ~2000-line script is not: AUTO_SCRIPT stands in for what it did once its venv existed.
"""
from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from wizard.core import versions
from wizard.demo.hostkit import HostTree

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = {version: f"/root/.pyenv/versions/{version}/bin/python" for version in ("2.7.18", "3.6.15", "3.12.1")}
V1 = "https://acme-v01.api.letsencrypt.org/directory"
V2 = "https://acme-v02.api.letsencrypt.org/directory"
STAGING_V2 = "https://acme-staging-v02.api.letsencrypt.org/directory"
STEP_TIMEOUT = 900
# The pins the wizard's plans give for each Python (so these eras prove them): what makes old certbots
# install and run today
PY27_PINS = shlex.join(versions.PINS_FOR_PYTHON["2.7"])
PY36_PINS = shlex.join(versions.PINS_FOR_PYTHON["3.6"])

# Helpers every script gets: virtualenv for Python 2.7 (it has no venv module), a file writer.
PREAMBLE = f"""set -euo pipefail
venv27() {{ PYTHONPATH=$E2E_TOOLS {PYTHON['2.7.18']} -m virtualenv -q "$1"; }}
put() {{ mkdir -p "$(dirname "$1")"; cat >"$1"; chmod "${{2:-644}}" "$1"; }}
"""
# certbot-auto / letsencrypt-auto once their venv was in place: LE_AUTO_VERSION, then exec the venv's
# letsencrypt (reference facts §3.1: `"$VENV_BIN/letsencrypt" "$@"`)
AUTO_SCRIPT = """#!/bin/sh
# Download and run the latest release version of the Certbot client.
LE_AUTO_VERSION="{version}"
exec {venv}/bin/letsencrypt "$@"
"""
ISSUE = "certonly --standalone --non-interactive --agree-tos -m admin@example.jp -d {domain}"
CRON_D = "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n" \
         "0 */12 * * * root /opt/certbot/bin/certbot renew -q"
# certbot's own pip instructions (certbot.eff.org, "pip" tab): the random sleep, then `certbot renew -q`
OFFICIAL_CRON = "0 0,12 * * * root /opt/certbot/bin/python -c 'import random; import time; " \
                "time.sleep(random.random() * 3600)' && sudo certbot renew -q"
OS_RELEASE = ["/etc/os-release", "/usr/lib/os-release"]


@dataclass
class Era:
    name: str
    build: str                  # bash, this machine's network, in the tree's world
    run: str                    # bash, where pebble answers; must exit 0 (a v1 client's failure is checked inside)
    copy_from_host: list[str] = field(default_factory=list)   # a distribution package's own files
    packages: list[str] = field(default_factory=list)   # their paragraphs of this machine's dpkg status
    env: dict[str, str] = field(default_factory=dict)   # for world.sh (LE_CERT_SECONDS: pebble's validity)
    prepare: Callable[[HostTree], None] | None = None     # files no client writes (an OS's release files)
    network: str = "--offline"  # how `run` reaches pebble (world.sh): a private network, or --le (PyPI too)
    after: str = ""             # bash, offline, in a fresh world: sees directories `run` replaced
    root: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    output: str = ""
    failed: str = ""            # the step that failed, with the end of its output


def _auto(version: str, venv: str, script: str) -> str:
    # certbot-auto's venv also held letsencrypt 0.7.0: the `letsencrypt` entry script the script ran
    return f"""venv27 {venv}
{venv}/bin/pip install -q certbot=={version} acme=={version} letsencrypt==0.7.0 {PY27_PINS}
put {script} 755 <<'SCRIPT'
{AUTO_SCRIPT.format(version=version, venv=venv)}SCRIPT
"""


def _fails(command: str, because: str) -> str:
    """Run a client that must fail, saying `because` (grep -E) on its way out (kept in E2E_WORK)."""
    return f"""if {command} >"$E2E_WORK/client.out" 2>&1; then cat "$E2E_WORK/client.out"; exit 1; fi
cat "$E2E_WORK/client.out"; grep -Eq '{because}' "$E2E_WORK/client.out"
"""


def _fails_on_v1(command: str) -> str:
    """An ACMEv1 client fails having asked for acme-v01, as every unfixed server does today."""
    return _fails(command, "acme-v01.api.letsencrypt.org")


def _pip_era(name: str, python: str, specs: str, cron: str, *, virtualenv: bool = False, pip: str = "",
             issue_fails: str = "") -> Era:
    make = "venv27 /opt/certbot" if virtualenv else f"{python} -m venv /opt/certbot"
    upgrade = f"/opt/certbot/bin/pip install -q --upgrade '{pip}'\n" if pip else ""
    issue = f"/opt/certbot/bin/certbot {ISSUE.format(domain=name.replace('.', '-') + '.example.jp')}"
    run = _fails(issue, issue_fails) if issue_fails else \
        f"{issue}\n/opt/certbot/bin/certbot renew --dry-run --no-random-sleep-on-renew\n"
    return Era(name, f"""{make}
{upgrade}/opt/certbot/bin/pip install -q {specs}
ln -sfn /opt/certbot/bin/certbot /usr/bin/certbot
put /etc/cron.d/certbot <<'CRON'
{cron}
CRON
""", "/opt/certbot/bin/certbot --version\n" + run)


CERTBOT_AUTO_0_20 = _auto("0.20.0", "/opt/eff.org/certbot/venv", "/usr/local/bin/certbot-auto") + """
put /etc/crontab <<'CRON'
SHELL=/bin/bash
PATH=/sbin:/bin:/usr/sbin:/usr/bin

30 2 * * 1 root /usr/local/bin/certbot-auto renew --quiet --no-self-upgrade
CRON
"""

ERAS = [
    Era("certbot-auto-0.20.0", CERTBOT_AUTO_0_20,
        _fails_on_v1("/usr/local/bin/certbot-auto --no-self-upgrade " + ISSUE.format(domain="shop.example.jp"))),
    Era("letsencrypt-auto-0.17.0",
        _auto("0.17.0", "/root/.local/share/letsencrypt", "/opt/letsencrypt/letsencrypt-auto") + """
put /var/spool/cron/crontabs/root 600 <<'CRON'
0 3 * * * /opt/letsencrypt/letsencrypt-auto renew --quiet >> /var/log/le-renew.log 2>&1
CRON
""", _fails_on_v1("/opt/letsencrypt/letsencrypt-auto " + ISSUE.format(domain="blog.example.jp"))),
    # certbot 0.31 still sends the challenge's keyAuthorization, which pebble (stricter than Boulder was)
    # rejects: its run registers and orders on acme-v02, then stops at the challenge
    _pip_era("certbot-0.31.0", PYTHON["2.7.18"], f"certbot==0.31.0 acme==0.31.0 {PY27_PINS}", CRON_D,
             virtualenv=True, issue_fails="legacy KeyAuthorization field"),
    _pip_era("certbot-1.11.0", PYTHON["2.7.18"], f"'certbot<1.12' {PY27_PINS}", CRON_D, virtualenv=True),
    _pip_era("certbot-1.23.0", PYTHON["3.6.15"], f"'certbot<1.24' {PY36_PINS}", CRON_D, pip="pip<22"),
    _pip_era("certbot-current", PYTHON["3.12.1"], "certbot", OFFICIAL_CRON),
    Era("debian-certbot-2.1.0", "", """certbot certonly --standalone --non-interactive --agree-tos \
--register-unsafely-without-email -d debian.example.jp
certbot renew --dry-run --no-random-sleep-on-renew
""", copy_from_host=[*OS_RELEASE, "/usr/bin/certbot", "/usr/bin/python3", "/etc/cron.d/certbot",
                     "/lib/systemd/system/certbot.timer", "/lib/systemd/system/certbot.service",
                     "/etc/systemd/system/timers.target.wants/certbot.timer"],
        packages=["certbot", "python3-certbot", "python3-acme"]),
    Era("dehydrated-v02", """put /etc/dehydrated/conf.d/ca.sh <<'CONF'
CA="https://acme-v02.api.letsencrypt.org/directory"
CONF
echo 'www.example.jp' | put /etc/dehydrated/domains.txt
mkdir -p /var/lib/dehydrated/acme-challenges
put /etc/cron.d/dehydrated <<'CRON'
@daily root /usr/bin/dehydrated --cron >> /var/log/dehydrated.log 2>&1
CRON
""", """dehydrated --register --accept-terms
dehydrated --cron 2>&1 | tee -a /var/log/dehydrated.log
""", copy_from_host=[*OS_RELEASE, "/usr/bin/dehydrated", "/etc/dehydrated/config"], packages=["dehydrated"]),
    Era("lego-4.9.1", """put /etc/cron.d/lego <<'CRON'
0 3 * * * root /usr/bin/lego --accept-tos --email admin@example.jp --domains mail.example.jp --http \
--path /etc/lego renew --days 30
CRON
""", "lego --accept-tos --email admin@example.jp --domains mail.example.jp --http --path /etc/lego run\n",
        copy_from_host=[*OS_RELEASE, "/usr/bin/lego"], packages=["lego"]),
]


# --- the seed's server (issue 14, item 2) ---------------------------------------------------------
# CentOS 6.10, certbot-auto 0.20.0 on Python 2.7 renewing from /etc/crontab, one lineage it got from
# acme-v01 years ago (webroot), and rh-python36 standing where the SCL puts it. The lineage is issued
# today by this machine's certbot against pebble, then written back the way 0.20.0 keeps it (version,
# v01 server, the account under acme-v01); the log is then 0.20.0's own renewal attempt, failing on
# acme-v01 as every such server does.
SEED_LINEAGE = f"""certbot certonly --webroot -w /var/www/html --key-type rsa --non-interactive --agree-tos \
  -m admin@example.jp -d shop.example.jp -d www.shop.example.jp >"$E2E_WORK/issue.out" 2>&1 \
  || {{ cat "$E2E_WORK/issue.out"; exit 1; }}
conf=/etc/letsencrypt/renewal/shop.example.jp.conf
sed -i -e 's#^version = .*#version = 0.20.0#' -e 's#^server = .*#server = {V1}#' -e '/^key_type = /d' $conf
accounts=/etc/letsencrypt/accounts
mkdir -p $accounts/acme-v01.api.letsencrypt.org
mv $accounts/acme-v02.api.letsencrypt.org/directory $accounts/acme-v01.api.letsencrypt.org/directory
rmdir $accounts/acme-v02.api.letsencrypt.org
rm -rf /var/log/letsencrypt/* /var/lib/letsencrypt/*
"""
# The whole story in one namespace, so that one pebble knows the account from the lineage to the
# end. CentOS's yum cannot run here: a stub notes what it was asked (the SCL Python already stands in
# the tree); the rh-python36 runner is `env LD_LIBRARY_PATH=…`, and under --root a bare program
# name runs only from the tree or the stubs, so `env` is offered there too.
SEED_STORY = f"""cp -a "$E2E_ROOT" "$E2E_WORK/before"
printf '#!/bin/sh\\necho "yum $*" >>"$E2E_WORK/yum.calls"\\n' | put "$E2E_WORK/stubs/yum" 755
ln -s /usr/bin/env "$E2E_WORK/stubs/env"
E2E_TARGET="--root $E2E_ROOT" E2E_PYTHON={sys.executable} ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT=1 \\
  ACME_WIZARD_STUB_PATH="$E2E_WORK/stubs" bash {HERE}/remediate.sh
"""
# After the rollback, in a fresh world (world.sh binds the directory rollback replaced, not its
# path): the old client is back and fails on acme-v01 exactly as before.
SEED_AFTER = """/usr/local/bin/certbot-auto --version >"$E2E_WORK/old-client.out" 2>&1
""" + _fails_on_v1("/usr/local/bin/certbot-auto renew --no-self-upgrade")


def scl_python36(tree: HostTree) -> None:
    """rh-python36 as the SCL lays it out, made from pyenv's 3.6: /opt/rh/rh-python36/root/usr with the
    binary's run path blanked, so that, like the SCL's, it starts only with LD_LIBRARY_PATH pointing at
    the collection's lib64 (reference facts §9). The big files are hard links, not copies."""
    pyenv, usr = os.path.dirname(os.path.dirname(PYTHON["3.6.15"])), tree.path("/opt/rh/rh-python36/root/usr")
    for directory in ("bin", "lib", "lib64"):
        os.makedirs(f"{usr}/{directory}")
    subprocess.run(["cp", "-al", f"{pyenv}/lib/python3.6", f"{usr}/lib/python3.6"], check=True)
    os.link(f"{pyenv}/lib/libpython3.6m.so.1.0", f"{usr}/lib64/libpython3.6m.so.1.0")
    with open(f"{pyenv}/bin/python3.6", "rb") as binary:
        data = binary.read()
    runpath = f"{pyenv}/lib".encode()
    assert data.count(runpath + b"\0") == 1, "pyenv's python3.6 carries its RUNPATH once"
    with open(f"{usr}/bin/python3.6", "wb") as binary:
        binary.write(data.replace(runpath + b"\0", b"/" * len(runpath) + b"\0"))
    os.chmod(f"{usr}/bin/python3.6", 0o755)
    tree.link("/opt/rh/rh-python36/root/usr/bin/python3", "python3.6")


def seed_files(tree: HostTree) -> None:
    tree.rhel_release("CentOS release 6.10 (Final)")
    tree.centos_repos("6", epel=True)
    tree.dir("/var/www/html")
    scl_python36(tree)


SEED = Era("seed", CERTBOT_AUTO_0_20,
           SEED_LINEAGE + _fails_on_v1("/usr/local/bin/certbot-auto renew --no-self-upgrade") + SEED_STORY,
           env={"LE_CERT_SECONDS": str(20 * 86400),      # due for renewal: 20 days left
                "E2E_CLIENT": "rh-python36", "E2E_CERT": "shop.example.jp"},
           prepare=seed_files, network="--le", after=SEED_AFTER)


# --- making them ----------------------------------------------------------------------------------

def _world(root: str, script: str, env: dict[str, str], network: list[str]) -> tuple[int | str, str]:
    """(exit code, or "timeout"; output) of one script in the tree's world. On a timeout world.sh's
    PID namespace dies with it: pebble, the front and the client too."""
    command = ["bash", os.path.join(HERE, "world.sh"), *network, root, "bash", "-c", PREAMBLE + script]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=STEP_TIMEOUT,
                              env={**os.environ, **env})
    except subprocess.TimeoutExpired as expired:
        partial = [(part.decode(errors="replace") if isinstance(part, bytes) else part or "")
                   for part in (expired.stdout, expired.stderr)]
        return "timeout", "".join(partial)
    return done.returncode, done.stdout + done.stderr


def _host_files(era: Era) -> None:
    """A distribution package's files, as this machine has them, and its dpkg paragraphs."""
    for path in era.copy_from_host:
        os.makedirs(os.path.dirname(era.root + path), exist_ok=True)
        shutil.copy2(path, era.root + path, follow_symlinks=False)
    if not era.packages:
        return
    with open("/var/lib/dpkg/status", encoding="utf-8") as status:
        paragraphs = status.read().split("\n\n")
    kept = [p for p in paragraphs if any(p.startswith(f"Package: {name}\n") for name in era.packages)]
    if len(kept) != len(era.packages):
        raise FileNotFoundError(f"dpkg status lacks one of {era.packages} (the test command installs them)")
    os.makedirs(era.root + "/var/lib/dpkg", exist_ok=True)
    with open(era.root + "/var/lib/dpkg/status", "w", encoding="utf-8") as status:
        status.write("\n\n".join(kept) + "\n")


def _pip_cache(era: Era) -> str:
    """Each era's own pip cache, kept between runs on this machine: eras building at once never write
    the same cache entry (old pips, filling one cold cache together, read each other's half-written
    wheels: 'BadZipfile: Truncated file header'). E2E_PIP_CACHE moves them (the benchmark's cold run)."""
    root = os.environ.get("E2E_PIP_CACHE") or os.path.expanduser("~/.cache/acme-wizard-e2e/pip")
    return os.path.join(root, era.name)


def make(era: Era, base: str, tools: str) -> Era:
    """Build then run one era in its own tree (a failed step is recorded in `failed`)."""
    era = dataclasses.replace(era, root=os.path.join(base, era.name), seconds={})
    try:
        if era.prepare:
            era.prepare(HostTree(era.root))
        _host_files(era)
    except (OSError, subprocess.CalledProcessError) as error:
        era.failed = f"{era.name}: its tree could not be laid out: {error}"
        return era
    work = os.path.join(base, era.name + ".work")      # pebble's files, and what `run` keeps (E2E_WORK)
    env = {"E2E_TOOLS": tools, "E2E_ROOT": era.root, "E2E_WORK": work, "PIP_CACHE_DIR": _pip_cache(era), **era.env}
    os.makedirs(work, exist_ok=True)
    for step, network in (("build", []), ("run", [era.network, work]), ("after", ["--offline", work + "/after"])):
        if not getattr(era, step):
            continue
        started = time.monotonic()
        code, output = _world(era.root, getattr(era, step), env, network)
        era.seconds[step] = time.monotonic() - started
        era.output += f"--- {step} (exit {code})\n{output}"
        if code != 0:
            era.failed = f"{era.name}: {step} failed (exit {code})\n{era.output[-4000:]}"
            break
    return era


def make_all(base: str, eras: list[Era] = ERAS, workers: int = 3) -> dict[str, Era]:
    """Every era, a few at a time (pip and the clients mostly wait on the network and on pebble).
    At most one --le era at a time: they share this machine's loopback ports."""
    if sum(era.network == "--le" for era in eras) > 1 and workers > 1:
        raise ValueError("--le eras share 127.0.0.1:443: make them one at a time")
    tools = os.path.join(base, "virtualenv")
    done = subprocess.run([PYTHON["2.7.18"], "-m", "pip", "install", "-q", "--target", tools, "virtualenv<20.22"],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"virtualenv for Python 2.7 did not install:\n{done.stderr}")
    with ThreadPoolExecutor(workers) as pool:
        return {era.name: era for era in pool.map(lambda e: make(e, base, tools), eras)}

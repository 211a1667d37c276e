"""Real old clients, not fixtures (issue 14): trees written by the certbot that ran on the seed's server.

certbot 0.20.0 on Python 2.7, installed the way certbot-auto 0.20.0 left it (its venv in
/opt/eff.org/certbot/venv, a certbot-auto script, the cron line), is run for real against acme-v01 in
a private network and mount namespace, where it fails exactly as it does in production today: the
name does not resolve. The wizard then reads the tree that real run left.
"""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

PYTHON27 = "/root/.pyenv/versions/2.7.18/bin/python"
V1 = "https://acme-v01.api.letsencrypt.org/directory"
# what certbot-auto 0.20.0 did once its venv was in place (LE_AUTO_VERSION, then exec the venv's letsencrypt)
CERTBOT_AUTO = '#!/bin/sh\n# Download and run the latest release version of the Certbot client.\n' \
               'LE_AUTO_VERSION="0.20.0"\nexec /opt/eff.org/certbot/venv/bin/letsencrypt "$@"\n'
CRON = "SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\n\n" \
       "30 2 * * 1 root /usr/local/bin/certbot-auto renew --quiet --no-self-upgrade\n"


def _pip(python, *args, timeout=600):
    return subprocess.run([python, "-m", "pip", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def certbot_auto_0_20(tmp_path_factory):
    """A tree whose /opt/eff.org/certbot/venv holds the real certbot 0.20.0 on Python 2.7, after one
    real run against acme-v01 (the venv is made at its final path: its scripts name that path)."""
    if not os.path.exists(PYTHON27):
        pytest.fail("pyenv's Python 2.7.18 is part of this machine kind (issue 14)")
    root = str(tmp_path_factory.mktemp("certbot-auto-0.20"))
    tools = str(tmp_path_factory.mktemp("virtualenv"))
    venv = f"{root}/opt/eff.org/certbot/venv"
    started = time.monotonic()
    assert _pip(PYTHON27, "install", "-q", "--target", tools, "virtualenv<20.22").returncode == 0
    made = subprocess.run([PYTHON27, "-m", "virtualenv", "-q", venv], env={**os.environ, "PYTHONPATH": tools},
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    # certbot-auto pinned every dependency; today's resolution needs these held back on Python 2.7
    installed = _pip(f"{venv}/bin/python", "install", "-q", "certbot==0.20.0", "acme==0.20.0", "letsencrypt==0.7.0",
                     "pyrfc3339<2", "parsedatetime==2.4")
    assert installed.returncode == 0, installed.stderr[-2000:]
    for path, text, mode in (("/usr/local/bin/certbot-auto", CERTBOT_AUTO, 0o755), ("/etc/crontab", CRON, 0o644)):
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        with open(root + path, "w") as handle:
            handle.write(text)
        os.chmod(root + path, mode)
    for directory in ("etc/letsencrypt", "var/lib/letsencrypt", "var/log/letsencrypt"):
        os.makedirs(f"{root}/{directory}", exist_ok=True)
    # no network, and this machine's own /etc/letsencrypt/cli.ini (options 0.20.0 rejects) out of view
    run = subprocess.run(["unshare", "-mn", "sh", "-c", 'mount -t tmpfs none /etc/letsencrypt && exec "$@"', "sh",
                          f"{venv}/bin/certbot", "certonly", "--standalone", "-d", "shop.example.jp", "--server", V1,
                          "--agree-tos", "-m", "admin@example.jp", "--non-interactive",
                          "--config-dir", f"{root}/etc/letsencrypt", "--work-dir", f"{root}/var/lib/letsencrypt",
                          "--logs-dir", f"{root}/var/log/letsencrypt"], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "acme-v01.api.letsencrypt.org" in run.stdout + run.stderr
    print(f"certbot-auto 0.20.0 tree made in {time.monotonic() - started:.1f} s")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def check(root):
    result = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", root, "--json"],
                            capture_output=True, text=True, timeout=120)
    return result.returncode, json.loads(result.stdout)


def test_the_real_certbot_0_20_tree_is_read_as_it_is(certbot_auto_0_20):
    code, doc = check(certbot_auto_0_20)
    assert code == 1 and doc["acme"]["verdict"] == "v1"
    auto = next(c for c in doc["clients"] if c["install_method"] == "certbot-auto")
    assert (auto["version"], auto["python_version"], auto["speaks_v2"]) == ("0.20.0", "2.7.18", False)
    assert auto["renews"] and auto["scheduled"][0]["source"] == "/etc/crontab"
    run = doc["logs"]["runs"][-1]
    assert run["certbot_version"] == "0.20.0"
    endpoint = run["endpoints"][-1]
    assert endpoint["api"] == "v1" and endpoint["url"] == V1
    newest = next(f for f in doc["findings"] if f["id"] == "ACME-008")
    assert newest["evidence"][0]["text"].endswith(f"Sending GET request to {V1}.")
    assert "ACME-001" in doc["acme"]["reasons"]            # a client that cannot speak ACMEv2 renews here

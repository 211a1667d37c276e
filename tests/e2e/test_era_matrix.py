"""The era matrix (issue 14): real ACME clients of every era, each installed where its era put it and
run once for real (eras.py), then diagnosed with `check --json`. Each row states what the client
really did; the test holds the diagnosis to it. Never skipped: the pyenv interpreters are part of
this machine kind, and the test command installs certbot, dehydrated and pebble.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.e2e import eras
from tests.e2e.eras import STAGING_V2, V1, V2

pytestmark = pytest.mark.e2e


@dataclass
class Reality:
    """What the real client was and did, from its own install and its own run."""
    verdict: str
    kind: str
    method: str
    version: str
    python: str | None
    path: str
    schedule: str                     # the file whose line runs it
    last_endpoints: list[tuple[str, str]]   # the newest run's servers, (api, url), as it logged them
    findings: set[str]                # every finding the tree should raise, no more


REALITY = {
    "certbot-auto-0.20.0": Reality("v1", "certbot", "certbot-auto", "0.20.0", "2.7.18", "/usr/local/bin/certbot-auto",
                                   "/etc/crontab", [("v1", V1)],
                                   {"ACME-001", "ACME-008", "ACME-010", "ACME-011"}),
    "letsencrypt-auto-0.17.0": Reality("v1", "certbot", "certbot-auto", "0.17.0", "2.7.18",
                                       "/opt/letsencrypt/letsencrypt-auto", "/var/spool/cron/crontabs/root",
                                       [("v1", V1)], {"ACME-001", "ACME-008", "ACME-010", "ACME-011"}),
    # its order stopped at the challenge (pebble rejects 0.31's keyAuthorization field): no lineage, v2 spoken
    "certbot-0.31.0": Reality("v2", "certbot", "pip", "0.31.0", "2.7.18", "/opt/certbot/bin/certbot",
                              "/etc/cron.d/certbot", [("v2", V2)], {"ACME-011"}),
    "certbot-1.11.0": Reality("v2", "certbot", "pip", "1.11.0", "2.7.18", "/opt/certbot/bin/certbot",
                              "/etc/cron.d/certbot", [("v2-staging", STAGING_V2)], {"ACME-011", "ACME-030"}),
    "certbot-1.23.0": Reality("v2", "certbot", "pip", "1.23.0", "3.6.15", "/opt/certbot/bin/certbot",
                              "/etc/cron.d/certbot", [("v2-staging", STAGING_V2)], {"ACME-030"}),
    # the venv's python links to this machine's pyenv, outside the tree: named as unreadable (ACME-020)
    "certbot-current": Reality("v2", "certbot", "pip", "", "3.12.1", "/opt/certbot/bin/certbot",
                               "/etc/cron.d/certbot", [("v2-staging", STAGING_V2)], {"ACME-020", "ACME-030"}),
    "debian-certbot-2.1.0": Reality("v2", "certbot", "os-package", "2.1.0", "3.11", "/usr/bin/certbot",
                                    "/lib/systemd/system/certbot.service", [("v2-staging", STAGING_V2)],
                                    {"ACME-030"}),
    "lego-4.9.1": Reality("v2", "lego", "os-package", "4.9.1", None, "/usr/bin/lego", "/etc/cron.d/lego", [], set()),
    "dehydrated-v02": Reality("v2", "dehydrated", "os-package", "0.7.0", None, "/usr/bin/dehydrated",
                              "/etc/cron.d/dehydrated", [], set()),
}


@pytest.fixture(scope="module")
def era_trees(tmp_path_factory):
    for python in eras.PYTHON.values():
        assert os.path.exists(python), f"{python}: pyenv's interpreters are part of this machine kind (issue 14)"
    made = eras.make_all(str(tmp_path_factory.mktemp("eras")))
    for era in made.values():
        print(f"{era.name}: build {era.seconds.get('build', 0):.1f} s, run {era.seconds.get('run', 0):.1f} s")
    return made


def check(root):
    result = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", root, "--json"],
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(REALITY))
def test_check_reads_what_the_real_client_did(era_trees, name):
    era, real = era_trees[name], REALITY[name]
    assert not era.failed, era.failed
    code, doc = check(era.root)
    assert doc["acme"]["verdict"] == real.verdict and code == (1 if real.verdict == "v1" else 0)
    client = next((c for c in doc["clients"] if c["kind"] == real.kind), None)
    assert client is not None, json.dumps(doc["clients"], indent=1)
    assert (client["install_method"], client["path"], client["python_version"]) == (real.method, real.path,
                                                                                     real.python)
    assert client["version"] == (real.version or _installed_version(era.output))
    if real.method == "pip":
        assert client["version"] == _installed_version(era.output)
    assert [s["source"] for s in client["scheduled"]][-1] == real.schedule and client["renews"]
    if real.kind == "certbot":
        run = doc["logs"]["runs"][-1]
        assert run["certbot_version"] == client["version"]
        assert [(e["api"], e["url"]) for e in run["endpoints"]][-1:] == real.last_endpoints
    assert {f["id"] for f in doc["findings"]} == real.findings


def test_v1_clients_cite_their_own_request_to_acme_v01(era_trees):
    for name in ("certbot-auto-0.20.0", "letsencrypt-auto-0.17.0"):
        _code, doc = check(era_trees[name].root)
        newest = next((f for f in doc["findings"] if f["id"] == "ACME-008"), None)
        assert newest is not None, json.dumps(doc["findings"], indent=1)
        assert newest["evidence"][0]["path"] == "/var/log/letsencrypt/letsencrypt.log"
        assert newest["evidence"][0]["text"].endswith(f"Sending GET request to {V1}.")
        # certbot made accounts/acme-v01…/directory before it failed to register: no account is claimed
        assert "ACME-023" not in {f["id"] for f in doc["findings"]}


def test_v2_clients_really_asked_acme_v02(era_trees):
    """Their first run (certonly, the default server) went to acme-v02: the log says so, line by line."""
    for name in ("certbot-1.11.0", "certbot-1.23.0", "certbot-current", "debian-certbot-2.1.0"):
        _code, doc = check(era_trees[name].root)
        first = doc["logs"]["runs"][0]
        assert [(e["api"], e["url"]) for e in first["endpoints"]] == [("v2", V2)], name
        conf, = doc["renewal_confs"]
        assert conf["server"] == V2 and conf["version"] == doc["clients"][0]["version"]


# What the v2 clients left: their certificate and their account on acme-v02 (pebble on its name)
ISSUED = {
    "certbot-1.11.0": ["etc/letsencrypt/live/certbot-1-11-0.example.jp/cert.pem",
                       "etc/letsencrypt/accounts/acme-v02.api.letsencrypt.org/directory"],
    "certbot-current": ["etc/letsencrypt/live/certbot-current.example.jp/cert.pem",
                        "etc/letsencrypt/accounts/acme-v02.api.letsencrypt.org/directory"],
    "debian-certbot-2.1.0": ["etc/letsencrypt/live/debian.example.jp/cert.pem",
                             "etc/letsencrypt/accounts/acme-v02.api.letsencrypt.org/directory"],
    "dehydrated-v02": ["var/lib/dehydrated/certs/www.example.jp/cert.pem", "var/lib/dehydrated/accounts"],
    "lego-4.9.1": ["etc/lego/certificates/mail.example.jp.crt",
                   "etc/lego/accounts/acme-v02.api.letsencrypt.org/admin@example.jp"],
}


@pytest.mark.parametrize("name", sorted(ISSUED))
def test_the_v2_clients_really_got_a_certificate(era_trees, name):
    era = era_trees[name]
    assert not era.failed, era.failed
    for path in ISSUED[name]:
        assert os.path.exists(os.path.join(era.root, path)), f"{name}: {path} missing\n{era.output[-2000:]}"
    certificate = next(p for p in ISSUED[name] if p.endswith((".pem", ".crt")))
    issuer = subprocess.run(["openssl", "x509", "-noout", "-issuer", "-in", os.path.join(era.root, certificate)],
                            capture_output=True, text=True)
    assert "Pebble" in issuer.stdout, issuer.stdout + issuer.stderr     # issued by the pebble on LE's name


def _installed_version(output: str) -> str:
    """The version the client itself reports (`certbot --version` in the era's run)."""
    found = re.search(r"^certbot (\d+\.\d+\.\d+)$", output, re.MULTILINE)
    assert found, output[-2000:]
    return found.group(1)

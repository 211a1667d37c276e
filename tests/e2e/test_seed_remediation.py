"""The seed's server remediated for real (issue 14, item 2).

CentOS 6.10 with certbot-auto 0.20.0 on Python 2.7 (the real client, installed as certbot-auto left
it), one lineage due in 20 days, and the real 0.20.0 failing on acme-v01 in its log. rh-python36
stands where the SCL puts it and, like the SCL's, starts only with its lib64 on LD_LIBRARY_PATH.
In one namespace (eras.SEED, world.sh --le: PyPI reachable, pebble on Let's Encrypt's v2 names):
check -> plan -> apply with the rh-python36 choice (yum is a stub; the venv, pip against PyPI, the
pin fix, the test renewal, the cron move and the retirement are real) -> check -> verify -> a real
renewal -> rollback, and the old client runs again.
"""
from __future__ import annotations

import json
import os

import pytest

from tests.e2e import eras
from tests.e2e.eras import V1, V2

pytestmark = pytest.mark.e2e
NEW_CRON = ("30 2 * * 1 root env LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64 /opt/certbot/bin/certbot "
            "renew --quiet")
OLD_CRON = "30 2 * * 1 root /usr/local/bin/certbot-auto renew --quiet --no-self-upgrade"


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    era = eras.make_all(str(tmp_path_factory.mktemp("seed")), [eras.SEED], workers=1)["seed"]
    assert not era.failed, era.failed
    work = era.root + ".work"
    with open(f"{work}/transcript.txt") as transcript:
        print(f"build {era.seconds['build']:.1f} s, story {era.seconds['run']:.1f} s\n{transcript.read()}")
    return era, work


def exit_codes(work):
    with open(f"{work}/transcript.txt") as transcript:
        return {line.split()[0]: int(line.split()[2]) for line in transcript}


def output(work, name):
    with open(f"{work}/{name}.out") as handle:
        return handle.read()


def words(work, name):
    """A human output with its line wrapping undone."""
    return " ".join(output(work, name).split())


def test_check_reads_the_seed_as_it_is(seed):
    _era, work = seed
    doc = json.loads(output(work, "check-before"))
    assert exit_codes(work)["check-before"] == 1 and doc["acme"]["verdict"] == "v1"
    assert (doc["os"]["id"], doc["os"]["version"]) == ("centos", "6.10")
    client, = doc["clients"]
    assert (client["install_method"], client["version"], client["python_version"]) == ("certbot-auto", "0.20.0",
                                                                                        "2.7.18")
    ids = {f["id"] for f in doc["findings"]}
    assert {"ACME-001", "ACME-002", "ACME-008", "ACME-016"} <= ids and "ACME-023" in ids
    newest = next(f for f in doc["findings"] if f["id"] == "ACME-008")
    assert newest["evidence"][0]["text"].endswith(f"Sending GET request to {V1}.")


def test_apply_installs_certbot_1_23_on_the_scl_python_for_real(seed):
    era, work = seed
    assert exit_codes(work)["apply"] == 0, output(work, "apply")
    with open(f"{work}/yum.calls") as calls:
        assert calls.read().splitlines() == ["yum makecache", "yum install -y rh-python36 augeas-libs"]
    # the venv was made by the SCL Python (only the runner lets it start) and pip filled it from PyPI
    assert os.readlink(f"{era.root}/opt/certbot/bin/python3") == "/opt/rh/rh-python36/root/usr/bin/python3"
    site = os.listdir(f"{era.root}/opt/certbot/lib/python3.6/site-packages")
    assert "certbot-1.23.0.dist-info" in site
    assert any(name.startswith("cryptography-37.") for name in site)     # the plan's wheels-only pin
    applied = output(work, "apply")
    assert "env LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64 /opt/certbot/bin/certbot renew --dry-run" \
        in applied
    assert NEW_CRON in applied


def test_after_apply_the_new_client_renews_against_acme_v02(seed):
    _era, work = seed
    doc = json.loads(output(work, "check-after"))
    assert exit_codes(work)["check-after"] == 0 and doc["acme"]["verdict"] == "v2"
    client, = doc["clients"]
    assert (client["path"], client["version"], client["python_version"]) == ("/opt/certbot/bin/certbot", "1.23.0",
                                                                             "3.6.15")
    assert client["renews"] and client["scheduled"][0]["source"] == "/etc/crontab"
    assert exit_codes(work)["verify"] == 0
    assert "the newest log run asked https://acme-staging-v02.api.letsencrypt.org/directory" in words(work, "verify")
    # a real renewal, through the runner, against acme-v02 (pebble on its name)
    assert exit_codes(work)["verify-real"] == 0, output(work, "verify-real")
    assert f"the newest log run asked {V2}" in words(work, "verify-real")


def test_rollback_gives_back_the_tree_and_the_old_client(seed):
    era, work = seed
    assert exit_codes(work)["rollback"] == 0
    # Byte for byte, but for what a rollback leaves on purpose: the new venv (the plan's undo says
    # `rm -rf /opt/certbot`), the logs the runs wrote, and the run's own record under the state dir.
    kept = {"opt/certbot", "var/log/letsencrypt", f"{work}/state".lstrip("/")}
    assert _differences(f"{work}/before", era.root, kept) == []
    with open(era.root + "/etc/crontab") as crontab:
        assert OLD_CRON in crontab.read().splitlines()
    # certbot-auto is back and runs: 0.20.0, failing on acme-v01 exactly as before (the story's last step)
    assert output(work, "old-client").splitlines()[-1] == "certbot 0.20.0"
    assert era.output.count("Attempting to renew cert (shop.example.jp)") == 2      # before apply, after rollback


def _differences(left: str, right: str, kept: set[str]) -> list[str]:
    """Relative paths whose type, link target or bytes differ between two trees, or that only one
    has; `kept` paths (and the directories on the way to them) are left out."""
    def listing(top: str) -> dict[str, tuple[str, bytes | str]]:
        found: dict[str, tuple[str, bytes | str]] = {}
        for directory, names, files in os.walk(top):
            for name in names + files:
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, top)
                if os.path.islink(path):
                    found[relative] = ("link", os.readlink(path))
                elif os.path.isdir(path):
                    found[relative] = ("dir", "")
                else:
                    with open(path, "rb") as handle:
                        found[relative] = ("file", handle.read())
        return found

    def left_out(path: str) -> bool:
        return any(path == k or path.startswith(k + "/") or k.startswith(path + "/") for k in kept)

    before, after = listing(left), listing(right)
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p) and not left_out(p))

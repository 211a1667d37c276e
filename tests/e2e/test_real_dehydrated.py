"""The real dehydrated (Debian's 0.7.0) with an explicit v01 CA: what it printed and what the wizard
makes of the tree, then the plan's CA edit applied and the same dehydrated asking acme-v02 (issue 13
item 2 and issue 14 item 1, proven with the real client in a private network namespace)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

V1 = "https://acme-v01.api.letsencrypt.org/directory"
V2 = "https://acme-v02.api.letsencrypt.org/directory"


def run_dehydrated(root):
    """`dehydrated --cron` as the cron line runs it, with no network: it prints what it contacted."""
    home = f"{root}/opt/dehydrated"
    result = subprocess.run(["unshare", "-mn", "sh", "-c", 'mount -t tmpfs none /etc/dehydrated 2>/dev/null; exec "$@"',
                             "sh", f"{home}/dehydrated", "--register", "--accept-terms", "--config", f"{home}/config"],
                            capture_output=True, text=True, timeout=60, cwd=home)
    with open(f"{root}/var/log/dehydrated.log", "a") as handle:
        handle.write(result.stdout + result.stderr)
    return result.stdout + result.stderr


@pytest.fixture
def dehydrated_tree(tmp_path):
    real = shutil.which("dehydrated")
    assert real, "dehydrated is installed by the test command (tests/run.sh)"
    root = str(tmp_path / "host")
    home = f"{root}/opt/dehydrated"
    os.makedirs(home)
    os.makedirs(f"{root}/var/log")
    os.makedirs(f"{root}/etc/cron.d")
    shutil.copy(real, f"{home}/dehydrated")
    with open(f"{home}/config", "w") as handle:
        handle.write(f'CA="{V1}"\nWELLKNOWN={root}/var/www/le\nBASEDIR={home}\n')
    with open(f"{root}/etc/cron.d/dehydrated", "w") as handle:
        handle.write("MAILTO=root\n5 3 * * * root /opt/dehydrated/dehydrated --cron >> /var/log/dehydrated.log 2>&1\n")
    return root


def wizard(*argv):
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True, timeout=120)


def test_real_dehydrated_with_a_v01_ca_then_the_plans_fix(dehydrated_tree):
    root = dehydrated_tree
    printed = run_dehydrated(root)
    assert f"get for {V1}" in printed                    # the real 0.7.0 uses the v01 CA as written
    result = wizard("check", "--root", root, "--json")
    doc = json.loads(result.stdout)
    assert result.returncode == 1 and doc["acme"]["verdict"] == "v1"
    client = next(c for c in doc["clients"] if c["kind"] == "dehydrated")
    assert client["version"] == "0.7.0" and client["speaks_v2"] and client["renews"]
    pin = next(f for f in doc["findings"] if f["id"] == "ACME-028")
    assert (pin["evidence"][0]["path"], pin["evidence"][0]["line"]) == ("/opt/dehydrated/config", 1)
    printed_run = next(r for r in doc["logs"]["runs"] if r["file"] == "/var/log/dehydrated.log")
    assert printed_run["endpoints"][-1]["api"] == "v1"     # what it printed is evidence too (item 3)
    applied = wizard("apply", "--root", root, "--yes")
    assert applied.returncode in (0, 1), applied.stdout + applied.stderr      # no commands run in a tree
    assert open(f"{root}/opt/dehydrated/config").readline() == f'CA="{V2}"\n'
    assert f"get for {V2}" in run_dehydrated(root)       # the same real dehydrated now asks ACMEv2
    again = json.loads(wizard("check", "--root", root, "--json").stdout)
    assert not [f for f in again["findings"] if f["id"] == "ACME-028"]
    rollback = wizard("rollback", "--root", root, "--yes")
    assert rollback.returncode == 0 and open(f"{root}/opt/dehydrated/config").readline() == f'CA="{V1}"\n'

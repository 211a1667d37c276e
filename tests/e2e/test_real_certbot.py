"""Real Debian certbot against a real pebble on loopback, on Let's Encrypt's real URLs.

prod_urls.sh runs certbot inside a private network namespace whose /etc/hosts sends the LE
names to 127.0.0.1; the trees it leaves are then diagnosed like any server's. Never skipped:
the test command installs certbot and pebble when they are missing.
"""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(__file__)
V1 = "https://acme-v01.api.letsencrypt.org/directory"
V2 = "https://acme-v02.api.letsencrypt.org/directory"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def certbot_trees(tmp_path_factory):
    for tool in ("certbot", "pebble", "unshare", "openssl"):
        assert shutil.which(tool), f"{tool} is installed by the test command (tests/run.sh)"
    base = tmp_path_factory.mktemp("prod-urls")
    started = time.monotonic()
    result = subprocess.run(["bash", os.path.join(HERE, "prod_urls.sh"), str(base / "work"), str(base / "root")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    print(result.stdout, f"prod_urls.sh took {time.monotonic() - started:.1f}s")
    return str(base / "work" / "legacy-root"), str(base / "root")


def check(root, *extra):
    result = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", root, "--json", *extra],
                            capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_legacy_lineage_shows_the_v01_pin_and_the_v1_account(certbot_trees):
    legacy, _ = certbot_trees
    _code, doc = check(legacy)
    conf, = doc["renewal_confs"]
    assert conf["name"] == "legacy.example.com" and conf["server"] == V1 and conf["version"] == "2.1.0"
    pin = next(f for f in doc["findings"] if f["id"] == "ACME-003")    # certbot 2.1.0 rewrites it
    assert pin["evidence"][0]["path"] == "/etc/letsencrypt/renewal/legacy.example.com.conf"
    assert pin["evidence"][0]["text"] == f"server = {V1}"
    assert "ACME-023" in {f["id"] for f in doc["findings"]}
    run, = doc["logs"]["runs"]
    assert run["certbot_version"] == "2.1.0" and run["entry_point"] == "/usr/bin/certbot"
    assert {e["api"] for e in run["endpoints"]} == {"v2"}
    client, = doc["clients"]
    assert (client["version"], client["install_method"], client["present"]) == ("2.1.0", "os-package", False)
    assert doc["acme"]["verdict"] == "v2"


def test_renewal_through_the_rewrite_is_proven_by_the_logs(certbot_trees):
    _, renewed = certbot_trees
    code, doc = check(renewed)
    conf, = doc["renewal_confs"]
    assert conf["server"] == V2                  # certbot wrote v02 back after the real renewal
    runs = doc["logs"]["runs"]
    assert "--force-renewal" in runs[-2]["arguments"] and "--dry-run" in runs[-1]["arguments"]
    force, dry = runs[-2], runs[-1]
    assert [e["api"] for e in force["endpoints"]] == ["v2"]
    assert [e["api"] for e in dry["endpoints"]] == ["v2-staging"]
    assert doc["acme"]["verdict"] == "v2"
    # the tree holds certificates but no cron line or timer: the one thing left to do is schedule renewals
    assert code == 1 and [f["id"] for f in doc["findings"] if f["blocking"]] == ["ACME-014"]


def test_rewrite_line_and_account_symlink_are_read(certbot_trees):
    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.probe.run import run_probe
    from wizard.core.target.local import LocalTarget
    _, renewed = certbot_trees
    diagnosis = diagnose(run_probe(LocalTarget(renewed)))
    force = diagnosis.logs.runs[-2]
    assert force.rewrite is not None and force.rewrite.url == V2
    v2_dir = next(a for a in diagnosis.accounts if a.server_path == "acme-v02.api.letsencrypt.org/directory")
    assert v2_dir.link_target and v2_dir.link_target.endswith("accounts/acme-v01.api.letsencrypt.org/directory")


def test_live_system_with_custom_dirs_finds_debians_certbot(certbot_trees):
    _, renewed = certbot_trees
    _code, doc = check("/", "--config-dir", os.path.join(renewed, "etc/letsencrypt"),
                      "--logs-dir", os.path.join(renewed, "var/log/letsencrypt"))
    debian = next(c for c in doc["clients"] if c["install_method"] == "os-package")
    assert debian["version"] == "2.1.0" and debian["python_version"].startswith("3.")
    assert debian["path"] == "/usr/bin/certbot" and debian["speaks_v2"] and debian["rewrites_v1"]
    assert doc["os"]["id"] == "debian"
    assert len(doc["logs"]["runs"]) == 3 and doc["acme"]["verdict"] == "v2"

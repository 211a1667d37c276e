"""check -> apply -> verify -> rollback on a tree made by real certbot, against real pebble on
Let's Encrypt's real URLs (private network namespace, loopback only).

The client-install step cannot install anything here (no network): the answers choose the
distribution package, so the package step runs `apt-get update` and `apt-get install -y certbot`
for real against the certbot that is already installed, which is a no-op by design.
"""
import filecmp
import json
import os
import subprocess

import pytest

HERE = os.path.dirname(__file__)
V1 = "https://acme-v01.api.letsencrypt.org/directory"
V2 = "https://acme-v02.api.letsencrypt.org/directory"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    base = tmp_path_factory.mktemp("remediate")
    work, root = base / "work", base / "root"
    result = subprocess.run(["bash", os.path.join(HERE, "prod_urls.sh"), str(work), str(root),
                             "bash", os.path.join(HERE, "remediate.sh")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    transcript = (work / "transcript.txt").read_text()
    print(transcript)
    return work, root, transcript


def read(work, name):
    return (work / f"{name}.out").read_text()


def exit_code(transcript, name):
    line = next(line for line in transcript.splitlines() if line.startswith(name + " "))
    return int(line.split()[2])


def test_check_shows_the_v01_pin(story):
    work, _root, _transcript = story
    doc = json.loads(read(work, "check-before"))
    conf, = doc["renewal_confs"]
    assert conf["server"] == V1
    pin = next(f for f in doc["findings"] if f["id"] == "ACME-003")
    assert pin["evidence"][0]["text"] == f"server = {V1}"


def test_apply_fixes_the_pin_and_runs_the_package_step_for_real(story):
    work, root, transcript = story
    assert exit_code(transcript, "apply") == 0, read(work, "apply") + (work / "apply.err").read_text()
    out = read(work, "apply")
    assert "$ apt-get install -y certbot" in out and "| certbot is already the newest version" in out
    assert "edited " + str(root / "etc/letsencrypt/renewal/legacy.example.com.conf") in out
    after = json.loads(read(work, "check-after"))
    assert after["renewal_confs"][0]["server"] == V2
    assert "ACME-003" not in {f["id"] for f in after["findings"]}


def test_verify_runs_a_real_test_renewal_through_pebble_and_proves_acme_v02(story):
    work, _root, transcript = story
    out = read(work, "verify")
    assert exit_code(transcript, "verify") == 0, out
    flat = " ".join(out.split())
    assert "PASSED" in flat and "test renewal succeeded" in flat
    assert "the newest log run asked https://acme-staging-v02.api.letsencrypt.org/directory" in flat
    before_after = out[out.index("Before and after:"):]
    assert "v1 pins        1" in before_after          # saved by apply before it changed anything
    assert "v2-staging" in before_after


def test_opt_in_real_renewal_proves_the_production_endpoint(story):
    work, _root, transcript = story
    out = " ".join(read(work, "verify-real").split())
    assert exit_code(transcript, "verify-real") == 0, out
    assert "counts against Let's Encrypt's rate limits" in out
    assert "--cert-name legacy.example.com --force-renewal" in out
    assert f"the newest log run asked {V2}" in out


def test_rollback_restores_the_original_tree_byte_for_byte(story):
    work, root, transcript = story
    assert exit_code(transcript, "rollback") == 0
    original, restored = work / "original-config", root / "etc/letsencrypt"
    comparison = filecmp.dircmp(original, restored)

    def same(cmp):
        assert not (cmp.left_only or cmp.right_only or cmp.diff_files or cmp.funny_files), cmp.report()
        for sub in cmp.subdirs.values():
            same(sub)
    same(comparison)
    for dirpath, _dirs, files in os.walk(original):
        for name in files:
            left = os.path.join(dirpath, name)
            right = os.path.join(restored, os.path.relpath(left, original))
            assert open(left, "rb").read() == open(right, "rb").read()
            assert os.lstat(left).st_mode == os.lstat(right).st_mode

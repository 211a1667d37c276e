"""The probe reads files in batches (issue 15): one stat, one grep -l for key headers, one grep for
contents. A batch that cannot run never lets a key through; a name met twice is one problem; a root
with a space in its path has its logs read."""
import os
import subprocess

from wizard.core.analyse.diagnose import diagnose
from wizard.core.probe.run import probe_script, run_probe
from wizard.core.probe.snapshot import SnapshotReader
from wizard.core.target.local import LocalTarget
from wizard.demo.hostkit import V1, HostTree, Run

KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCSECRET\n-----END PRIVATE KEY-----\n"


def _host(root):
    tree = HostTree(str(root))
    tree.os_release(id="debian", version_id="10", pretty_name="Debian GNU/Linux 10 (buster)")
    tree.renewal_conf("www.example.jp", version="0.31.0", server=V1)
    tree.file("/etc/letsencrypt/renewal/a-leak.conf", KEY)
    return tree


def test_a_key_check_that_cannot_run_in_one_batch_is_made_file_by_file(tmp_path):
    _host(tmp_path / "root")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    # a grep whose batch key check fails as an argument list too long would (exit 2)
    (stubs / "grep").write_text('#!/bin/sh\nfor a in "$@"; do [ "$a" = -l ] && exit 2; done\nexec /bin/grep "$@"\n')
    (stubs / "grep").chmod(0o755)
    script = tmp_path / "probe.sh"
    script.write_bytes(probe_script())
    done = subprocess.run(["sh", str(script), str(tmp_path / "root"), "/etc/letsencrypt", "/var/log/letsencrypt"],
                          capture_output=True, env={**os.environ, "PATH": f"{stubs}:/usr/bin:/bin"})
    assert b"PRIVATE KEY" not in done.stdout + done.stderr
    assert b"X\tkey-material\t" + str(tmp_path / "root").encode() + b"/etc/letsencrypt/renewal/a-leak.conf" \
        in done.stdout
    assert b"server = " + V1.encode() in done.stdout            # the other conf is still read


def test_a_place_met_twice_is_one_problem():
    reader = SnapshotReader()
    reader.feed([b"X\tunlistable-directory\t/srv/private\n"] * 3 + [b"H\tend\tok\n"])
    snapshot = reader.finish()
    assert [(p.path, p.reason) for p in snapshot.problems] == [("/srv/private", "unlistable-directory")]


def test_a_root_with_a_space_has_its_logs_read(tmp_path):
    import datetime
    root = tmp_path / "srv 10"
    tree = _host(root)
    tree.log("letsencrypt.log", [Run("0.31.0", datetime.datetime(2026, 11, 20, 3, 0), ["renew"], server=V1)])
    diagnosis = diagnose(run_probe(LocalTarget(str(root))))
    assert diagnosis.logs.runs and diagnosis.logs.runs[-1].endpoints[-1].url == V1

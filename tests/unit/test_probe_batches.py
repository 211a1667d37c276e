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



def _linked_tree(root, odd: bool):
    from wizard.demo.hostkit import LATE_2026_CERT
    tree = _host(root)
    for name in ("a.example", "b.example", "c.example"):          # certbot's own layout: relative links
        tree.file(f"/etc/letsencrypt/archive/{name}/cert1.pem", LATE_2026_CERT)
        os.makedirs(root / f"etc/letsencrypt/live/{name}")
        os.symlink(f"../../archive/{name}/cert1.pem", root / f"etc/letsencrypt/live/{name}/cert.pem")
    # an absolute link is followed inside the root, never to this machine's /etc/letsencrypt
    tree.file("/srv/le/d.pem", LATE_2026_CERT)
    os.makedirs(root / "etc/letsencrypt/live/d.example")
    os.symlink("/srv/le/d.pem", root / "etc/letsencrypt/live/d.example/cert.pem")
    if odd:      # a link whose target holds a line break: the batch is dropped, each link read alone
        tree.file("/etc/letsencrypt/archive/e\nx/cert1.pem", LATE_2026_CERT)
        os.makedirs(root / "etc/letsencrypt/live/e.example")
        os.symlink("../../archive/e\nx/cert1.pem", root / "etc/letsencrypt/live/e.example/cert.pem")


def _probe_counting_readlink(tmp_path, root):
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    calls = tmp_path / "readlink.calls"
    (stubs / "readlink").write_text(f'#!/bin/sh\necho "$#" >> {calls}\nexec /usr/bin/readlink "$@"\n')
    (stubs / "readlink").chmod(0o755)
    script = tmp_path / "probe.sh"
    script.write_bytes(probe_script())
    done = subprocess.run(["sh", str(script), str(root), "/etc/letsencrypt", "/var/log/letsencrypt"],
                          capture_output=True, env={**os.environ, "PATH": f"{stubs}:/usr/bin:/bin"})
    reader = SnapshotReader()
    reader.feed(done.stdout.splitlines(keepends=True))
    snapshot = reader.finish(done.stderr)
    live = "/etc/letsencrypt/live"
    read = {p for p, f in snapshot.files.items() if p.startswith(live) and "BEGIN CERTIFICATE" in f.text}
    operands = [int(n) for n in calls.read_text().split()] if calls.exists() else []
    calls.unlink(missing_ok=True)
    return snapshot, read, operands


def test_linked_certificates_are_resolved_in_one_batch_and_never_outside_the_root(tmp_path):
    _linked_tree(tmp_path / "root", odd=False)
    snapshot, read, operands = _probe_counting_readlink(tmp_path, tmp_path / "root")
    assert read == {f"/etc/letsencrypt/live/{n}.example/cert.pem" for n in "abcd"}
    assert not any(p.startswith("/srv") for p in snapshot.files)            # named by the link, as found
    assert operands == [5]                  # one readlink (-- and four names) for the four links


def test_a_link_target_with_a_line_break_sends_every_link_to_its_own_readlink(tmp_path):
    _linked_tree(tmp_path / "root", odd=True)
    _snapshot, read, operands = _probe_counting_readlink(tmp_path, tmp_path / "root")
    assert read == {f"/etc/letsencrypt/live/{n}.example/cert.pem" for n in "abcde"}
    assert operands.count(2) >= 5           # readlink -- NAME, one link at a time

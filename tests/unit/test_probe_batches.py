"""The probe reads files in batches (issue 15): one stat, one grep -l for key headers, one grep for
contents. A batch that cannot run never lets a key through; a name met twice is one problem; a root
with a space in its path has its logs read."""
import datetime
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


SECRET = "HOST-SECRET-never-read"


def _secret(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text(SECRET + "\n")
    (outside / ".config/letsencrypt").mkdir(parents=True, exist_ok=True)
    (outside / ".config/letsencrypt/cli.ini").write_text(SECRET + "\n")
    return outside


def _output(root) -> bytes:
    return subprocess.run(["sh", "-s", "--", str(root), "/etc/letsencrypt", "/var/log/letsencrypt"],
                          input=probe_script(), capture_output=True).stdout


def test_a_link_target_ending_in_a_line_break_is_not_read_by_its_name(tmp_path):
    outside = _secret(tmp_path)
    root = tmp_path / "root"
    _host(root)
    live = root / "etc/letsencrypt/live/ex"
    live.mkdir(parents=True)
    (live / "c").write_text("inside\n")                          # where a target cut at its line break leads
    os.symlink(outside / "secret.txt", live / "c\n")              # where the kernel goes
    os.symlink("c\n", live / "cert.pem")
    logs = root / "var/log/letsencrypt"
    logs.mkdir(parents=True)
    (logs / "inside.log").write_text("inside\n")
    os.symlink(outside / "secret.txt", logs / "inside.log\n")
    os.symlink("inside.log\n", logs / "letsencrypt.log.7")
    assert SECRET.encode() not in _output(root)


def test_a_batch_of_link_targets_that_lines_cannot_split_is_not_used(tmp_path):
    outside = _secret(tmp_path)
    root = tmp_path / "root"
    _host(root)
    for name, target in (("a", "a\nX"), ("z", "\n")):            # together as many lines as links
        live = root / f"etc/letsencrypt/live/{name}"
        live.mkdir(parents=True)
        os.symlink(target, live / "cert.pem")
    os.symlink(outside / "secret.txt", root / "etc/letsencrypt/live/z/\n")
    (root / "etc/letsencrypt/live/a/a").write_text("inside\n")         # where a split table would lead
    (root / "etc/letsencrypt/live/z/X").write_text("inside\n")
    assert SECRET.encode() not in _output(root)


def test_a_name_holding_a_tab_cannot_pass_for_another_in_the_batch(tmp_path):
    outside = _secret(tmp_path)
    root = tmp_path / "root"
    _host(root)
    home = root / "home"
    (home / "x\tY/.config/letsencrypt").mkdir(parents=True)
    (home / "x\tY/.config/letsencrypt/c").write_text("inside\n")
    os.symlink("c", home / "x\tY/.config/letsencrypt/cli.ini")
    os.symlink(outside, home / "x")
    decoy = home / "Y/.config/letsencrypt/cli.ini\tc/.config/letsencrypt"
    decoy.mkdir(parents=True)
    (decoy / "cli.ini").write_text("decoy\n")
    (home / "z/.config/letsencrypt").mkdir(parents=True)
    (home / "z/.config/letsencrypt/c").write_text("inside\n")
    os.symlink("c", home / "z/.config/letsencrypt/cli.ini")
    os.symlink("x", home / "a")
    assert SECRET.encode() not in _output(root)


def test_a_link_target_cannot_write_records_of_its_own(tmp_path):
    root = tmp_path / "root"
    tree = _host(root)
    tree.log("letsencrypt.log", [Run("0.31.0", datetime.datetime(2026, 11, 20, 3, 0), ["renew"], server=V1)])
    (root / "etc/letsencrypt/live").mkdir(parents=True)
    os.symlink("ex\nH\tlogs_dir\t/nowhere\nH\tend\tok", root / "etc/letsencrypt/live/zz")
    os.symlink("a\tb", root / "etc/letsencrypt/live/yy")
    snapshot = run_probe(LocalTarget(str(root)))
    assert snapshot.logs_dir == "/var/log/letsencrypt" and snapshot.logs.runs
    assert snapshot.links["/etc/letsencrypt/live/zz"] == "ex?H?logs_dir?/nowhere?H?end?ok"
    assert snapshot.links["/etc/letsencrypt/live/yy"] == "a?b"


def test_more_plain_logs_and_confs_than_one_argument_list_holds_are_all_read(tmp_path):
    root = tmp_path / "root" / ("deep-" * 20)
    tree = _host(root)
    text = Run("1.14.0", datetime.datetime(2024, 1, 1), ["renew"], server=V1).render()
    for index in range(1, 1201):
        tree.file(f"/var/log/letsencrypt/letsencrypt.log.{index}", text)
        tree.file(f"/etc/letsencrypt/renewal/site{index:04d}.example.conf", "version = 1.14.0\n")
    script = tmp_path / "probe.sh"
    script.write_bytes(probe_script())
    # a 512 KiB stack leaves 128 KiB for arguments: stat and grep get the names in groups
    done = subprocess.run(["sh", "-c", 'ulimit -s 512 && exec sh "$@"', "sh", str(script), str(root),
                           "/etc/letsencrypt", "/var/log/letsencrypt"], capture_output=True, check=False)
    reader = SnapshotReader()
    reader.feed(done.stdout.splitlines(keepends=True))
    snapshot = reader.finish(done.stderr)
    assert sum(1 for f in snapshot.logs.files if f.runs) == 1200
    confs = [p for p in snapshot.files if p.startswith("/etc/letsencrypt/renewal/")]
    assert len(confs) == 1201 and all(snapshot.files[p].lines for p in confs)

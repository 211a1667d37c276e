"""Bad input: a clear reason naming the path, the rest still diagnosed, never a traceback."""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from tests.fixtures.trees import make_world_readable
from wizard.core.probe.run import probe_script
from wizard.core.probe.snapshot import read_snapshot

LOGS = "var/log/letsencrypt"


def problems_of(diagnosis):
    return {(p.path, p.reason) for p in diagnosis.problems}


def test_binary_renewal_conf_is_named_and_the_rest_diagnosed(make_host, diagnose_root):
    root = make_host("centos6_certbot_auto")
    with open(os.path.join(root, "etc/letsencrypt/renewal/example.com.conf"), "wb") as handle:
        handle.write(b"\x00\x01\x02ELF\xff\xfe" * 200)
    diagnosis = diagnose_root(root)
    assert ("/etc/letsencrypt/renewal/example.com.conf", "binary") in problems_of(diagnosis)
    unreadable = next(f for f in diagnosis.findings if f.id == "ACME-020")
    assert "/etc/letsencrypt/renewal/example.com.conf" in unreadable.detail
    assert diagnosis.verdict == "v1" and "ACME-002" in diagnosis.reasons       # shop.example.jp still read


def test_directory_loop_and_dangling_link_where_logs_should_be(make_host, diagnose_root):
    root = make_host("centos6_certbot_auto")
    logs = os.path.join(root, LOGS)
    os.remove(os.path.join(logs, "letsencrypt.log.3"))
    os.mkdir(os.path.join(logs, "letsencrypt.log.3"))
    os.remove(os.path.join(logs, "letsencrypt.log.4"))
    os.symlink("letsencrypt.log.4", os.path.join(logs, "letsencrypt.log.4"))
    os.symlink("/nonexistent/file", os.path.join(logs, "letsencrypt.log.7"))
    diagnosis = diagnose_root(root)
    found = problems_of(diagnosis)
    assert ("/var/log/letsencrypt/letsencrypt.log.3", "is-a-directory") in found
    assert any(path == "/var/log/letsencrypt/letsencrypt.log.4" and "loop" in reason for path, reason in found)
    assert any(path == "/var/log/letsencrypt/letsencrypt.log.7" for path, _ in found)
    assert len(diagnosis.logs.runs) == 5 and diagnosis.verdict == "v1"


def test_symlink_loop_in_config_and_live_dirs(make_host, diagnose_root):
    root = make_host("centos6_certbot_auto")
    renewal = os.path.join(root, "etc/letsencrypt/renewal")
    os.symlink("loop-b.conf", os.path.join(renewal, "loop-a.conf"))
    os.symlink("loop-a.conf", os.path.join(renewal, "loop-b.conf"))
    cert = os.path.join(root, "etc/letsencrypt/live/example.com/cert.pem")
    os.remove(cert)
    os.symlink("cert.pem", cert)
    diagnosis = diagnose_root(root)
    paths = {path for path, _ in problems_of(diagnosis)}
    assert {"/etc/letsencrypt/renewal/loop-a.conf", "/etc/letsencrypt/live/example.com/cert.pem"} <= paths
    assert {c.name for c in diagnosis.renewal_confs} >= {"example.com", "shop.example.jp"}


def test_broken_and_truncated_renewal_conf(make_host, diagnose_root):
    root = make_host("centos7_epel_027_v01_pin")
    path = os.path.join(root, "etc/letsencrypt/renewal/legacy.example.com.conf")
    with open(path, "ab") as handle:
        handle.write(b"[[webroot_map\nthis line has no equals sign\n# caf\xe9 latin-1 comment\nrsa_key_size = 20")
    diagnosis = diagnose_root(root)
    conf = next(c for c in diagnosis.renewal_confs if c.name == "legacy.example.com")
    assert conf.server.value == "https://acme-v01.api.letsencrypt.org/directory"
    malformed = next(f for f in diagnosis.findings if f.id == "ACME-021")
    assert any("no equals sign" in e.text for e in malformed.evidence)


def test_corrupt_gzip_rotation_is_reported(make_host, diagnose_root):
    root = make_host("debian12_apt_21")
    path = os.path.join(root, LOGS, "letsencrypt.log.2.gz")
    data = open(path, "rb").read()
    with open(path, "wb") as handle:
        handle.write(data[: len(data) // 2])
    diagnosis = diagnose_root(root)
    assert ("/var/log/letsencrypt/letsencrypt.log.2.gz", "bad-gzip") in problems_of(diagnosis)
    assert diagnosis.verdict == "v2"


def test_missing_root_is_exit_3_with_one_line(tmp_path):
    missing = str(tmp_path / "no-such-tree")
    result = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", missing],
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and missing in result.stderr and "no such directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_and_logs_dirs_are_not_errors(tmp_path, run_cli):
    (tmp_path / "etc").mkdir()
    code, out, err = run_cli("check", "--root", str(tmp_path), "--config-dir", "/srv/le", "--logs-dir", "/srv/logs")
    assert code == 0 and "UNKNOWN" in out and "/srv/le" in out and err == ""


def test_unreadable_files_as_a_non_root_user():
    """Run the real probe as nobody: protected files are named with the reason, the rest is read."""
    from tests.fixtures.hosts import centos6_certbot_auto
    from wizard.core.analyse.diagnose import diagnose
    base = tempfile.mkdtemp(prefix="acme-wizard-nonroot-")
    try:
        centos6_certbot_auto(base)
        make_world_readable(base)
        secret = os.path.join(base, "etc/letsencrypt/renewal/shop.example.jp.conf")
        os.chmod(secret, 0o600)
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                 "sh", "-s", "--", base, "/etc/letsencrypt", "/var/log/letsencrypt"],
                                input=probe_script(), capture_output=True)
        diagnosis = diagnose(read_snapshot(result.stdout.splitlines(keepends=True), result.stderr))
        assert ("/etc/letsencrypt/renewal/shop.example.jp.conf", "permission-denied") in problems_of(diagnosis)
        assert diagnosis.verdict == "v1" and "ACME-001" in diagnosis.reasons
    finally:
        shutil.rmtree(base)


def test_huge_log_without_newline_streams_in_bounded_memory(make_host, tmp_path):
    """A 300 MB log with no newline at all: the probe cuts lines on the target, memory stays small."""
    root = make_host("debian12_apt_21")
    with open(os.path.join(root, LOGS, "letsencrypt.log.9"), "wb") as handle:
        chunk = b"x" * (1 << 20)
        for _ in range(300):
            handle.write(chunk)
    code = (
        "import resource, sys\n"
        "from wizard.core.probe.run import run_probe\nfrom wizard.core.target.local import LocalTarget\n"
        f"s = run_probe(LocalTarget({root!r}))\n"
        "print(len(s.logs.files), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    files, own_kb, children_kb = map(int, result.stdout.split())
    assert files == 5
    assert own_kb < 120_000 and children_kb < 40_000, (own_kb, children_kb)


@pytest.mark.parametrize("content", [b"", b"not a probe output\n", b"\x00\x01binary"])
def test_bad_bundle_is_exit_3(tmp_path, content):
    bundle = tmp_path / "bundle.out"
    bundle.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "wizard", "check", "--from-bundle", str(bundle)],
                            capture_output=True, text=True)
    assert result.returncode == 3 and str(bundle) in result.stderr and "Traceback" not in result.stderr


def test_gzip_module_matches_probe_decompression(tmp_path):
    # The probe uses the target's gzip; make sure the fixture's .gz files are real gzip.
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"hello\n"))
    assert subprocess.run(["gzip", "-dc", str(path)], capture_output=True).stdout == b"hello\n"

"""The probe's remote wrapper (issue 15): one session that says who it runs as, then the probe's
answer through gzip when the host has it. Run here with a real sh, a real gzip and the real probe;
the answer must read back to the same lines as the probe run directly."""
import gzip
import io
import os
import shutil
import subprocess

from wizard.core.probe.run import probe_script
from wizard.core.target import ssh_probe
from wizard.demo.hostkit import V1, HostTree

TOOLS = ("sh", "id", "grep", "stat", "cut", "head", "date", "uname", "readlink", "cat", "tr", "wc", "tee", "printf")


def _tree(root) -> str:
    tree = HostTree(str(root))
    tree.os_release(id="centos", version_id="7", pretty_name="CentOS Linux 7 (Core)")
    tree.renewal_conf("www.example.jp", version="0.31.0", server=V1)
    tree.file("/var/log/letsencrypt/letsencrypt.log", "2020-01-01 00:00:00,000:DEBUG:certbot.main:certbot version: "
              "0.31.0\n2020-01-01 00:00:01,000:DEBUG:acme.client:Sending GET request to " + V1 + ".\n")
    return str(root)


def _wrapped(root: str, path: str) -> tuple[list[bytes], list[ssh_probe.Identity], int, int]:
    process = subprocess.Popen(["sh", "-c", ssh_probe.WRAPPER, "sh", root, "/etc/letsencrypt", "/var/log/letsencrypt"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PATH": path})
    process.stdin.write(probe_script())
    process.stdin.close()
    told: list[ssh_probe.Identity] = []
    counted: list[int] = []
    lines = list(ssh_probe.lines(process.stdout, counted.append, told.append))
    return lines, told, sum(counted), process.wait()


def _direct(root: str) -> list[bytes]:
    done = subprocess.run(["sh", "-s", "--", root, "/etc/letsencrypt", "/var/log/letsencrypt"], input=probe_script(),
                          capture_output=True, check=True)
    return done.stdout.splitlines(keepends=True)


def _without_dates(lines: list[bytes]) -> list[bytes]:
    return [line for line in lines if not line.startswith(b"H\tdate\t")]


def test_the_answer_comes_packed_and_reads_back_line_for_line(tmp_path):
    root = _tree(tmp_path / "root")
    lines, told, counted, code = _wrapped(root, os.environ["PATH"])
    assert code == 0
    assert told and told[0].packed and told[0].uid == str(os.getuid())
    assert _without_dates(lines) == _without_dates(_direct(root))
    assert counted < sum(len(line) for line in lines)            # fewer bytes crossed than were read


def test_a_host_without_gzip_answers_plainly(tmp_path):
    root = _tree(tmp_path / "root")
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            os.symlink(found, bare / tool)
    lines, told, _counted, code = _wrapped(root, str(bare))
    assert code == 0 and told and not told[0].packed
    assert _without_dates(lines) == _without_dates(_direct(root))


def test_the_probes_own_exit_code_crosses_the_pipe(tmp_path):
    _lines, told, _counted, code = _wrapped(str(tmp_path / "no-such-root"), os.environ["PATH"])
    assert told[0].packed and code == 3                       # PROBE_MISSING_ROOT, not gzip's 0


def test_a_stream_cut_mid_way_ends_without_an_error():
    packed = gzip.compress(b"".join(b"line %d\n" % n for n in range(20000)))
    stream = io.BytesIO(b"acme-wizard-probe uid=0 sudo=root pack=gzip\n" + packed[: len(packed) // 2] + b"garbage")
    lines = list(ssh_probe.lines(stream, lambda _n: None, lambda _who: None))
    assert lines and lines[0] == b"line 0\n" and len(lines) < 20000


def test_a_banner_before_the_header_is_left_out():
    packed = gzip.compress(b"P\t1\nH\tend\tok\n")
    stream = io.BytesIO(b"Welcome to www1 (printed by .bashrc)\n\nacme-wizard-probe uid=0 sudo=root pack=gzip\n" + packed)
    told: list[ssh_probe.Identity] = []
    assert list(ssh_probe.lines(stream, lambda _n: None, told.append)) == [b"P\t1\n", b"H\tend\tok\n"]
    assert told[0].sudo == "root"


def test_a_banner_without_a_line_break_or_ended_by_cr_or_long_is_left_out():
    packed = gzip.compress(b"P\t1\nH\tend\tok\n")
    for banner in (b"Welcome", b"Welcome\r", b"".join(b"motd line %d\n" % n for n in range(400))):
        stream = io.BytesIO(banner + b"acme-wizard-probe uid=1000 sudo=sudo pack=gzip\n" + packed)
        told: list[ssh_probe.Identity] = []
        assert list(ssh_probe.lines(stream, lambda _n: None, told.append)) == [b"P\t1\n", b"H\tend\tok\n"]
        assert told[0].sudo == "sudo" and told[0].uid == "1000"

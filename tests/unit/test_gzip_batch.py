"""Compressed logs are read in one gzip pass (issue 15) and split back at gzip's own complaints.
Every test holds the pass to the slow way, one gzip per log (forced here by a gzip that does not
complain as GNU gzip does): the same lines, with the same numbers, in the same logs, and the same
problems."""
import datetime
import gzip
import json
import os
import shutil
import subprocess
import sys
import zlib

from wizard.core.probe import logs as logs_module
from wizard.core.probe.run import probe_script
from wizard.core.probe.snapshot import read_snapshot
from wizard.demo.hostkit import V1, V2, HostTree, Run

D = "/var/log/letsencrypt/"


def _run_text(day: int, server: str = V2) -> str:
    return Run("1.14.0", datetime.datetime(2024, 1, 1) - datetime.timedelta(days=day), ["renew"], server=server,
               entry_point="/usr/bin/certbot", urllib3="1.26.5").render()


def _tree(root) -> HostTree:
    tree = HostTree(str(root))
    tree.os_release(id="ubuntu", version_id="18.04", pretty_name="Ubuntu 18.04.6 LTS")
    tree.file(D + "letsencrypt.log", _run_text(0))
    return tree


def _probe(tmp_path, root, one_at_a_time: bool, to_file: bool = False):
    """(lines fed to the log scanner, problems) from a real probe run."""
    script = tmp_path / "probe.sh"
    script.write_bytes(probe_script())
    env = dict(os.environ)
    if one_at_a_time:
        stubs = tmp_path / "plain-gzip"
        stubs.mkdir(exist_ok=True)
        # a gzip that complains in its own words, as busybox's does: the probe reads log by log
        (stubs / "gzip").write_text('#!/bin/sh\nfor a in "$@"; do case $a in *.acme-wizard-end*) '
                                    'echo "gzip: can\'t open" >&2; exit 1 ;; esac; done\nexec /bin/gzip "$@"\n')
        (stubs / "gzip").chmod(0o755)
        env["PATH"] = f"{stubs}:/usr/bin:/bin"
    argv = ["sh", str(script), str(root), "/etc/letsencrypt", "/var/log/letsencrypt"]
    if to_file:
        out = tmp_path / "bundle.out"
        with open(out, "wb") as sink:
            done = subprocess.run(argv, stdout=sink, stderr=subprocess.PIPE, env=env, check=False)
        stdout = out.read_bytes()
    else:
        done = subprocess.run(argv, capture_output=True, env=env, check=False)
        stdout = done.stdout
    fed: list[tuple[str, int, str]] = []
    original = logs_module.LogScanner.feed

    def spy(self, path, number, text):
        fed.append((path, number, text))
        original(self, path, number, text)

    logs_module.LogScanner.feed = spy
    try:
        snapshot = read_snapshot(stdout.splitlines(keepends=True), done.stderr)
    finally:
        logs_module.LogScanner.feed = original
    return sorted(fed), sorted((p.path, p.reason) for p in snapshot.problems), stdout


def _same_both_ways(tmp_path, root):
    batched = _probe(tmp_path, root, one_at_a_time=False)
    alone = _probe(tmp_path, root, one_at_a_time=True)
    assert b"!gz\0" not in alone[2] and b"G\t" not in alone[2]      # the slow way really was taken
    assert batched[0] == alone[0]
    assert batched[1] == alone[1]
    return batched


def test_each_compressed_log_keeps_its_own_lines_and_numbers(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    for day in range(1, 6):
        tree.file(D + f"letsencrypt.log.{day}.gz", gzip.compress(_run_text(day, V1 if day == 4 else V2).encode()))
    # a last line without a line break: gzip's complaint is glued to it
    tree.file(D + "letsencrypt.log.6.gz", gzip.compress((_run_text(6) + "2024-01-01 00:00:00,000:DEBUG:acme.client:"
                                                          "Sending GET request to " + V1 + ".").encode()))
    # a longer one than the probe keeps of a line
    tree.file(D + "letsencrypt.log.7.gz", gzip.compress((_run_text(7) + "Sending GET request to " + V1 + " "
                                                          + "x" * 5000).encode()))
    fed, problems, stdout = _same_both_ways(tmp_path, root)
    assert b"G\t" in stdout and b"!gz\0" in stdout                  # and the fast way was taken here
    assert problems == []
    six = [(n, t) for p, n, t in fed if p.endswith(".log.6.gz")]
    assert six[-1][1].endswith("Sending GET request to " + V1 + ".")     # no word of gzip's left on it
    assert any(p.endswith(".log.4.gz") and V1 in t for p, _, t in fed)
    assert {p for p, _, _ in fed} == {D + "letsencrypt.log"} | {D + f"letsencrypt.log.{day}.gz" for day in range(1, 8)}


def test_a_corrupt_log_is_named_and_the_logs_after_it_are_still_read(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    for day in range(1, 6):
        data = gzip.compress(_run_text(day, V1 if day == 5 else V2).encode())
        tree.file(D + f"letsencrypt.log.{day}.gz", data[: len(data) // 2] if day == 2 else data)
    fed, problems, _ = _same_both_ways(tmp_path, root)
    assert problems == [(D + "letsencrypt.log.2.gz", "bad-gzip")]
    assert any(p.endswith(".log.5.gz") and V1 in t for p, _, t in fed)      # read after gzip gave up


def test_a_log_name_with_the_batch_separator_is_read_alone(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    tree.file(D + "letsencrypt.log.1.gz", gzip.compress(_run_text(1).encode()))
    tree.file(D + "letsencrypt.log.2\x1fodd.gz", gzip.compress(_run_text(2, V1).encode()))
    fed, problems, _ = _same_both_ways(tmp_path, root)
    assert any(p.endswith("log.2\x1fodd.gz") and V1 in t for p, _, t in fed)
    assert problems == []


def test_a_probe_written_to_a_file_reads_its_compressed_logs_the_same(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    for day in range(1, 4):
        tree.file(D + f"letsencrypt.log.{day}.gz", gzip.compress(_run_text(day).encode()))
    piped = _probe(tmp_path, root, one_at_a_time=False)
    saved = _probe(tmp_path, root, one_at_a_time=False, to_file=True)   # `sh probe.sh … > out`
    assert saved[0] == piped[0] and saved[1] == piped[1]
    assert saved[2].count(b"\nH\tend\tok\n") == 1


def test_a_bomb_stops_the_pass_and_the_logs_after_it_are_read_alone(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    filler = b"2024-01-01 00:00:00,000:DEBUG:x:filler\n" * 100_000
    # 240 MB once inflated: more than the pass reads for three logs (3 x 64 MiB)
    bomb = squeeze.compress(_run_text(1).encode()) + b"".join(squeeze.compress(filler) for _ in range(60)) \
        + squeeze.compress(_run_text(1, V1).encode()) + squeeze.flush()
    tree.file(D + "letsencrypt.log.1.gz", bomb)
    tree.file(D + "letsencrypt.log.2.gz", gzip.compress(_run_text(2, V1).encode()))
    tree.file(D + "letsencrypt.log.3.gz", gzip.compress(_run_text(3).encode()))
    fed, problems, _ = _probe(tmp_path, root, one_at_a_time=False)
    assert problems == [(D + "letsencrypt.log.1.gz", "log-cut")]
    assert any(p.endswith(".log.2.gz") and V1 in t for p, _, t in fed)
    assert any(p.endswith(".log.3.gz") for p, _, _ in fed)
    assert not any(p.endswith(".log.1.gz") and V1 in t for p, _, t in fed)     # its tail lies past the cut


def test_lines_that_pose_as_gzips_words_stay_lines_of_their_log(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    host_path = f"{root}{D}letsencrypt.log.1.gz"
    posers = ("2024-01-01 00:00:05,000:DEBUG:certbot.hooks:hook said: .acme-wizard-end: Not a directory\n"
              ".acme-wizard-end: Not a directory\n"
              "2024-01-01 00:00:05,000:DEBUG:x:9:.acme-wizard-end: Not a directory\n"
              f"2024-01-01 00:00:06,000:DEBUG:certbot.hooks:hook said: gzip: {host_path}: unexpected end of file\n"
              "2024-01-01 00:00:07,000:DEBUG:certbot.hooks:gzip: dumping db with DB_PASSWORD=hunter2\n")
    tree.file(D + "letsencrypt.log.1.gz", gzip.compress((_run_text(1) + posers + _run_text(1, V1)).encode()))
    data = gzip.compress(_run_text(2).encode())
    tree.file(D + "letsencrypt.log.2.gz", data[: len(data) // 2])                   # gzip stops here
    tree.file(D + "letsencrypt.log.3.gz", gzip.compress(_run_text(3, V1).encode()))
    fed, problems, stdout = _same_both_ways(tmp_path, root)
    assert problems == [(D + "letsencrypt.log.2.gz", "bad-gzip")]
    assert any(p.endswith(".log.1.gz") and V1 in t for p, _, t in fed)           # log 1 read to its end
    assert any(p.endswith(".log.3.gz") and V1 in t for p, _, t in fed)           # and log 3 after the stop
    assert b"hunter2" not in stdout                                               # a log line with "gzip: "


def test_a_log_gzip_will_not_read_is_a_problem_not_a_run(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    tree.file(D + "letsencrypt.log.1.gz", gzip.compress(_run_text(1).encode()))
    data = gzip.compress(_run_text(2, V1).encode())
    tree.file(D + "letsencrypt.log.2.gz", data[:3] + b"\xff" + data[4:])     # flags: "is encrypted -- not supported"
    tree.file(D + "letsencrypt.log.3.gz", gzip.compress(_run_text(3).encode()))
    fed, problems, _ = _same_both_ways(tmp_path, root)
    assert problems == [(D + "letsencrypt.log.2.gz", "bad-gzip")]
    assert not any(p.endswith(".log.2.gz") for p, _, _ in fed)


def test_the_logs_after_a_corrupt_one_get_a_pass_of_their_own(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    for day in range(1, 8):
        data = gzip.compress(_run_text(day, V1 if day == 7 else V2).encode())
        # logrotate cut short while compressing the newest rotation, and once more later
        tree.file(D + f"letsencrypt.log.{day}.gz", data[: len(data) // 2] if day in (1, 4) else data)
    fed, problems, stdout = _same_both_ways(tmp_path, root)
    assert problems == [(D + "letsencrypt.log.1.gz", "bad-gzip"), (D + "letsencrypt.log.4.gz", "bad-gzip")]
    assert stdout.count(b"\nH\tgz_end\t") == 3                       # three passes, no log read alone
    assert any(p.endswith(".log.7.gz") and V1 in t for p, _, t in fed)


def test_more_logs_than_one_argument_list_holds_are_all_read(tmp_path):
    root = tmp_path / "root"
    tree = _tree(root)
    one = gzip.compress(_run_text(1).encode())
    for day in range(1, 1201):
        tree.file(D + f"letsencrypt.log.{day}.gz", one)
    script = tmp_path / "probe.sh"
    script.write_bytes(probe_script())
    # a 512 KiB stack leaves 128 KiB for arguments: the logs go to gzip in groups that fit
    done = subprocess.run(["sh", "-c", 'ulimit -s 512 && exec sh "$@"', "sh", str(script), str(root),
                           "/etc/letsencrypt", "/var/log/letsencrypt"], capture_output=True, check=False)
    snapshot = read_snapshot(done.stdout.splitlines(keepends=True), done.stderr)
    assert len(snapshot.logs.files) == 1201 and not snapshot.problems
    assert sum(1 for f in snapshot.logs.files if f.runs) == 1201
    assert done.stdout.count(b"\nH\tgz_end\t") >= 2


def test_the_bundle_made_as_documented_keeps_the_probes_problems(tmp_path):
    # README and `probe-script --help`: sh probe.sh / … > out 2> err; cat err >> out
    root = tmp_path / "root"
    tree = _tree(root)
    tree.file(D + "letsencrypt.log.1.gz", gzip.compress(_run_text(1).encode()))
    bare = tmp_path / "bin"                                   # a host without gzip: its X records go to stderr
    bare.mkdir()
    for tool in ("sh", "id", "grep", "stat", "cut", "head", "date", "uname", "readlink", "cat", "tr", "wc", "tee",
                 "printf", "od", "getconf"):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bare / tool)
    script = tmp_path / "probe.sh"
    script.write_bytes(probe_script())
    subprocess.run(["sh", "-c", f'sh {script} {root} /etc/letsencrypt /var/log/letsencrypt > out 2> err; '
                    'cat err >> out'], cwd=tmp_path, env={**os.environ, "PATH": str(bare)}, check=True)
    done = subprocess.run([sys.executable, "-m", "wizard", "check", "--from-bundle", str(tmp_path / "out"), "--json"],
                          capture_output=True, text=True)
    assert {"path": D + "letsencrypt.log.1.gz", "reason": "no-gzip"} in json.loads(done.stdout)["problems"]

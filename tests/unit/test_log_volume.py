"""Logs of any volume (issue 15): a log that never rotated is read to its end, older runs are
summarised in memory, and the JSON still lists every run and says how many were summarised."""
import datetime
import json
import subprocess
import sys

from wizard.core.probe.logs import FULL_RUNS_PER_FILE, LogScanner
from wizard.demo.hostkit import V1, V2, HostTree, Run

START = datetime.datetime(2010, 1, 1)


def _runs(count: int, last_server: str) -> str:
    filler = "2020-01-01 00:00:00,000:DEBUG:certbot._internal.storage:Should renew, less than 30 days.\n" * 360
    texts = []
    for index in range(count):
        server = last_server if index == count - 1 else V2
        texts.append(Run("1.14.0", START + datetime.timedelta(days=index), ["renew"], server=server,
                         entry_point="/usr/bin/certbot", urllib3="1.26.5").render() + filler)
    return "".join(texts)


def test_a_log_that_never_rotated_is_read_to_its_end_and_its_runs_summarised(tmp_path):
    # certbot with max-log-backups = 0 appends to one log for years: over 10 MB, its newest run last
    tree = HostTree(str(tmp_path))
    tree.os_release(id="ubuntu", version_id="18.04", pretty_name="Ubuntu 18.04.6 LTS")
    text = _runs(301, last_server=V1)
    assert len(text) > 10_000_000
    tree.file("/var/log/letsencrypt/letsencrypt.log", text)
    done = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", str(tmp_path), "--json"],
                          capture_output=True, text=True)
    document = json.loads(done.stdout)
    logs = document["logs"]
    assert (len(logs["runs"]), logs["runs_summarised"]) == (301, 201)     # every run listed; the newest 100 whole
    assert logs["runs"][-1]["endpoints"][-1]["api"] == "v1"            # the newest run, at the end
    assert logs["runs"][0]["started"] == "2010-01-01T00:00:00"
    newest = [f for f in document["findings"] if f["id"] == "ACME-008"]
    assert newest and "acme-v01" in newest[0]["evidence"][0]["text"]     # its line's text kept
    assert "log-cut" not in done.stdout


def _scan(text: str):
    scanner = LogScanner("/var/log/letsencrypt")
    path = "/var/log/letsencrypt/letsencrypt.log"
    scanner.add_file(path, len(text), 1)
    for number, line in enumerate(text.splitlines(), start=1):
        scanner.feed(path, number, line)
    return scanner.finish()


def test_older_runs_keep_what_the_verdict_needs_and_their_v1_evidence():
    evidence = _scan(_runs(FULL_RUNS_PER_FILE + 20, last_server=V2))
    oldest, newest = evidence.runs[0], evidence.runs[-1]
    assert oldest.summarised and not newest.summarised
    assert oldest.endpoints and all(e.text == "" for e in oldest.endpoints)      # texts let go
    assert {e.api for e in oldest.endpoints} == {"v2"} and oldest.started and oldest.certbot_version
    assert all(e.text for e in newest.endpoints)
    # an old run that talked to ACMEv1 keeps that line's text: it is the evidence
    v1_first = _scan(Run("0.31.0", START, ["renew"], server=V1).render() + _runs(FULL_RUNS_PER_FILE + 5, V2))
    v1_run = v1_first.runs[0]
    assert v1_run.summarised and any(e.api == "v1" and e.text for e in v1_run.endpoints)


def test_logs_are_ordered_by_their_runs_time_not_their_names(tmp_path):
    # certbot-auto's own rotation (letsencrypt.log.N, 2020, ACMEv1) met logrotate's after a move to
    # a package (.N.gz and -YYYYMMDD.gz, 2024, ACMEv2): the newest evidence is the 2024 one
    tree = HostTree(str(tmp_path))
    tree.os_release(id="debian", version_id="10", pretty_name="Debian GNU/Linux 10 (buster)")
    old = datetime.datetime(2020, 5, 1)
    new = datetime.datetime(2024, 3, 1)
    for index in (1, 2):
        tree.log(f"letsencrypt.log.{index}", [Run("0.20.0", old - datetime.timedelta(days=index), ["renew"], server=V1)])
        tree.log(f"letsencrypt.log.{index}.gz", [Run("1.11.0", new - datetime.timedelta(days=index), ["renew"],
                                                     server=V2)], compress=True)
    tree.log("letsencrypt.log-20240101.gz", [Run("1.11.0", datetime.datetime(2024, 1, 1), ["renew"], server=V2)],
             compress=True)
    # dated names that sort the wrong way as numbers would
    tree.log("letsencrypt.log.2024-01-10.gz", [Run("1.11.0", datetime.datetime(2024, 4, 10), ["renew"], server=V1)],
             compress=True)
    tree.log("letsencrypt.log.2024-01-01.gz", [Run("1.11.0", datetime.datetime(2024, 4, 1), ["renew"], server=V2)],
             compress=True)
    done = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", str(tmp_path), "--json"],
                          capture_output=True, text=True)
    runs = json.loads(done.stdout)["logs"]["runs"]
    starts = [run["started"] for run in runs]
    assert starts == sorted(starts)                                   # oldest first, truly
    assert runs[-1]["file"].endswith("letsencrypt.log.2024-01-10.gz")
    assert runs[-1]["endpoints"][-1]["api"] == "v1"


def test_a_time_no_clock_shows_or_far_ahead_does_not_make_a_log_the_newest(tmp_path):
    tree = HostTree(str(tmp_path))
    tree.os_release(id="debian", version_id="10", pretty_name="Debian GNU/Linux 10 (buster)")
    tree.log("letsencrypt.log", [Run("1.11.0", datetime.datetime(2024, 3, 1), ["renew"], server=V2)])
    bogus = Run("0.20.0", datetime.datetime(2020, 1, 1), ["renew"], server=V1).render()
    tree.file("/var/log/letsencrypt/letsencrypt.log.1", bogus.replace("2020-01-01 ", "9999-99-99 "))
    tree.log("letsencrypt.log.2", [Run("0.20.0", datetime.datetime(2099, 1, 1), ["renew"], server=V1)])
    done = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", str(tmp_path), "--json"],
                          capture_output=True, text=True)
    document = json.loads(done.stdout)
    assert document["logs"]["runs"][-1]["started"] == "2024-03-01T00:00:00"
    assert "ACME-008" not in [f["id"] for f in document["findings"]]


def test_a_log_of_nothing_but_run_headers_keeps_its_newest_runs_only():
    from wizard.core.probe.logs import MAX_RUNS_PER_FILE
    scanner = LogScanner("/var/log/letsencrypt")
    path = "/var/log/letsencrypt/letsencrypt.log"
    scanner.add_file(path, 1, 1)
    total = MAX_RUNS_PER_FILE + 12_345
    for number in range(1, total + 1):
        scanner.feed(path, number, "2024-01-01 00:00:00,000:DEBUG:certbot._internal.main:certbot version: 1.0.0")
    evidence = scanner.finish()
    assert len(evidence.runs) <= MAX_RUNS_PER_FILE
    assert len(evidence.runs) + evidence.runs_dropped == total
    assert evidence.runs[-1].line == total                              # the newest kept

"""certbot logs across eras, folded into runs with the endpoints each one contacted."""
import datetime

from wizard.core.probe.logs import LogScanner, rotation_key
from wizard.demo.hostkit import V1, V1_STAGING, V2, V2_STAGING, HostTree, Run

D = datetime.datetime


def scan(lines_by_file):
    scanner = LogScanner("/var/log/letsencrypt")
    for path, text in lines_by_file.items():
        scanner.add_file(path, len(text), 0)
        for number, line in enumerate(text.splitlines(), 1):
            scanner.feed(path, number, line)
    return scanner.finish()


def rendered(*runs):
    return "".join(run.render() for run in runs)


def test_root_logger_era_and_letsencrypt_version_line():
    logs = scan({"/var/log/letsencrypt/letsencrypt.log": rendered(Run("0.4.1", D(2016, 3, 1), ["renew"], urllib3="1.13"))})
    run, = logs.runs
    assert run.certbot_version == "0.4.1" and run.line == 1      # the run starts at "Root logging level"
    assert [e.api for e in run.endpoints] == ["v1"]
    assert run.directory_protocol == "v1"


def test_pre_013_preamble_joins_the_run_it_announces():
    text = ("2017-01-02 03:04:05,000:DEBUG:certbot.main:Root logging level set at 20\n"
            "2017-01-02 03:04:05,001:INFO:certbot.main:Saving debug log to /var/log/letsencrypt/letsencrypt.log\n"
            "2017-01-02 03:04:05,002:DEBUG:certbot.main:certbot version: 0.9.3\n"
            "2017-01-02 03:04:05,003:DEBUG:root:Sending GET request to https://acme-v01.api.letsencrypt.org/directory. args: (), kwargs: {}\n")
    run, = scan({"/var/log/letsencrypt/letsencrypt.log": text}).runs
    assert (run.line, run.certbot_version, run.started) == (1, "0.9.3", "2017-01-02T03:04:05")
    assert run.endpoints[0].url == V1 and run.endpoints[0].line == 4


def test_urllib3_connection_forms_with_and_without_port():
    text = ("2019-01-01 00:00:00,000:DEBUG:certbot.main:certbot version: 0.30.0\n"
            "2019-01-01 00:00:00,100:DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): acme-staging.api.letsencrypt.org\n"
            "2019-01-01 00:00:00,200:DEBUG:certbot.main:certbot version: 1.20.0\n"
            "2019-01-01 00:00:00,300:DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): acme-staging-v02.api.letsencrypt.org:443\n"
            "2019-01-01 00:00:00,400:DEBUG:urllib3.connectionpool:https://acme-v02.api.letsencrypt.org:443 \"GET /directory HTTP/1.1\" 200 746\n")
    first, second = scan({"/l/letsencrypt.log": text}).runs
    assert [e.api for e in first.endpoints] == ["v1-staging"]
    assert [(e.api, e.url) for e in second.endpoints] == [
        ("v2-staging", "https://acme-staging-v02.api.letsencrypt.org"), ("v2", V2)]


def test_rewrite_line_is_recorded_but_not_counted_as_a_v1_contact():
    run, = scan({"/l/letsencrypt.log": rendered(Run("1.11.0", D(2021, 1, 10), ["renew"], server=V2,
                                                     rewritten_from_v1=True, entry_point="/usr/bin/certbot"))}).runs
    assert run.rewrite.api == "v2" and [e.api for e in run.endpoints] == ["v2"]
    assert run.entry_point == "/usr/bin/certbot" and run.directory_protocol == "v2"
    assert run.internal_loggers


def test_rotated_files_are_ordered_newest_first_and_runs_oldest_first():
    files = {f"/l/letsencrypt.log.{n}": rendered(Run("0.20.0", D(2020, 1, 20 - n), ["renew"])) for n in (1, 2, 10)}
    files["/l/letsencrypt.log"] = rendered(Run("0.20.0", D(2020, 1, 20), ["renew"]))
    logs = scan(files)
    assert [f.path for f in logs.files] == ["/l/letsencrypt.log", "/l/letsencrypt.log.1", "/l/letsencrypt.log.2",
                                            "/l/letsencrypt.log.10"]
    assert [r.started[:10] for r in logs.runs] == ["2020-01-10", "2020-01-18", "2020-01-19", "2020-01-20"]
    assert rotation_key("/l/letsencrypt.log-20200101.gz") > rotation_key("/l/letsencrypt.log.999")


def test_a_run_cut_by_size_rotation_continues_in_the_newer_file():
    head = ("2020-01-01 00:00:00,000:DEBUG:certbot.main:certbot version: 0.25.0\n"
            "2020-01-01 00:00:00,100:DEBUG:acme.client:Sending GET request to https://acme-v01.api.letsencrypt.org/directory.\n")
    tail = "2020-01-01 00:00:09,000:DEBUG:acme.client:Sending POST request to https://acme-v02.api.letsencrypt.org/acme/new-order:\n"
    logs = scan({"/l/letsencrypt.log.1": head, "/l/letsencrypt.log": tail})
    run, = logs.runs
    assert [e.api for e in run.endpoints] == ["v1", "v2"]


def test_arguments_are_parsed_even_when_the_line_was_cut():
    text = ("2020-01-01 00:00:00,000:DEBUG:certbot.main:certbot version: 0.27.1\n"
            "2020-01-01 00:00:00,001:DEBUG:certbot.main:Arguments: ['--server', 'https://acme-v01.api.letsencrypt.org/directory', '--webroot', '-w', '/var/www/ht")
    run, = scan({"/l/letsencrypt.log": text}).runs
    assert run.arguments[:2] == ["--server", V1]


def test_staging_dry_run_endpoints_by_era():
    logs = scan({"/l/letsencrypt.log": rendered(
        Run("0.22.0", D(2018, 3, 8), ["renew", "--dry-run"], server=V1_STAGING),
        Run("0.22.1", D(2018, 3, 20), ["renew", "--dry-run"], server=V2_STAGING))})
    assert [r.endpoints[0].api for r in logs.runs] == ["v1-staging", "v2-staging"]


def test_gzip_rotation_is_read_through_the_probe(tmp_path, diagnose_root):
    tree = HostTree(str(tmp_path))
    tree.log("letsencrypt.log.1.gz", [Run("2.1.0", D(2026, 1, 1), ["renew"], server=V2)], compress=True)
    tree.log("letsencrypt.log", [Run("2.1.0", D(2026, 1, 8), ["renew"], server=V2)])
    diagnosis = diagnose_root(str(tmp_path))
    assert [r.file for r in diagnosis.logs.runs] == ["/var/log/letsencrypt/letsencrypt.log.1.gz",
                                                     "/var/log/letsencrypt/letsencrypt.log"]

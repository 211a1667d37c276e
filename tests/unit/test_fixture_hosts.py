"""Every fixture host gets the diagnosis an experienced admin would give it."""
import pytest

EXPECTED = {
    # host: (verdict, verdict reasons, [(kind, method, version, python, renews)], schedule "path:line")
    "centos6_certbot_auto": ("v1", {"ACME-001", "ACME-002", "ACME-009"},
                             [("certbot", "certbot-auto", "0.20.0", "2.6", True)], "/etc/crontab:17"),
    "centos6_frozen_021": ("v1", {"ACME-001", "ACME-009"},
                           [("certbot", "certbot-auto", "0.21.1", "2.6", True)], "/var/spool/cron/root:2"),
    "centos7_epel_027_v01_pin": ("v1", {"ACME-002"},
                                 [("certbot", "os-package", "0.27.1", "2.7", True)],
                                 "/usr/lib/systemd/system/certbot-renew.service:7"),
    "centos7_epel_111": ("v2", set(), [("certbot", "os-package", "1.11.0", "2.7", True)],
                         "/usr/lib/systemd/system/certbot-renew.service:7"),
    "centos7_two_installs": ("v2", set(), [("certbot", "certbot-auto", "1.10.1", "3.6.8", True),
                                           ("certbot", "os-package", "1.9.0", "2.7", False)], "/etc/crontab:5"),
    "ubuntu1604_letsencrypt_041": ("v1", {"ACME-001", "ACME-002"},
                                   [("certbot", "os-package", "0.4.1", "2.7", True)],
                                   "/var/spool/cron/crontabs/root:2"),
    "ubuntu1804_ppa_031_cli_ini": ("v1", {"ACME-002", "ACME-004"},
                                   [("certbot", "os-package", "0.31.0", "3.6", True)],
                                   "/lib/systemd/system/certbot.service:6"),
    "debian12_apt_21": ("v2", set(), [("certbot", "os-package", "2.1.0", "3.11", True)],
                        "/lib/systemd/system/certbot.service:6"),
    "snap_certbot": ("v2", set(), [("certbot", "snap", "2.11.0", "3.10", True)],
                     "/etc/systemd/system/snap.certbot.renew.service:4"),
    "pip_opt_certbot": ("v2", set(), [("certbot", "pip", "1.22.0", "3.7.3", True)], "/etc/crontab:4"),
    "no_client": ("unknown", {"ACME-017"}, [], None),
    "staging_v1_lineage": ("v1", {"ACME-007"}, [("certbot", "pip", "1.22.0", "3.7.3", True)], "/etc/crontab:4"),
    "letsencrypt_auto_config_file": ("v1", {"ACME-001", "ACME-005", "ACME-009"},
                                     [("certbot", "certbot-auto", "0.17.0", "2.6", True)], "/root/bin/renew-certs.sh:3"),
    "cron_server_flag": ("v1", {"ACME-006", "ACME-018"}, [("certbot", "pip", "1.22.0", "3.7.3", True)],
                         "/etc/crontab:1"),
    "acme_sh_old": ("v1", {"ACME-001", "ACME-024"}, [("acme.sh", "unknown", "2.7.5", None, True)],
                    "/var/spool/cron/crontabs/root:1"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_clients_and_schedule(name, make_host, diagnose_root):
    verdict, reasons, clients, schedule = EXPECTED[name]
    diagnosis = diagnose_root(make_host(name))
    assert diagnosis.verdict == verdict
    assert set(diagnosis.reasons) == reasons
    found = [(i.kind, i.method, i.version, i.python_version, i in diagnosis.renewing) for i in diagnosis.installs]
    assert found == clients
    scheduled = {f"{r.source}:{r.line}" for r in diagnosis.schedules.renewing()}
    if schedule:
        assert schedule in scheduled
    else:
        assert not scheduled
    assert not [p for p in diagnosis.problems if p.path], diagnosis.problems


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_finding_has_evidence_on_the_target(name, make_host, diagnose_root):
    root = make_host(name)
    diagnosis = diagnose_root(root)
    for finding in diagnosis.findings:
        assert finding.evidence, finding.id
        for evidence in finding.evidence:
            assert evidence.path.startswith("/") and not evidence.path.startswith(root), evidence


def test_demo_host_explains_the_classic_case(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("centos6_certbot_auto"))
    ids = {f.id for f in diagnosis.findings}
    assert {"ACME-001", "ACME-002", "ACME-010", "ACME-011", "ACME-012", "ACME-015", "ACME-008"} <= ids
    assert diagnosis.os.id == "centos" and diagnosis.os.version == "6.9" and diagnosis.os.eol
    v1_run = diagnosis.logs.runs[0]
    assert v1_run.file == "/var/log/letsencrypt/letsencrypt.log.6"
    assert v1_run.started == "2020-05-09T19:23:02"
    assert [(e.api, e.url) for e in v1_run.endpoints] == [("v1", "https://acme-v01.api.letsencrypt.org/directory")]
    pinned = next(f for f in diagnosis.findings if f.id == "ACME-002")
    assert pinned.evidence[0].where() == "/etc/letsencrypt/renewal/shop.example.jp.conf:13"


def test_rewriting_client_turns_a_v01_pin_into_a_low_finding(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("centos7_epel_111"))
    finding = next(f for f in diagnosis.findings if f.id == "ACME-003")
    assert finding.severity == "low" and not finding.blocking
    assert diagnosis.logs.runs[-1].rewrite.url == "https://acme-v02.api.letsencrypt.org/directory"
    assert not diagnosis.action_needed


def test_scheduler_running_the_older_install_is_flagged(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("centos7_two_installs", cron_runs="/usr/bin/certbot"))
    finding = next(f for f in diagnosis.findings if f.id == "ACME-013")
    assert "1.9.0" in finding.detail and finding.evidence[0].where() == "/etc/crontab:5"
    assert [i.version for i in diagnosis.renewing] == ["1.9.0"]


def test_debian_fallback_cron_stands_down_for_the_timer(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("debian12_apt_21"))
    kinds = {(r.kind, r.fallback_only) for r in diagnosis.schedules.renewing()}
    assert kinds == {("systemd", False)}
    assert len(diagnosis.logs.files) == 4 and len(diagnosis.logs.runs) == 16
    assert [f.path.rsplit("/", 1)[1] for f in diagnosis.logs.files] == [
        "letsencrypt.log", "letsencrypt.log.1.gz", "letsencrypt.log.2.gz", "letsencrypt.log.3.gz"]
    assert diagnosis.logs.runs[-1].started == "2026-11-24T12:03:01"


def test_pip_install_is_found_through_the_usr_bin_symlink(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("pip_opt_certbot"))
    run = diagnosis.schedules.renewing()[0]
    assert run.program == "/usr/bin/certbot" and run.install.path == "/opt/certbot/bin/certbot"


def test_cli_ini_pin_cites_its_line(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("ubuntu1804_ppa_031_cli_ini"))
    finding = next(f for f in diagnosis.findings if f.id == "ACME-004")
    assert finding.evidence[0].where() == "/etc/letsencrypt/cli.ini:5"
    assert diagnosis.installs[0].source == "ppa:certbot/certbot"


def test_nothing_scheduled(make_host, diagnose_root, tmp_path):
    root = make_host("debian12_apt_21")
    for path in ("etc/cron.d/certbot", "etc/systemd/system/timers.target.wants/certbot.timer"):
        (tmp_path / "debian12_apt_21" / path).unlink()
    diagnosis = diagnose_root(root)
    assert "ACME-014" in {f.id for f in diagnosis.findings}


def test_wrapper_script_and_config_file_are_followed(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("letsencrypt_auto_config_file"))
    install, = diagnosis.installs
    assert install.prefix == "/root/.local/share/letsencrypt"        # the pre-0.18 venv
    pin = next(f for f in diagnosis.findings if f.id == "ACME-005")
    assert [e.where() for e in pin.evidence] == ["/etc/letsencrypt/configs/example.org.conf:2",
                                                 "/root/bin/renew-certs.sh:3"]
    cannot = next(f for f in diagnosis.findings if f.id == "ACME-001")
    assert "/etc/cron.d/letsencrypt:2" in [e.where() for e in cannot.evidence]   # the cron line that runs it


def test_v1_server_on_the_cron_line_and_in_the_logged_arguments(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("cron_server_flag"))
    flag = next(f for f in diagnosis.findings if f.id == "ACME-006")
    logged = next(f for f in diagnosis.findings if f.id == "ACME-018")
    assert flag.evidence[0].where() == "/etc/crontab:1"
    assert logged.evidence[0].where() == "/var/log/letsencrypt/letsencrypt.log:3"


def test_old_acme_sh_cannot_speak_v2(make_host, diagnose_root):
    diagnosis = diagnose_root(make_host("acme_sh_old"))
    finding = next(f for f in diagnosis.findings if f.id == "ACME-001")
    assert "acme.sh speaks ACMEv2 from 2.7.6" in finding.detail
    pinned = next(f for f in diagnosis.findings if f.id == "ACME-024")
    assert pinned.evidence[0].where() == "/root/.acme.sh/shop.example.jp/shop.example.jp.conf:4"


def test_certificate_expiring_within_30_days(make_host):
    import datetime

    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.probe.run import run_probe
    from wizard.core.target.local import LocalTarget
    root = make_host("centos7_epel_111")
    later = datetime.datetime(2026, 12, 15, tzinfo=datetime.timezone.utc)
    finding = next(f for f in diagnose(run_probe(LocalTarget(root)), now=later).findings if f.id == "ACME-016")
    assert "15 days" in finding.title and finding.evidence[0].path == "/etc/letsencrypt/live/legacy.example.com/cert.pem"


def test_rpm_query_on_a_live_system(tmp_path, monkeypatch):
    """On a live root the probe asks rpm (when there is one); its answer names the EPEL package."""
    from wizard.core.probe.run import run_probe
    from wizard.core.readers.clients import _rpm_install
    from wizard.core.target.local import LocalTarget
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "rpm").write_text("#!/bin/sh\nprintf 'certbot\\t1.11.0-2.el7\\n'\n"
                              "printf 'package python3-certbot is not installed\\n'\n")
    (fake / "rpm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{__import__('os').environ['PATH']}")
    snapshot = run_probe(LocalTarget("/"))
    assert snapshot.commands["!rpm"] == ["certbot\t1.11.0-2.el7"]
    install = _rpm_install(snapshot)
    assert (install.version, install.package, install.source) == ("1.11.0", "certbot 1.11.0-2.el7", "EPEL")


def test_a_blank_rpm_version_falls_back_to_the_egg_info(make_host):
    """A damaged or edited bundle: rpm names certbot without a version; the egg-info still tells it."""
    from wizard.core.probe.snapshot import Snapshot
    from wizard.core.readers.clients import _rpm_install
    egg = "/usr/lib/python2.7/site-packages/certbot-0.27.1-py2.7.egg-info"
    with_egg = Snapshot(commands={"!rpm": ["certbot\t  "]}, entries={egg: "d"})
    assert _rpm_install(with_egg).version == "0.27.1"
    without = Snapshot(commands={"!rpm": ["certbot\t "]})
    assert _rpm_install(without).version is None          # unknown, never a crash


def test_an_empty_account_directory_is_no_account(make_host, diagnose_root, tmp_path):
    """certbot makes accounts/<server>/directory before it registers; the real certbot 0.20.0, failing
    on acme-v01 today, leaves it empty (issue 14). An empty directory is not an ACMEv1 account."""
    root = make_host("debian12_apt_21")
    (tmp_path / "debian12_apt_21/etc/letsencrypt/accounts/acme-staging.api.letsencrypt.org/directory").mkdir(
        parents=True)
    diagnosis = diagnose_root(root)
    assert all(a.server_path != "acme-staging.api.letsencrypt.org/directory" for a in diagnosis.accounts)
    assert any(a.account_ids for a in diagnosis.accounts)

"""The command line as scripts and people use it: exit codes, JSON contract, 80 columns."""
import json
import os
import re
import subprocess
import sys

import pytest

from tests.fixtures.trees import tree_digest

CONTRACT_TOP = {"format_version", "tool_version", "target", "os", "clients", "logs", "acme", "findings", "email"}


def test_json_document_follows_the_contract(make_host, check_json):
    root = make_host("centos6_certbot_auto")
    code, doc = check_json(root)
    assert code == 1
    assert set(doc) >= CONTRACT_TOP and doc["format_version"] == 1
    assert doc["target"] == {"root": root, "host": None, "config_dir": "/etc/letsencrypt",
                             "logs_dir": "/var/log/letsencrypt", "demo": False}
    assert {k: doc["os"][k] for k in ("id", "version", "pretty_name", "eol")} == {
        "id": "centos", "version": "6.9", "pretty_name": "CentOS release 6.9 (Final)", "eol": True}
    client, = doc["clients"]
    assert {k: client[k] for k in ("kind", "install_method", "path", "version", "python_version", "speaks_v2")} == {
        "kind": "certbot", "install_method": "certbot-auto", "path": "/usr/local/bin/certbot-auto",
        "version": "0.20.0", "python_version": "2.6", "speaks_v2": False}
    assert client["scheduled"][0]["source"] == "/etc/crontab" and client["scheduled"][0]["line"] == 17
    first = doc["logs"]["runs"][0]
    assert first["file"] == "/var/log/letsencrypt/letsencrypt.log.6" and first["line"] == 1
    assert first["started"] == "2020-05-09T19:23:02" and first["arguments"] == ["renew", "--quiet", "--no-self-upgrade"]
    assert first["endpoints"] == [{"url": "https://acme-v01.api.letsencrypt.org/directory", "api": "v1", "line": 5}]
    assert doc["logs"]["files_scanned"] == 7
    assert doc["acme"]["verdict"] == "v1"
    for finding in doc["findings"]:
        assert set(finding) >= {"id", "severity", "blocking", "title", "detail", "evidence", "remediation"}
        assert re.fullmatch(r"ACME-\d{3}", finding["id"])
        assert finding["severity"] in ("info", "low", "medium", "high", "critical")
    assert doc["email"] is None


@pytest.mark.parametrize("name,code", [("centos6_certbot_auto", 1), ("debian12_apt_21", 0), ("no_client", 0),
                                       ("ubuntu1804_ppa_031_cli_ini", 1), ("snap_certbot", 0)])
def test_exit_codes(make_host, run_cli, name, code):
    assert run_cli("check", "--root", make_host(name))[0] == code


def test_human_output_fits_80_columns_and_has_no_colour_when_piped(make_host):
    root = make_host("centos6_certbot_auto")
    result = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", root],
                            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1 and "\x1b[" not in result.stdout
    for line in result.stdout.splitlines()[1:]:     # line 1 names the target root, a path
        if len(line) > 80:     # only an evidence path or a command to paste may run past 80: neither is cut
            if line.strip().startswith("acme-wizard "):
                continue
            assert line.strip().startswith("at /") and " " not in line.strip()[3:], line
    assert "Verdict: ACMEv1 IN USE" in result.stdout
    assert "at /etc/letsencrypt/renewal/shop.example.jp.conf:13" in result.stdout


def test_colour_only_on_a_terminal_without_no_color(make_host):
    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.probe.run import run_probe
    from wizard.core.target.local import LocalTarget
    from wizard.render.check import render_check
    diagnosis = diagnose(run_probe(LocalTarget(make_host("centos6_certbot_auto"))))
    assert "\x1b[1;31m" in render_check(diagnosis, "x", colour=True)
    assert "\x1b[" not in render_check(diagnosis, "x", colour=False)


def test_output_file_and_usage_errors(make_host, run_cli, tmp_path):
    root = make_host("debian12_apt_21")
    out = tmp_path / "check.json"
    code, stdout, _ = run_cli("check", "--root", root, "--json", "-o", str(out))
    assert code == 0 and stdout == "" and json.loads(out.read_text())["acme"]["verdict"] == "v2"
    assert run_cli("check", "--no-such-option")[0] == 2
    assert run_cli("frobnicate")[0] == 2
    code, _, err = run_cli("check", "--root", root, "--email", str(tmp_path / "missing.eml"))
    assert code == 2 and "missing.eml" in err
    code, _, err = run_cli("check", "--root", root, "-o", str(tmp_path / "no" / "dir" / "x.json"))
    assert code == 2 and "x.json" in err


def test_bundle_gives_the_same_result_as_a_live_check(make_host, run_cli, tmp_path):
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    bundle = tmp_path / "probe.out"
    code, live_out, _ = run_cli("check", "--root", root, "--json", "--save-bundle", str(bundle))
    code2, bundle_out, _ = run_cli("check", "--from-bundle", str(bundle), "--json")
    live, offline = json.loads(live_out), json.loads(bundle_out)
    for doc in (live, offline):
        doc.pop("target")
    assert code == code2 == 1 and live == offline


def test_probe_script_run_by_hand_matches_the_bundle(make_host, run_cli, tmp_path):
    root = make_host("centos6_certbot_auto")
    code, script, _ = run_cli("probe-script")
    assert code == 0 and script.startswith("# acme-wizard probe")
    out = subprocess.run(["sh", "-s", "--", root], input=script.encode(), capture_output=True, check=True).stdout
    (tmp_path / "out").write_bytes(out)
    code, text, _ = run_cli("check", "--from-bundle", str(tmp_path / "out"), "--json")
    assert code == 1 and json.loads(text)["acme"]["verdict"] == "v1"


def test_demo_runs_anywhere(run_cli):
    code, out, _ = run_cli("check", "--demo")
    assert code == 1 and "certbot 0.20.0, certbot-auto, Python 2.6" in out


@pytest.mark.parametrize("name", ["centos6_certbot_auto", "debian12_apt_21", "snap_certbot", "pip_opt_certbot"])
def test_check_changes_zero_bytes(make_host, run_cli, name):
    root = make_host(name)
    before = tree_digest(root, mtimes=True)
    run_cli("check", "--root", root, "--json")
    assert tree_digest(root, mtimes=True) == before

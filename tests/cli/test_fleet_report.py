"""fleet-report: many hosts' probe outputs in one directory, analysed in one process, one page back.
Bundles are made by the real probe (`check --save-bundle`) on fixture hosts; the host names are
what an Ansible inventory would call them."""
import json
import os
import subprocess
import sys

import pytest

FLEET = {"web01.example.jp": "centos6_certbot_auto", "web02.example.jp": "debian12_apt_21",
         "web03.example.jp": "pip_opt_certbot", "web04.example.jp": "acme_sh_old", "web05.example.jp": "no_client"}


def wizard(*argv, env=None):
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})}, timeout=300)


@pytest.fixture
def fleet(tmp_path, make_host):
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    for host, fixture in FLEET.items():
        saved = wizard("check", "--root", make_host(fixture), "--save-bundle", str(bundles / f"{host}.probe"))
        assert saved.returncode in (0, 1), saved.stderr
    (bundles / "db01.example.jp.error.json").write_text(json.dumps(
        {"host": "db01.example.jp", "status": "unreachable",
         "message": "ssh: connect to host 192.0.2.10 port 22: Connection timed out"}))
    (bundles / "mx01.example.jp.probe").write_bytes(b"\x00\x01 not a probe\n")
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[web]\n" + "\n".join(f"{h} ansible_host=127.0.0.1" for h in FLEET) + "\n"
                         "[db]\ndb01.example.jp\nmail01.example.jp ansible_port=2222\n[web:vars]\nansible_user=root\n"
                         "[all:children]\nweb\n")
    return bundles, inventory


def test_every_host_has_a_row_most_urgent_first(fleet):
    bundles, inventory = fleet
    result = wizard("fleet-report", "--bundles", str(bundles), "--inventory", str(inventory), "--format", "json")
    assert result.returncode == 1, result.stderr                   # hosts need action
    doc = json.loads(result.stdout)
    rows = {row["host"]: row for row in doc["hosts"]}
    assert set(rows) == {*FLEET, "db01.example.jp", "mx01.example.jp", "mail01.example.jp"}
    assert rows["db01.example.jp"]["status"] == "unreachable" and "timed out" in rows["db01.example.jp"]["message"]
    assert rows["mx01.example.jp"]["status"] == "probe-failed" and "not a probe output" in rows["mx01.example.jp"]["message"]
    assert rows["mail01.example.jp"]["status"] == "no-result"       # in the inventory, nothing came back
    web01 = rows["web01.example.jp"]
    assert web01["verdict"] == "v1" and web01["decision_needed"] and "ACME-001" in web01["blocking"]
    assert web01["os"] == {"name": "CentOS release 6.9 (Final)", "eol": True, "eol_date": "2020-11-30"}
    assert web01["client"]["method"] == "certbot-auto" and web01["client"]["version"] == "0.20.0"
    assert web01["nearest_expiry"]["name"] == "example.com" and web01["nearest_expiry"]["days"] < 0
    order = [row["host"] for row in doc["hosts"]]
    assert order[0] == "web01.example.jp"                           # ACMEv1 with an expired certificate
    assert order.index("web04.example.jp") < order.index("db01.example.jp") < order.index("web02.example.jp")
    assert doc["counts"] == {"v1": 2, "v2": 2, "unknown": 1, "unreachable": 1, "probe-failed": 1, "no-result": 1}
    assert doc["needs_action"] == sum(1 for row in doc["hosts"] if row["urgency"] != "healthy")


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_the_page_names_every_host_in_both_languages(fleet, fmt, tmp_path):
    bundles, inventory = fleet
    for lang, counts in (("en", "2 still on ACMEv1, 2 on ACMEv2"), ("ja", "、")):
        out = tmp_path / f"fleet.{lang}.{fmt}"
        result = wizard("fleet-report", "--bundles", str(bundles), "--inventory", str(inventory), "--format", fmt,
                        "--lang", lang, "-o", str(out))
        assert result.returncode == 1 and result.stdout == "", result.stderr
        page = out.read_text(encoding="utf-8")
        for host in (*FLEET, "db01.example.jp", "mail01.example.jp"):
            assert host in page, (lang, host)
        assert counts in page
    assert "Traceback" not in result.stderr


def test_bad_bundle_directories_are_one_line_and_exit_2(tmp_path):
    for argv in (["fleet-report"], ["fleet-report", "--bundles", str(tmp_path / "missing")],
                 ["fleet-report", "--bundles", str(tmp_path), "--inventory", str(tmp_path / "no.ini")],
                 ["--bundles", str(tmp_path), "check"]):
        result = wizard(*argv)
        assert result.returncode == 2, (argv, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    empty = wizard("fleet-report", "--bundles", str(tmp_path), "--format", "json")
    assert empty.returncode == 0 and json.loads(empty.stdout)["hosts"] == []


def test_redact_masks_every_host_the_same_way_everywhere(fleet):
    bundles, inventory = fleet
    plain = json.loads(wizard("fleet-report", "--bundles", str(bundles), "--inventory", str(inventory),
                              "--format", "json").stdout)
    redacted_text = wizard("fleet-report", "--bundles", str(bundles), "--inventory", str(inventory), "--format",
                           "json", "--redact").stdout
    for secret in ("example.jp", "192.0.2.10", "example.com", "shop.example"):
        assert secret not in redacted_text, secret
    redacted = json.loads(redacted_text)
    assert redacted["counts"] == plain["counts"]
    masks = [row["host"] for row in redacted["hosts"]]
    assert len(set(masks)) == len(masks) == len(plain["hosts"])            # still one row a host
    web01 = next(row for row in redacted["hosts"] if row["urgency"] == "v1-expiring")
    assert web01["host"] in " ".join(web01["files"])                       # the same mask in its file name


def test_each_host_links_to_its_own_full_report(fleet, tmp_path):
    import re
    bundles, inventory = fleet
    page = tmp_path / "out" / "fleet.html"
    page.parent.mkdir()
    assert wizard("fleet-report", "--bundles", str(bundles), "--inventory", str(inventory), "--format", "html",
                  "-o", str(page)).returncode == 1
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', page.read_text(encoding="utf-8")))
    assert sorted(links.values()) == sorted(FLEET)                 # every host with a result, no other
    for href, host in links.items():
        report = (page.parent / href).read_text(encoding="utf-8")
        assert host in report and "<html" in report
    # redacted: the pages name no host, and each report is filed under its host's mask
    redacted = tmp_path / "out" / "shared.md"
    assert wizard("fleet-report", "--bundles", str(bundles), "--format", "md", "--redact",
                  "-o", str(redacted)).returncode == 1
    reports = list((tmp_path / "out" / "shared.hosts").iterdir())
    assert len(reports) == len(FLEET)
    for path in [redacted, *reports]:
        assert "example.jp" not in path.name and "example.jp" not in path.read_text(encoding="utf-8"), path

"""The remediation report in every format: before and after an apply, redacted, and printed."""
import json
import os
import re
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest

from tests.fixtures.hosts import HOSTS, HostTree
from tests.fixtures.printing import print_pdf
from tests.fixtures.stubs import stub_bin, stub_certbot
from wizard.demo.hostkit import KEY_MARKER, LATE_2026_CERT, V1, Run

FORMATS = ("md", "html", "txt", "json")
SCHEMA = json.loads(resources.files("wizard.core.report").joinpath("schema.json").read_text())


def readable(text, fmt):
    """The words as a reader sees them: HTML entities and Markdown escapes undone."""
    import html
    return html.unescape(text) if fmt == "html" else text.replace("\\", "") if fmt == "md" else text


def report(*argv, env=None):
    result = subprocess.run([sys.executable, "-m", "wizard", "report", *argv], capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_every_format_for_every_fixture_host_before_any_change(make_host, name):
    root = make_host(name)
    document = json.loads(report("--root", root, "--format", "json"))
    jsonschema.validate(document, SCHEMA)
    assert document["mode"] == "assessment" and document["run"] is None
    line = document["verdict"]["line"]
    for fmt in ("md", "html", "txt"):
        text = readable(report("--root", root, "--format", fmt), fmt)
        assert line.split(":")[0] in text
        for finding in document["findings"]:
            assert finding["id"] in text
    text = report("--root", root, "--format", "txt")
    for line in text.splitlines():      # only a command to paste may run past 80 columns: it is never cut
        assert len(line) <= 80 or line.lstrip().startswith(("acme-wizard ", "$ ")), line


def test_after_apply_and_verify_the_report_is_the_remediation_record(make_host, tmp_path):
    root = make_host("centos7_two_installs")
    stub_certbot(root)
    stubs = stub_bin(str(tmp_path / "bin"), "yum", "echo stub yum")
    env = {"ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT": "1", "ACME_WIZARD_STUB_PATH": stubs,
           "PATH": f"{stubs}:{os.environ['PATH']}"}
    applied = subprocess.run([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes"],
                             capture_output=True, text=True, env={**os.environ, **env})
    assert applied.returncode == 0, applied.stdout
    document = json.loads(report("--root", root, "--format", "json", env=env))
    jsonschema.validate(document, SCHEMA)
    assert document["mode"] == "applied" and document["verdict"]["verified"]
    run = document["run"]
    assert run["status"] == "complete" and [s["status"] for s in run["steps"]] == ["ok"] * 7     # with the repositories step
    assert re.fullmatch(r"[0-9a-f]{64}", run["backup"]["manifest_sha256"])
    assert run["rollback_command"] == f"acme-wizard rollback {run['id']} --root={root}"
    assert document["verification"]["passed"] and document["verification"]["test_renewal"]["exit_code"] == 0
    titles = [r["title"] for r in document["risks"]]
    assert "Let's Encrypt change on 2028-02-16" in titles and "Operating system past end of life" in titles
    for fmt in ("md", "html", "txt"):
        text = report("--root", root, "--format", fmt, env=env)
        assert run["id"] in text and "rollback" in text and "2027-02-10" in text


def plant_secrets(root):
    """Names, addresses and key material that must not survive --redact."""
    tree = HostTree(root)
    tree.renewal_conf("secret-shop.example.co.jp", version="0.20.0", server=V1)
    tree.live_cert("secret-shop.example.co.jp", LATE_2026_CERT)
    import datetime
    tree.log("letsencrypt.log.9", [Run("0.20.0", datetime.datetime(2020, 1, 2, 3, 4, 5),
                                        ["certonly", "-d", "hidden-blog.example.net", "--email", "owner@customer.jp"])])
    email = os.path.join(root, "notice.txt")
    with open(email, "w") as handle:
        handle.write("Client IP address:  203.0.113.45\n\nUser agent:  CertbotACMEClient/0.20.0 (certbot-auto; "
                     "CentOS release 6.9 (Final)) Authenticator/webroot Installer/None (renew; flags: n) Py/2.6.6\n\n"
                     'Hostname(s):  "secret-shop.example.co.jp", "mail.customer-corp.com"\n\n'
                     "Request time:  2020-04-14 20:00:38 UTC\n")
    return email


PLANTED = ("secret-shop.example.co.jp", "hidden-blog.example.net", "owner@customer.jp", "203.0.113.45",
           "mail.customer-corp.com", "customer-corp", KEY_MARKER)


@pytest.mark.parametrize("fmt", FORMATS)
def test_redaction_masks_names_addresses_consistently_and_keys_never_appear(make_host, fmt):
    root = make_host("centos6_certbot_auto")
    email = plant_secrets(root)
    plain = report("--root", root, "--format", fmt, "--email", email)
    assert "secret-shop.example.co.jp" in plain and KEY_MARKER not in plain
    redacted = report("--root", root, "--format", fmt, "--email", email, "--redact")
    for secret in PLANTED:
        assert secret not in redacted, secret
    assert "host-1.example" in redacted and "ip-1" in redacted
    assert "acme-v01.api.letsencrypt.org" in redacted and "/opt/eff.org" in redacted     # not the customer's
    again = report("--root", root, "--format", fmt, "--email", email, "--redact")
    timestamp = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")
    assert timestamp.sub("", again) == timestamp.sub("", redacted)        # the same masks every time


def test_redacted_json_maps_the_same_name_to_the_same_mask(make_host):
    root = make_host("centos6_certbot_auto")
    email = plant_secrets(root)
    document = json.loads(report("--root", root, "--format", "json", "--email", email, "--redact"))
    jsonschema.validate(document, SCHEMA)
    confs = [f for f in document["findings"] if f["id"] == "ACME-002"]
    paths = {e["path"] for f in confs for e in f["evidence"]}
    masked = {p for p in paths if "host-" in p}
    assert masked and all(re.search(r"/renewal/host-\d+\.example\.conf$", p) for p in masked)


def test_japanese_text_stays_utf8(make_host, tmp_path):
    from wizard.render.report import render_html, render_markdown, render_text
    root = make_host("debian12_apt_21")
    document = json.loads(report("--root", root, "--format", "json"))
    document["next_steps"].append("証明書の自動更新を確認してください。")
    for render in (render_html, render_markdown, render_text):
        assert "証明書の自動更新" in render(document)


# --- printed by a real browser ----------------------------------------------------------------------

@pytest.mark.parametrize("paper,points", [("A4", (595, 842)), ("Letter", (612, 792))])
def test_html_report_prints_whole_on_a4_and_letter(make_host, tmp_path, paper, points):
    root = make_host("centos6_certbot_auto")
    html = report("--root", root, "--format", "html").replace("@page {", f"@page {{ size: {paper}; ", 1)
    html_path = tmp_path / "report.html"
    html_path.write_text(html)
    text, pages, size = print_pdf(str(html_path), str(tmp_path / "report.pdf"))
    assert abs(size[0] - points[0]) < 2 and abs(size[1] - points[1]) < 2
    assert 2 <= pages <= 12
    flat = " ".join(text.split())
    for fact in ("ACME remediation report", "Action needed", "CentOS release 6.9 (Final)", "ACME-001",
                 "What happens next", "Remaining risks and next steps", "2028-02-16"):
        assert fact in flat, fact
    # Nothing cut off: the longest evidence path and every finding title are printed whole
    # (pdftotext may break a long word across lines, so compare without whitespace).
    squeezed = "".join(text.split())
    assert "/opt/eff.org/certbot/venv/lib/python2.6/site-packages/certbot-0.20.0-py2.6.egg-info" in squeezed
    document = json.loads(report("--root", root, "--format", "json"))
    for finding in document["findings"]:
        assert "".join(finding["title"].split()) in squeezed, finding["title"]
    first_page = text.split("\f")[0]
    assert "Action needed" in first_page and "What happens next" in first_page


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_every_format_for_every_fixture_host_after_an_apply_on_a_copy(make_host, tmp_path, name):
    root = make_host(name)
    answers = tmp_path / "answers.json"
    answers.write_text('{"client": "rh-python36"}' if name.startswith(("centos6", "letsencrypt_auto")) else "{}")
    applied = subprocess.run([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes", "--answers",
                              str(answers)], capture_output=True, text=True)
    assert applied.returncode in (0, 1), applied.stdout + applied.stderr      # 1: commands wait for the live host
    document = json.loads(report("--root", root, "--format", "json"))
    jsonschema.validate(document, SCHEMA)
    if document["run"] is not None:
        assert document["run"]["steps"] and document["run"]["rollback_command"].startswith("acme-wizard rollback")
        assert document["mode"] in ("applied", "assessment")
    for fmt in ("md", "html", "txt"):
        text = readable(report("--root", root, "--format", fmt), fmt)
        assert document["verdict"]["line"] in text
        if document["run"] is not None:
            assert document["run"]["id"] in text

"""The ACMEv1 warning email, as admins keep it."""
import datetime

import pytest

from tests.fixtures.emails import BODY
from wizard.core.readers.email_notice import EmailError, parse_user_agent, read_email


def check_fields(email):
    agent = email.user_agent
    assert (agent.kind, agent.version, agent.install_method) == ("certbot", "0.20.0", "certbot-auto")
    assert agent.os == "CentOS release 6.9 (Final)" and agent.python_version == "2.6.6"
    assert (agent.authenticator, agent.installer, agent.verb, agent.flags) == ("webroot", "None", "renew", ["n"])
    assert email.hostnames == ["example.com", "www.example.com", "shop.example.jp"]
    assert email.client_ip == "203.0.113.45"
    assert email.request_time == datetime.datetime(2020, 4, 14, 20, 0, 38)


def test_plain_copy():
    check_fields(read_email("mail.txt", BODY.encode()))


def test_forwarded_and_quoted():
    quoted = "---------- Forwarded message ---------\nFrom: Let's Encrypt <noreply@letsencrypt.org>\n" + \
        "\n".join("> " + line for line in BODY.splitlines())
    check_fields(read_email("fwd.txt", ("> " + quoted.replace("\n", "\n> ")).encode()))


def test_rewrapped_user_agent_and_hostnames():
    wrapped = BODY.replace(
        "User agent:  CertbotACMEClient/0.20.0 (certbot-auto; CentOS release 6.9 (Final)) Authenticator/webroot Installer/None (renew; flags: n) Py/2.6.6",
        "User agent:  CertbotACMEClient/0.20.0 (certbot-auto; CentOS release\n6.9 (Final)) Authenticator/webroot Installer/None (renew;\nflags: n) Py/2.6.6",
    ).replace('Hostname(s):  "example.com", "www.example.com", "shop.example.jp"',
              'Hostname(s):  "example.com", "www.example.com",\n"shop.example.jp"')
    check_fields(read_email("wrapped.txt", wrapped.encode()))


def test_raw_mime_quoted_printable():
    encoded = BODY.replace("=", "=3D")
    lines = []
    for line in encoded.splitlines():
        while len(line) > 70:
            lines.append(line[:70] + "=")
            line = line[70:]
        lines.append(line)
    raw = ("From: Let's Encrypt <noreply@letsencrypt.org>\nSubject: Update your client software to continue "
           "using Let's Encrypt\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + "\n".join(lines) + "\n")
    check_fields(read_email("raw.eml", raw.encode()))


def test_elided_hostnames():
    email = read_email("m", BODY.replace('"shop.example.jp"', '"shop.example.jp", ...').encode())
    assert email.hostnames_elided and email.hostnames[-1] == "shop.example.jp"


def test_user_agent_eras():
    old = parse_user_agent("CertbotACMEClient/0.12.0 (Ubuntu 16.04.2 LTS) Authenticator/webroot Installer/None")
    assert (old.version, old.os, old.install_method, old.authenticator) == ("0.12.0", "Ubuntu 16.04.2 LTS", None, "webroot")
    modern = parse_user_agent("CertbotACMEClient/0.23.0 (certbot; Ubuntu 18.04.3 LTS) Authenticator/webroot "
                              "Installer/apache (run; flags: ) Py/3.6.8")
    assert (modern.install_method, modern.os, modern.flags, modern.python_version) == ("unknown", "Ubuntu 18.04.3 LTS", [], "3.6.8")
    ancient = parse_user_agent("LetsEncryptPythonClient/0.4.1 (Ubuntu 16.04 xenial) Authenticator/apache Installer/apache")
    assert ancient.kind == "certbot" and ancient.version == "0.4.1"


def test_other_agent_is_not_certbot():
    agent = parse_user_agent("ACMEdotNET v1.0.0.0 (ACME 1.0)")
    assert agent.kind == "other"
    acme_sh = parse_user_agent("acme.sh/2.8.0 (+https://github.com/Neilpang/acme.sh)")
    assert acme_sh.kind == "acme.sh" and acme_sh.version == "2.8.0"


def test_not_an_email():
    with pytest.raises(EmailError):
        read_email("x", b"just some text\nwithout the fields\n")


def test_check_with_email_adds_the_unresolved_notice(make_host, run_cli, tmp_path):
    root = make_host("centos6_certbot_auto")
    mail = tmp_path / "notice.txt"
    mail.write_text(BODY)
    code, out, _err = run_cli("check", "--root", root, "--email", str(mail), "--json")
    import json
    doc = json.loads(out)
    assert code == 1 and "ACME-019" in doc["acme"]["reasons"]
    assert doc["email"]["client"]["install_method"] == "certbot-auto"
    assert doc["email"]["request_time"] == "2020-04-14T20:00:38Z"
    finding = next(f for f in doc["findings"] if f["id"] == "ACME-019")
    assert finding["evidence"][0]["path"] == str(mail)


def test_email_is_resolved_by_later_v2_use(make_host, diagnose_root, tmp_path):
    from tests.fixtures.hosts import NOW
    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.probe.run import run_probe
    from wizard.core.target.local import LocalTarget
    root = make_host("centos7_epel_111")
    email = read_email("m", BODY.encode())
    diagnosis = diagnose(run_probe(LocalTarget(root)), email, now=NOW)
    assert "ACME-019" not in {f.id for f in diagnosis.findings} and diagnosis.verdict == "v2"

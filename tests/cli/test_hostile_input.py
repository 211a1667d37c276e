"""Hostile and odd input: key material and tokens wherever a path can lead, names that are not
UTF-8, cron lines quoted every way, names redaction must catch, inputs built to be slow, and
every documented command on every kind of target."""
import json
import os
import random
import subprocess
import sys
import time

import pytest

from tests.fixtures.commands import COMMANDS
from wizard.core.endpoints import classify_url
from wizard.core.plan.lines import drop_server_option
from wizard.core.readers.email_notice import EmailError, read_email
from wizard.core.readers.schedule import option_values, split_words
from wizard.core.report.redact import Redactor

STATE = "var/lib/acme-wizard"
V1 = "https://acme-v01.api.letsencrypt.org/directory"


def wizard(*argv, env=None, timeout=120, cwd=None):
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=timeout, errors="surrogateescape")


def no_traceback(result):
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]


# --- 5. key material and API tokens are never read ------------------------------------------------

TOKEN = "dns-api-token-7f3a9c-MUST-NEVER-APPEAR"


def _key(kind: str) -> str:
    argv = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"] if kind == "rsa" else \
        ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def test_keys_and_tokens_never_reach_any_output(make_host, tmp_path):
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    rsa, ec = _key("rsa"), _key("ec")
    secrets = [line for line in (rsa + ec).splitlines() if "-----" not in line] + [TOKEN]

    def put(path, text, mode=0o600):
        real = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, "w") as handle:
            handle.write(text)
        os.chmod(real, mode)

    def link(path, to):
        real = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        os.symlink(to, real)

    put("/etc/letsencrypt/live/www.example.co.jp/privkey.pem", rsa)
    put("/etc/letsencrypt/keys/0000_key-certbot.pem", ec)
    put("/etc/letsencrypt/accounts/acme-v01.api.letsencrypt.org/directory/abc/private_key.json",
        '{"kty": "RSA", "d": "' + TOKEN + '"}\n')
    put("/root/secret.txt", rsa)                                   # a key under any name
    link("/etc/letsencrypt/renewal/evil.conf", "../live/www.example.co.jp/privkey.pem")
    link("/etc/letsencrypt/renewal/evil2.conf", "/root/secret.txt")
    link("/etc/cron.d/keylink", "/etc/letsencrypt/keys/0000_key-certbot.pem")
    put("/etc/cron.d/pasted-key", rsa, 0o644)
    link("/var/log/letsencrypt/letsencrypt.log.9", "/etc/letsencrypt/keys/0000_key-certbot.pem")
    put("/etc/letsencrypt/configs/dns.ini", f"dns_cloudflare_api_token = {TOKEN}\nserver = {V1}\n")
    put("/etc/letsencrypt/dns.ini", f"dns_cloudflare_api_token = {TOKEN}\nserver = {V1}\n")
    put("/usr/local/bin/renew.sh", f"#!/bin/sh\n# certbot wrapper\nTOKEN={TOKEN}\n{rsa}\ncertbot renew\n", 0o755)
    put("/etc/cron.d/wrapped", "0 3 * * * root /usr/local/bin/renew.sh\n"
        "0 4 * * * root /usr/bin/certbot renew --config /etc/letsencrypt/dns.ini\n"
        "0 5 * * * root /usr/bin/certbot renew --config /root/secret.txt\n", 0o644)

    bundle = tmp_path / "bundle.out"
    outputs = [wizard("check", "--root", root), wizard("check", "--root", root, "--json"),
               wizard("check", "--root", root, "--save-bundle", str(bundle)),
               wizard("plan", "--root", root, "--json")]
    outputs += [wizard("report", "--root", root, "--format", fmt, *redact)
                for fmt in ("txt", "md", "html", "json") for redact in ((), ("--redact",))]
    outputs.append(wizard("apply", "--root", root, "--yes"))
    texts = [o.stdout + o.stderr for o in outputs] + [bundle.read_bytes().decode("latin-1")]
    run_dir = os.path.join(root, STATE, "runs")
    for dirpath, _dirs, files in os.walk(run_dir):
        texts += [open(os.path.join(dirpath, f), "rb").read().decode("latin-1") for f in files
                  if not f.endswith(".tar.gz")]
    for result in outputs:
        no_traceback(result)
    for secret in secrets:
        assert not any(secret in text for text in texts), secret
    check = json.loads(outputs[1].stdout)
    assert "key-material" in json.dumps(check["problems"]) or "private key" in json.dumps(check["problems"])
    # The v1 pin in the --config file is still found: only its settings were read.
    assert any(f["id"] == "ACME-007" or "--config" in f["title"] for f in check["findings"]), \
        [f["title"] for f in check["findings"]]


# --- 7. names that are not UTF-8 ---------------------------------------------------------------

def test_a_name_that_is_not_utf8_is_carried_and_always_valid(make_host, tmp_path):
    root = make_host("centos7_epel_027_v01_pin")
    renewal = os.path.join(root, "etc/letsencrypt/renewal")
    source = sorted(os.listdir(renewal))[0]
    with open(os.path.join(renewal, source), "rb") as handle:
        data = handle.read()
    with open(os.path.join(os.fsencode(renewal), b"caf\xe9.conf"), "wb") as handle:
        handle.write(data)
    check = wizard("check", "--root", root, "--json")
    no_traceback(check)
    document = json.loads(check.stdout)                             # valid JSON
    assert "/etc/letsencrypt/renewal/caf\\xe9.conf" in [c["path"] for c in document["renewal_confs"]]
    for argv in (("check", "-o"), ("report", "-o"), ("report", "--format", "json", "-o")):
        out = tmp_path / "out"
        result = wizard(*argv, str(out), "--root", root)
        no_traceback(result)
        text = out.read_text(encoding="utf-8")
        assert "caf\\xe9" in text or "json" in argv
    json.loads(text)
    apply = wizard("apply", "--root", root, "--yes")
    no_traceback(apply)
    assert apply.returncode in (0, 1), apply.stderr
    run = os.path.join(root, STATE, "runs", os.listdir(os.path.join(root, STATE, "runs"))[0])
    assert json.load(open(os.path.join(run, "before.json")))
    assert b"/etc/letsencrypt/renewal/caf\xe9.conf\n" in open(os.path.join(run, "manifest.sha256"), "rb").read()
    back = wizard("rollback", "--root", root, "--yes")
    assert back.returncode == 0, back.stderr


# --- 8. every detected --server pin on a scheduled line gets a fix ------------------------------

SPELLINGS = ["--server {u}", "--server={u}", "--server '{u}'", "--server \"{u}\"", "--server='{u}'",
             "--server=\"{u}\"", "--server\t{u}", "--server  {u}"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_of_a_server_pin_is_planned_away(make_host, spelling):
    root = make_host("cron_server_flag")
    crontab = os.path.join(root, "etc/crontab")
    line = f"0 3 * * * root /opt/certbot/bin/certbot renew -q {spelling.format(u=V1)} --deploy-hook 'x y'\n"
    open(crontab, "w").write("SHELL=/bin/sh\n" + line)
    plan = wizard("plan", "--root", root, "--json")
    document = json.loads(plan.stdout)
    diffs = [a["diff"] for s in document["steps"] for a in s["actions"] if a.get("path") == "/etc/crontab"]
    assert diffs, [s["id"] for s in document["steps"]]
    added = [line for line in diffs[0].splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added and "acme-v01" not in added[0] and added[0].endswith("renew -q --deploy-hook 'x y'"), added


def _v1_pins(line: str) -> list[str]:
    return [u for u in option_values(split_words(line), ("--server",)) if classify_url(u) in ("v1", "v1-staging")]


def test_property_every_detected_pin_is_removed_by_the_edit():
    rng = random.Random(11)
    words = ["certbot", "renew", "-q", "--no-self-upgrade", "&&", ";", "|", "'a b'", '"c d"', "--deploy-hook",
             "x=1", "2>&1", ">>/var/log/x", "--server", "https://acme-v02.api.letsencrypt.org/directory"]
    quotes = ["{u}", "'{u}'", '"{u}"']
    blanks = [" ", "  ", "\t", " \t "]
    urls = [V1, "https://acme-staging.api.letsencrypt.org/directory"]
    for _ in range(3000):
        parts = [rng.choice(words) for _ in range(rng.randint(0, 6))]
        for _pin in range(rng.randint(1, 2)):
            url = rng.choice(quotes).format(u=rng.choice(urls))
            pin = rng.choice(["--server" + rng.choice(blanks) + url, "--server=" + url])
            parts.insert(rng.randint(0, len(parts)), pin)
        line = "0 0 * * * root " + rng.choice(blanks).join(parts)
        if not _v1_pins(line):
            continue
        fixed = drop_server_option(line)
        assert not _v1_pins(fixed), (line, fixed)
        kept = [w for w in split_words(line) if not w.startswith("--server")]
        assert [w for w in split_words(fixed) if not w.startswith("--server")] == \
            [w for w in kept if classify_url(w) not in ("v1", "v1-staging")], (line, fixed)


# --- 9. redaction by structure ----------------------------------------------------------------

def test_property_generated_names_and_addresses_are_masked():
    rng = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyz"
    tlds = ["edu", "gov", "corp", "museum", "internal", "lan", "jp", "xn--wgv71a", "みんな", "de", "io", "cloud"]
    for _ in range(2000):
        labels = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 10))) for _ in range(rng.randint(1, 3))]
        host = ".".join(labels + [rng.choice(tlds)])
        six = ":".join(format(rng.randrange(65536), "x") for _ in range(8))
        compressed = rng.choice(["2001:db8::", "fe80::", "fd00:1:2::"]) + format(rng.randrange(1, 65536), "x")
        mail = rng.choice(["ユーザー", "admin", "j.doe+le"]) + "@" + rng.choice(["例え.jp", "bücher.de", host])
        text = f"renew {host} from {six} and [{compressed}]:443, mail {mail}; see {host}."
        out = Redactor([]).text(text)
        for secret in (host, six, compressed, mail, mail.split("@")[0] + "@"):
            assert secret not in out, (secret, out)
    kept = Redactor([]).text(f"{V1} /opt/eff.org cli.ini letsencrypt.log certbot._internal.main ::1 127.0.0.1")
    assert kept == f"{V1} /opt/eff.org cli.ini letsencrypt.log certbot._internal.main ::1 127.0.0.1"


# --- 10. inputs built to be slow stay fast ------------------------------------------------------

def test_a_long_client_ip_value_parses_in_linear_time():
    header = "Client IP address: " + "1" * 150_000
    email_text = ("Subject: Update your client software\n\nHostname: example.com\n" + header + "\n").encode()
    started = time.monotonic()
    try:
        read_email("mail.eml", email_text)
    except EmailError:
        pass
    assert time.monotonic() - started < 2.0


def test_a_gzip_bomb_in_the_logs_is_bounded(make_host):
    import gzip
    root = make_host("debian12_apt_21")
    line = b"2026-01-01 00:00:00,000:DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): acme-v02.api.letsencrypt.org:443\n"
    with gzip.open(os.path.join(root, "var/log/letsencrypt/letsencrypt.log.7.gz"), "wb", compresslevel=9) as out:
        for _ in range(80):
            out.write(line * 10_000)                     # 100 MB of matching lines in a few hundred KB
    started = time.monotonic()
    result = wizard("check", "--root", root, "--json")
    assert time.monotonic() - started < 30
    no_traceback(result)
    json.loads(result.stdout)


# --- 12. no tracebacks on broken inputs ------------------------------------------------------------

def test_broken_os_release_unknown_charset_and_huge_numbers(make_host, tmp_path):
    root = make_host("centos7_epel_111")
    with open(os.path.join(root, "etc/os-release"), "a") as handle:
        handle.write('PRETTY_NAME="CentOS\nVERSION_ID="7\n')
    email_file = tmp_path / "mail.eml"
    email_file.write_bytes(b"MIME-Version: 1.0\nContent-Type: text/plain; charset=x-unknown\n"
                           b"Subject: Update your client software\n\nHostname: example.com\nClient IP address: 2001:db8::5\n")
    result = wizard("check", "--root", root, "--email", str(email_file), "--json")
    no_traceback(result)
    assert result.returncode in (0, 1)
    assert json.loads(result.stdout)["email"] is not None
    bundle = tmp_path / "huge.out"
    saved = wizard("check", "--root", root, "--save-bundle", str(bundle))
    assert saved.returncode in (0, 1)
    data = bundle.read_bytes()
    huge = b"9" * 5000
    bundle.write_bytes(data + b"P\t1\nB\t/usr/local/bin/certbot-auto\n/usr/local/bin/certbot-auto\0" + b"1:LE_AUTO_VERSION=\"1."
                       + huge + b"\"\n/etc/crontab\0" + huge + b":x\nS\t1\t0\t/var/log/letsencrypt/letsencrypt.log." + huge
                       + b"\n")
    for argv in (("check",), ("plan",), ("report", "--format", "json")):
        result = wizard(*argv, "--from-bundle", str(bundle))
        no_traceback(result)
        assert result.returncode in (0, 1), result.stderr


# --- 6. every documented command on every kind of target -----------------------------------------



@pytest.fixture(scope="module")
def bundle_file(tmp_path_factory):
    from tests.fixtures.hosts import HOSTS
    base = tmp_path_factory.mktemp("bundle")
    HOSTS["centos6_certbot_auto"](str(base / "host"))
    path = base / "host.out"
    subprocess.run([sys.executable, "-m", "wizard", "check", "--root", str(base / "host"), "--save-bundle",
                    str(path)], capture_output=True, check=False)
    return str(path)


# On this machine itself only what cannot change it (verify and rollback are covered under --root
# and --host, tests/e2e/test_remote.py).
CASES = [(command, kind) for kind in ("local", "local-root", "bundle", "demo") for command in COMMANDS
         if not (kind == "local" and command[0] in ("verify", "rollback"))]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=lambda v: "-".join(v) if isinstance(v, tuple) else v)
def test_every_command_on_every_target_kind_is_clean(command, kind, make_host, bundle_file):
    if kind == "local":
        target = ()                                  # this machine, read-only commands only
    elif kind == "local-root":
        target = ("--root", make_host("centos7_two_installs"))
    elif kind == "bundle":
        target = ("--from-bundle", bundle_file)
    else:
        target = ("--demo",)
    result = wizard(*command, *target)
    no_traceback(result)
    refused = (kind == "bundle" and command[0] in ("apply", "verify", "rollback")) or \
              (kind == "demo" and command[0] in ("verify", "rollback")) or \
              command[0] == "rollback"                              # no run to roll back yet
    if refused:
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1
    else:
        assert result.returncode in (0, 1), (result.returncode, result.stderr)
        assert result.stdout.strip()
        if "--json" in command or "json" in command:
            json.loads(result.stdout)


def test_secret_settings_on_scheduled_lines_are_redacted(make_host):
    root = make_host("cron_server_flag")
    os.makedirs(os.path.join(root, "etc/cron.d"), exist_ok=True)
    with open(os.path.join(root, "etc/cron.d/zz"), "w") as handle:
        handle.write("CF_Token=S1-SECRET\nAWS_SECRET_ACCESS_KEY='S2-SECRET'\n"
                     f"0 4 * * * root CLOUDFLARE_API_TOKEN=S3-SECRET /opt/certbot/bin/certbot renew --server {V1}\n")
    for fmt in ("txt", "md", "html", "json"):
        result = wizard("report", "--root", root, "--redact", "--format", fmt)
        no_traceback(result)
        assert "-SECRET" not in result.stdout and "[redacted]" in result.stdout, fmt

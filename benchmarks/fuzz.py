#!/usr/bin/env python3
"""In-process fuzz harness for acme-v2-wizard (stdlib `random` only).

Run from the project directory:

    python3 benchmarks/fuzz.py --count 100000 --seed 1

Seeds (probe transcripts of the fixture hosts), reproducers and scratch files live in
--workdir (default $TMPDIR/acme-wizard-fuzz). tests/unit/test_fuzz_slice.py runs a small seeded slice.

Stages (every case is one stage; a case is a dict of named byte fields, so it can be replayed,
minimized and written to disk):

  bundle    probe transcript -> probe.run.read_bundle -> (commands.files.read_bundle's "root" check) ->
            diagnose -> analyse.document.check_document + render.check.render_check -> plan.build_plan
            -> render.plan.render_plan + Plan.to_json -> report.model.build_report -> every RENDERERS
            format -> report.redact.Redactor(known_hosts).document -> rendered again; optional e-mail /
            answers
  runstate  mutated run directory JSON (plan.json, backup.json, journal.jsonl, verify.json,
            verify-latest.json) read by report.build_report through a target, then rendered
  answers   mutated --answers file -> commands.files.read_answers -> plan.build_plan -> render_plan
  email     mutated "Update your client software" mail -> email_notice.read_email, parse_user_agent
  osinfo    mutated os-release / *-release files -> osinfo.detect_os
  versions  versions.parse / at_least / upstream / python_major_minor
  schedule  mutated crontabs, cron scripts, systemd units -> clients.detect_installs +
            schedule.find_schedules, split_words, option_values
  redact    redact.Redactor.text / .document

Everything printed is also the text the CLI would write: rendered text is encoded as UTF-8
(strict), as `sys.stdout.write` / `open(..., "w", encoding="utf-8")` do; a failure there is a
finding too ("sink").

Expected errors (the CLI turns them into one-line messages / exit codes, see wizard/cli.py):
WizardError (UsageError, TargetError, … each with its exit code) and OSError. Anything else is a
finding, keyed by (exception type, innermost wizard/ frame). Inputs slower than 1 s are findings.

  --replay DIR    run one reproducer directory written to WORKDIR/repro/
"""
from __future__ import annotations

import argparse
import collections
import copy
import datetime
import io
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PROJECT not in sys.path:
    sys.path.insert(0, PROJECT)
HERE = os.environ.get("ACME_WIZARD_FUZZ_DIR") or os.path.join(tempfile.gettempdir(), "acme-wizard-fuzz")
SEED_DIR = os.path.join(HERE, "seeds")
REPRO_DIR = os.path.join(HERE, "repro")
WIZARD_DIR = os.path.join(PROJECT, "wizard") + os.sep

from wizard.commands.files import read_answers  # noqa: E402
from wizard.core import versions  # noqa: E402
from wizard.core.analyse.diagnose import diagnose  # noqa: E402
from wizard.core.analyse.document import check_document  # noqa: E402
from wizard.core.errors import TargetError, WizardError  # noqa: E402
from wizard.core.invocation import Invocation  # noqa: E402
from wizard.core.plan.build import build_plan  # noqa: E402
from wizard.core.plan.model import Answers  # noqa: E402
from wizard.core.probe.run import read_bundle  # noqa: E402
from wizard.core.probe.snapshot import read_snapshot  # noqa: E402
from wizard.core.readers.clients import detect_installs  # noqa: E402
from wizard.core.readers.email_notice import parse_user_agent, read_email  # noqa: E402
from wizard.core.readers.osinfo import detect_os  # noqa: E402
from wizard.core.readers.schedule import find_schedules, option_values, split_words  # noqa: E402
from wizard.core.report.model import build_report  # noqa: E402
from wizard.core.report.redact import Redactor, known_hosts  # noqa: E402
from wizard.core.target.local import LocalTarget  # noqa: E402
from wizard.i18n import set_language  # noqa: E402
from wizard.render.check import render_check  # noqa: E402
from wizard.render.plan import render_plan  # noqa: E402
from wizard.render.report import RENDERERS  # noqa: E402

EXPECTED = (WizardError, OSError)     # every error the wizard reports in one line, and the files' own
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.timezone.utc)
SLOW = 1.0            # seconds: an input slower than this is a finding
ALARM = 3.0           # seconds: interrupt a Python-level loop (the key then says where it was)
HANG = 60.0           # seconds without progress: the worker is killed (a C-level regex hang)
STAGES = ("bundle", "runstate", "answers", "email", "osinfo", "versions", "schedule", "redact")
WEIGHTS = (14, 6, 5, 22, 8, 11, 17, 17)


class FuzzTimeout(BaseException):
    """Raised by SIGALRM inside a case that runs longer than ALARM."""


# ------------------------------------------------------------------------------------------------
# Seeds
# ------------------------------------------------------------------------------------------------

from tests.fixtures.emails import BODY as EMAIL_BODY  # noqa: E402  (the email the tests use)

USER_AGENTS = [
    "CertbotACMEClient/0.20.0 (certbot-auto; CentOS release 6.9 (Final)) Authenticator/webroot Installer/None "
    "(renew; flags: n) Py/2.6.6",
    "CertbotACMEClient/0.12.0 (Ubuntu 16.04.2 LTS) Authenticator/webroot Installer/None",
    "CertbotACMEClient/0.31.0 (certbot; Ubuntu 18.04.5 LTS) Authenticator/nginx Installer/nginx (renew; "
    "flags: q) Py/3.6.9",
    "LetsEncryptPythonClient/0.4.1 (Debian GNU/Linux 8 (jessie)) Authenticator/standalone Installer/None",
    "acme.sh/2.7.5 (https://github.com/Neilpang/acme.sh)",
    "Go-http-client/1.1",
    "lego-cli/2.5.0 xenolf-acme",
]
SUBJECT = "Update your client software to continue using Let's Encrypt"
CHARSETS = ["utf-8", "us-ascii", "iso-8859-1", "windows-1252", "shift_jis", "iso-2022-jp", "euc-jp", "utf-16",
            "utf-7", "x-unknown", "unknown-8bit", "bogus\"charset", "utf8'", "", "UTF-8; format=flowed",
            "koi8-r", "gb2312", "big5", "x-mac-roman", "cp65001", "utf-32", "latin-9", "ascii\0"]

OS_RELEASES = {
    "/etc/os-release": [
        'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n'
        'PRETTY_NAME="CentOS Linux 7 (Core)"\n',
        'NAME="Ubuntu"\nVERSION="16.04.7 LTS (Xenial Xerus)"\nID=ubuntu\nID_LIKE=debian\n'
        'PRETTY_NAME="Ubuntu 16.04.7 LTS"\nVERSION_ID="16.04"\nVERSION_CODENAME=xenial\n',
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
        'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
        'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\n'
        'PRETTY_NAME="Amazon Linux 2"\n',
        'NAME="CentOS Stream"\nVERSION="8"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="8"\n'
        'PRETTY_NAME="CentOS Stream 8"\n',
    ],
    "/etc/centos-release": ["CentOS release 6.9 (Final)\n", "CentOS Linux release 7.9.2009 (Core)\n",
                            "CentOS Stream release 8\n"],
    "/etc/redhat-release": ["Scientific Linux release 6.10 (Carbon)\n", "Red Hat Enterprise Linux Server release "
                            "7.9 (Maipo)\n"],
    "/etc/system-release": ["Amazon Linux AMI release 2018.03\n"],
    "/etc/lsb-release": ["DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\n"],
    "/etc/debian_version": ["9.13\n", "bookworm/sid\n"],
}

VERSION_SEEDS = ["0.31.0-2+ubuntu18.04.3+certbot+2", "1:0.27.1-1.el7", "v2.8.1", "1.11.0", "0.20.0", "2.7.6",
                 "0.4.1", "1.14.0", "3.0.1", "0.21.1", "python2.7", "python3.6", "/usr/lib/python3.6/site-packages",
                 "2.1.0-2", "0.40.0-1ubuntu0.1", "1.0.0.dev0", "12"]

CRON_SEEDS = {
    "/etc/crontab": "SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\nMAILTO=root\n"
                    "0 */12 * * * root /usr/local/bin/certbot-auto renew --quiet --no-self-upgrade --server "
                    "https://acme-v01.api.letsencrypt.org/directory\n"
                    "30 2 * * 1 root sh -c 'sleep 30 && /usr/bin/certbot renew -c /etc/letsencrypt/cli.ini'\n",
    "/etc/cron.d/certbot": "# /etc/cron.d/certbot: crontab entries for the certbot package\n"
                           "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n"
                           "0 */12 * * * root test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e "
                           "'sleep int(rand(43200))' && certbot -q renew\n",
    "/var/spool/cron/root": "MAILTO=admin@example.jp\n15 4 * * * /root/certbot-auto renew --post-hook "
                            "'service httpd graceful'\n@daily /usr/local/sbin/renew-certs.sh\n",
    "/var/spool/cron/crontabs/www": "@weekly env LE_WORKING_DIR=/home/www/.acme.sh /home/www/.acme.sh/acme.sh "
                                    "--cron --home /home/www/.acme.sh > /dev/null\n",
    "/etc/cron.daily/letsencrypt": "#!/bin/sh\nnice -n 10 /opt/letsencrypt/letsencrypt-auto renew "
                                   "--config /etc/letsencrypt/cli.ini --server=https://acme-v01.api."
                                   "letsencrypt.org/directory >> /var/log/le-renew.log\n",
    "/usr/local/sbin/renew-certs.sh": "#!/bin/bash\nset -e\n/opt/venv/bin/certbot renew --quiet\n"
                                      "/usr/bin/dehydrated -c\nsystemctl reload nginx\n",
    "/etc/systemd/system/certbot.service": "[Unit]\nDescription=Certbot\n\n[Service]\nType=oneshot\n"
                                           "ExecStart=/usr/bin/certbot -q renew\nPrivateTmp=true\n",
    "/lib/systemd/system/snap.certbot.renew.service": "[Service]\nExecStart=/usr/bin/snap run --timer="
                                                      "\"00:00~24:00/2\" certbot.renew\n",
    "/etc/letsencrypt/cli.ini": "server = https://acme-v01.api.letsencrypt.org/directory\nmax-log-backups = 0\n",
    "/usr/bin/certbot": "#!/usr/bin/python2\n# EASY-INSTALL-ENTRY-SCRIPT: 'certbot==0.27.1'\n",
}
CRON_ENTRIES = ["/etc/systemd/system/timers.target.wants/certbot.timer", "/etc/systemd/system/certbot.timer",
                "/lib/systemd/system/snap.certbot.renew.timer"]

REDACT_SEEDS = [
    "Renewing /etc/letsencrypt/renewal/www.example.com.conf for admin@example.co.jp from 203.0.113.45",
    "connect to acme-v01.api.letsencrypt.org (2001:db8::1) failed; mail ops@shop.example.jp",
    "host web01.internal.lan at 10.0.0.12 serves *.example.com and example.org via 127.0.0.1",
    "/var/log/letsencrypt/letsencrypt.log:12: Sending GET request to https://acme-v02.api.letsencrypt.org/directory",
    "nodename=vm01.example.net uid=0 fe80::1ff:fe23:4567:890a",
]

TOKENS = [b"\t", b"  ", b"\t\t", b" \t", b"\r", b"\r\n", b"\x0b", b"\x0c", b"\xc2\xa0", b"\xe3\x80\x80", b"\0",
          b"\xff", b"\xfe\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80",
          b'"', b"'", b"(", b")", b"((", b"))", b"[", b"]", b"{", b"}", b"\\", b"`", b"$(", b";", b"&&", b"|",
          b"=", b"==", b":", b"::", b"-", b"--", b"#", b"%", b"%s", b"{0}", b"{x}", b"\n", b"\n\n",
          b"-1", b"0", b"99999999999999999999", b"1e309", b"NaN", b"\xc2\xb2", b"\xd9\xa1\xd9\xa2",
          b"\xf0\x9d\x9f\x99", b"\xe2\x80\xae", b"\xe2\x80\x8b", b"\xef\xbb\xbf", b"\xe6\xbc\xa2\xe5\xad\x97",
          b"null", b"true", b"[]", b"{}", b"../", b"/", b"//", b"~", b"*", b"?", b".", b"...", b"\xe2\x80\xa6",
          b"acme-v01.api.letsencrypt.org/directory", b"acme-staging.api.letsencrypt.org",
          b"acme-v02.api.letsencrypt.org/directory", b"https://", b"certbot", b"certbot-auto", b"renew",
          b"--server", b"--server=", b"-c", b"--config", b"sh -c", b"sudo", b"=3D", b"=\n", b"=?utf-8?b?",
          b"?=", b"> ", b">>", b"User agent:", b"Client IP address:", b"Hostname(s):", b"Request time:",
          b"Content-Type: ", b"charset=", b"version = ", b"server = ", b"[renewalparams]", b"letsencrypt.log.",
          b"letsencrypt.log.2", b"\0001:", b"\0002-", b"\00099:"]


def build_bundle_seeds() -> dict[str, bytes]:
    """Probe every fixture host of tests/fixtures/hosts.py with the real probe; cache the transcripts."""
    os.makedirs(SEED_DIR, exist_ok=True)
    cached = sorted(f for f in os.listdir(SEED_DIR) if f.endswith(".probe"))
    if cached:
        seeds = {}
        for name in cached:
            with open(os.path.join(SEED_DIR, name), "rb") as handle:
                seeds[name[:-6]] = handle.read()
        return seeds
    from tests.fixtures.hosts import HOSTS  # the fixture hosts of the test suite (PROJECT is on sys.path)
    from wizard.core.probe.run import run_probe
    seeds = {}
    with tempfile.TemporaryDirectory(prefix="fuzz-seeds-") as base:
        for name, build in HOSTS.items():
            root = os.path.join(base, name)
            build(root)
            buffer = io.BytesIO()
            run_probe(LocalTarget(root), save_to=buffer)
            seeds[name] = buffer.getvalue()
    for name, data in seeds.items():
        with open(os.path.join(SEED_DIR, name + ".probe"), "wb") as handle:
            handle.write(data)
    return seeds


class Corpus:
    """Seed material, built in the parent before the workers fork."""

    def __init__(self) -> None:
        self.bundles = build_bundle_seeds()
        self.bundle_names = sorted(self.bundles)
        self.bundle_lines = {n: self.bundles[n].split(b"\n") for n in self.bundle_names}
        self.emails = self._emails()
        self.small = sorted(self.bundle_names, key=lambda n: len(self.bundles[n]))[:8]   # for runstate/answers
        self.runstate = {}
        self.answers = [b'{"client": "pip"}', b'{"client": "snap", "staging_lineages": "move"}',
                        b'{"staging_lineages": "delete", "retire_certbot_auto": false}', b'{}',
                        b'{"client": "keep"}', b'{"client": "rh-python36", "retire_certbot_auto": true}',
                        b'{"client": "os-package"}', b'{"client": "move-host"}']
        for name in self.small:
            diagnosis = diagnose(read_bundle(io.BytesIO(self.bundles[name])), now=NOW)
            self.runstate[name] = _runstate_seed(diagnosis)

    @staticmethod
    def _emails() -> list[bytes]:
        body = EMAIL_BODY
        quoted = "---------- Forwarded message ---------\nFrom: Let's Encrypt <noreply@letsencrypt.org>\n" + \
            "\n".join("> " + line for line in body.splitlines())
        wrapped = body.replace("CentOS release 6.9 (Final)) Authenticator", "CentOS release\n6.9 (Final)) "
                               "Authenticator").replace('"www.example.com", ', '"www.example.com",\n')
        qp_lines = []
        for line in body.replace("=", "=3D").splitlines():
            while len(line) > 70:
                qp_lines.append(line[:70] + "=")
                line = line[70:]
            qp_lines.append(line)
        head = f"From: Let's Encrypt <noreply@letsencrypt.org>\nSubject: {SUBJECT}\nMIME-Version: 1.0\n"
        qp = head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + \
            "\n".join(qp_lines) + "\n"
        import base64
        b64 = base64.encodebytes(body.encode()).decode()
        b64mail = head + "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\n" + b64
        multipart = (head + 'Content-Type: multipart/alternative; boundary="XYZ"\n\n--XYZ\n'
                     "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
                     + "\n".join(qp_lines) + "\n--XYZ\nContent-Type: text/html; charset=utf-8\n\n<p>"
                     + body.replace("\n", "<br>") + "</p>\n--XYZ--\n")
        encoded_subject = head.replace(SUBJECT, "=?utf-8?b?" + base64.b64encode(SUBJECT.encode()).decode() + "?=")
        mime_plain = encoded_subject + "Content-Type: text/plain; charset=us-ascii\n\n" + body
        return [x.encode() for x in (body, quoted, wrapped, qp, b64mail, multipart, mime_plain)]


def _runstate_seed(diagnosis) -> dict[str, bytes]:
    """A run directory as apply/verify leave it (shapes from run/journal.py, run/apply.py, run/verify.py)."""
    plan = build_plan(diagnosis)
    plan_json = plan.to_json()
    entries = [{"path": "/etc/letsencrypt", "kind": "dir", "sha256": "", "mode": 0o755, "link": "",
                "tarball": "backup-1.tar.gz", "top": True},
               {"path": "/etc/letsencrypt/renewal/example.com.conf", "kind": "file", "sha256": "ab" * 32,
                "mode": 0o644, "link": "", "tarball": "backup-1.tar.gz", "top": False},
               {"path": "/etc/letsencrypt/live/example.com/cert.pem", "kind": "link", "sha256": "", "mode": 0o777,
                "link": "../../archive/example.com/cert1.pem", "tarball": "backup-1.tar.gz", "top": False}]
    journal = [{"time": "2026-11-27T12:00:00Z", "event": "run-start", "resumed": False, "steps": len(plan.steps)}]
    for number, step in enumerate(plan.steps):
        journal.append({"time": "2026-11-27T12:00:01Z", "event": "step-start", "step": step.id, "title": step.title})
        status = "failed" if number == 2 else "ok"
        journal.append({"time": "2026-11-27T12:00:02Z", "event": "step-end", "step": step.id, "status": status,
                        "exit_code": 1 if status == "failed" else 0, "message": "",
                        "output_tail": ["Saving debug log to /var/log/letsencrypt/letsencrypt.log", "done"]})
        if status == "failed":
            break
    journal.append({"time": "2026-11-27T12:00:03Z", "event": "run-end", "status": "failed", "failed_step": "x"})
    summary = {"verdict": "v1", "renews_with": "certbot 0.20.0 (certbot-auto)", "v1_pins": 2,
               "newest_contact": "v1 2021-05-20"}
    verify = {"format_version": 1, "time": "2026-11-27T12:10:00Z", "passed": False,
              "checks": [{"key": "client", "passed": True, "text": "the scheduler runs certbot 2.11.0",
                          "evidence": [{"path": "/etc/crontab", "line": 3, "text": "0 3 * * * root certbot renew"}]},
                         {"key": "pins", "passed": False, "text": "1 ACMEv1 pin remains", "evidence": []}],
              "test_renewal": {"argv": ["/usr/bin/certbot", "renew", "--dry-run"], "exit_code": 0,
                               "output_tail": ["Congratulations, all simulated renewals succeeded"]},
              "real_renewal": None, "summary_before": summary, "summary_after": dict(summary, verdict="v2")}
    dump = lambda data: (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()  # noqa: E731
    return {"plan.json": dump(plan_json), "backup.json": dump({"tarballs": ["backup-1.tar.gz"], "entries": entries}),
            "journal.jsonl": b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in journal),
            "verify.json": dump(verify), "verify-latest.json": dump(verify),
            "manifest.sha256": ("ab" * 32 + "  /etc/letsencrypt/renewal/example.com.conf\n").encode(),
            "runs": b"20261127T120000Z-1a2b"}


# ------------------------------------------------------------------------------------------------
# Mutations
# ------------------------------------------------------------------------------------------------

_DIGITS = bytes(random.Random(0).choice(b"0123456789") for _ in range(5000))


def huge_int(rng: random.Random) -> bytes:
    """More digits than int() accepts by default (sys.get_int_max_str_digits() == 4300)."""
    start = rng.randrange(len(_DIGITS))
    digits = (_DIGITS[start:] + _DIGITS[:start])[:rng.randint(4300, 4800)]
    return str(rng.randint(1, 9)).encode() + digits


def _pos(rng, data: bytes) -> int:
    return rng.randint(0, len(data)) if data else 0


def m_bitflip(rng, data):
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 8))):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def m_truncate(rng, data):
    return data[:_pos(rng, data)]


def m_cut_middle(rng, data):
    a, b = sorted((_pos(rng, data), _pos(rng, data)))
    return data[:a] + data[b:]


def _lines_op(fn):
    def mutate(rng, data):
        lines = data.split(b"\n")
        fn(rng, lines)
        return b"\n".join(lines)
    mutate.__name__ = fn.__name__
    return mutate


@_lines_op
def m_dup_line(rng, lines):
    i = rng.randrange(len(lines))
    lines[i:i] = [lines[i]] * rng.choice((1, 1, 2, 5, 30))


@_lines_op
def m_del_lines(rng, lines):
    i = rng.randrange(len(lines))
    del lines[i:i + rng.choice((1, 1, 3, 10, 40))]


@_lines_op
def m_swap_lines(rng, lines):
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]


@_lines_op
def m_long_line(rng, lines):
    i = rng.randrange(len(lines))
    chunk = lines[i][-rng.randint(1, 40):] or b"a"
    if rng.random() < 0.5:
        chunk = rng.choice([b"a", b"a-", b"a.", b"x ", b"(", b"> ", b"\t", b"\xe6\xbc\xa2", b"1.", b"a:"])
    lines[i] = lines[i] + chunk * (rng.choice((1500, 1500, 5000, 5000, 12000)) // len(chunk))


def m_insert_token(rng, data):
    i = _pos(rng, data)
    return data[:i] + rng.choice(TOKENS) + data[i:]


def m_replace_byte_class(rng, data):
    """Odd whitespace and quotes: replace one kind of byte everywhere in a region."""
    old = rng.choice([b" ", b"\t", b"=", b":", b'"', b"'", b"\n", b"/", b"."])
    new = rng.choice([b"\t", b"  ", b" ", b"\t ", b"\xc2\xa0", b"\r\n", b"", b'"', b"'", b"\0", b"\\"])
    a, b = sorted((_pos(rng, data), _pos(rng, data)))
    return data[:a] + data[a:b].replace(old, new) + data[b:]


def m_numbers(rng, data):
    """Replace a run of digits with a huge, negative, zero or odd number."""
    runs = [m.span() for m in re.finditer(rb"[0-9]+", data)]
    if not runs:
        return m_insert_token(rng, data)
    i, j = rng.choice(runs)
    new = rng.choice([huge_int(rng), b"-1", b"0", b"00", b"99999999999999999999", b"4294967296", b"1e9", b"",
                      b"\xd9\xa3", b"\xc2\xb3", b"9" * rng.randint(5, 40)])
    return data[:i] + new + data[j:]


def m_non_utf8(rng, data):
    i = _pos(rng, data)
    junk = rng.choice([b"\xff", b"\xfe", b"\x80\x81", b"\xc3(", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88\x80\x80",
                       bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))])
    return data[:i] + junk + data[i:]


def m_splice(rng, data, other: bytes):
    a = _pos(rng, other)
    b = min(len(other), a + rng.randint(1, 2000))
    i = _pos(rng, data)
    return data[:i] + other[a:b] + data[i:]


GENERIC = [m_bitflip, m_truncate, m_cut_middle, m_dup_line, m_del_lines, m_swap_lines, m_insert_token,
           m_insert_token, m_replace_byte_class, m_numbers, m_non_utf8]
GENERIC_W = [8, 3, 2, 6, 6, 3, 10, 0, 5, 6, 5]


def mutate_bytes(rng: random.Random, data: bytes, rounds: int | None = None, others=(), long_p=0.04) -> bytes:
    for _ in range(rounds if rounds is not None else rng.choice((1, 1, 1, 2, 2, 3, 5))):
        if others and rng.random() < 0.05:
            data = m_splice(rng, data, rng.choice(others))
        elif rng.random() < long_p:
            data = m_long_line(rng, data)
        else:
            data = rng.choices(GENERIC, GENERIC_W)[0](rng, data)
    return data


# Record-aware mutations for probe transcripts.
TAGS = [b"P", b"H", b"W", b"E", b"L", b"S", b"B", b"X", b"", b"Q", b"h", b"S ", b"\0"]


def mutate_record(rng, line: bytes) -> bytes:
    if b"\0" in line and rng.random() < 0.7:           # path NUL lineno:text
        name, _, rest = line.partition(b"\0")
        number, sep, text = rest.partition(b":") if b":" in rest else (rest, b":", b"")
        choice = rng.randrange(8)
        if choice == 0:
            number = huge_int(rng)
        elif choice == 1:
            number = rng.choice([b"", b"-1", b"0", b"x", b"1-", b"007", b"1:2", b"\xd9\xa1"])
        elif choice == 2:
            sep = rng.choice([b"-", b"", b"\t", b"\0"])
        elif choice == 3:
            text = mutate_bytes(rng, text, 1)
        elif choice == 4:
            name = mutate_bytes(rng, name, 1)
        elif choice == 5:
            name = rng.choice([b"", b"!rpm", b"!dpkg", b"/", b"//etc/os-release", b"/etc/../etc/crontab",
                               b"relative", name + b"\xff", name + b"/"])
        elif choice == 6:
            text = text + b"\0" + text
        else:
            text = text.replace(b" ", b"\t")
        return name + b"\0" + number + sep + text
    fields = line.split(b"\t")
    choice = rng.randrange(9)
    if choice == 0:
        fields[0] = rng.choice(TAGS)
    elif choice == 1 and len(fields) > 1:
        del fields[rng.randrange(1, len(fields))]
    elif choice == 2:
        fields.insert(rng.randint(1, len(fields)), rng.choice([b"", b"x", b"\t", b"/", b"0"]))
    elif choice == 3 and len(fields) > 1:
        i = rng.randrange(1, len(fields))
        fields[i] = rng.choice([huge_int(rng), b"-5", b"", b"abc", b"1.5", b" 12 ", b"\xff\xfe", b"0x10"])
    elif choice == 4 and len(fields) > 1:
        i = rng.randrange(1, len(fields))
        fields[i] = mutate_bytes(rng, fields[i], 1)
    elif choice == 5:
        return b" ".join(fields)                          # tabs lost
    elif choice == 6 and len(fields) > 1:
        fields[-1] = rng.choice([b"/", b"", b"relative/path", fields[-1] + b"/", b"/etc/letsencrypt/../..",
                                 fields[-1] + b"\xff", b"/etc/cron.d/\xe6\xbc\xa2\xe5\xad\x97"])
    elif choice == 7 and fields[0] == b"H" and len(fields) > 2:
        fields[2] = rng.choice([b"/", b"", b"relative", b"/tmp/x/", b"//", b"/etc", b"\xff",
                                b"/var/log/letsencrypt/", b"\t"])
    else:
        fields = [rng.choice([b"H", b"S", b"E", b"X", b"L"])] + fields[1:]
    return b"\t".join(fields)


def gen_bundle(rng, corpus: Corpus) -> dict[str, bytes]:
    name = rng.choice(corpus.bundle_names)
    lines = list(corpus.bundle_lines[name])
    if rng.random() < 0.75 and len(lines) > 20:    # keep inputs small: the header and a window
        head = [line for line in lines[:12] if line[:2] in (b"P\t", b"H\t")]
        body = lines[len(head):]
        a = rng.randrange(len(body))
        b = min(len(body), a + rng.randint(10, 60))
        tail = [line for line in body if line.startswith(b"H\tend")]
        lines = head + body[a:b] + (tail if rng.random() < 0.7 else [])
    for _ in range(rng.choice((1, 1, 2, 3, 6))):
        if rng.random() < 0.6 and lines:
            i = rng.randrange(len(lines))
            lines[i] = mutate_record(rng, lines[i])
        else:
            break
    data = b"\n".join(lines)
    if rng.random() < 0.6:
        data = mutate_bytes(rng, data, others=[corpus.bundles[n] for n in corpus.small[:3]])
    case = {"bundle": data}
    if rng.random() < 0.15:
        case["email"] = rng.choice(corpus.emails)
        if rng.random() < 0.5:
            case["email"] = mutate_bytes(rng, case["email"], 1)
    if rng.random() < 0.1:
        case["answers"] = rng.choice(corpus.answers)
    if rng.random() < 0.2:
        case["lang"] = b"ja"
    if rng.random() < 0.4:                         # report --redact --format FMT
        case["redact"] = rng.choice(sorted(RENDERERS)).encode()
    return case


# JSON structure mutations.

def _nodes(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, path + (i,))


def _deep(rng):
    depth = rng.choice((50, 200, 900, 990, 3000, 20000))
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    return json.loads(opener * min(depth, 900) + "1" + closer * min(depth, 900)) if depth <= 900 else \
        ("RAW", opener * depth + "1" + closer * depth)


def wrong_value(rng, old):
    choices = [None, [], {}, "", "x", 0, -1, 1.5, True, False, 10 ** 50, "\ud800", "\udcff/evil",
               [old], {"x": old}, str(old), "2026-13-45T99:99:99Z", "\u6f22\u5b57" * 40, "a" * 5000,
               ["a", 1, None], {"path": None, "kind": 1}, "../../etc/passwd"]
    if isinstance(old, str):
        choices += [old * 3, old[: len(old) // 2], old + "\0", old.replace("/", "\\")]
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        choices += [str(old), -old, old * 10 ** 30]
    return rng.choice(choices)


def mutate_json(rng, data: bytes) -> bytes:
    try:
        return _mutate_json(rng, data)
    except (ValueError, RecursionError):          # not JSON (any more), or too deep to walk
        return mutate_bytes(rng, data)


def _mutate_json(rng, data: bytes) -> bytes:
    doc = json.loads(data)
    raw = None
    deep = False
    for _ in range(rng.choice((1, 1, 2, 3))):
        nodes = list(_nodes(doc))
        path, value = rng.choice(nodes)
        action = rng.randrange(6)
        if action == 0:
            new = wrong_value(rng, value)
        elif action == 1:
            nested, deep = _deep(rng), True
            if isinstance(nested, tuple):
                raw = nested[1]
                new = "__RAW__"
            else:
                new = nested
        elif action == 2 and isinstance(value, dict) and value:
            new = dict(value)
            del new[rng.choice(list(new))]
        elif action == 3 and isinstance(value, dict):
            new = dict(value)
            new[rng.choice(["x", "", "steps", "status", "event", "passed", 1 and "1"])] = wrong_value(rng, None)
        elif action == 4 and isinstance(value, list) and value:
            new = list(value) * rng.choice((0, 2, 50))
        else:
            new = wrong_value(rng, value)
        if not path:
            doc = new
        else:
            parent = doc
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = new
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5, indent=None if deep else rng.choice((None, 2)))
    if raw is not None:
        text = text.replace('"__RAW__"', raw, 1)
    out = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.15:
        out = mutate_bytes(rng, out, 1)
    return out


def gen_runstate(rng, corpus: Corpus) -> dict[str, bytes]:
    name = rng.choice(corpus.small)
    case = {"seed": name.encode(), **copy.deepcopy(corpus.runstate[name])}
    files = ["plan.json", "backup.json", "journal.jsonl", "verify.json", "verify-latest.json", "manifest.sha256",
             "runs"]
    for _ in range(rng.choice((1, 1, 2))):
        key = rng.choice(files)
        if key not in case:
            continue
        if key == "journal.jsonl":
            lines = case[key].split(b"\n")
            i = rng.randrange(len(lines))
            lines[i] = mutate_json(rng, lines[i]) if lines[i] else rng.choice([b"{}", b"[]", b"null", b'"x"', b"1"])
            case[key] = b"\n".join(lines)
        elif key == "runs":
            case[key] = rng.choice([b"", b".hidden", b"a\nb", b"20261127T120000Z-1a2b\n20261128T000000Z-ffff",
                                    b"..", b"x/y"])
        elif key == "manifest.sha256":
            case.pop(key) if rng.random() < 0.5 else case.update({key: mutate_bytes(rng, case[key], 1)})
        elif rng.random() < 0.1:
            case.pop(key)
        else:
            case[key] = mutate_json(rng, case[key])
    if rng.random() < 0.2:
        case["lang"] = b"ja"
    if rng.random() < 0.3:
        case["redact"] = rng.choice(sorted(RENDERERS)).encode()
    if rng.random() < 0.33:
        case["txt"] = b"1"
    return case


def gen_answers(rng, corpus: Corpus) -> dict[str, bytes]:
    data = rng.choice(corpus.answers)
    data = mutate_json(rng, data) if rng.random() < 0.6 else mutate_bytes(rng, data)
    return {"seed": rng.choice(corpus.small).encode(), "answers": data}


def gen_email(rng, corpus: Corpus) -> dict[str, bytes]:
    data = rng.choice(corpus.emails)
    text = data.decode()
    roll = rng.random()
    if roll < 0.25 and "Content-Type:" in text:      # another charset, maybe unknown
        charset = rng.choice(CHARSETS)
        text = text.replace("charset=utf-8", f"charset={charset}").replace('charset="utf-8"', f'charset="{charset}"') \
            .replace("charset=us-ascii", f"charset={charset}").replace("charset=iso-8859-1", f"charset={charset}")
        data = text.encode()
    elif roll < 0.35:                                 # a long header value, folded or not
        value = rng.choice(["a", "=?utf-8?q?x?= ", "\u6f22", "x,", "\"q\" "]) * rng.choice((500, 3000))
        fold = "\n " if rng.random() < 0.5 else ""
        head = f"X-Long: {value[:len(value)//2]}{fold}{value[len(value)//2:]}\n"
        data = (head + text if "MIME-Version" in text else "MIME-Version: 1.0\n" + head + "\n" + text).encode()
    elif roll < 0.45:                                 # re-encode the body in another charset
        charset = rng.choice(["iso-8859-1", "shift_jis", "utf-16", "cp1252", "koi8-r"])
        body = EMAIL_BODY.replace("Hello,", "Hello \u00e9\u00e8 \u6f22\u5b57,")
        payload = body.encode(charset, "replace")
        enc = rng.choice(["8bit", "base64", "quoted-printable", "7bit", "x-uuencode", "bogus"])
        if enc == "base64":
            import base64
            payload = base64.encodebytes(payload)
        elif enc == "quoted-printable":
            import quopri
            payload = quopri.encodestring(payload)
        label = charset if rng.random() < 0.7 else rng.choice(CHARSETS)
        data = (f"MIME-Version: 1.0\nSubject: {SUBJECT}\nContent-Type: text/plain; charset={label}\n"
                f"Content-Transfer-Encoding: {enc}\n\n").encode() + payload
    elif roll < 0.55:                                 # a user agent of another client / era
        data = text.replace(USER_AGENTS[0], rng.choice(USER_AGENTS)).encode()
    if rng.random() < 0.85:
        data = mutate_bytes(rng, data, long_p=0.06)
    return {"email": data}


def gen_osinfo(rng, corpus: Corpus) -> dict[str, bytes]:
    case = {}
    for path in rng.sample(sorted(OS_RELEASES), rng.randint(1, 3)):
        case[path] = rng.choice(OS_RELEASES[path]).encode()
    key = rng.choice(list(case))
    case[key] = mutate_bytes(rng, case[key], long_p=0.05)
    if rng.random() < 0.3:
        other = rng.choice(list(case))
        case[other] = mutate_bytes(rng, case[other], 1)
    return case


def gen_versions(rng, corpus: Corpus) -> dict[str, bytes]:
    data = rng.choice(VERSION_SEEDS).encode()
    if rng.random() < 0.15:
        data = huge_int(rng) + rng.choice([b"", b".1", b".0.0-1"])
    return {"version": mutate_bytes(rng, data, long_p=0.05)}


def gen_schedule(rng, corpus: Corpus) -> dict[str, bytes]:
    case = {}
    for path in rng.sample(sorted(CRON_SEEDS), rng.randint(2, 6)):
        case[path] = CRON_SEEDS[path].encode()
    for _ in range(rng.choice((1, 1, 2, 3))):
        key = rng.choice(list(case))
        case[key] = mutate_bytes(rng, case[key], long_p=0.05)
    case["@entries"] = "\n".join(e for e in CRON_ENTRIES if rng.random() < 0.6).encode()
    return case


def gen_redact(rng, corpus: Corpus) -> dict[str, bytes]:
    text = " ".join(rng.sample(REDACT_SEEDS, rng.randint(1, 3))).encode()
    case = {"text": mutate_bytes(rng, text, long_p=0.04)}
    hosts = rng.sample(["example.com", "www.example.com", "shop.example.jp", "vm01.example.net", "", ".", "a" * 300,
                        "(", "*.example.com", "\u6f22.jp", "letsencrypt.org"], rng.randint(0, 4))
    case["known"] = mutate_bytes(rng, "\n".join(hosts).encode(), 1) if rng.random() < 0.3 else \
        "\n".join(hosts).encode()
    if rng.random() < 0.3:
        case["doc"] = mutate_json(rng, json.dumps({"a": [REDACT_SEEDS[0], {"b": REDACT_SEEDS[1]}], "n": 1}).encode())
    return case


GENERATORS = {"bundle": gen_bundle, "runstate": gen_runstate, "answers": gen_answers, "email": gen_email,
              "osinfo": gen_osinfo, "versions": gen_versions, "schedule": gen_schedule, "redact": gen_redact}


MAX_FIELD = 48 * 1024       # keep inputs small: a field past this is cut (a truncation like any other)


def make_case(seed: int, index: int, corpus: Corpus) -> tuple[str, dict[str, bytes]]:
    rng = random.Random(f"{seed}:{index}")
    stage = rng.choices(STAGES, WEIGHTS)[0]
    case = GENERATORS[stage](rng, corpus)
    return stage, {k: v[:MAX_FIELD] for k, v in case.items()}


# ------------------------------------------------------------------------------------------------
# Running a case
# ------------------------------------------------------------------------------------------------

class Sink(Exception):
    """Rendered text that the CLI could not write (UTF-8, strict)."""


try:                       # newer trees: the CLI writes with textsafe's error handler and json_text
    from wizard.core import textsafe as _textsafe
    SINK_ERRORS = _textsafe.ERRORS
    json_text = _textsafe.json_text
except ImportError:        # older trees: sys.stdout / open(..., encoding="utf-8") are strict
    SINK_ERRORS = "strict"

    def json_text(document) -> str:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def sink(text: str, where: str) -> None:
    """What the CLI does with rendered text: write it as UTF-8 (with its error handler)."""
    try:
        text.encode("utf-8", SINK_ERRORS)
    except UnicodeEncodeError as error:
        raise Sink(f"{where}: {error}") from error


def as_text(data: bytes) -> str:
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape")


SCRATCH = os.path.join(HERE, "tmp")


def _scratch(kind: str) -> str:
    """A directory of this process under WORKDIR/tmp (removed when the run ends)."""
    path = os.path.join(SCRATCH, f"{kind}-{os.getpid()}")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


_DIAGNOSES: dict[str, object] = {}
_ANSWERS_FILE = None
_STATE_ROOT = None


def _seed_diagnosis(name: str, corpus: Corpus):
    if name not in _DIAGNOSES:
        _DIAGNOSES[name] = diagnose(read_bundle(io.BytesIO(corpus.bundles[name])), now=NOW)
    return _DIAGNOSES[name]


def _render_all(diagnosis, plan, document, label: str, invocation: Invocation, redact: str | None) -> None:
    sink(json_text(check_document(diagnosis, None)), "check --json")
    sink(render_check(diagnosis, label, False, invocation), "check")
    if plan is not None:
        sink(render_plan(plan, label, invocation=invocation), "plan")
        sink(json_text(plan.to_json()), "plan --json")
    for fmt, render in RENDERERS.items():
        sink(render(document), f"report --format {fmt}")
    if redact:
        redacted = Redactor(known_hosts(diagnosis)).document(document)
        sink(RENDERERS.get(redact, RENDERERS["md"])(redacted), f"report --redact --format {redact}")


def run_bundle(case, corpus):
    set_language("ja" if case.get("lang") == b"ja" else "en")
    snapshot = read_bundle(io.BytesIO(case["bundle"]))
    if "root" not in snapshot.facts:                 # commands.files.read_bundle's own check
        raise TargetError("not a probe output (no probe header)")
    email = read_email("mail.eml", case["email"]) if "email" in case else None
    diagnosis = diagnose(snapshot, email, now=NOW)
    answers = Answers.from_json(as_text(case["answers"])) if "answers" in case else Answers()
    plan = build_plan(diagnosis, answers)
    invocation = Invocation(from_bundle="out.probe")
    document = build_report(diagnosis, plan, None, "/var/lib/acme-wizard", now=NOW, label="bundle out.probe",
                            invocation=invocation)
    _render_all(diagnosis, plan, document, "bundle out.probe", invocation,
                redact=case["redact"].decode("ascii", "replace") if "redact" in case else None)


def run_runstate(case, corpus):
    """The run directory is written under a real root (LocalTarget), as apply/verify leave it."""
    global _STATE_ROOT
    if _STATE_ROOT is None:
        _STATE_ROOT = _scratch("state")
    set_language("ja" if case.get("lang") == b"ja" else "en")
    diagnosis = _seed_diagnosis(case["seed"].decode(), corpus)
    state = "/var/lib/acme-wizard"
    real_state = os.path.join(_STATE_ROOT, state.lstrip("/"))
    shutil.rmtree(real_state, ignore_errors=True)
    os.makedirs(os.path.join(real_state, "runs"))
    for run_id in as_text(case.get("runs", b"")).split("\n"):
        directory = os.path.normpath(os.path.join(real_state, "runs", run_id))
        if not run_id or not directory.startswith(real_state + os.sep) or "\0" in run_id:
            continue
        os.makedirs(directory, exist_ok=True)
        for name in ("plan.json", "backup.json", "journal.jsonl", "verify.json", "manifest.sha256"):
            if name in case and os.path.isdir(directory):
                with open(os.path.join(directory, name), "wb") as handle:
                    handle.write(case[name])
    if "verify-latest.json" in case:
        with open(os.path.join(real_state, "verify-latest.json"), "wb") as handle:
            handle.write(case["verify-latest.json"])
    target = LocalTarget(_STATE_ROOT)
    plan = build_plan(diagnosis)
    document = build_report(diagnosis, plan, target, state, now=NOW, label="/srv/root",
                            invocation=Invocation(root="/srv/root"))
    for fmt, render in RENDERERS.items():
        if fmt != "txt" or "txt" in case:         # txt (the slow one) in a third of the cases
            sink(render(document), f"report --format {fmt}")
    if case.get("redact"):
        redacted = Redactor(known_hosts(diagnosis)).document(document)
        fmt = case["redact"].decode("ascii", "replace")
        sink(RENDERERS.get(fmt, RENDERERS["md"])(redacted), f"report --redact --format {fmt}")


def run_answers(case, corpus):
    global _ANSWERS_FILE
    if _ANSWERS_FILE is None:
        _ANSWERS_FILE = os.path.join(_scratch("answers"), "answers.json")
    with open(_ANSWERS_FILE, "wb") as handle:
        handle.write(case["answers"])
    set_language("en")
    answers = read_answers(_ANSWERS_FILE)                 # as plan/apply/report do
    diagnosis = _seed_diagnosis(case["seed"].decode(), corpus)
    plan = build_plan(diagnosis, answers)                 # AnswersError is a UsageError
    sink(render_plan(plan, "bundle x", invocation=Invocation(from_bundle="x")), "plan")
    sink(json_text(plan.to_json()), "plan --json")


def run_email(case, corpus):
    notice = read_email("mail.eml", case["email"])        # EmailError is a UsageError
    sink(json.dumps(notice.to_json(), ensure_ascii=False), "email json")
    if notice.user_agent:
        parse_user_agent(notice.user_agent.text + " (x")


def _snapshot_of(files: dict[str, bytes], entries: list[str] = ()):
    lines = [b"P\t1", b"H\troot\t/", b"H\tconfig_dir\t/etc/letsencrypt", b"H\tlogs_dir\t/var/log/letsencrypt"]
    lines += [b"E\tf\t" + e.encode() for e in entries]
    for path, data in files.items():
        bpath = path.encode()
        lines.append(b"S\t%d\t0\t%s" % (len(data), bpath))
        for number, text in enumerate(data.split(b"\n"), 1):
            lines.append(bpath + b"\0" + str(number).encode() + b":" + text)
    lines.append(b"H\tend\tok")
    return read_snapshot(lines)


def run_osinfo(case, corpus):
    snapshot = _snapshot_of(case)
    info = detect_os(snapshot, NOW.date())
    info.major, info.family      # noqa: B018  (properties the plan reads)
    sink(f"{info.pretty_name} {info.id} {info.version} {info.like} {info.codename}", "os")


def run_versions(case, corpus):
    text = as_text(case["version"])
    versions.parse(text)
    versions.at_least(text, versions.CERTBOT_SPEAKS_V2)
    versions.upstream(text)
    versions.python_major_minor(text)


def run_schedule(case, corpus):
    files = {k: v for k, v in case.items() if not k.startswith("@")}
    entries = [e for e in as_text(case.get("@entries", b"")).split("\n") if e]
    snapshot = _snapshot_of(files, entries)
    installs = detect_installs(snapshot)
    schedules = find_schedules(snapshot, installs)
    schedules.renewing()
    for run in schedules.runs:
        run.servers, run.config_files, run.verb, run.evidence   # noqa: B018
    for data in files.values():
        for line in as_text(data).split("\n")[:50]:
            words = split_words(line)
            option_values(words, ("--server", "--config", "-c"))


def run_redact(case, corpus):
    known = list(as_text(case.get("known", b"")).split("\n"))
    redactor = Redactor(known)
    redactor.text(as_text(case["text"]))
    if "doc" in case:
        try:
            doc = json.loads(case["doc"])
        except (ValueError, RecursionError):
            return
        redactor.document(doc)


RUNNERS = {"bundle": run_bundle, "runstate": run_runstate, "answers": run_answers, "email": run_email,
           "osinfo": run_osinfo, "versions": run_versions, "schedule": run_schedule, "redact": run_redact}


def where(error: BaseException) -> str:
    """file:line of the innermost frame under wizard/ (else the innermost frame)."""
    frames = traceback.extract_tb(error.__traceback__)
    if isinstance(error, Sink):
        return "sink(" + str(error).split(":")[0] + ")"
    inside = [f for f in frames if f.filename.startswith(WIZARD_DIR)]
    frame = (inside or frames or [None])[-1]
    if frame is None:
        return "?"
    return f"{os.path.relpath(frame.filename, PROJECT)}:{frame.lineno} ({frame.name})"


def _alarm(signum, frame):
    raise FuzzTimeout()


BASE_LIMIT = sys.getrecursionlimit()
CLI_DEPTH = 3      # levels in use when a command function runs under `acme-wizard …`: <module>, cli.main, itself


def _available() -> int:
    """How many more Python calls fit before RecursionError (C-level calls count too, so this is
    measured, not computed from the visible frames)."""
    count = 0

    def down():
        nonlocal count
        count += 1
        down()
    try:
        down()
    except RecursionError:
        pass
    return count


def _cli_recursion_limit() -> None:
    """Shift the limit so the stage runner has the head-room the CLI's command function has, so a
    RecursionError happens exactly where it would under `acme-wizard …` (worker, pool and
    minimizer frames would otherwise make it happen earlier)."""
    sys.setrecursionlimit(BASE_LIMIT)
    spare = _available() - (BASE_LIMIT - CLI_DEPTH)
    sys.setrecursionlimit(BASE_LIMIT - spare if spare < 0 else BASE_LIMIT)


def run_case(stage: str, case: dict, corpus: Corpus):
    """Returns (outcome, key, seconds): outcome ok | expected | finding."""
    _cli_recursion_limit()
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, ALARM)
    try:
        RUNNERS[stage](case, corpus)
        outcome, key = "ok", None
    except EXPECTED as error:
        outcome, key = "expected", (type(error).__name__, "")
    except FuzzTimeout as error:
        outcome, key = "finding", (f"Timeout>{ALARM:g}s", where(error))
    except (Exception, RecursionError) as error:
        outcome, key = "finding", (type(error).__name__, where(error))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        set_language("en")
    return outcome, key, time.perf_counter() - started


# ------------------------------------------------------------------------------------------------
# Workers
# ------------------------------------------------------------------------------------------------

def worker(wid, indices, seed, corpus, queue, current):
    stats = collections.Counter()           # (stage, outcome) -> count
    times = collections.Counter()           # stage -> seconds
    expected = collections.Counter()        # (stage, type) -> count
    sent = time.time()
    slowest = (0.0, None, None)             # the slowest input of this worker, sent with the stats
    for index in indices:
        current.value = index
        try:
            stage, case = make_case(seed, index, corpus)
        except Exception:                  # a generator bug: count it, never stop the run
            stats[("generator", "error")] += 1
            continue
        outcome, key, seconds = run_case(stage, case, corpus)
        stats[(stage, outcome)] += 1
        times[stage] += seconds
        if seconds > slowest[0]:
            slowest = (seconds, index, stage)
        if outcome == "expected":
            expected[(stage, key[0])] += 1
        elif outcome == "finding":
            queue.put(("finding", index, stage, key, seconds, _size(case)))
        if seconds > SLOW and outcome != "finding":
            queue.put(("slow", index, stage, None, seconds, _size(case)))
        if time.time() - sent > 1.0:
            queue.put(("stats", wid, dict(stats), dict(times), dict(expected), slowest))
            stats, times, expected = collections.Counter(), collections.Counter(), collections.Counter()
            sent = time.time()
    current.value = -2
    queue.put(("stats", wid, dict(stats), dict(times), dict(expected), slowest))
    queue.put(("done", wid))


def _size(case: dict) -> int:
    return sum(len(v) for v in case.values())


def fuzz(count: int, seed: int, jobs: int, corpus: Corpus):
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    pending = {w: list(range(w, count, jobs)) for w in range(jobs)}
    procs, currents, last_seen = {}, {}, {}

    def start(w, indices):
        current = ctx.Value("q", -1, lock=False)
        proc = ctx.Process(target=worker, args=(w, indices, seed, corpus, queue, current), daemon=True)
        proc.start()
        procs[w], currents[w], last_seen[w] = proc, current, (-1, time.time())

    for w in range(jobs):
        start(w, pending[w])
    stats, times, expected = collections.Counter(), collections.Counter(), collections.Counter()
    findings: dict[tuple, dict] = {}
    slow: list[tuple] = []
    done = set()
    started = time.time()
    last_print = started
    slowest = (0.0, None, None)
    while len(done) < jobs:
        try:
            message = queue.get(timeout=1.0)
        except Exception:
            message = None
        if message:
            kind = message[0]
            if kind == "stats":
                _, w, s, t, e, worker_slowest = message
                stats.update(s), times.update(t), expected.update(e)
                slowest = max(slowest, worker_slowest, key=lambda item: item[0])
            elif kind == "finding":
                _, index, stage, key, seconds, size = message
                entry = findings.setdefault(key, {"count": 0, "stage": stage, "index": index, "size": size})
                entry["count"] += 1
                if size < entry["size"]:
                    entry.update(index=index, size=size, stage=stage)
                if seconds > slowest[0]:
                    slowest = (seconds, index, stage)
            elif kind == "slow":
                _, index, stage, _k, seconds, size = message
                slow.append((seconds, index, stage, size))
                if seconds > slowest[0]:
                    slowest = (seconds, index, stage)
            elif kind == "done":
                done.add(message[1])
        now = time.time()
        for w, proc in list(procs.items()):          # the watchdog: a case stuck in C code
            if w in done:
                continue
            value = currents[w].value
            if value != last_seen[w][0]:
                last_seen[w] = (value, now)
            elif value >= 0 and now - last_seen[w][1] > HANG:
                proc.kill()
                proc.join()
                stage, case = make_case(seed, value, corpus)
                key = (f"Hang>{HANG:g}s", f"stage {stage} (killed; see profile)")
                findings.setdefault(key, {"count": 0, "stage": stage, "index": value, "size": _size(case)})
                findings[key]["count"] += 1
                stats[(stage, "finding")] += 1
                rest = [i for i in pending[w] if i > value]
                pending[w] = rest
                start(w, rest)
            elif not proc.is_alive() and value != -2:
                done.add(w)                          # died without a goodbye (should not happen)
        if now - last_print > 15:
            ran = sum(stats.values())
            print(f"  … {ran}/{count} inputs, {ran / (now - started):.0f}/s, {len(findings)} distinct findings",
                  file=sys.stderr, flush=True)
            last_print = now
    for proc in procs.values():
        proc.join(timeout=5)
    return stats, times, expected, findings, slow, slowest, time.time() - started


# ------------------------------------------------------------------------------------------------
# Minimizing and writing reproducers
# ------------------------------------------------------------------------------------------------

def _chunks_removed(data: bytes, unit: str):
    """Candidates with chunks removed: lines first, then bytes (ddmin-like, biggest chunks first)."""
    parts = data.split(b"\n") if unit == "line" else [data[i:i + 1] for i in range(len(data))]
    joiner = b"\n" if unit == "line" else b""
    return parts, joiner


def minimize(stage: str, case: dict, key: tuple, corpus: Corpus, budget: float) -> dict:
    deadline = time.time() + budget
    case = dict(case)

    def same(candidate) -> bool:
        outcome, got, _seconds = run_case(stage, candidate, corpus)
        return outcome == "finding" and got == key

    protected = {"seed"}
    for name in list(case):                           # whole optional fields first
        if name in protected or time.time() > deadline:
            continue
        trial = {k: v for k, v in case.items() if k != name}
        if trial and _has_required(stage, trial) and same(trial):
            case = trial
    for unit in ("line", "byte"):
        for name in sorted(case, key=lambda n: -len(case[n])):
            if name in protected:
                continue
            if unit == "byte" and len(case[name]) > 6000:
                continue
            parts, joiner = _chunks_removed(case[name], unit)
            size = max(1, len(parts) // 2)
            while size >= 1 and time.time() < deadline:
                i, changed = 0, False
                while i < len(parts) and time.time() < deadline:
                    trial_parts = parts[:i] + parts[i + size:]
                    trial = dict(case, **{name: joiner.join(trial_parts)})
                    if same(trial):
                        parts, case, changed = trial_parts, trial, True
                    else:
                        i += size
                if not changed:
                    size //= 2
    return case


def _has_required(stage, case) -> bool:
    required = {"bundle": ["bundle"], "runstate": ["seed"], "answers": ["answers", "seed"], "email": ["email"],
                "versions": ["version"], "redact": ["text"]}.get(stage, [])
    return all(r in case for r in required)


def _minimize_job(args):
    stage, case, key, corpus, budget = args
    if key[0].startswith(("Timeout", "Hang")):
        return case
    try:
        return minimize(stage, case, key, corpus, budget)
    except BaseException:
        return case


def _profile_hotspot(stage, case, corpus) -> str:
    """Where a slow case spends its time: the project function with the largest own time."""
    import cProfile
    import pstats
    profile = cProfile.Profile()
    profile.enable()
    try:
        run_case(stage, case, corpus)
    finally:
        profile.disable()
    entries = pstats.Stats(profile).stats
    score = collections.Counter()          # own time + time in the non-project code it calls
    for key, (_cc, _nc, own, _cum, callers) in entries.items():
        if key[0].startswith(WIZARD_DIR):
            score[key] += own
        else:
            for caller, (_c, _n, _t, cum) in callers.items():
                if caller[0].startswith(WIZARD_DIR):
                    score[caller] += cum
    if not score:
        return "?"
    hot, seconds = score.most_common(1)[0]
    chain = [hot]
    while len(chain) < 4:                  # the project callers that brought it there, heaviest first
        callers = [(v[3], c) for c, v in entries.get(chain[-1], (0, 0, 0, 0, {}))[4].items()
                   if c[0].startswith(WIZARD_DIR) and c not in chain]
        if not callers:
            break
        chain.append(max(callers)[1])
    text = " <- ".join(f"{os.path.relpath(f, PROJECT)}:{number} ({n})" for f, number, n in chain)
    return f"{text}; {seconds:.2f}s under the profiler"


def write_repro(number: int, stage: str, case: dict, key: tuple, note: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{key[0]}-{key[1].split(' ')[0]}")
    directory = os.path.join(REPRO_DIR, f"{number:02d}-{safe}")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    manifest = {"stage": stage, "key": list(key), "fields": {}, "note": note}
    for n, (name, data) in enumerate(sorted(case.items())):
        filename = f"field{n}-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        with open(os.path.join(directory, filename), "wb") as handle:
            handle.write(data)
        manifest["fields"][name] = filename
    with open(os.path.join(directory, "case.json"), "w") as handle:
        json.dump(manifest, handle, indent=2)
    return directory


def load_repro(directory: str) -> tuple[str, dict, list]:
    with open(os.path.join(directory, "case.json")) as handle:
        manifest = json.load(handle)
    case = {}
    for name, filename in manifest["fields"].items():
        with open(os.path.join(directory, filename), "rb") as handle:
            case[name] = handle.read()
    return manifest["stage"], case, manifest["key"]


def describe(stage: str, case: dict) -> str:
    parts = []
    longest = max(((len(line), name, line) for name, data in case.items() for line in data.split(b"\n")), default=None)
    if longest and longest[0] > 1000:
        parts.append(f"longest line {longest[0]}B in {longest[1]} ending {longest[2][-40:]!r};")
    for name, data in sorted(case.items()):
        shown = data[:70]
        parts.append(f"{name}={shown!r}{'…' if len(data) > 70 else ''}({len(data)}B)")
    return f"[{stage}] " + " ".join(parts)


# ------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--minimize-seconds", type=float, default=8.0, help="budget per distinct finding")
    parser.add_argument("--replay", metavar="DIR", help="run one reproducer and print its traceback")
    parser.add_argument("--replay-all", action="store_true", help="replay every reproducer in WORKDIR/repro")
    args = parser.parse_args()
    try:
        return _main(args)
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)


def tree_identity() -> str:
    import hashlib
    import subprocess
    try:
        head = subprocess.run(["git", "-C", PROJECT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        diff = subprocess.run(["git", "-C", PROJECT, "diff", "HEAD"], capture_output=True, timeout=10).stdout
        untracked = subprocess.run(["git", "-C", PROJECT, "ls-files", "--others", "--exclude-standard", "wizard"],
                                   capture_output=True, text=True, timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    for name in untracked:
        with open(os.path.join(PROJECT, name), "rb") as handle:
            diff += name.encode() + handle.read()
    dirty = f"+uncommitted {hashlib.sha256(diff).hexdigest()[:10]}" if diff else ""
    return f"{head}{dirty}"


def replay_all(corpus) -> int:
    """Replay every reproducer under WORKDIR/repro against the tree as it is now."""
    for name in sorted(os.listdir(REPRO_DIR)):
        directory = os.path.join(REPRO_DIR, name)
        if not os.path.isdir(directory):
            continue
        stage, case, key = load_repro(directory)
        outcome, got, seconds = run_case(stage, case, corpus)
        if key[0].startswith(("Slow", "Timeout", "Hang")):
            state = f"{seconds:.2f}s" + (" (still slow)" if seconds > SLOW else " (fast now)")
        else:
            state = "REPRODUCES" if got is not None and list(got) == list(key) else f"now {outcome} {got or ''}"
        print(f"{name}: {state}")
    return 0


def _main(args) -> int:
    corpus = Corpus()
    if args.replay_all:
        print(f"tree {tree_identity()}")
        return replay_all(corpus)
    if args.replay:
        stage, case, key = load_repro(args.replay)
        set_language("en")
        _cli_recursion_limit()
        try:
            RUNNERS[stage](case, corpus)
            print(f"no exception (expected key: {key})")
        except BaseException:
            traceback.print_exc()
        return 0
    tree = tree_identity()
    stats, times, expected, findings, slow, slowest, elapsed = fuzz(args.count, args.seed, args.jobs, corpus)
    ran = sum(stats.values())
    print(f"acme-wizard fuzz: tree {tree}, seed {args.seed}, {ran} inputs run in {elapsed:.1f}s with {args.jobs} workers "
          f"= {ran / elapsed:.0f} inputs/s")
    print(f"slowest input: {slowest[0]:.3f}s (#{slowest[1]}, stage {slowest[2]})")
    if stats[("generator", "error")]:
        print(f"generator errors (harness bugs, inputs skipped): {stats[('generator', 'error')]}")
    print("per stage: inputs  ok  expected  findings  ms/input   expected errors")
    for stage in STAGES:
        n = sum(v for (s, _o), v in stats.items() if s == stage)
        if not n:
            continue
        exp = ", ".join(f"{t}={c}" for (s, t), c in sorted(expected.items()) if s == stage)
        print(f"  {stage:9s} {n:6d} {stats[(stage, 'ok')]:6d} {stats[(stage, 'expected')]:6d} "
              f"{stats[(stage, 'finding')]:6d}  {1000 * times[stage] / n:7.2f}   {exp}")
    # Slow inputs (>1 s) that raised nothing are findings too: one per stage, the smallest.
    by_stage = {}
    for seconds, index, stage, size in sorted(slow, key=lambda s: s[3]):
        by_stage.setdefault(stage, (seconds, index, stage, size, sum(1 for s in slow if s[2] == stage)))
    items = sorted(findings.items(), key=lambda kv: (-kv[1]["count"], kv[0]))
    jobs = []
    for key, entry in items:
        stage, case = make_case(args.seed, entry["index"], corpus)
        jobs.append((stage, case, key, corpus, args.minimize_seconds))
    if os.path.isdir(REPRO_DIR):
        shutil.rmtree(REPRO_DIR)
    os.makedirs(REPRO_DIR, exist_ok=True)
    t0 = time.time()
    with mp.get_context("fork").Pool(args.jobs) as pool:
        minimized = pool.map(_minimize_job, jobs, chunksize=1)
    print(f"distinct findings: {len(items)} exception keys + {len(by_stage)} slow stage(s) "
          f"(minimized in {time.time() - t0:.0f}s; reproducers in {REPRO_DIR}, replay with --replay DIR)")
    number = 0
    for (key, entry), case in zip(items, minimized):
        number += 1
        stage = entry["stage"]
        note = ""
        if key[0].startswith(("Timeout", "Hang")):
            note = "hotspot: " + _profile_hotspot(stage, case, corpus) if key[0].startswith("Timeout") else ""
        directory = write_repro(number, stage, case, key, note)
        print(f"{number:2d}. {key[0]} at {key[1]}  [{entry['count']}x, stage {stage}]")
        print(f"    repro {os.path.basename(directory)}: {describe(stage, case)[:300]}")
        if note:
            print("    " + note)
    for stage, (seconds, index, _s, _size, n) in sorted(by_stage.items()):
        number += 1
        _stage, case = make_case(args.seed, index, corpus)
        hotspot = _profile_hotspot(stage, case, corpus)
        key = ("Slow>1s", hotspot)
        directory = write_repro(number, stage, case, key, f"{seconds:.2f}s")
        print(f"{number:2d}. SLOW {seconds:.2f}s [{n} inputs >1s, stage {stage}] hotspot {hotspot}")
        print(f"    repro {os.path.basename(directory)}: {describe(stage, case)[:300]}")
    return 1 if items or by_stage else 0


if __name__ == "__main__":
    sys.exit(main())

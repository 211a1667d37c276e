"""Prove the fix: probe again, run the test renewal, and check what only the host can tell.

Passes only when (issue: remediation, §4): the client the scheduler runs speaks ACMEv2 and either
rewrites acme-v01 (certbot >= 1.6.0) or no v01 pin remains; no ACMEv1 pin remains in renewal
confs, cli.ini, --config files or scheduled command lines; the test renewal succeeded; and the
newest log shows the request to an ACMEv2 directory. `certbot renew --dry-run` goes to the
staging v2 server whatever the renewal confs say, so it proves the client and the challenge
path, not the production endpoint; a real renewal (opt-in) proves that.
"""
from __future__ import annotations

import datetime
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable

from wizard.core import defaults, scl, textsafe, versions
from wizard.core.analyse.diagnose import diagnose
from wizard.core.analyse.model import Diagnosis
from wizard.core.endpoints import V1_APIS, V2_APIS, classify_url
from wizard.core.evidence import Evidence
from wizard.core.probe.run import run_probe
from wizard.core.readers.certbot_config import ServerPin
from wizard.core.readers.clients import Install
from wizard.core.readers.email_notice import AcmeV1Email
from wizard.core.target.protocol import Target
from wizard.i18n import _


@dataclass
class Check:
    key: str
    passed: bool
    text: str
    evidence: list[Evidence] = field(default_factory=list)
    skipped: bool = False      # nothing the wizard can run proves this here (a client with no dry run)


@dataclass
class VerifyResult:
    checks: list[Check]
    before: Diagnosis
    after: Diagnosis
    client: str | None
    test_exit_code: int | None
    test_command: list[str] | None
    real_renewal: str | None = None

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def summary(self) -> str:
        failed = [c.text for c in self.checks if not c.passed]
        return _("verify passed") if not failed else _("verify failed: {reasons}", reasons="; ".join(failed))


def test_renewal_argv(client: Install, target: Target, real_renewal: str | None = None,
                      runner: list[str] | None = None) -> list[str]:
    """runner: what must come before the client to start it (an SCL Python's libraries)."""
    argv = [*(runner or []), client.path, "renew", "--non-interactive", *versions.renew_quietly(client.version or "0")]
    argv += ["--cert-name", real_renewal, "--force-renewal"] if real_renewal else ["--dry-run"]
    return argv + defaults.certbot_dir_options(target.config_dir, target.logs_dir)


def verify(target: Target, on_output: Callable[[str], None], real_renewal: str | None = None,
           email: AcmeV1Email | None = None) -> VerifyResult:
    before = diagnose(run_probe(target), email)
    install = _client_to_test(before)
    client = install.path if install else None
    exit_code, argv, not_run = None, None, None
    if install:
        argv = test_renewal_argv(install, target, real_renewal, scl.runner_for(before.snapshot, install))
        if target.allow_commands:
            on_output("$ " + shlex.join(argv))
            exit_code = target.run(argv, on_output)
        else:
            not_run = _("not run: commands cannot run inside a root prefix ({root})", root=target.shown_root)
    after = diagnose(run_probe(target), email)
    others = _other_clients_only(after)
    checks = [_client_check(after), _schedule_check(after), _pins_check(after),
              _others_check("test-renewal", others) if others else _test_check(client, exit_code, argv, not_run),
              _others_check("newest-log", others) if others else
              _newest_log_check(after, production=bool(real_renewal))]
    return VerifyResult(checks=checks, before=before, after=after, client=client, test_exit_code=exit_code,
                        test_command=argv, real_renewal=real_renewal)


def summarize(diagnosis: Diagnosis) -> dict[str, Any]:
    """The few facts shown before/after: what renews, with which pins, talking to which API."""
    newest = diagnosis.logs.newest_contact()
    return {
        "verdict": diagnosis.verdict,
        "renews_with": ", ".join(f"{i.kind} {i.version or '?'} ({i.method})" for i in diagnosis.renewing) or "-",
        "v1_pins": len(remaining_pins(diagnosis)),
        "newest_contact": f"{newest[1].api} {(newest[0].started or '')[:10]}" if newest else "-",
    }


def _client_to_test(diagnosis: Diagnosis) -> Install | None:
    for install in diagnosis.renewing:
        if install.kind == "certbot" and install.present:
            return install
    return None


def _other_clients_only(d: Diagnosis) -> list[Install]:
    """The renewing clients when none of them is certbot (acme.sh, dehydrated, lego) and certbot has
    no lineage here (certbot's lineages need certbot's test renewal, whoever else is scheduled)."""
    if d.renewing and all(i.kind != "certbot" for i in d.renewing) and not d.renewal_confs:
        return d.renewing
    return []


def _others_check(key: str, others: list[Install]) -> Check:
    """What the wizard cannot prove for a client that is not certbot: it has no dry run (a run renews
    for real) and keeps no certbot log; its next scheduled renewal is the proof."""
    labels = ", ".join(i.label for i in others)
    if key == "test-renewal":
        return Check(key, True, _("no test renewal: {labels} has no dry run; its next scheduled renewal proves the "
                                  "change", labels=labels), skipped=True)
    return Check(key, True, _("no certbot log to read: {labels} keeps its own", labels=labels), skipped=True)


def _client_check(d: Diagnosis) -> Check:
    scheduled = d.scheduled_installs()
    if not scheduled:
        return Check("client", False, _("no scheduled job runs an ACME client"))
    v1_left = _v1_renewal_pins(d)
    bad = [i for i in scheduled if not i.speaks_v2 or (not i.rewrites_v1 and v1_left)]
    evidence = [r.evidence for i in scheduled for r in d.schedules_for(i)]
    unknown = [i for i in bad if i.speaks_v2 is None]
    if unknown:        # the evidence is that client's own lines, not every scheduled one
        return Check("client", False, _("the scheduler runs {label}, of a version the wizard cannot tell: check that "
                                        "it speaks ACMEv2 ({kind} {since} or later)", label=unknown[0].label,
                                        kind=unknown[0].kind, since=unknown[0].v2_since),
                     [r.evidence for r in d.schedules_for(unknown[0])])
    if bad:
        return Check("client", False, _("the scheduler runs {label}, which would still use ACMEv1",
                                        label=bad[0].label), [r.evidence for r in d.schedules_for(bad[0])])
    return Check("client", True, _("the scheduler runs {labels}", labels=", ".join(i.label for i in scheduled)),
                 evidence)


def _schedule_check(d: Diagnosis) -> Check:
    competing = d.schedules.competing()
    if competing:
        runs = competing[0]
        return Check("schedule", False, _("{count} schedulers renew the same certificates ({sources}): keep one",
                                          count=len(runs), sources=", ".join(r.source for r in runs)),
                     [r.evidence for r in runs])
    return Check("schedule", True, _("one scheduler renews each configuration directory"))


def _v1_renewal_pins(d: Diagnosis) -> list[Evidence]:
    return [c.server.evidence for c in d.renewal_confs if c.server and c.server_api in V1_APIS]


def remaining_pins(d: Diagnosis) -> list[Evidence]:
    pins: list[ServerPin] = [p for p in d.cli_pins if p.api in V1_APIS]
    pins += [p for _run, p in d.config_file_pins if p.api in V1_APIS]
    pins += [p for p in d.acme_sh_pins + d.dehydrated_pins if p.api in V1_APIS]
    evidence = _v1_renewal_pins(d) + [p.evidence for p in pins]
    for run in d.schedules.renewing():
        if any(classify_url(s) in V1_APIS for s in run.servers):
            evidence.append(run.evidence)
    return evidence


def _pins_check(d: Diagnosis) -> Check:
    left = remaining_pins(d)
    if left:
        return Check("pins", False, _("{count} ACMEv1 pin(s) remain", count=len(left)), left)
    return Check("pins", True, _("no ACMEv1 pin remains (renewal confs, cli.ini, --config files, scheduled jobs)"))


def _test_check(client: str | None, exit_code: int | None, argv: list[str] | None,
                not_run: str | None = None) -> Check:
    if client is None:
        return Check("test-renewal", False, _("no certbot to run a test renewal with"))
    command = shlex.join(argv or [])
    if not_run:
        return Check("test-renewal", False, _("test renewal {reason}: {command}", reason=not_run, command=command))
    if exit_code == 0:
        return Check("test-renewal", True, _("test renewal succeeded: {command}", command=command))
    return Check("test-renewal", False,
                 _("test renewal failed (exit {code}): {command}", code=exit_code, command=command))


def _newest_log_check(d: Diagnosis, production: bool) -> Check:
    run = d.logs.newest_run
    if run is None:
        return Check("newest-log", False, _("no certbot log to read"))
    wanted = {"v2"} if production else V2_APIS
    directory = [e for e in run.endpoints if e.api in wanted and e.url.endswith("/directory")]
    evidence = [Evidence(run.file, e.line, e.text[:200]) for e in (directory or run.endpoints)[:2]]
    if directory:
        return Check("newest-log", True, _("the newest log run asked {url}", url=directory[0].url), evidence)
    seen = ", ".join(f"{e.url} ({e.api})" for e in run.endpoints) or _("no ACME server")
    return Check("newest-log", False, _("the newest log run ({file}) did not ask an ACMEv2 directory: {seen}",
                                        file=run.file, seen=seen), evidence)


def verify_document(result: VerifyResult, target: Target, output_tail: list[str],
                    saved_before: dict[str, Any] | None = None) -> dict[str, Any]:
    """The verification as JSON: `verify --json`, and what the report reads back from the run.
    saved_before: the summary the newest apply kept before it changed anything (probing again now
    would describe the fixed host as its own "before")."""
    from wizard.core.analyse.document import check_document
    return {
        "format_version": defaults.FORMAT_VERSION,
        "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "passed": result.passed,
        "checks": [{"key": c.key, "passed": c.passed, "skipped": c.skipped, "text": c.text,
                    "evidence": [e.to_json() for e in c.evidence]} for c in result.checks],
        "test_renewal": {"argv": result.test_command, "exit_code": result.test_exit_code,
                         "output_tail": output_tail[-20:]},
        "real_renewal": result.real_renewal,
        "summary_before": saved_before or summarize(result.before),
        "summary_after": summarize(result.after),
        "before": check_document(result.before, target),
        "after": check_document(result.after, target),
    }


def save_verification(target: Target, state_dir: str, document: dict[str, Any]) -> str:
    """Keep the verification with the newest run (or beside the runs when there is none)."""
    from wizard.core.run.journal import RunDir, list_runs
    runs = list_runs(target, state_dir)
    if runs:
        run = RunDir(target, state_dir, runs[-1])
        run.write_json("verify.json", document)
        return run.file("verify.json")
    target.make_private_dir(state_dir)
    path = f"{state_dir.rstrip('/')}/verify-latest.json"
    target.write_bytes(path, textsafe.json_text(document).encode(), 0o600, follow=False)
    return path


def verify_and_record(target: Target, state_dir: str, on_output: Callable[[str], None],
                      real_renewal: str | None = None) -> tuple[VerifyResult, dict[str, Any]]:
    """verify(), then keep its document with the newest run for the report."""
    lines: list[str] = []

    def collect(line: str) -> None:
        lines.append(line)
        on_output(line)

    result = verify(target, collect, real_renewal=real_renewal)
    document = verify_document(result, target, lines, saved_before_summary(target, state_dir))
    save_verification(target, state_dir, document)
    return result, document


def saved_before_summary(target: Target, state_dir: str) -> dict[str, Any] | None:
    """The summary the newest apply saved before it changed anything (None: no apply yet)."""
    from wizard.core.run.journal import RunDir, list_runs
    runs = list_runs(target, state_dir)
    if not runs:
        return None
    saved = RunDir(target, state_dir, runs[-1]).read_json("before.json") or {}
    summary = saved.get("summary") if isinstance(saved, dict) else None
    return summary if isinstance(summary, dict) else None

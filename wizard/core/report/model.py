"""The remediation report: one model (a JSON-able document) that every renderer reads.

Filled from the diagnosis and, when the target has them, the newest run's plan, journal,
backups and verification. With no run it is the pre-change assessment; after apply and verify
it is the remediation record. Private keys are never in it: nothing reads them.
"""
from __future__ import annotations

import datetime
from typing import Any

from wizard import __version__
from wizard.core import defaults
from wizard.core.analyse.document import check_document
from wizard.core.analyse.findings import PROTECTED_INPUTS, SEVERITIES
from wizard.core.analyse.model import Diagnosis
from wizard.core.invocation import Invocation
from wizard.core.plan.model import Plan
from wizard.core.run.journal import MAX_STATE_FILE, RunDir, list_runs, load_state_json
from wizard.core.run.state_shapes import PLAN, TEST_RENEWAL, VERIFICATION, fits
from wizard.core.target.protocol import Target
from wizard.i18n import N_, _

OUTPUT_LINES = 12
LETS_ENCRYPT_CHANGES = [
    ("2025-06-04", N_("Let's Encrypt stopped sending certificate expiry emails: nobody is warned any more "
                   "when renewals fail.")),
    ("2025-08-06", N_("Let's Encrypt turned its OCSP responders off (CRLs only); ssl_stapling / SSLUseStapling "
                   "settings do nothing now.")),
    ("2027-02-10", N_("Certificates from the default profile become valid for 64 days (from 90).")),
    ("2028-02-16", N_("Certificates become valid for 45 days: renewing at a fixed interval (e.g. every 60 days or "
                   "once a month) will no longer keep them valid; renew with certbot's own schedule "
                   "(twice a day, certbot decides) or ARI.")),
]
FIXED_INTERVAL_FLAGS = ("--force-renewal", "--force-renew", "--renew-by-default")


def build_report(diagnosis: Diagnosis, plan: Plan | None, target: Target | None, state_dir: str, preview: bool = False,
                 now: datetime.datetime | None = None, label: str | None = None,
                 invocation: Invocation | None = None, now_known: Diagnosis | None = None) -> dict[str, Any]:
    """label: how the admin named the target (a root path, the demo); a live host is named by its nodename.
    invocation: the target options the admin gave, repeated in every command the report suggests.
    now_known: the host as the verification probed it after a run (the risks that remain are its own;
    `diagnosis` stays what was found before)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    invocation = invocation or Invocation(state_dir=state_dir)
    run = _newest_run(target, state_dir)
    run_section = _run_section(run, invocation) if run else None
    verification = _verification(target, state_dir, run)
    applied = run_section is not None and any(s["status"] in ("ok", "already-done") for s in run_section["steps"])
    rehearsed = applied and target is not None and target.demo       # the demo's throwaway copy, stand-ins only
    mode = "rehearsal" if rehearsed else "applied" if applied else ("preview" if preview else "assessment")
    check = check_document(diagnosis, target)
    document = {
        "format_version": defaults.FORMAT_VERSION,
        "tool_version": __version__,
        "generated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": (diagnosis.snapshot.facts.get("nodename") or "")
        if (label is None or (target is not None and target.is_live)) else label,
        "target": check["target"],
        "mode": mode,
        "verdict": _verdict(diagnosis, verification, mode),
        "next_steps": _next_steps(diagnosis, plan, run_section, verification, invocation),
        "environment": {"os": check["os"], "clients": check["clients"], "schedules": check["schedules"],
                        "certificates": check["certificates"]},
        "finding_counts": {s: sum(1 for f in check["findings"] if f["severity"] == s) for s in reversed(SEVERITIES)},
        "findings": sorted(check["findings"], key=lambda f: -SEVERITIES.index(f["severity"])),
        "plan": run.read_json("plan.json", None, PLAN) if run else (plan.to_json() if plan else None),
        "run": run_section,
        "verification": verification,
        "risks": _risks(now_known or diagnosis),
    }
    return document


def _newest_run(target: Target | None, state_dir: str) -> RunDir | None:
    if target is None:                   # a bundle: the target's runs are not at hand
        return None
    runs = list_runs(target, state_dir)
    return RunDir(target, state_dir, runs[-1]) if runs else None


def _run_section(run: RunDir, invocation: Invocation) -> dict[str, Any]:
    journal = run.journal()
    plan = run.read_json("plan.json", {"steps": []}, PLAN)
    titles = {s["id"]: s["title"] for s in plan.get("steps", [])}
    ends = {e["step"]: e for e in journal.events if e.get("event") == "step-end"}
    steps = []
    for step_id, record in journal.steps.items():
        end = ends.get(step_id, {})
        steps.append({"id": step_id, "title": titles.get(step_id, step_id), "status": record.status,
                      "started": record.started, "ended": record.ended, "exit_code": record.exit_code,
                      "message": record.message, "output": (end.get("output_tail") or [])[-OUTPUT_LINES:]})
    try:
        backup = run.backups()
    except OSError:                    # a damaged backup record: the report says there is none to show
        backup = {"tarballs": [], "entries": []}
    return {
        "id": run.run_id,
        "path": run.path,
        "status": journal.finished or ("running or stopped" if journal.events else "empty"),
        "steps": steps,
        "backup": {"tarballs": [f"{run.path}/{t}" for t in backup["tarballs"]],
                   "files": sum(1 for e in backup["entries"] if e["kind"] == "file"),
                   "paths": [e["path"] for e in backup["entries"] if e.get("top")],
                   "manifest": f"{run.path}/manifest.sha256",
                   "manifest_sha256": run.manifest_checksum()},
        "rollback_command": invocation.command("rollback", run.run_id) if invocation.can("rollback") else None,
        "rolled_back": journal.rolled_back,
    }


def _verification(target: Target | None, state_dir: str, run: RunDir | None) -> dict[str, Any] | None:
    document = run.read_json("verify.json", None, VERIFICATION) if run else None
    if document is None and target is not None:
        try:
            document = load_state_json(target.read_bytes(f"{state_dir.rstrip('/')}/verify-latest.json",
                                                         limit=MAX_STATE_FILE, follow=False), VERIFICATION)
        except OSError:
            return None
    if not isinstance(document, dict):      # a bundle (no target), no verification yet, or a damaged one
        return None
    if not fits(document.get("test_renewal") or {}, TEST_RENEWAL):
        document = {**document, "test_renewal": None}
    return {key: document.get(key) for key in ("time", "passed", "checks", "test_renewal", "real_renewal",
                                                "summary_before", "summary_after")}


def _verdict(diagnosis: Diagnosis, verification: dict[str, Any] | None, mode: str) -> dict[str, Any]:
    untested = verification and any(isinstance(c, dict) and c.get("key") == "test-renewal" and c.get("skipped")
                                    for c in verification.get("checks") or [])
    if mode == "rehearsal":
        fixed = bool(verification and verification.get("passed"))
        return {"code": "demo", "verified": False, "line": _("Demo rehearsal: not a real server."),
                "explanation": _("The bundled demo host was fixed on a throwaway copy, with stand-in programs: the "
                                 "steps, the backups and the verification ran for real on the copy, which is gone "
                                 "now. Nothing on any real server was changed.") if fixed else
                _("The plan was tried on a throwaway copy of the bundled demo host, with stand-in programs, and the "
                  "rehearsal did not get to a verified fix (the steps below say where it stopped). Nothing on any "
                  "real server was changed.")}
    if verification and verification.get("passed") and untested:
        return {"code": "v2", "verified": True,
                "line": _("Fixed: no setting here points at Let's Encrypt's retired ACMEv1 API any more."),
                "explanation": _("The client here has no dry run, so no test renewal was made: its next scheduled "
                                 "renewal is the proof. Check its output then.")}
    if verification and verification.get("passed"):
        return {"code": "v2", "verified": True,
                "line": _("Fixed and verified: renewals here use Let's Encrypt's current ACMEv2 API."),
                "explanation": _("A test renewal with the client the scheduler runs went through ACMEv2 and no "
                                 "setting points at the old ACMEv1 service any more.")}
    explanations = {
        "v1": (_("Action needed: renewals here still depend on Let's Encrypt's retired ACMEv1 API."),
               _("Let's Encrypt switched ACMEv1 off in June 2021. Until this is fixed, every renewal on this server "
                 "fails and its certificates expire; visitors then see a security warning.")),
        "v2": (_("Renewals here use Let's Encrypt's current ACMEv2 API."),
               _("No setting points at the old ACMEv1 service. The findings below may still need attention.")),
        "unknown": (_("No ACME client was found here."),
                    _("No certbot, certbot-auto or other ACME client, log or renewal setting was found in the "
                      "places checked.")),
    }
    line, explanation = explanations[diagnosis.verdict]
    if diagnosis.verdict == "unknown" and PROTECTED_INPUTS in diagnosis.reasons:
        line = _("Unknown: protected files on this server could not be read.")
        explanation = _("The check ran without the rights to read certbot's settings or logs. Run it again as "
                        "root before relying on this report.")
    return {"code": diagnosis.verdict, "verified": False, "line": line, "explanation": explanation}


def _next_steps(diagnosis: Diagnosis, plan: Plan | None, run: dict[str, Any] | None,
                verification: dict[str, Any] | None, invocation: Invocation) -> list[str]:
    steps: list[str] = []
    if invocation.demo and run:
        return [_("This was a rehearsal on the bundled demo host. On a real server, run the wizard there (sudo "
                  "acme-wizard) or from a workstation with --host: the same steps, with real backups.")]
    if run and run["rolled_back"]:
        steps.append(_("The changes of run {run} were rolled back; the server is as it was before.", run=run["id"]))
    if verification and verification.get("passed"):
        steps.append(_("Watch the next real renewal (certbot renews when a third of the lifetime is left: 30 "
                       "days of a 90-day certificate): its log should show "
                       "https://acme-v02.api.letsencrypt.org/directory."))
    elif run and run["status"] not in ("complete",):
        steps.append(_("The run stopped ({status}). Resume it (first command) or undo it (second):",
                       status=run["status"]) + _commands(invocation.command("apply"), run["rollback_command"]))
    elif diagnosis.verdict == "v1" or (plan is not None and len(plan.steps) > 1):
        if plan is not None and plan.decision_needed:
            steps.append(_("Decide how this server gets a current ACME client (options in the plan), then apply."))
        elif invocation.can("verify"):
            steps.append(_("Review the plan below, then carry it out (backups first, step by step) and prove it:")
                         + _commands(invocation.command("apply"), invocation.command("verify")))
        elif invocation.demo:
            steps.append(_("Review the plan below; on a real server, apply carries it out (backups first, step "
                           "by step). Preview it here:") + _commands(invocation.command("apply")))
        else:
            steps.append(_("Review the plan below, then carry it out on the host itself, or from a workstation "
                           "with --host (backups first, step by step)."))
    if diagnosis.os.eol:
        steps.append(_("Plan the move off {os}: it is past its end of life.", os=diagnosis.os.pretty_name))
    return steps or [_("Nothing needs doing now.")]


def _commands(*commands: str) -> str:
    """Commands follow a next step's sentence, each on its own line in backticks: renderers never wrap them."""
    return "".join(f"\n`{command}`" for command in commands)


def _risks(diagnosis: Diagnosis) -> list[dict[str, Any]]:
    risks = []
    if diagnosis.os.eol:
        risks.append({"title": _("Operating system past end of life"),
                      "text": _("{os} has had no security updates since {date}; current certbot releases do not run "
                                "on its Python.", os=diagnosis.os.pretty_name, date=diagnosis.os.eol_date)})
    auto = [i for i in diagnosis.installs if i.method == "certbot-auto" and i.present]
    if auto:
        risks.append({"title": _("certbot-auto still installed"),
                      "text": _("{paths}: frozen since certbot 1.14.0; remove it (and /opt/eff.org) once the new "
                                "client has renewed for real.", paths=", ".join(i.path for i in auto))})
    fixed = [r for r in diagnosis.schedules.runs if any(flag in r.arguments for flag in FIXED_INTERVAL_FLAGS)]
    if fixed:
        risks.append({"title": _("Renewal at a fixed interval"),
                      "text": _("{where} forces renewal on a fixed schedule; with 64-day (2027) and 45-day (2028) "
                                "certificates this will let certificates expire.",
                                where=", ".join(f"{r.source}:{r.line}" for r in fixed))})
    for cert in diagnosis.certs:
        days = cert.days_left(diagnosis.now)
        if days is not None and days < 0 and cert.not_after is not None:
            risks.append({"title": _("Certificate expired: {name}", name=cert.name),
                          "text": _("It expired on {date}, and the schedule renews it only at its next run. Renew it "
                                    "now, once the fix is verified: certbot renew --cert-name {name}",
                                    date=cert.not_after.date(), name=cert.name)})
    for date, text in LETS_ENCRYPT_CHANGES:
        risks.append({"title": _("Let's Encrypt change on {date}", date=date), "text": _(text)})
    return risks

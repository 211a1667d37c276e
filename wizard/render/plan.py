"""Plans, apply progress, verification and rollback as plain text for an 80-column terminal."""
from __future__ import annotations

import shlex
from contextvars import ContextVar

from wizard.core.invocation import Invocation, option_word
from wizard.core.plan.build import Plan, Step
from wizard.core.run.rollback import RollbackReport
from wizard.core.run.journal import StepRecord
from wizard.core.run.verify import VerifyResult, summarize
from wizard.render.width import clip, pad, wrap
from wizard.i18n import _

WIDTH = 80
STATUS_MARK = {"ok": "✔", "already-done": "✔", "failed": "✘", "not-run": "·", "blocked": "·", "skipped": "»",
               "stopped": "■", "interrupted": "■"}


_width: ContextVar[int] = ContextVar("width", default=WIDTH)   # the TUI renders for the width it has


def _wrap(text: str, indent: int = 0, hanging: int | None = None) -> list[str]:
    hanging = indent if hanging is None else hanging
    return wrap(text, _width.get(), " " * indent, " " * hanging)


def _at_width(render):
    """Let a render function take width=N (default 80 columns) without threading it through every helper."""
    def wrapper(*args, width: int = WIDTH, **kwargs):
        token = _width.set(width)
        try:
            return render(*args, **kwargs)
        finally:
            _width.reset(token)
    wrapper.__name__, wrapper.__doc__ = render.__name__, render.__doc__
    return wrapper


@_at_width
def render_plan(plan: Plan, target_label: str, preview: bool = False, invocation: Invocation = Invocation()) -> str:
    out: list[str] = []
    if preview:
        out.append(_("PREVIEW (dry run): nothing is executed and nothing is written."))
        out.append("")
    out.append(_("Plan for {target}: {count} step(s)", target=target_label, count=len(plan.steps)))
    if plan.options:
        out.append("")
        out.append(_("Client options, best first:"))
        for number, option in enumerate(plan.options, 1):
            mark = " " + _("[chosen]") if plan.choice is option else ""
            support = "" if option.supported else " " + _("(not a supported path)")
            out += _wrap(f"{number}. {option.key}: {option.title}{support}{mark}", 2, 5)
            if option.version_note:
                out += _wrap(option.version_note, 5, 5)
            for caveat in option.caveats:
                out += _wrap("- " + caveat, 5, 7)
    for note in plan.notes:
        out.append("")
        out += _wrap(_("Note: ") + note)
    if plan.decision_needed:
        out.append("")
        out += _wrap(_("A decision is needed before anything can be applied: write an answers file such as "
                       "{{\"client\": \"rh-python36\"}} and pass it to apply:"))
        verb = "apply" if invocation.can("apply") else "plan"       # a bundle can only be planned
        out.append("  " + invocation.command(verb, option_word("--answers", "answers.json")))
    for number, step in enumerate(plan.steps, 1):
        out.append("")
        out += render_step(step, number, len(plan.steps))
    return "\n".join(out) + "\n"


@_at_width
def render_step(step: Step, number: int, total: int) -> list[str]:
    out = _wrap(_("Step {number}/{total} [{id}] {title}", number=number, total=total, id=step.id, title=step.title),
                0, 4)
    facts = [_("risk {risk}", risk=step.risk), _("needs root") if step.requires_root else _("no root needed")]
    if step.why:
        facts.append(_("why {ids}", ids=", ".join(step.why)))
    if step.depends_on:
        facts.append(_("after {steps}", steps=", ".join(step.depends_on)))
    out += _wrap("; ".join(facts), 4)
    for action in step.actions:
        if action.type in ("command", "test-renewal"):
            out.append("    $ " + shlex.join(action.argv or []))
        elif action.type == "backup":
            out += _wrap(_("back up: {paths}", paths=", ".join(action.paths or [])), 4, 6)
        elif action.type == "retire":
            out += _wrap(_("move aside: {paths}", paths=", ".join(action.paths or [])), 4, 6)
        elif action.type in ("edit", "create"):
            diff = action.to_json()["diff"]
            out += ["    " + line for line in diff.rstrip("\n").splitlines()]
        elif action.type == "verify":
            out.append("    " + _("probe again, test renewal, check pins and the newest log"))
    out += _wrap(_("undo: {text}", text=step.undo), 4, 6)
    out += _wrap(_("done when: {text}", text=step.done_when), 4, 6)
    return out


@_at_width
def render_record(step: Step, record: StepRecord) -> str:
    mark = STATUS_MARK.get(record.status, "?")
    text = f"  {mark} {record.status}"
    if record.message:
        text += f": {record.message}"
    return "\n".join(_wrap(text, 0, 4))


@_at_width
def render_verify(result: VerifyResult, target_label: str, before: dict | None = None,
                  invocation: Invocation = Invocation()) -> str:
    """before: the summary saved when apply started (else the state just before this verify)."""
    out = [_("Verify {target}: {result}", target=target_label,
             result=_("PASSED") if result.passed else _("FAILED"))]
    for check in result.checks:
        out += _wrap(f"{'✔' if check.passed else '✘'} {check.text}", 2, 4)
        for evidence in check.evidence[:4]:
            out.append("      " + _("at") + " " + evidence.where())
    out.append("")
    before = before or summarize(result.before)
    after = summarize(result.after)
    out.append(_("Before and after:"))
    out.append(f"  {pad('', 14)} {pad(_('before'), 30)} {_('after')}")
    for key, label in (("verdict", _("verdict")), ("renews_with", _("renews with")), ("v1_pins", _("v1 pins")),
                       ("newest_contact", _("newest contact"))):
        out.append(f"  {pad(label, 14)} {pad(_cell(str(before.get(key, '-'))), 30)} {_cell(str(after[key]))}")
    lineages = [conf.name for conf in result.after.renewal_confs if conf.name]
    if result.real_renewal is None and result.test_exit_code is not None and lineages:
        out.append("")
        out += _wrap(_("The test renewal used the staging ACMEv2 server, whatever the renewal confs say: it proves "
                       "the client, its plugins and the challenge path. The next real renewal proves the production "
                       "endpoint; or renew one certificate for real now, which counts against rate limits:"))
        out.append("  " + invocation.command("verify", option_word("--real-renewal", lineages[0])))
    return "\n".join(out) + "\n"


@_at_width
def render_rollback(report: RollbackReport) -> str:
    title = _("Rollback preview for run {run}: nothing is changed.", run=report.run_id) if report.dry_run else \
        _("Rolled back run {run}.", run=report.run_id)
    out = [title]
    verb = _("would restore") if report.dry_run else _("restored")
    for path in report.restored:
        out.append(f"  {verb} {path}")
    for path in report.removed:
        out.append("  " + (_("would move aside") if report.dry_run else _("moved aside")) + f" {path} "
                   + _("(created by the run)"))
    for original, _moved in report.moved_back:
        out += _wrap(("  " + (_("would move back") if report.dry_run else _("moved back")) + f" {original}"), 0, 4)
    if report.removed or report.moved_back:
        out += _wrap(_("Nothing is deleted: what the run created, or what stood where a file goes back, is "
                       "kept in {path}", path=report.displaced_to), 2, 2)
    if report.cannot_undo:
        out.append("")
        out.append(_("A backup cannot undo these; run the command yourself if you want them gone:"))
        for title, undo in report.cannot_undo:
            out += _wrap(f"- {title}: {undo}", 2, 4)
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return clip(text, 30)

"""Plans and apply progress as plain text for an 80-column terminal (or the TUI's width)."""
from __future__ import annotations

import shlex

from wizard.core.invocation import Invocation, option_word
from wizard.core.plan.model import Plan, Step
from wizard.core.run.journal import StepRecord
from wizard.i18n import _
from wizard.render.width import WIDTH, at_width, fill
from wizard.render.words import risk_word, status_word

STATUS_MARK = {"ok": "✔", "already-done": "✔", "failed": "✘", "not-run": "·", "blocked": "·", "skipped": "»",
               "stopped": "■", "interrupted": "■"}


def render_plan(plan: Plan, target_label: str, preview: bool = False, invocation: Invocation = Invocation(),
                width: int = WIDTH) -> str:
    with at_width(width):
        return _plan_text(plan, target_label, preview, invocation)


def _plan_text(plan: Plan, target_label: str, preview: bool, invocation: Invocation) -> str:
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
            out += fill(f"{number}. {option.key}: {option.title}{support}{mark}", 2, 5)
            if option.version_note:
                out += fill(option.version_note, 5, 5)
            for caveat in option.caveats:
                out += fill("- " + caveat, 5, 7)
    for note in plan.notes:
        out.append("")
        out += fill(_("Note: ") + note)
    if plan.decision_needed:
        out.append("")
        example = next((o.key for o in plan.options if o.key != "move-host"), plan.options[0].key if plan.options
                       else "keep")
        out += fill(_("A decision is needed before anything can be applied: pick one of the options above "
                      "and name it with --client, for example:"))
        verb = "apply" if invocation.can("apply") else "plan"       # a bundle can only be planned
        out.append("  " + invocation.command(verb, option_word("--client", example)))
    for number, step in enumerate(plan.steps, 1):
        out.append("")
        out += render_step(step, number, len(plan.steps))
    return "\n".join(out) + "\n"


def render_step(step: Step, number: int, total: int) -> list[str]:
    out = fill(_("Step {number}/{total} [{id}] {title}", number=number, total=total, id=step.id, title=step.title),
                0, 4)
    facts = [_("risk {risk}", risk=risk_word(step.risk)),
             _("needs root") if step.requires_root else _("no root needed")]
    if step.why:
        facts.append(_("why {ids}", ids=", ".join(step.why)))
    if step.depends_on:
        facts.append(_("after {steps}", steps=", ".join(step.depends_on)))
    out += fill("; ".join(facts), 4)
    for action in step.actions:
        if action.type in ("command", "test-renewal"):
            out.append("    $ " + shlex.join(action.argv or []))
        elif action.type == "backup":
            out += fill(_("back up: {paths}", paths=", ".join(action.paths or [])), 4, 6)
        elif action.type == "retire":
            out += fill(_("move aside: {paths}", paths=", ".join(action.paths or [])), 4, 6)
        elif action.type in ("edit", "create"):
            diff = action.to_json()["diff"]
            out += ["    " + line for line in diff.rstrip("\n").splitlines()]
        elif action.type == "verify":
            out.append("    " + _("probe again, test renewal, check pins and the newest log"))
    out += fill(_("undo: {text}", text=step.undo), 4, 6)
    out += fill(_("done when: {text}", text=step.done_when), 4, 6)
    return out


def render_record(step: Step, record: StepRecord) -> str:
    mark = STATUS_MARK.get(record.status, "?")
    text = f"  {mark} {status_word(record.status)}"
    if record.message:
        text += f": {record.message}"
    return "\n".join(fill(text, 0, 4))

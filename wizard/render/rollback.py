"""A rollback (or its preview) as plain text."""
from __future__ import annotations

from wizard.core.run.rollback import RollbackReport
from wizard.i18n import _
from wizard.render.width import fill


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
        out += fill(("  " + (_("would move back") if report.dry_run else _("moved back")) + f" {original}"), 0, 4)
    if report.removed or report.moved_back:
        out += fill(_("Nothing is deleted: what the run created, or what stood where a file goes back, is "
                       "kept in {path}", path=report.displaced_to), 2, 2)
    if report.cannot_undo:
        out.append("")
        out.append(_("A backup cannot undo these; run the command yourself if you want them gone:"))
        for title, undo in report.cannot_undo:
            out += fill(f"- {title}: {undo}", 2, 4)
    return "\n".join(out) + "\n"

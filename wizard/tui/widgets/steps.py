"""A plan's steps as a table (number, title, risk, root?, status) and one step in full below it.

The plan stage and the apply stage show the same table; apply fills in the status column as the
run goes. The detail says why (the findings' titles), every command, every diff with its own
+/- colours, how it is undone and how to tell it is done.
"""
from __future__ import annotations

import shlex

from rich.text import Text
from textual.widgets import DataTable

from wizard.core.analyse.model import Diagnosis
from wizard.core.plan.model import Action, Step
from wizard.core.run.journal import StepRecord
from wizard.i18n import _
from wizard.render.plan import STATUS_MARK
from wizard.render.styles import rich_style
from wizard.render.width import cells, clip
from wizard.render.words import risk_word, status_word
from wizard.tui.widgets.prose import Para

RISK_STYLE = {"low": "", "medium": "yellow", "high": "bold red"}
DIFF_STYLE = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))


class StepTable(DataTable[Text]):
    """One row a step; the cursor picks the step the detail shows."""

    DEFAULT_CSS = """
    StepTable {
        height: auto;
        max-height: 45%;
    }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_cursor=True)
        self.steps: list[Step] = []

    def show(self, steps: list[Step], records: dict[str, StepRecord], width: int,
             pending: str | None = None) -> None:
        """(Re)fill the table; the cursor stays on the step it was on."""
        row = self.cursor_row
        self.clear(columns=True)
        self.steps = steps
        headers = [_("#"), _("Step"), _("Risk"), _("Root"), _("Status")]
        risk_width = max(cells(h) for h in [headers[2], *(risk_word(s.risk) for s in steps)])
        root_width = max(cells(headers[3]), cells(_("yes")))
        status_width = max(cells(headers[4]), *(cells(status_word(s)) + 2 for s in (*STATUS_MARK, "waiting")))
        number_width = max(cells(headers[0]), len(str(len(steps))))
        # the title takes what the others leave (cell padding: one each side of every column)
        title_width = max(12, width - number_width - risk_width - root_width - status_width - 2 * 5 - 2)
        for header, column_width in zip(headers, (number_width, title_width, risk_width, root_width, status_width)):
            self.add_column(header, width=column_width)
        for number, step in enumerate(steps, 1):
            record = records.get(step.id)
            status = "waiting" if step.id == pending else record.status if record else ""
            mark = STATUS_MARK.get(status, "▶" if status == "waiting" else "")
            self.add_row(Text(str(number)), Text(clip(step.title, title_width)),
                         Text(risk_word(step.risk), style=RISK_STYLE.get(step.risk, "")),
                         Text(_("yes") if step.requires_root else "—"),
                         Text(f"{mark} {status_word(status)}".strip() if status else "",
                              style=rich_style(status) or ("bold" if status == "waiting" else "")),
                         key=step.id)
        if steps:
            self.move_cursor(row=min(max(row, 0), len(steps) - 1))

    @property
    def selected(self) -> Step | None:
        return self.steps[self.cursor_row] if self.steps and 0 <= self.cursor_row < len(self.steps) else None


def step_detail(step: Step, number: int, total: int, diagnosis: Diagnosis | None,
                record: StepRecord | None = None) -> list[Para]:
    """Everything about one step, as paragraphs for a Prose."""
    titles = {f.id: f.title for f in diagnosis.findings} if diagnosis else {}
    facts = [_("risk {risk}", risk=risk_word(step.risk)),
             _("needs root") if step.requires_root else _("no root needed")]
    if step.depends_on:
        facts.append(_("after {steps}", steps=", ".join(step.depends_on)))
    if record is not None:
        facts.append(status_word(record.status))
    out = [Para(Text(_("Step {number}/{total}: {title}", number=number, total=total, title=step.title),
                     style="bold"), 0, 2),
           Para(Text(" · ".join(facts) + f"  [{step.id}]", style="dim"), 2, 4)]
    if record is not None and record.message:
        out.append(Para(Text(record.message, style=rich_style(record.status)), 2, 4))
    if step.why:
        out.append(_heading(_("Why")))
        out += [Para(Text.assemble((finding, "bold"), "  " + titles.get(finding, "")), 2, 4) for finding in step.why]
    for action in step.actions:
        out += _action(action)
    out.append(_heading(_("Undo")))
    out.append(Para(step.undo, 2, 2))
    out.append(_heading(_("Done when")))
    out.append(Para(step.done_when, 2, 2))
    return out


def _heading(text: str) -> Para:
    return Para(Text(text, style="bold underline"))


def _action(action: Action) -> list[Para]:
    if action.type in ("command", "test-renewal"):
        heading = _("Test renewal") if action.type == "test-renewal" else _("Command")
        return [_heading(heading), Para(Text("$ " + shlex.join(action.argv or []), style="bold"), 2, 6, fold=True)]
    if action.type == "backup":
        return [_heading(_("Backs up")), *[Para(path, 2, 4, fold=True) for path in action.paths or []]]
    if action.type == "retire":
        return [_heading(_("Moves aside")), *[Para(path, 2, 4, fold=True) for path in action.paths or []]]
    if action.type in ("edit", "create"):
        diff = action.to_json()["diff"]
        lines = [Para(Text(line, style=_diff_style(line)), 2, 3, fold=True) for line in diff.rstrip("\n").splitlines()]
        path = action.edit.path if action.edit else action.path or ""
        return [_heading(_("Changes {path}", path=path) if action.type == "edit" else _("Creates {path}", path=path)),
                *lines]
    if action.type == "verify":
        return [_heading(_("Checks")), Para(_("probe again, test renewal, check pins and the newest log"), 2, 2)]
    return []


def _diff_style(line: str) -> str:
    return next((style for prefix, style in DIFF_STYLE if line.startswith(prefix)), "")

"""What the wizard knows and does, without Textual: the state behind the screens.

The app calls these from worker threads (probing, applying and verifying wait on subprocesses)
and shows the results; nothing here touches the UI (wizard.tui.bridge carries apply's events).
"""
from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Any, Callable

from wizard.core import defaults
from wizard.core.analyse.diagnose import diagnose
from wizard.core.analyse.model import Diagnosis
from wizard.core.invocation import Invocation
from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Answers, Plan
from wizard.core.probe.run import run_probe
from wizard.core.run.apply import ApplyEvents, ApplyOutcome, ApplyRefused, check_can_apply
from wizard.core.run.journal import StepRecord
from wizard.core.run.remediate import apply_and_verify
from wizard.core.run.verify import VerifyResult, summarize, verify_and_record
from wizard.core.target.protocol import Emit, Target
from wizard.i18n import _


@dataclass
class Session:
    target: Target
    label: str
    preview: bool = True            # nothing is executed or written while True
    demo: bool = False              # the bundled demo host: preview only
    state_dir: str = defaults.STATE_DIR
    answers: Answers = field(default_factory=Answers)
    now: datetime.datetime | None = None
    diagnosis: Diagnosis | None = None
    plan: Plan | None = None
    outcome: ApplyOutcome | None = None
    records: dict[str, StepRecord] = field(default_factory=dict)
    verify_result: VerifyResult | None = None
    before_summary: dict[str, Any] | None = None
    invocation: Invocation = field(default_factory=Invocation)   # for the commands the screens suggest

    def __post_init__(self) -> None:
        if self.demo and not self.invocation.demo:     # the demo's commands preview the demo
            self.invocation = dataclasses.replace(self.invocation, demo=True)

    def load(self) -> None:
        """Probe and diagnose (blocking: run it in a worker)."""
        self.diagnosis = diagnose(run_probe(self.target), now=self.now)
        self.plan = build_plan(self.diagnosis, self.answers)

    def choose(self, key: str) -> None:
        self.answers.client = key
        assert self.diagnosis is not None
        self.plan = build_plan(self.diagnosis, self.answers)

    def can_apply(self) -> str | None:
        """Why apply cannot start now, or None."""
        if self.plan is None:
            return _("the host has not been probed yet")
        try:
            check_can_apply(self.plan, self.target)
        except ApplyRefused as refused:
            return str(refused)
        return None

    def apply(self, events: ApplyEvents) -> ApplyOutcome:
        """Carry out the plan (blocking); its events go to `events`."""
        assert self.plan is not None and self.diagnosis is not None
        self.before_summary = summarize(self.diagnosis)

        def keep(result: VerifyResult, _emit: Emit) -> None:
            self.verify_result = result

        self.outcome = apply_and_verify(self.target, self.plan, self.diagnosis, self.state_dir, events,
                                        on_verified=keep)
        self.records.update(self.outcome.records)
        return self.outcome

    def verify(self, emit: Callable[[str], None]) -> VerifyResult:
        self.verify_result, _document = verify_and_record(self.target, self.state_dir, emit)
        return self.verify_result


    def next_action(self, stage: str = "overview", waiting_on_failure: bool = True) -> str:
        """What the admin does next, in one line, as said on `stage` (the overview and the plan show it).
        waiting_on_failure: the failed step still waits for r or s (x was not pressed)."""
        plan, outcome, verified = self.plan, self.outcome, self.verify_result
        if self.diagnosis is None or plan is None:
            return ""
        count = len(plan.steps)
        if plan.decision_needed:
            return _("A decision is needed: press 3, then c, to choose how this server gets a current client.")
        if verified is not None:
            return (_("Verified: renewals now use ACMEv2. Press 6 for the report.") if verified.passed
                    else _("The verification found problems: press 5 to read them, 6 for the report."))
        if outcome is not None and outcome.status == "complete":
            return _("Applied. Press 5, then v, to verify.")
        if outcome is not None and outcome.status == "failed" and waiting_on_failure:
            return _("Step {step} failed: press 4, then r to retry it or s to skip it.", step=outcome.failed_step)
        if outcome is not None:
            return _("The run stopped before its end: press 4, then a, to resume it.")
        if not plan.steps:
            if plan.choice is not None and plan.choice.key == "move-host":
                return _("Nothing to apply here: the sites move to another server (press 3 for what to do). "
                         "Press 6 for the report.")
            return _("Nothing to do — press 6 for the report.")
        if self.preview and stage == "plan":
            return (_("Preview: d leaves preview, then 4 and a rehearse these {count} steps.", count=count)
                    if self.demo else _("Preview: d leaves preview, then 4 and a apply these {count} steps.",
                                         count=count))
        if self.preview and self.demo:
            return _("Preview: press 3 to read the {count} steps; d leaves preview, then 4 and a rehearse them.",
                     count=count)
        if self.preview:
            return _("Preview: press 3 to read the {count} steps; d leaves preview, then 4 and a apply them.",
                     count=count)
        if self.demo:
            return _("Press 4, then a, to rehearse the {count} steps on the demo's throwaway copy.", count=count)
        return _("Press 4, then a, to apply the {count} steps (each one asks first).", count=count)

    def shown_path(self, path: str) -> str:
        return self.target.shown_path(path)

    def write_report(self, base: str) -> list[str]:
        """Write base.html and base.md; return their paths."""
        assert self.diagnosis is not None
        from wizard.core.report.model import build_report
        from wizard.render.report import render_html, render_markdown
        document = build_report(self.diagnosis, self.plan, self.target, self.state_dir, preview=self.preview,
                                now=self.now, label=self.label, invocation=self.invocation,
                                now_known=self.verify_result.after if self.verify_result else None)
        paths = []
        for suffix, render in ((".html", render_html), (".md", render_markdown)):
            with open(base + suffix, "w", encoding="utf-8") as handle:
                handle.write(render(document))
            paths.append(base + suffix)
        return paths

"""Apply a plan with its verification as the last step: what every front end does, said once."""
from __future__ import annotations

from typing import Callable

from wizard.core.analyse.document import check_document
from wizard.core.analyse.model import Diagnosis
from wizard.core.plan.model import Plan
from wizard.core.run.apply import ApplyEvents, ApplyOutcome, apply_plan
from wizard.core.run.verify import VerifyResult, summarize, verify_and_record
from wizard.core.target.protocol import Emit, Target


def apply_and_verify(target: Target, plan: Plan, diagnosis: Diagnosis, state_dir: str, events: ApplyEvents,
                     on_verified: Callable[[VerifyResult, Emit], None] | None = None) -> ApplyOutcome:
    """Carry out the plan (blocking). The run keeps the check document of `diagnosis` (the state
    before any change); its verify step probes again, runs the test renewal and records the result,
    which `on_verified` also receives."""
    before = {**check_document(diagnosis, target), "summary": summarize(diagnosis)}

    def verifier(emit: Emit) -> tuple[bool, str]:
        result, _document = verify_and_record(target, state_dir, emit)
        if on_verified is not None:
            on_verified(result, emit)
        return result.passed, result.summary()

    return apply_plan(target, plan, state_dir, events, before=before, verifier=verifier)

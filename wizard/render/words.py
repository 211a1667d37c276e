"""The words for a step's or a run's status and a step's risk, as every front end shows them.
JSON and the journal keep the English keys; people read these, in their language."""
from __future__ import annotations

from wizard.i18n import N_, _

STATUS_WORDS = {
    "ok": N_("done"), "already-done": N_("already done"), "failed": N_("failed"), "not-run": N_("not run"),
    "blocked": N_("blocked"), "skipped": N_("skipped"), "stopped": N_("stopped"), "interrupted": N_("interrupted"),
    "started": N_("running"), "complete": N_("complete"), "incomplete": N_("incomplete"), "waiting": N_("waiting"),
}
RISK_WORDS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}


def status_word(status: str) -> str:
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def risk_word(risk: str) -> str:
    return _(RISK_WORDS[risk]) if risk in RISK_WORDS else risk

"""Small judgements several rules share."""
from __future__ import annotations

import datetime

from wizard.core.endpoints import classify_url
from wizard.core.probe.logs import LogRun

EXPIRY_WARNING_DAYS = 30


def api_of(url: str) -> str:
    return classify_url(url)


def seen_after(run: LogRun, when: datetime.datetime | None) -> bool:
    """Whether a logged run started at or after `when` (any run, when there is no `when`)."""
    if when is None or not run.started:
        return when is None
    try:
        return datetime.datetime.fromisoformat(run.started) >= when.replace(tzinfo=None)
    except ValueError:
        return False

"""The upgrade path for this server (pure: diagnosis + the admin's answers -> plan).
The steps themselves are in wizard.core.plan.steps; the plan's data in wizard.core.plan.model."""
from __future__ import annotations

from wizard.core.analyse.model import Diagnosis
from wizard.core.plan.draft import Draft
from wizard.core.plan.model import Answers, AnswersError, Plan
from wizard.core.plan.options import choose, client_options
from wizard.core.plan.steps import build
from wizard.i18n import _


def build_plan(diagnosis: Diagnosis, answers: Answers | None = None) -> Plan:
    answers = answers or Answers()
    options = client_options(diagnosis)
    if answers.client and not any(o.key == answers.client for o in options):
        raise AnswersError(_("client {client!r} is not an option here (options: {options})", client=answers.client,
                             options=", ".join(o.key for o in options)))
    choice = choose(options, answers.client)
    return build(Draft(diagnosis, answers, options, choice))

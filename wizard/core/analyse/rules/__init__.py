"""The diagnosis rules, one small function each (leapp's actor idea): a rule reads the diagnosis,
adds the findings it proves and says which of them prove ACMEv1 use. RULES is their order; the
verdict comes last, from what the others found."""
from __future__ import annotations

from typing import Callable

from wizard.core.analyse.rules import activity, clients, host, pins, policy, verdict
from wizard.core.analyse.rules.context import RuleContext

RULES: list[Callable[[RuleContext], None]] = [
    clients.client_cannot_speak_v2,
    pins.no_server_line_falls_back,
    pins.renewal_conf_pins,
    pins.cli_ini_pins,
    pins.acme_sh_pins,
    pins.dehydrated_pins,
    pins.scheduled_pins,
    pins.logged_argument_pins,
    policy.must_staple,
    policy.client_auth,
    activity.newest_contact,
    activity.email_notice,
    clients.certbot_auto_and_python,
    clients.several_installs,
    clients.nothing_scheduled,
    host.os_end_of_life,
    host.certificates,
    activity.accounts,
    host.unreadable_inputs,
    verdict.verdict,
]

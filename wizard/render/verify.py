"""A verification, with the state before and after, as plain text (or for the TUI's width)."""
from __future__ import annotations

from typing import Any

from wizard.core.invocation import Invocation, option_word
from wizard.core.run.verify import VerifyResult, summarize
from wizard.i18n import N_, _
from wizard.render.width import WIDTH, at_width, clip, fill, pad

# The state before and after, as both the terminal and the report show it.
SUMMARY_ROWS = (("verdict", N_("verdict")), ("renews_with", N_("renews with")), ("v1_pins", N_("v1 pins")),
                ("newest_contact", N_("newest contact")))


def check_line(passed: bool, text: str) -> str:
    """One check of a verification: ✔ passed, ✘ failed."""
    return f"{'✔' if passed else '✘'} {text}"


def render_verify(result: VerifyResult, target_label: str, before: dict[str, Any] | None = None,
                  invocation: Invocation = Invocation(), width: int = WIDTH) -> str:
    """before: the summary saved when apply started (else the state just before this verify)."""
    with at_width(width):
        return _verify_text(result, target_label, before, invocation)


def _verify_text(result: VerifyResult, target_label: str, before: dict[str, Any] | None,
                 invocation: Invocation) -> str:
    out = [_("Verify {target}: {result}", target=target_label,
             result=_("PASSED") if result.passed else _("FAILED"))]
    for check in result.checks:
        out += fill(check_line(check.passed, check.text), 2, 4)
        for evidence in check.evidence[:4]:
            out.append("      " + _("at") + " " + evidence.where())
    out.append("")
    before = before or summarize(result.before)
    after = summarize(result.after)
    out.append(_("Before and after:"))
    out.append(f"  {pad('', 14)} {pad(_('before'), 30)} {_('after')}")
    for key, label in SUMMARY_ROWS:
        out.append(f"  {pad(_(label), 14)} {pad(_cell(str(before.get(key, '-'))), 30)} {_cell(str(after[key]))}")
    lineages = [conf.name for conf in result.after.renewal_confs if conf.name]
    if result.real_renewal is None and result.test_exit_code is not None and lineages:
        out.append("")
        if invocation.can("verify"):
            out += fill(_("The test renewal used the staging ACMEv2 server, whatever the renewal confs say: it "
                           "proves the client, its plugins and the challenge path. The next real renewal proves the "
                           "production endpoint; or renew one certificate for real now, which counts against rate "
                           "limits:"))
            out.append("  " + invocation.command("verify", option_word("--real-renewal", lineages[0])))
        else:           # the demo: there is no real renewal to make
            out += fill(_("The test renewal used the staging ACMEv2 server, whatever the renewal confs say: it "
                           "proves the client, its plugins and the challenge path. The next real renewal proves the "
                           "production endpoint."))
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return clip(text, 30)

"""Stage 5: verify (probe again, test renewal, pin and log checks) with its live output."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from wizard.core.invocation import Invocation
from wizard.core.run.verify import VerifyResult
from wizard.i18n import _
from wizard.render.verify import render_verify
from wizard.tui.messages import Verified, VerifyOutput
from wizard.tui.session import Session
from wizard.tui.widgets.output import OutputLog


class VerifyPane(Vertical):
    DEFAULT_CSS = """
    VerifyPane #verify-scroll {
        height: 2fr;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="verify-scroll"):
            yield Static(id="verify-body")
        yield OutputLog(id="verify-log", max_lines=2000)

    def on_mount(self) -> None:
        self.query_one(OutputLog).display = False        # until a verification runs here

    def show_hint(self, preview: bool) -> None:
        if preview:
            hint = _("Verify runs a test renewal (certbot renew --dry-run), so it is not run in preview.")
        else:
            hint = _("Press v to verify: probe again, run a test renewal and check that no ACMEv1 pin is left.")
        self.query_one("#verify-body", Static).update(Text(hint))

    def start(self, session: Session) -> None:
        """Probe again, test-renew and check, in a worker; Verified follows (the app shows the result)."""
        log = self.query_one(OutputLog)
        log.reset()
        log.display = True
        self.query_one("#verify-body", Static).update(Text(_("Verifying: probe, test renewal, checks…")))
        self.run_verify(session)

    @work(thread=True, exclusive=True, group="verify")
    def run_verify(self, session: Session) -> None:
        def output(line: str) -> None:
            self.post_message(VerifyOutput(line))

        session.verify(output)
        self.post_message(Verified())

    def on_verify_output(self, message: VerifyOutput) -> None:
        self.query_one(OutputLog).add(message.line)

    def show(self, result: VerifyResult, target_label: str, before: dict[str, Any] | None,
             invocation: Invocation, width: int) -> None:
        self.query_one("#verify-body", Static).update(
            Text(render_verify(result, target_label, before, invocation=invocation, width=width)))
        log = self.query_one(OutputLog)
        log.display = bool(log.plain_lines)

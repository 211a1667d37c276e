"""Stage 5: verify (probe again, test renewal, pin and log checks) with its live output."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Log, Static

from wizard.core.invocation import Invocation
from wizard.core.run.verify import VerifyResult
from wizard.i18n import _
from wizard.render.verify import render_verify


class VerifyPane(Vertical):
    DEFAULT_CSS = """
    VerifyPane #verify-scroll {
        height: 2fr;
    }
    VerifyPane #verify-log {
        height: 1fr;
        border: round $primary;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="verify-scroll"):
            yield Static(id="verify-body")
        yield Log(id="verify-log", max_lines=2000)

    def show_hint(self, preview: bool) -> None:
        if preview:
            hint = _("Verify runs a test renewal (certbot renew --dry-run), so it is not run in preview.")
        else:
            hint = _("Press v to verify: probe again, run a test renewal and check that no ACMEv1 pin is left.")
        self.query_one("#verify-body", Static).update(Text(hint))

    def started(self) -> None:
        self.query_one("#verify-log", Log).clear()
        self.query_one("#verify-body", Static).update(Text(_("Verifying: probe, test renewal, checks…")))

    def output(self, line: str) -> None:
        self.query_one("#verify-log", Log).write_line(line)

    def show(self, result: VerifyResult, target_label: str, before: dict[str, Any] | None,
             invocation: Invocation, width: int) -> None:
        self.query_one("#verify-body", Static).update(
            Text(render_verify(result, target_label, before, invocation=invocation, width=width)))

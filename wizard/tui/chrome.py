"""What never leaves the screen: the preview/live banner and the stage bar."""
from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from wizard.i18n import _
from wizard.tui.keys import STAGE_TITLES, STAGES


class Banner(Static):
    """PREVIEW (nothing changes) or LIVE (apply changes the target), in the colour that says so."""

    DEFAULT_CSS = """
    Banner {
        height: 1;
        padding: 0 1;
    }
    Banner.preview {
        background: $warning;
        color: $background;
    }
    Banner.live {
        background: $error;
        color: $background;
    }
    """

    preview: reactive[bool] = reactive(True)

    def __init__(self, target_label: str, demo: bool, preview: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target_label, self.demo = target_label, demo
        self.set_reactive(Banner.preview, preview)

    def on_mount(self) -> None:
        self.watch_preview(self.preview)

    def watch_preview(self, preview: bool) -> None:
        if preview:
            text = _("PREVIEW: nothing will be changed.") + " " + (
                _("This is the demo host.") if self.demo else _("Press d to leave preview."))
        else:
            text = _("LIVE: apply changes {target}. Press d to go back to preview.", target=self.target_label)
        self.update(Text(text, style="bold"))
        self.set_class(preview, "preview")
        self.set_class(not preview, "live")


class StageBar(Widget):
    """1 Overview 2 Findings … with the current stage shown reversed."""

    DEFAULT_CSS = """
    StageBar {
        height: 1;
    }
    """

    stage: reactive[str] = reactive(STAGES[0])

    def render(self) -> Text:
        bar = Text()
        for number, name in enumerate(STAGES, 1):
            bar.append(f" {number} {_(STAGE_TITLES[name])} ", style="reverse bold" if name == self.stage else "")
        return bar

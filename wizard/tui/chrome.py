"""What never leaves the screen: the preview/live banner and the stage bar."""
from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from wizard.i18n import _, sentences
from wizard.tui.keys import STAGE_TITLES, STAGES
from wizard.tui.widgets.prose import Para, Prose


class Banner(Prose):
    """PREVIEW (nothing changes) or LIVE (apply changes the target), in the colour that says so.
    It wraps rather than cuts: a long --root or --host must stay readable at 80 columns. Its colours
    are named ANSI colours, dark on yellow and bright on red, so they read in a 16-colour terminal."""

    DEFAULT_CSS = """
    Banner {
        height: auto;
        padding: 0 1;
    }
    Banner.preview {
        background: ansi_yellow;
        color: ansi_black;
    }
    Banner.live {
        background: ansi_red;
        color: ansi_bright_white;
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
        if preview and self.demo:
            text = sentences(_("PREVIEW: nothing will be changed."),
                             _("Press d to rehearse apply on a demo copy."))
        elif preview:
            text = sentences(_("PREVIEW: nothing will be changed."), _("Press d to leave preview."))
        elif self.demo:
            text = _("DEMO REHEARSAL: apply changes a throwaway copy of the demo host, and every program it runs "
                     "is a stand-in. Press d to go back to preview.")
        else:
            text = _("LIVE: apply changes {target}. Press d to go back to preview.", target=self.target_label)
        self.update(Para(Text(text, style="bold"), fold=True))
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


class Notice(Prose):
    """A passing message (why a key did nothing, an error) on a line of its own above the footer:
    the content above gives way to it, nothing is covered, and it goes after a while."""

    DEFAULT_CSS = """
    Notice {
        padding: 0 1;
        display: none;
    }
    Notice.error {
        background: ansi_red;
        color: ansi_bright_white;
    }
    """
    SECONDS = 8

    def say(self, message: str, error: bool = False) -> None:
        self.update(Para(Text(message, style="bold"), 0, 2, fold=True))
        self.set_class(error, "error")
        self.display = True
        self.set_timer(self.SECONDS, self.clear)

    def clear(self) -> None:
        self.display = False

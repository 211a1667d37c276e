"""Small screens over the wizard: a yes/no question, the option chooser and the key help."""
from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from wizard.i18n import N_, _
from wizard.tui.widgets.prose import Para, Prose


class ConfirmModal(ModalScreen[bool]):
    """A question answered with y or n (Escape is no)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "answer(True)", N_("Yes")),
                                             Binding("n,escape", "answer(False)", N_("No"))]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            yield Static(Text(_("[y] yes   [n] no")), id="answers")      # (Text: the brackets are not markup)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ChoiceModal(ModalScreen[str]):
    """Pick one of the ranked client options (Enter), or leave (Escape); the highlighted option's
    caveats show below the list, so the choice is made with them in view."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel")),
                                             Binding("enter", "choose", N_("Choose"), show=False)]

    def __init__(self, title: str, options: list[tuple[str, str, list[Para]]], current: str | None = None) -> None:
        super().__init__()
        self.title_text, self.options, self.current = title, options, current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="question")
            yield OptionList(*[label for _key, label, _detail in self.options], id="choices")
            yield Static(_("↑↓ move · Enter choose · Tab then ↑↓ scrolls the details · Esc cancel"), id="answers")
            with VerticalScroll(id="choice-detail-scroll"):     # (last: on a small screen it gives way first)
                yield Prose(id="choice-detail")

    def on_mount(self) -> None:
        keys = [key for key, _label, _detail in self.options]
        choices = self.query_one(OptionList)
        choices.highlighted = keys.index(self.current) if self.current in keys else 0
        choices.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#choice-detail", Prose).update(*self.options[event.option_index][2])
        self.query_one("#choice-detail-scroll", VerticalScroll).scroll_home(animate=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.options[event.option_index][0])

    def action_choose(self) -> None:
        """Enter with the details focused chooses the highlighted option too."""
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(self.options[highlighted][0])

    def action_cancel(self) -> None:
        self.dismiss("")


HELP = N_("""acme-wizard: keys

  1-6    stages: Overview Findings Plan Apply Verify Report
  n / b  next / back stage     arrows, PgUp, PgDn: scroll
  Tab    from a list to its details (↑↓ then scroll them)
  d      preview on/off (leaving preview asks first)
  c      choose the client (when the plan needs a decision)
  a      start apply           y  run the step shown
  s      skip the step         r  retry a failed step
  x      stop the run here     v  verify (runs a test renewal)
  e      export the report     ?  or F1: this help
  q      quit (asks first while apply runs)

In preview nothing is executed or written on the target.
In the demo, leaving preview rehearses apply on a throwaway
copy of the demo host (every program it runs is a stand-in).

Esc closes this help.""")


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "close", N_("Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(_(HELP), id="help")

    def action_close(self) -> None:
        self.dismiss(None)

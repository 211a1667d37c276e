"""The wizard's stages and keys: one table, its labels written in English and translated when the
app class for the current language is made (Textual reads BINDINGS when a class is created)."""
from __future__ import annotations

from textual.binding import Binding, BindingType

from wizard.i18n import N_, _

STAGES = ["overview", "findings", "plan", "apply", "verify", "report"]
STAGE_TITLES = {"overview": N_("Overview"), "findings": N_("Findings"), "plan": N_("Plan"), "apply": N_("Apply"),
                "verify": N_("Verify"), "report": N_("Report")}
# Keys that only mean something on some stages (the footer shows them there only).
STAGE_KEYS = {"choose": ("plan",), "start_apply": ("apply",), "answer": ("apply",), "retry": ("apply",),
              "verify": ("verify",), "export": ("report",)}

# (keys, action, label, shown in the footer, priority)
KEYS: list[tuple[str, str, str, bool, bool]] = [
    *[(str(n), f"stage('{name}')", STAGE_TITLES[name], False, False) for n, name in enumerate(STAGES, 1)],
    ("n", "move(1)", N_("Next"), True, False),
    ("b", "move(-1)", N_("Back"), True, False),
    ("c", "choose", N_("Choose"), True, False),
    ("a", "start_apply", N_("Apply"), True, False),
    ("y", "answer('yes')", N_("Run step"), True, False),
    ("s", "answer('skip')", N_("Skip"), True, False),
    ("x", "answer('quit')", N_("Stop"), True, False),
    ("r", "retry", N_("Retry"), True, False),
    ("v", "verify", N_("Verify"), True, False),
    ("e", "export", N_("Export"), True, False),
    ("d", "toggle_preview", N_("Preview"), True, False),
    ("question_mark,f1", "help", N_("Help"), True, False),
    ("q", "quit_wizard", N_("Quit"), True, True),
    ("ctrl+c", "quit_wizard", N_("Quit"), False, True),
]


def bindings() -> list[BindingType]:
    """The key table with its labels in the current language."""
    return [Binding(keys, action, _(label), show=show, priority=priority)
            for keys, action, label, show, priority in KEYS]

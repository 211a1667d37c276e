"""How the admin named the target, so that every follow-up command we print acts on the same one.

"Next: acme-wizard plan" printed after `check --host web01` would plan for the workstation when
pasted, and "acme-wizard apply" printed after `plan --answers a.json` would carry out another
plan. Every command the wizard suggests is built here, from argv words, quoted with shlex.join.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass

from wizard.core import defaults

PROGRAM = "acme-wizard"
ANSWER_TAKERS = ("plan", "apply", "report")        # the commands whose plan the admin's answers shape
BUNDLE_TAKERS = ("check", "plan", "report")        # what can be done with a saved probe output
DEMO_TAKERS = ("check", "plan", "apply", "report")  # the demo is for previews: no verify, no rollback


@dataclass(frozen=True)
class Invocation:
    root: str = "/"
    host: str | None = None
    ssh_config: str | None = None
    legacy_ssh: bool = False
    config_dir: str = defaults.CONFIG_DIR
    logs_dir: str = defaults.LOGS_DIR
    state_dir: str = defaults.STATE_DIR
    demo: bool = False
    from_bundle: str | None = None
    answers: str | None = None
    client: str | None = None
    staging: str | None = None

    def target_options(self) -> list[str]:
        """The options that name this target, in a fixed order; defaults left out."""
        if self.demo:
            return ["--demo"]
        if self.from_bundle:
            return [option_word("--from-bundle", self.from_bundle)]
        words: list[str] = []
        if self.host:
            words.append(option_word("--host", self.host))
        if self.ssh_config:
            words.append(option_word("--ssh-config", self.ssh_config))
        if self.legacy_ssh:
            words.append("--legacy-ssh")
        for flag, value, default in (("--root", self.root, "/"), ("--config-dir", self.config_dir, defaults.CONFIG_DIR),
                                     ("--logs-dir", self.logs_dir, defaults.LOGS_DIR),
                                     ("--state-dir", self.state_dir, defaults.STATE_DIR)):
            if value != default:
                words.append(option_word(flag, value))
        return words

    def can(self, verb: str) -> bool:
        """Whether `verb` can act on this target at all (a bundle cannot be applied to)."""
        if self.from_bundle:
            return verb in BUNDLE_TAKERS
        return verb in DEMO_TAKERS if self.demo else True

    def command(self, verb: str, *words: str) -> str:
        """`acme-wizard VERB WORDS… TARGET-OPTIONS`, shell-quoted, ready to paste (see can())."""
        argv = [PROGRAM, verb, *words]
        if verb == "apply" and self.demo and "--dry-run" not in words:
            argv.append("--dry-run")                   # the demo host only previews
        if verb in ANSWER_TAKERS:           # the same choices, however they were given
            for flag, value in (("--answers", self.answers), ("--client", self.client), ("--staging", self.staging)):
                if value and not any(w.startswith(flag) for w in words):
                    argv.append(option_word(flag, value))
        return shlex.join([*argv, *self.target_options()])


def option_word(flag: str, value: str) -> str:
    """One word, `--flag=value`: a value that starts with '-' must not read as an option when pasted."""
    return f"{flag}={value}"

"""How the admin named the target, so that every follow-up command we print acts on the same one.

"Next: acme-wizard plan" printed after `check --host web01` would plan for the workstation when
pasted. Every command the wizard suggests is built here, from argv words, quoted with shlex.join.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass

from wizard.core.runstate import DEFAULT_STATE_DIR
from wizard.core.target import DEFAULT_CONFIG_DIR, DEFAULT_LOGS_DIR

PROGRAM = "acme-wizard"


@dataclass(frozen=True)
class Invocation:
    root: str = "/"
    host: str | None = None
    ssh_config: str | None = None
    legacy_ssh: bool = False
    config_dir: str = DEFAULT_CONFIG_DIR
    logs_dir: str = DEFAULT_LOGS_DIR
    state_dir: str = DEFAULT_STATE_DIR
    demo: bool = False

    def target_options(self) -> list[str]:
        """The options that name this target, in a fixed order; defaults left out."""
        if self.demo:
            return ["--demo"]
        words: list[str] = []
        if self.host:
            words += ["--host", self.host]
        if self.ssh_config:
            words += ["--ssh-config", self.ssh_config]
        if self.legacy_ssh:
            words.append("--legacy-ssh")
        for flag, value, default in (("--root", self.root, "/"), ("--config-dir", self.config_dir, DEFAULT_CONFIG_DIR),
                                     ("--logs-dir", self.logs_dir, DEFAULT_LOGS_DIR),
                                     ("--state-dir", self.state_dir, DEFAULT_STATE_DIR)):
            if value and value != default:
                words += [flag, value]
        return words

    def command(self, *words: str) -> str:
        """`acme-wizard WORDS… TARGET-OPTIONS`, shell-quoted, ready to paste."""
        return shlex.join([PROGRAM, *words, *self.target_options()])

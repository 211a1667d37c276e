"""Every command-line option, defined once, and the rule that they mean the same wherever they stand.

`acme-wizard --root T check` and `acme-wizard check --root T` are one request: each option is added
to the top-level parser (for the words before the command) and to each command that takes it (for
the words after it), both without defaults. `merge` then joins the two halves: an option given on
both sides with different values, or given to a command that does not take it, is a usage error
(exit 2), never a silent choice — a dropped `--dry-run` or `--host` would act on the wrong thing.
"""
from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

from wizard.core import defaults
from wizard.core.errors import ExitCode, UsageError
from wizard.core.invocation import ANSWER_TAKERS, BUNDLE_TAKERS, DEMO_TAKERS
from wizard.i18n import N_, _
from wizard.render.width import wrap

WIZARD = "wizard"            # the interactive wizard: no command given
COMMANDS = ("check", "plan", "apply", "verify", "rollback", "report", "probe-script", "fleet-report")
TARGET_TAKERS = frozenset({WIZARD, "check", "plan", "apply", "verify", "rollback", "report"})
EVERY = frozenset({WIZARD, *COMMANDS})
BEFORE = "before:"           # dest prefix for the words before the command


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    dest: str
    takers: frozenset[str]         # the commands that take it (WIZARD: no command)
    help: str                      # English, marked N_; translated when the parser is built
    default: object = None
    group: str = ""                # the help section: target, mode or output
    is_path: bool = False          # compared after normpath: /a/ and /a are the same request
    extra: dict[str, Any] = field(default_factory=dict)   # action, metavar, choices …

    @property
    def name(self) -> str:
        return self.flags[-1]


OPTIONS: tuple[Option, ...] = (
    # What to look at: every command that touches a target takes these.
    Option(flags=("--root",), dest="root", takers=TARGET_TAKERS, default="/", group="target", is_path=True,
           extra={"metavar": "DIR"},
           help=N_("the target's filesystem root (default /): a copied tree, a fixture, an image")),
    Option(flags=("--config-dir",), dest="config_dir", takers=TARGET_TAKERS, default=defaults.CONFIG_DIR,
           group="target", is_path=True, extra={"metavar": "DIR"},
           help=N_("certbot's config dir on the target (default /etc/letsencrypt)")),
    Option(flags=("--logs-dir",), dest="logs_dir", takers=TARGET_TAKERS, default=defaults.LOGS_DIR, group="target",
           is_path=True, extra={"metavar": "DIR"},
           help=N_("certbot's logs dir on the target (default /var/log/letsencrypt)")),
    Option(flags=("--state-dir",), dest="state_dir", takers=TARGET_TAKERS, default=defaults.STATE_DIR, group="target",
           is_path=True, extra={"metavar": "DIR"},
           help=N_("where runs (backups, journal) live on the target (default /var/lib/acme-wizard)")),
    Option(flags=("--host",), dest="host", takers=TARGET_TAKERS, group="target",
           extra={"metavar": "[USER@]HOST[:PORT]"},
           help=N_("a remote target over the system ssh client (nothing is installed there); --root then "
                   "names a tree on that host")),
    Option(flags=("--ssh-config",), dest="ssh_config", takers=TARGET_TAKERS, group="target", is_path=True,
           extra={"metavar": "FILE"},
           help=N_("an ssh_config file for that client (ssh -F)")),
    Option(flags=("--legacy-ssh",), dest="legacy_ssh", takers=TARGET_TAKERS, default=False, group="target",
           extra={"action": "store_true"},
           help=N_("allow the old ssh-rsa/SHA-1 algorithms that CentOS 6 era servers need")),
    Option(flags=("--demo",), dest="demo", takers=frozenset({WIZARD, *DEMO_TAKERS}), default=False, group="target",
           extra={"action": "store_true"},
           help=N_("use the bundled sample legacy host (CentOS 6, certbot-auto 0.20.0), in preview")),
    # How to act.
    Option(flags=("--dry-run",), dest="dry_run", takers=frozenset({WIZARD, "apply", "rollback"}), default=False,
           group="mode", extra={"action": "store_true"},
           help=N_("preview: show every step, command and diff; run and write nothing")),
    Option(flags=("--yes",), dest="yes", takers=frozenset({"apply", "rollback"}), default=False, group="mode",
           extra={"action": "store_true"},
           help=N_("do not ask before each step")),
    Option(flags=("--answers",), dest="answers", takers=frozenset({WIZARD, *ANSWER_TAKERS}), group="mode",
           is_path=True, extra={"metavar": "FILE"},
           help=N_("the admin's choices as JSON: {{\"client\": KEY, \"staging_lineages\": \"move|delete|keep\", "
                   "\"retire_certbot_auto\": true}} (KEY: as for --client)")),
    Option(flags=("--client",), dest="client", takers=frozenset({WIZARD, *ANSWER_TAKERS}), group="mode",
           extra={"metavar": "KEY"},
           help=N_("how the server gets a current client: one of the options the plan shows (snap, os-package, pip, "
                   "keep, rh-python36, acme.sh, upgrade-acme.sh, upgrade-lego, move-host); over the answers "
                   "file's \"client\"")),
    Option(flags=("--staging",), dest="staging", takers=frozenset({WIZARD, *ANSWER_TAKERS}), group="mode",
           extra={"choices": ["move", "delete", "keep"]},
           help=N_("what to do with certificates issued by a staging server (default keep); over the answers "
                   "file's \"staging_lineages\"")),
    Option(flags=("--mouse",), dest="mouse", takers=frozenset({WIZARD}), group="mode",
           extra={"action": argparse.BooleanOptionalAction},
           help=N_("mouse support (default: off over SSH, on otherwise)")),
    Option(flags=("--lang",), dest="lang", takers=EVERY, group="mode", extra={"choices": ["en", "ja"]},
           help=N_("language of the output (default: from LC_ALL, LC_MESSAGES or LANG)")),
    # What to produce.
    Option(flags=("--json",), dest="json", takers=frozenset({"check", "plan", "verify"}), default=False,
           group="output", extra={"action": "store_true"},
           help=N_("print JSON (see docs/CONTRACT.md)")),
    Option(flags=("-o", "--output"), dest="output", takers=frozenset({"check", "report", "fleet-report"}),
           group="output",
           is_path=True, extra={"metavar": "FILE"},
           help=N_("write the result to FILE instead of stdout")),
    Option(flags=("--format",), dest="format", takers=frozenset({"report", "fleet-report"}), default="md",
           group="output",
           extra={"choices": ["md", "html", "txt", "json"]},
           help=N_("md (default), html (print-ready), txt (80 columns) or json")),
    Option(flags=("--redact",), dest="redact", takers=frozenset({"report", "fleet-report"}), default=False,
           group="output",
           extra={"action": "store_true"},
           help=N_("mask hostnames, IP and e-mail addresses (consistently) for sharing")),
    Option(flags=("--email",), dest="email", takers=frozenset({"check", "report"}), group="output", is_path=True,
           extra={"metavar": "FILE"},
           help=N_("Let's Encrypt's 'Update your client software' email, as saved")),
    Option(flags=("--from-bundle",), dest="from_bundle", takers=frozenset(BUNDLE_TAKERS), group="output", is_path=True,
           extra={"metavar": "FILE"},
           help=N_("analyse a saved probe output (see probe-script) instead of a live target")),
    Option(flags=("--save-bundle",), dest="save_bundle", takers=frozenset({"check"}), group="output", is_path=True,
           extra={"metavar": "FILE"},
           help=N_("also save the raw probe output to FILE")),
    Option(flags=("--bundles",), dest="bundles", takers=frozenset({"fleet-report"}), group="output", is_path=True,
           extra={"metavar": "DIR"},
           help=N_("the directory a fleet run filled: HOST.probe (a probe's output) or HOST.error.json per host")),
    Option(flags=("--inventory",), dest="inventory", takers=frozenset({"fleet-report"}), group="output",
           is_path=True, extra={"metavar": "FILE"},
           help=N_("an Ansible INI inventory: every host in it gets a row, with or without a result")),
    Option(flags=("--real-renewal",), dest="real_renewal", takers=frozenset({"verify"}), group="output",
           extra={"metavar": "CERT_NAME"},
           help=N_("renew this one certificate for real to prove the production endpoint (counts against "
                   "Let's Encrypt's rate limits)")),
)
BY_DEST = {option.dest: option for option in OPTIONS}
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


# Options that name another source for the same facts: given together, one would be ignored.
EXCLUSIVE = (
    ("demo", ("root", "host", "config_dir", "logs_dir", "ssh_config", "legacy_ssh", "from_bundle", "state_dir")),
    ("from_bundle", ("root", "host", "config_dir", "logs_dir", "ssh_config", "legacy_ssh", "save_bundle")),
)
NEEDS = (("ssh_config", "host"), ("legacy_ssh", "host"))


class OptionError(UsageError):
    """Options that contradict each other, or do not apply to the command (exit code 2)."""


class CellsHelpFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped by terminal cells: a Japanese character takes two, so counting
    characters made lines of 110 cells in an 80-column terminal."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(wrap(" ".join(text.split()), width, indent, indent))


class Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like ours (no usage dump) and a hint for '-' values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", CellsHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        if "expected one argument" in message:
            message += " " + _("(a value that starts with '-' is written --option=VALUE)")
        self.exit(ExitCode.USAGE, _("{prog}: {message} (see {prog} --help)", prog=self.prog, message=message) + "\n")


class _Once(argparse.Action):
    """Store a value; the same option given twice on one side with different values is an error.
    A switch (nargs=0) stores True, or False when spelt --no-…"""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        value = not (option_string or "").startswith("--no-") if self.nargs == 0 else values
        previous = getattr(namespace, self.dest, _MISSING)
        if previous is not _MISSING and _comparable(self.dest, previous) != _comparable(self.dest, value):
            raise argparse.ArgumentError(self, _("given twice with different values: {first} and {second}",
                                                 first=_shown(previous), second=_shown(value)))
        setattr(namespace, self.dest, value)


_MISSING = object()


def _comparable(dest: str, value: object) -> object:
    option = BY_DEST.get(dest.removeprefix(BEFORE))
    if option and option.is_path and isinstance(value, str):
        return os.path.normpath(value)
    return value


def _shown(value: object) -> str:
    return {True: "on", False: "off"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def add_options(parser: argparse.ArgumentParser, command: str, before: bool = False) -> None:
    """Add every option to the parser, shown in its help where `command` takes it. Options a command
    does not take are parsed too, so that merge() refuses them with one clear message wherever they stand."""
    groups: dict[str, argparse._ArgumentGroup] = {}
    titles = {"target": N_("target"), "mode": N_("mode"), "output": N_("output")}
    for option in OPTIONS:
        hidden = command not in option.takers
        group = groups.get(option.group) or groups.setdefault(
            option.group, parser.add_argument_group(_(titles[option.group])))
        extra = dict(option.extra)
        action = extra.pop("action", None)
        flags = list(option.flags)
        if action is not None:                     # a switch: store_true, or --x/--no-x
            extra["nargs"] = 0
        if action is argparse.BooleanOptionalAction:
            flags += [f"--no-{flag[2:]}" for flag in option.flags]
        group.add_argument(*flags, dest=BEFORE + option.dest if before else option.dest, action=_Once,
                           default=argparse.SUPPRESS, help=argparse.SUPPRESS if hidden else _(option.help), **extra)


def merge(namespace: argparse.Namespace) -> argparse.Namespace:
    """One value per option from the words before and after the command; every default filled in."""
    command = namespace.command or WIZARD
    given: set[str] = set()             # the dests the admin gave, on either side
    for option in OPTIONS:
        before = getattr(namespace, BEFORE + option.dest, _MISSING)
        after = getattr(namespace, option.dest, _MISSING)
        if hasattr(namespace, BEFORE + option.dest):
            delattr(namespace, BEFORE + option.dest)
        if before is not _MISSING and after is not _MISSING and \
                _comparable(option.dest, before) != _comparable(option.dest, after):
            raise OptionError(_("{option} is given twice with different values: {first} (before {command}) and "
                                "{second} (after it)", option=option.name, first=_shown(before),
                                command=command, second=_shown(after)))
        value = after if after is not _MISSING else before
        if value is not _MISSING:
            if command not in option.takers:
                raise OptionError(_not_taken(option, command))
            given.add(option.dest)
        setattr(namespace, option.dest, option.default if value is _MISSING else value)
    for dest in given:
        _check_value(BY_DEST[dest], getattr(namespace, dest))
    run_id = getattr(namespace, "run_id", None)
    if run_id is not None and not RUN_ID.fullmatch(run_id):
        raise OptionError(_("{value!r} is not a run id (see the runs in the state dir)", value=run_id))
    for dest, others in EXCLUSIVE:
        for other in others:
            if dest in given and other in given:
                raise OptionError(_("{first} and {second} cannot be used together: they name different targets",
                                    first=BY_DEST[dest].name, second=BY_DEST[other].name))
    for dest, needed in NEEDS:
        if dest in given and needed not in given:
            raise OptionError(_("{option} only applies with {needed}", option=BY_DEST[dest].name,
                                needed=BY_DEST[needed].name))
    return namespace


def _check_value(option: Option, value: object) -> None:
    """Values that would silently mean something else: '' (the current directory, or no host at all), a
    newline (the probe reads paths line by line), a host that ssh would read as an option."""
    if not isinstance(value, str):
        return
    if value.strip() == "":
        raise OptionError(_("{option} needs a value, not an empty string", option=option.name))
    if "\n" in value or "\r" in value:
        raise OptionError(_("{option}: a value with a line break is not supported: {value!r}",
                            option=option.name, value=value))
    if option.dest == "host" and value.startswith("-"):
        raise OptionError(_("--host {value!r} is not a host name (it starts with '-')", value=value))
    if option.dest == "host" and any(c.isspace() for c in value):
        raise OptionError(_("--host {value!r}: a host name has no spaces", value=value))


def _not_taken(option: Option, command: str) -> str:
    if option.dest == "dry_run" and command in ("check", "plan", "report", "probe-script"):
        return _("--dry-run does not apply to {command}: it never changes anything", command=command)
    if option.dest == "dry_run" and command == "verify":
        return _("--dry-run does not apply to verify: its test renewal is always a dry run (certbot renew --dry-run)")
    if command == WIZARD:
        example = next(c for c in COMMANDS if c in option.takers)
        return _("{option} needs a command (for example: acme-wizard {command} {option} …)", option=option.name,
                 command=example)
    return _("{option} does not apply to {command} (see acme-wizard {command} --help)", option=option.name,
             command=command)

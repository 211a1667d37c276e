"""The command line: `acme-wizard [COMMAND] [options]` (docs/CONTRACT.md).

A thin front end: it parses the arguments (wizard.arguments), runs the command's module
(wizard.commands.*) and turns every outcome into the documented exit code (wizard.core.errors).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Callable

from wizard import __version__
from wizard.arguments import COMMANDS, WIZARD, Parser, add_options, merge
from wizard.commands.terminal import refuse, silence_stdout
from wizard.core import textsafe
from wizard.core.errors import ExitCode, UsageError, WizardError
from wizard.i18n import N_, _, choose_language, set_language

# The module of each command, imported only when it runs: `check` need not load the apply and
# report machinery, nor `--help` any of it.
RUNNERS = {"check": "check", "plan": "plan", "apply": "apply", "verify": "verify", "rollback": "rollback",
           "report": "report", "probe-script": "probe_script", "fleet-report": "fleet_report",
           WIZARD: "interactive"}


def runner(command: str) -> Callable[[argparse.Namespace], ExitCode]:
    module = importlib.import_module(f"wizard.commands.{RUNNERS[command]}")
    run: Callable[[argparse.Namespace], ExitCode] = module.run
    return run

# argparse's own words, which it passes through gettext's _(): ours translates them too.
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("unrecognized arguments: %s"), N_("the following arguments are required: %s"),
    N_("argument %(argument_name)s: %(message)s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("expected one argument"), N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)
argparse._ = lambda message: _(message) if message in ARGPARSE_MESSAGES else message  # type: ignore[attr-defined]


DESCRIPTIONS = {
    "check": (N_("diagnose ACMEv1 use (read-only)"),
              N_("Diagnose ACMEv1 use on the target, read-only, with the file and line behind every claim.")),
    "plan": (N_("show the upgrade path for this server (read-only)"),
             N_("Show the ordered steps that would fix this server, with every command and diff. Nothing is "
                "changed.")),
    "apply": (N_("carry out the plan: backups, journal, stop on failure"),
              N_("Carry out the plan step by step: back up first, journal every step, stop at the first failure "
                 "(exit 4); a re-run resumes.")),
    "verify": (N_("prove renewals now use ACMEv2 (runs a test renewal)"),
               N_("Probe again, run 'certbot renew --dry-run' with the client the scheduler runs, and check that "
                  "no ACMEv1 pin remains.")),
    "rollback": (N_("restore what a run changed, byte for byte"),
                 N_("Restore every file a run backed up, move retired files back, and list what a backup cannot "
                    "undo.")),
    "report": (N_("the printable remediation report (md, html, txt, json)"),
               N_("Write the report: the assessment before any change, or the remediation record after apply and "
                  "verify.")),
    "fleet-report": (N_("one report for many hosts, from the bundles of a fleet run"),
                     N_("Analyse every host's probe output in a bundle directory (filled by the Ansible "
                        "collection's probe playbook, or by hand) and write one page: counts by verdict, then a "
                        "row a host, most urgent first. Hosts without a result have rows of their own.")),
    "probe-script": (N_("print the POSIX sh probe, for hosts the workstation can't reach"),
                     N_("Print the probe. Run it on the host as 'sh probe.sh / /etc/letsencrypt "
                        "/var/log/letsencrypt > out 2> err; cat err >> out', bring 'out' back and run "
                        "'acme-wizard check --from-bundle out'.")),
}
EPILOG = N_("Options may stand before or after the command and mean the same there. The command line, the JSON "
            "documents and the exit codes are described in docs/CONTRACT.md.")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="acme-wizard", allow_abbrev=False, epilog=_(EPILOG),
        description=_("Move servers off Let's Encrypt's retired ACMEv1 API: diagnose, plan, fix, prove."))
    parser.add_argument("--version", action="version", version=f"acme-wizard {__version__}",
                        help=_("show program's version number and exit"))
    add_options(parser, WIZARD, before=True)    # without a command: the interactive wizard
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        summary, description = DESCRIPTIONS[command]
        sub = commands.add_parser(command, help=_(summary), description=_(description), epilog=_(EPILOG),
                                  allow_abbrev=False)
        if command == "rollback":
            sub.add_argument("run_id", nargs="?", metavar="RUN_ID", help=_("the run (default: the newest)"))
        add_options(sub, command)
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse and merge (wizard.arguments): raises SystemExit from argparse, OptionError for contradictions."""
    return merge(build_parser().parse_args(argv))


def _language_from(argv: list[str]) -> str | None:
    for index, word in enumerate(argv):
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    language, notice = choose_language(_language_from(argv), os.environ, getattr(sys.stdout, "encoding", None))
    set_language(language)          # before the parser: its help text is translated too
    if notice:
        print(notice, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):     # \xNN for a name that is not UTF-8, ? for what a terminal cannot show
            stream.reconfigure(errors=textsafe.ERRORS)
    try:
        args = parse(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except UsageError as error:
        return refuse(error, ExitCode.USAGE)
    try:
        return runner(args.command or WIZARD)(args)
    except WizardError as error:
        return refuse(error, error.exit_code)
    except KeyboardInterrupt:
        print(_("acme-wizard: interrupted"), file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        silence_stdout()          # `acme-wizard plan | head`: the reader left
        return ExitCode.BROKEN_PIPE
    except OSError as error:
        # The last net under every command: a file the target would not let us read or write.
        print(_("acme-wizard: {path}: {reason}", path=error.filename or "?",
                reason=error.strerror or str(error)), file=sys.stderr)
        return ExitCode.TARGET
    except Exception as error:          # a bug: one clear line, the details only when asked for
        if os.environ.get("ACME_WIZARD_DEBUG") == "1":
            raise
        print(_("acme-wizard: internal error ({kind}: {detail}). Nothing more was done. Please report it; "
                "ACME_WIZARD_DEBUG=1 shows the details.", kind=type(error).__name__, detail=str(error)[:200]),
              file=sys.stderr)
        return ExitCode.INTERNAL

"""The command line: `acme-wizard [check|probe-script|…] [TARGET options]` (CONTRACT.md).

A thin front end: it parses arguments, builds a target, calls the core and renders the result.
Exit codes: 0 nothing to do, 1 action needed, 2 usage, 3 target not inspectable, 4 step
failed, 130 interrupted.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import stat
import sys
from contextlib import contextmanager

from wizard import __version__
from wizard.core import textsafe
from wizard.core.analyse.diagnose import diagnose
from wizard.core.analyse.document import check_document
from wizard.core.readers.email_notice import EmailError, read_email
from wizard.core.probe.run import probe_script, read_bundle, run_probe
from wizard.core.invocation import Invocation
from wizard.core.target.local import LocalTarget, TargetError
from wizard.i18n import N_, _, choose_language, set_language
from wizard.arguments import COMMANDS, WIZARD, OptionError, Parser, add_options, merge
from wizard.render.check import render_check

EXIT_OK, EXIT_ACTION, EXIT_USAGE, EXIT_TARGET, EXIT_STEP_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
MAX_BUNDLE = 1 << 30            # a probe's output is megabytes; /dev/zero is not one
EXIT_INTERNAL = 70              # EX_SOFTWARE: a bug in the wizard, never a verdict
EXIT_BROKEN_PIPE = 141         # 128 + SIGPIPE, as a shell reports a command whose reader went away

# argparse's own words, which it passes through gettext's _(): ours translates them too.
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("unrecognized arguments: %s"), N_("the following arguments are required: %s"),
    N_("argument %(argument_name)s: %(message)s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("expected one argument"), N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)
argparse._ = lambda message: _(message) if message in ARGPARSE_MESSAGES else message


class UsageError(Exception):
    """Bad options or arguments (exit code 2)."""


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
    "probe-script": (N_("print the POSIX sh probe, for hosts the workstation can't reach"),
                     N_("Print the probe. Run it on the host as 'sh probe.sh / /etc/letsencrypt "
                        "/var/log/letsencrypt > out', bring 'out' back and run 'acme-wizard check --from-bundle "
                        "out'.")),
}
EPILOG = N_("Options may stand before or after the command and mean the same there. The command line, the JSON "
            "documents and the exit codes are described in docs/CONTRACT.md.")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="acme-wizard", allow_abbrev=False, epilog=_(EPILOG),
        description=_("Move servers off Let's Encrypt's retired ACMEv1 API: diagnose, plan, fix, prove."))
    parser.add_argument("--version", action="version", version=f"acme-wizard {__version__}")
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


def invocation(args) -> Invocation:
    """The target as the admin named it, for the follow-up commands we print."""
    return Invocation(**{field.name: getattr(args, field.name) for field in dataclasses.fields(Invocation)})


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
    except OptionError as error:
        return refuse(error, EXIT_USAGE)
    try:
        if args.command == "check":
            return _check(args)
        if args.command in ("plan", "apply", "verify", "rollback", "report"):
            from wizard import remedy_cli
            return getattr(remedy_cli, args.command)(args, _target_from)
        if args.command == "probe-script":
            sys.stdout.buffer.write(probe_script())
            return EXIT_OK
        return _wizard(args)
    except UsageError as error:
        return refuse(error, EXIT_USAGE)
    except TargetError as error:
        return refuse(error, EXIT_TARGET)
    except KeyboardInterrupt:
        print(_("acme-wizard: interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence_stdout()          # `acme-wizard plan | head`: the reader left
        return EXIT_BROKEN_PIPE
    except OSError as error:
        # The last net under every command: a file the target would not let us read or write.
        print(_("acme-wizard: {path}: {reason}", path=error.filename or "?",
                reason=error.strerror or str(error)), file=sys.stderr)
        return EXIT_TARGET
    except Exception as error:          # a bug: one clear line, the details only when asked for
        if os.environ.get("ACME_WIZARD_DEBUG") == "1":
            raise
        print(_("acme-wizard: internal error ({kind}: {detail}). Nothing more was done. Please report it; "
                "ACME_WIZARD_DEBUG=1 shows the details.", kind=type(error).__name__, detail=str(error)[:200]),
              file=sys.stderr)
        return EXIT_INTERNAL


def refuse(reason, code: int) -> int:
    """Say why on one line of stderr; the exit code that goes with it."""
    print(f"acme-wizard: {reason}", file=sys.stderr)
    return code


def silence_stdout() -> None:
    """The reader of stdout went away: send what is left (and Python's flush at exit) nowhere."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def mouse_default(environ) -> bool:
    """Off over SSH: after a dropped connection, mouse tracking would leave the admin's terminal noisy."""
    return not (environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def _wizard(args) -> int:
    if not all(stream.isatty() for stream in (sys.stdin, sys.stdout, sys.stderr)):
        # Without a terminal Textual would write escape codes into a pipe or a log for ever (it draws
        # on stderr and reads stdin; stdout too, so `acme-wizard | cat` is refused).
        raise UsageError(_("the wizard needs a terminal; for plain output use 'acme-wizard check' (or plan, "
                           "report), and over SSH use 'ssh -t HOST acme-wizard'"))
    from wizard import remedy_cli
    from wizard.tui.app import run_tui
    from wizard.tui.session import Session
    answers = remedy_cli.read_answers(args)
    mouse = args.mouse if args.mouse is not None else mouse_default(os.environ)
    with _target_from(args) as (target, label):
        session = Session(target, label, preview=args.dry_run or args.demo, demo=args.demo,
                          state_dir=args.state_dir, answers=answers, invocation=invocation(args))
        return run_tui(session, mouse)


@contextmanager
def _target_from(args):
    if args.demo:
        from wizard.demo import demo_host
        with demo_host() as root:
            yield LocalTarget(root, demo=True), _("demo host (CentOS 6, certbot-auto 0.20.0)")
    elif getattr(args, "host", None):
        from wizard.core.target.ssh import SshTarget
        target = SshTarget(args.host, args.root, args.config_dir, args.logs_dir, args.ssh_config, args.legacy_ssh)
        try:
            _connect(target)
            yield target, target.describe()
        finally:
            target.close()
    else:
        target = LocalTarget(args.root, args.config_dir, args.logs_dir)
        yield target, target.describe()


def _connect(target) -> None:
    """Connect; when only old algorithms would work, offer them (or take them with --legacy-ssh)."""
    from wizard.core.target.ssh import SshError
    try:
        target.connect()
    except SshError as error:
        if not error.legacy_options or target.legacy or not sys.stdin.isatty():
            raise
        print(f"acme-wizard: {error}", file=sys.stderr)
        if input(_("Retry with these options? [y/N]: ")).strip().lower() not in ("y", "yes"):
            raise
        target.legacy = True
        target.connect()


def _check(args) -> int:
    email = _read_email(args.email) if args.email else None
    if args.from_bundle:
        snapshot, label, target = _bundle(args.from_bundle), _("bundle {path}", path=args.from_bundle), None
        diagnosis = diagnose(snapshot, email)
    else:
        with _target_from(args) as (target, label):
            if args.save_bundle:
                with _open_output(args.save_bundle, binary=True) as sink:
                    snapshot = run_probe(target, save_to=sink)
            else:
                snapshot = run_probe(target)
            diagnosis = diagnose(snapshot, email)
    if args.json:
        text = textsafe.json_text(check_document(diagnosis, target))
    else:
        colour = not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = render_check(diagnosis, label, colour, invocation(args))
    if args.output:
        with _open_output(args.output) as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_ACTION if diagnosis.action_needed else EXIT_OK


def _read_email(path: str):
    try:
        with open(path, "rb") as handle:
            data = handle.read(4 * 1024 * 1024)
    except OSError as error:
        raise UsageError(_("cannot read the email {path}: {reason}", path=path, reason=error.strerror)) from error
    try:
        return read_email(path, data)
    except EmailError as error:
        raise UsageError(_("{path} is not a Let's Encrypt ACMEv1 notice: {reason}", path=path,
                           reason=str(error))) from error


def _bundle(path: str):
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise TargetError(_("cannot read the bundle {path}: {reason}", path=path, reason=_("not a regular file")))
            if info.st_size > MAX_BUNDLE:
                raise TargetError(_("cannot read the bundle {path}: {reason}", path=path,
                                    reason=_("larger than {size} bytes", size=MAX_BUNDLE)))
            snapshot = read_bundle(handle)
    except OSError as error:
        raise TargetError(_("cannot read the bundle {path}: {reason}", path=path, reason=error.strerror)) from error
    if "root" not in snapshot.facts:
        raise TargetError(_("{path} is not a probe output (no probe header)", path=path))
    return snapshot


@contextmanager
def _open_output(path: str, binary: bool = False):
    try:
        handle = open(path, "wb") if binary else open(path, "w", encoding="utf-8", errors=textsafe.ERRORS)
    except OSError as error:
        raise UsageError(_("cannot write {path}: {reason}", path=path, reason=error.strerror)) from error
    with handle:
        yield handle

"""The command line: `acme-wizard [check|probe-script|…] [TARGET options]` (CONTRACT.md).

A thin front end: it parses arguments, builds a target, calls the core and renders the result.
Exit codes: 0 nothing to do, 1 action needed, 2 usage, 3 target not inspectable, 4 step
failed, 130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from contextlib import contextmanager

from wizard import __version__
from wizard.core.diagnose import diagnose
from wizard.core.check_json import check_document
from wizard.core.email_notice import EmailError, read_email
from wizard.core.probe import probe_script, read_bundle, run_probe
from wizard.core.runstate import DEFAULT_STATE_DIR
from wizard.core.target import DEFAULT_CONFIG_DIR, DEFAULT_LOGS_DIR, LocalTarget, TargetError
from wizard.i18n import N_, _, choose_language, set_language
from wizard.textview import render_check

EXIT_OK, EXIT_ACTION, EXIT_USAGE, EXIT_TARGET, EXIT_STEP_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130

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


def _target_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(_("target"))
    group.add_argument("--root", default="/", metavar="DIR",
                       help=_("the target's filesystem root (default /): a copied tree, a fixture, an image"))
    group.add_argument("--config-dir", default=DEFAULT_CONFIG_DIR, metavar="DIR",
                       help=_("certbot's config dir on the target (default %(default)s)"))
    group.add_argument("--logs-dir", default=DEFAULT_LOGS_DIR, metavar="DIR",
                       help=_("certbot's logs dir on the target (default %(default)s)"))
    group.add_argument("--host", metavar="[USER@]HOST[:PORT]",
                       help=_("a remote target over the system ssh client (nothing is installed there); "
                              "--root then names a tree on that host"))
    group.add_argument("--ssh-config", metavar="FILE", help=_("an ssh_config file for that client (ssh -F)"))
    group.add_argument("--legacy-ssh", action="store_true",
                       help=_("allow the old ssh-rsa/SHA-1 algorithms that CentOS 6 era servers need"))
    group.add_argument("--demo", action="store_true",
                       help=_("use the bundled sample legacy host (CentOS 6, certbot-auto 0.20.0)"))


def _answers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", metavar="FILE",
                        help=_("the admin's choices as JSON: {{\"client\": \"snap|os-package|pip|keep|"
                               "rh-python36|acme.sh|move-host\", \"staging_lineages\": \"move|delete|keep\", "
                               "\"retire_certbot_auto\": true}}"))


def _state_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-dir", default=DEFAULT_STATE_DIR, metavar="DIR",
                        help=_("where runs (backups, journal) live on the target (default %(default)s)"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="acme-wizard",
        description=_("Move servers off Let's Encrypt's retired ACMEv1 API: diagnose, plan, fix, prove."))
    parser.add_argument("--version", action="version", version=f"acme-wizard {__version__}")
    # Without a command: the interactive wizard, with these options.
    _target_options(parser)
    _answers_option(parser)
    _state_option(parser)
    parser.add_argument("--dry-run", action="store_true", help=_("start in preview: nothing is executed or written"))
    parser.add_argument("--mouse", action=argparse.BooleanOptionalAction, default=None,
                        help=_("mouse support (default: off over SSH, on otherwise)"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help=_("diagnose ACMEv1 use (read-only)"),
                                description=_("Diagnose ACMEv1 use on the target, read-only, with the "
                                              "file and line behind every claim."))
    _target_options(check)
    check.add_argument("--email", metavar="FILE",
                       help=_("Let's Encrypt's 'Update your client software' email, as saved"))
    check.add_argument("--json", action="store_true", help=_("print the JSON document (CONTRACT.md)"))
    check.add_argument("-o", "--output", metavar="FILE", help=_("write the result to FILE instead of stdout"))
    check.add_argument("--from-bundle", metavar="FILE",
                       help=_("analyse a saved probe output (see probe-script) instead of a live target"))
    check.add_argument("--save-bundle", metavar="FILE", help=_("also save the raw probe output to FILE"))

    plan = commands.add_parser("plan", help=_("show the upgrade path for this server (read-only)"),
                               description=_("Show the ordered steps that would fix this server, with every "
                                             "command and diff. Nothing is changed."))
    _target_options(plan)
    _answers_option(plan)
    plan.add_argument("--json", action="store_true", help=_("print the plan as JSON (CONTRACT.md)"))

    apply = commands.add_parser("apply", help=_("carry out the plan: backups, journal, stop on failure"),
                                description=_("Carry out the plan step by step: back up first, journal every "
                                              "step, stop at the first failure (exit 4); a re-run resumes."))
    _target_options(apply)
    _answers_option(apply)
    _state_option(apply)
    apply.add_argument("--dry-run", action="store_true",
                       help=_("preview: print every step, command and diff; run and write nothing"))
    apply.add_argument("--yes", action="store_true", help=_("do not ask before each step"))

    verify = commands.add_parser("verify", help=_("prove renewals now use ACMEv2 (runs a test renewal)"),
                                 description=_("Probe again, run 'certbot renew --dry-run' with the client the "
                                               "scheduler runs, and check that no ACMEv1 pin remains."))
    _target_options(verify)
    _state_option(verify)
    verify.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    verify.add_argument("--real-renewal", metavar="CERT_NAME",
                        help=_("renew this one certificate for real to prove the production endpoint "
                               "(counts against Let's Encrypt's rate limits)"))

    rollback = commands.add_parser("rollback", help=_("restore what a run changed, byte for byte"),
                                   description=_("Restore every file a run backed up, move retired files "
                                                 "back, and list what a backup cannot undo."))
    _target_options(rollback)
    _state_option(rollback)
    rollback.add_argument("run_id", nargs="?", metavar="RUN_ID", help=_("the run (default: the newest)"))
    rollback.add_argument("--dry-run", action="store_true", help=_("show what would be restored; change nothing"))
    rollback.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    report = commands.add_parser("report", help=_("the printable remediation report (md, html, txt, json)"),
                                 description=_("Write the report: the assessment before any change, or the "
                                               "remediation record after apply and verify."))
    _target_options(report)
    _answers_option(report)
    _state_option(report)
    report.add_argument("--format", choices=["md", "html", "txt", "json"], default="md",
                        help=_("md (default), html (print-ready), txt (80 columns) or json"))
    report.add_argument("-o", "--output", metavar="FILE", help=_("write the report to FILE instead of stdout"))
    report.add_argument("--redact", action="store_true",
                        help=_("mask hostnames, IP and e-mail addresses (consistently) for sharing"))
    report.add_argument("--email", metavar="FILE", help=_("Let's Encrypt's ACMEv1 warning email, as saved"))
    report.add_argument("--from-bundle", metavar="FILE", help=_("report on a saved probe output"))

    commands.add_parser("probe-script", help=_("print the POSIX sh probe, for hosts the workstation can't reach"),
                        description=_("Print the probe. Run it on the host as "
                                      "'sh probe.sh / /etc/letsencrypt /var/log/letsencrypt > out', bring "
                                      "'out' back and run 'acme-wizard check --from-bundle out'."))
    for sub in [parser, *commands.choices.values()]:
        sub.add_argument("--lang", choices=["en", "ja"],
                         help=_("language of the output (default: from LC_ALL, LC_MESSAGES or LANG)"))
    return parser


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
        if "utf" not in (getattr(stream, "encoding", "") or "").lower() and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")      # a non-UTF-8 terminal: ? for what it cannot show
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
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
        print(f"acme-wizard: {error}", file=sys.stderr)
        return EXIT_USAGE
    except TargetError as error:
        print(f"acme-wizard: {error}", file=sys.stderr)
        return EXIT_TARGET
    except KeyboardInterrupt:
        print(_("acme-wizard: interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED


def mouse_default(environ) -> bool:
    """Off over SSH: after a dropped connection, mouse tracking would leave the admin's terminal noisy."""
    return not (environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def _wizard(args) -> int:
    from wizard import remedy_cli
    from wizard.tui.app import run_tui
    from wizard.tui.session import Session
    answers = remedy_cli.read_answers(args)
    mouse = args.mouse if args.mouse is not None else mouse_default(os.environ)
    with _target_from(args) as (target, label):
        session = Session(target, label, preview=args.dry_run or args.demo, demo=args.demo,
                          state_dir=args.state_dir, answers=answers)
        return run_tui(session, mouse)


@contextmanager
def _target_from(args):
    if args.demo:
        from wizard.demo import build_demo_host
        root = build_demo_host()
        try:
            yield LocalTarget(root), _("demo host (CentOS 6, certbot-auto 0.20.0)")
        finally:
            shutil.rmtree(root, ignore_errors=True)
    elif getattr(args, "host", None):
        from wizard.core.ssh_target import SshTarget
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
    from wizard.core.ssh_target import SshError
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
        text = json.dumps(check_document(diagnosis, target), indent=2, ensure_ascii=False) + "\n"
    else:
        colour = not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = render_check(diagnosis, label, colour)
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
            snapshot = read_bundle(handle)
    except OSError as error:
        raise TargetError(_("cannot read the bundle {path}: {reason}", path=path, reason=error.strerror)) from error
    if "root" not in snapshot.facts:
        raise TargetError(_("{path} is not a probe output (no probe header)", path=path))
    return snapshot


@contextmanager
def _open_output(path: str, binary: bool = False):
    try:
        handle = open(path, "wb" if binary else "w", encoding=None if binary else "utf-8")
    except OSError as error:
        raise UsageError(_("cannot write {path}: {reason}", path=path, reason=error.strerror)) from error
    with handle:
        yield handle

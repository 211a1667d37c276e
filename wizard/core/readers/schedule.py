"""What runs the renewals: cron tables, cron.{hourly,daily,…} scripts and systemd timers.

Every scheduled command line that calls an ACME client becomes a `ScheduledRun`, with the
program it calls (resolved to an install when possible), the `--server` and `--config` values
on the line, and the file and line it came from. A wrapper script named on a cron line is
followed one step (the probe brought back its text).
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from wizard.core.evidence import Evidence
from wizard.core.probe.snapshot import Snapshot
from wizard.core.readers.clients import Install, find_install
from wizard.core.shellwords import shell_words

CLIENT_NAMES = {"certbot", "letsencrypt", "certbot-auto", "letsencrypt-auto", "acme.sh", "dehydrated", "lego"}
# Subcommands, so that an option's value is never taken for one (`certbot --config-dir /x renew`):
# certbot's VERBS (certbot/_internal/cli, `self.VERBS`) and lego's commands (`lego --help`).
VERBS = {"certbot": {"auth", "certonly", "config_changes", "run", "everything", "install", "plugins", "register",
                     "update_account", "unregister", "renew", "revoke", "rollback", "update_symlinks", "certificates",
                     "delete", "enhance", "show_account", "reconfigure"},
         "lego": {"run", "renew", "revoke", "list", "dnshelp"}}
CERTBOT_NAMES = {"certbot", "letsencrypt", "certbot-auto", "letsencrypt-auto"}
KIND_BY_NAME = {**dict.fromkeys(CERTBOT_NAMES, "certbot"), "acme.sh": "acme.sh", "dehydrated": "dehydrated",
                "letsencrypt.sh": "dehydrated", "lego": "lego"}
# certbot options that take a value as the next word: that word is never the verb
# (`certbot -q --cert-name run renew` renews)
CERTBOT_VALUE_OPTIONS = {"-c", "--config", "--config-dir", "--work-dir", "--logs-dir", "--server", "-d", "--domains",
                         "--domain", "--cert-name", "-m", "--email", "-a", "--authenticator", "-i", "--installer",
                         "-w", "--webroot-path", "--pre-hook", "--post-hook", "--deploy-hook", "--renew-hook",
                         "--preferred-challenges", "--key-type", "--rsa-key-size", "--elliptic-curve",
                         "--max-log-backups", "--http-01-port", "--http-01-address", "--https-port",
                         "--preferred-chain", "--user-agent", "--csr", "--cert-path", "--key-path", "--chain-path",
                         "--fullchain-path", "--manual-auth-hook", "--manual-cleanup-hook", "--issuance-timeout"}
# lego parses flags the Go way: -s URL, -s=URL, --s URL, -server URL, --server=URL are all the server
LEGO_SERVER_OPTIONS = ("--server", "-server", "-s", "--s")
CRON_DEFAULT_PATH = "/usr/bin:/bin"
SYSTEMD_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_CRON_TIME = re.compile(r"^(@\w+|(\S+\s+){4}\S+)\s+")
_WRAPPERS = {"sudo", "nice", "ionice", "env", "timeout", "flock", "chronic", "exec", "nohup", "-u", "root"}


@dataclass
class ScheduledRun:
    source: str
    line: int
    command: str                 # the whole command part of the line
    kind: str                    # cron, cron-script, systemd, script
    program: str                 # as written, or resolved through PATH
    arguments: list[str]
    user: str | None = None
    install: Install | None = None
    via: Evidence | None = None  # the cron line that ran the wrapper script this came from
    systemd_active: bool | None = None   # a timer: enabled? (None: not a timer)
    fallback_only: bool = False  # Debian's cron line that stands down when systemd runs

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.source, self.line, self.command)

    @property
    def client_kind(self) -> str:
        """Whose line this is: the install it runs, or else the program's name (a lego the probe did not
        find is still lego's: its schedule is never handed to certbot)."""
        if self.install is not None:
            return self.install.kind
        return KIND_BY_NAME.get(posixpath.basename(self.program), "certbot")

    def program_gone(self, snapshot: Snapshot) -> bool:
        """The program this line names by its path is not on the target (and no install explains it)."""
        return self.program.startswith("/") and not snapshot.exists(self.program) \
            and (self.install is None or not self.install.present)

    @property
    def server_options(self) -> tuple[str, ...]:
        """The options that name the ACME server on this program's command line."""
        if self.client_kind == "dehydrated":
            return ("--server", "--ca")
        return LEGO_SERVER_OPTIONS if self.client_kind == "lego" else ("--server",)

    @property
    def servers(self) -> list[str]:
        return option_values(self.arguments, self.server_options, go_style=self.client_kind == "lego")

    @property
    def config_files(self) -> list[str]:
        return option_values(self.arguments, ("--config", "-c"))

    @property
    def verb(self) -> str | None:
        known = VERBS.get(self.client_kind)
        if known is None:
            return next((a for a in self.arguments if not a.startswith("-")), None)
        takes_value = CERTBOT_VALUE_OPTIONS if self.client_kind == "certbot" else set()
        previous = ""
        for word in self.arguments:
            if word in known and previous not in takes_value:
                return word
            previous = word
        return None


@dataclass
class Schedules:
    runs: list[ScheduledRun] = field(default_factory=list)

    def renewing(self) -> list[ScheduledRun]:
        """The entries that really renew: not a disabled timer, not Debian's stand-down cron."""
        active = [r for r in self.runs if r.systemd_active is not False]
        has_timer = any(r.kind == "systemd" and r.systemd_active for r in active)
        return [r for r in active if not (r.fallback_only and has_timer)]


    def renewing_certbot(self) -> list[ScheduledRun]:
        """The renewing entries that run certbot (not acme.sh, dehydrated or lego)."""
        return [r for r in self.renewing() if r.client_kind == "certbot"]

    def competing(self) -> list[list[ScheduledRun]]:
        """Groups of two or more scheduled `renew` runs over the same config dir: they race for
        certbot's lock and renew twice (facts §9: exactly one scheduler, never none, never two)."""
        groups: dict[str, list[ScheduledRun]] = {}
        for run in self.renewing_certbot():
            if run.verb == "renew":
                config_dir = (option_values(run.arguments, ("--config-dir",)) or ["/etc/letsencrypt"])[-1]
                groups.setdefault(config_dir.rstrip("/"), []).append(run)
        return [runs for runs in groups.values() if len(runs) > 1]


def find_schedules(snapshot: Snapshot, installs: list[Install]) -> Schedules:
    schedules = Schedules()
    for path in _crontab_paths(snapshot):
        with_user = path == "/etc/crontab" or path.startswith("/etc/cron.d/")
        spool_user = None if with_user else posixpath.basename(path)
        _cron_table(snapshot, path, with_user, spool_user, schedules, installs)
    for path in sorted(snapshot.files):
        if re.match(r"^/etc/cron\.(hourly|daily|weekly|monthly)/", path):
            _script(snapshot, path, "cron-script", None, schedules, installs, CRON_DEFAULT_PATH)
    _systemd(snapshot, schedules, installs)
    return schedules


def _crontab_paths(snapshot: Snapshot) -> list[str]:
    paths = []
    for path in sorted(snapshot.files):
        if path == "/etc/crontab" or re.match(r"^/(etc/cron\.d|var/spool/cron(/crontabs)?)/[^/]+$", path):
            paths.append(path)
    return paths


def _cron_table(snapshot: Snapshot, path: str, with_user: bool, spool_user: str | None, schedules: Schedules,
                installs: list[Install]) -> None:
    text_file = snapshot.file(path)
    if text_file is None:
        return
    search_path = CRON_DEFAULT_PATH
    for number, raw in text_file.numbered():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if _ENV.match(line) and not _CRON_TIME.match(line):
            name, _, value = line.partition("=")
            if name.strip() == "PATH":
                search_path = value.strip().strip("\"'")
            continue
        timing = _CRON_TIME.match(line)
        if not timing:
            continue
        command = line[timing.end():]
        user = spool_user
        if with_user:
            user, _, command = command.partition(" ")
            command = command.strip()
        via = Evidence(path, number, raw.strip())
        for program, arguments in _client_calls(command, snapshot, search_path):
            schedules.runs.append(_run(snapshot, installs, path, number, command, "cron", program,
                                       arguments, user, fallback_only="/run/systemd/system" in command))
        for script in _scripts_run(command, snapshot):
            _script(snapshot, script, "script", via, schedules, installs, search_path)


def _script(snapshot: Snapshot, path: str, kind: str, via: Evidence | None, schedules: Schedules,
            installs: list[Install], search_path: str) -> None:
    text_file = snapshot.file(path)
    if text_file is None:
        return
    for number, raw in text_file.numbered():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for program, arguments in _client_calls(line, snapshot, search_path):
            run = _run(snapshot, installs, path, number, line, kind, program, arguments, None)
            run.via = via
            schedules.runs.append(run)


def _systemd(snapshot: Snapshot, schedules: Schedules, installs: list[Install]) -> None:
    enabled = {posixpath.basename(p) for p in snapshot.entries
               if "/timers.target.wants/" in p and p.endswith(".timer")}
    seen_units: set[str] = set()
    for directory in SYSTEMD_DIRS:
        for path in sorted(snapshot.files):
            if not (path.startswith(directory + "/") and path.endswith(".service")):
                continue
            unit = posixpath.basename(path)
            if unit in seen_units:          # /etc overrides /lib and /usr/lib
                continue
            seen_units.add(unit)
            timer = unit[: -len(".service")] + ".timer"
            has_timer = any(snapshot.exists(f"{d}/{timer}") for d in SYSTEMD_DIRS)
            text_file = snapshot.file(path)
            for number, raw in (text_file.numbered() if text_file else []):
                key, _, value = raw.partition("=")
                if key.strip() != "ExecStart":
                    continue
                command = value.strip().lstrip("-@:+!")
                for program, arguments in _client_calls(command, snapshot, "/usr/bin:/bin"):
                    run = _run(snapshot, installs, path, number, command, "systemd", program, arguments, "root")
                    run.systemd_active = (timer in enabled) if has_timer else False
                    schedules.runs.append(run)


def _run(snapshot: Snapshot, installs: list[Install], source: str, number: int, command: str, kind: str,
         program: str, arguments: list[str], user: str | None, fallback_only: bool = False) -> ScheduledRun:
    run = ScheduledRun(source, number, command, kind, program, arguments, user, fallback_only=fallback_only)
    run.install = find_install(installs, program, snapshot) if program.startswith("/") else None
    named = KIND_BY_NAME.get(posixpath.basename(program))
    if program.startswith("/"):           # a link named lego that leads to certbot-auto is certbot-auto
        named = KIND_BY_NAME.get(posixpath.basename(snapshot.resolve(program))) or named
    if run.install is not None and named not in (None, "certbot") and run.install.kind != named:
        # a dehydrated inside certbot's venv folder, a lego snap behind the same /usr/bin/snap as the
        # certbot snap: the program's own name says whose line this is
        run.install = next((i for i in installs if i.kind == named and program in i.paths), None)
    if run.install is None and named == "lego":
        # lego outside the probed places (~/go/bin/lego): known from its line, version unknown
        run.install = Install("lego", "unknown", program, present=snapshot.exists(program))
        run.install.evidence.append(run.evidence)
        installs.append(run.install)
    return run


def split_words(command: str) -> list[str]:
    """The shell words of a command line (wizard.core.shellwords: the same reading the edits use)."""
    return [word.value for word in shell_words(command)]


def _client_calls(command: str, snapshot: Snapshot, search_path: str) -> Iterator[tuple[str, list[str]]]:
    """(program, arguments) for every ACME client call in a shell command line."""
    simple: list[str] = []
    for word in split_words(command) + [";"]:
        if not (word and set(word) <= set(";&|()")):
            simple.append(word)
            continue
        inner = _shell_c(simple)
        if inner is not None:
            yield from _client_calls(inner, snapshot, search_path)
        else:
            call = _client_in(simple)
            if call:
                yield _resolve_program(call[0], snapshot, search_path), call[1]
        simple = []


def _shell_c(words: list[str]) -> str | None:
    """The command string of `sh -c '…'` / `bash -c '…'`, if that is what this is."""
    for index, word in enumerate(words[:-2]):
        if posixpath.basename(word) in ("sh", "bash") and words[index + 1] == "-c":
            return words[index + 2]
    return None


def _client_in(words: list[str]) -> tuple[str, list[str]] | None:
    for index, word in enumerate(words):
        name = posixpath.basename(word)
        if name == "snap" and "run" in words and any(w.startswith("certbot.renew") for w in words):
            return "/snap/bin/certbot", ["renew"]        # snapd's unit for the certbot snap's timer
        if name in CLIENT_NAMES or re.search(r"/(venv|letsencrypt)/bin/(letsencrypt|certbot)$", word):
            return word, words[index + 1:]
        if not (_ENV.match(word) or name in _WRAPPERS or word.startswith("-")):
            return None
    return None


def _resolve_program(program: str, snapshot: Snapshot, search_path: str) -> str:
    if program.startswith("/"):
        return program
    for directory in search_path.split(":"):
        candidate = posixpath.join(directory or "/", program)
        if snapshot.exists(candidate):
            return candidate
    return program


def _scripts_run(command: str, snapshot: Snapshot) -> list[str]:
    found = []
    for word in split_words(command):
        if word.startswith("/") and snapshot.file(word) is not None and posixpath.basename(word) not in CLIENT_NAMES:
            found.append(word)
    return found


def option_values(arguments: list[str], names: tuple[str, ...], go_style: bool = False) -> list[str]:
    """The values of an option in an argv list: `--server URL` and `--server=URL` (and, for a Go
    program, `-s=URL` too)."""
    values = []
    for index, word in enumerate(arguments):
        for name in names:
            if word == name and index + 1 < len(arguments):
                values.append(arguments[index + 1])
            elif (go_style or name.startswith("--")) and word.startswith(name + "="):
                values.append(word[len(name) + 1:])
    return values

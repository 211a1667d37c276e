"""How a planned edit rewrites one line: a URL swapped, a --server option dropped, a cron line
moved to the new client. Each reads the line with the shell words that detected the pin, so
every other byte is kept."""
from __future__ import annotations

import posixpath
import re

from wizard.core.endpoints import V1_STAGING_URL, V1_URL, classify_url
from wizard.core.readers.schedule import ScheduledRun, split_words
from wizard.core.shellwords import rewrite, shell_words

AUTO_ONLY_FLAGS = {"--no-self-upgrade", "--no-bootstrap", "--os-packages-only", "--non-interactive-bootstrap"}


def replace_url(line: str, url: str) -> str:
    for old in (V1_URL, V1_STAGING_URL):
        if old in line:
            return line.replace(old, url)
    key, _sep, _value = line.partition("=")
    return f"{key.rstrip()} = {url}"


def drop_server_option(line: str, names: tuple[str, ...] = ("--server",)) -> str:
    """The line without its v1 `--server URL` / `--server=URL` (quoted or not, any blanks), read
    with the same shell words that detected the pin; every other byte is kept."""
    words = shell_words(line)
    changes: list[tuple[int, int, str | None]] = []
    for index, word in enumerate(words):
        if word.value in names and index + 1 < len(words) \
                and classify_url(words[index + 1].value) in ("v1", "v1-staging"):
            changes.append((word.start, words[index + 1].end, None))
        elif any(word.value.startswith(name + "=") and classify_url(word.value.split("=", 1)[1]) in ("v1", "v1-staging")
                 for name in names):
            changes.append((word.start, word.end, None))
    return rewrite(line, changes)


def move_line(line: str, run: ScheduledRun, client: str, command: str | None = None) -> str:
    """The cron line with the old program replaced by the new client, certbot-auto-only flags dropped.
    Where the program is run, `command` (the client with what must come before it, an SCL runner)
    takes its place; where it is only an operand (`test -x PROGRAM`), the client's path does."""
    program_names = {run.program, posixpath.basename(run.program)}
    raw_program = next((w for w in split_words(run.command) if w == run.program or posixpath.basename(w) ==
                        posixpath.basename(run.program)), run.program)
    program_names.add(raw_program)
    changes: list[tuple[int, int, str | None]] = []
    previous = ""
    for word in shell_words(line):
        if word.value in program_names:
            operand = previous in TEST_WORDS or (previous.startswith("-") and len(previous) == 2)
            changes.append((word.start, word.end, client if operand or command is None else command))
        elif word.value in AUTO_ONLY_FLAGS:
            changes.append((word.start, word.end, None))
        previous = word.value
    return rewrite(line, changes)


# What a plain scheduled renewal says; anything else on the line (hooks, --config-dir, …) is the
# admin's and must keep running.
PLAIN_RENEWAL_WORDS = {"renew", "-q", "--quiet", "-n", "--non-interactive", "--noninteractive",
                       "--no-random-sleep-on-renew", *AUTO_ONLY_FLAGS}


def move_unit_line(line: str, run: ScheduledRun, client: str, command: str) -> str:
    """A unit's `ExecStart=[-@:+!]PROGRAM …` moved to the new client, as move_line moves a cron line.
    ExecStart wants an absolute program, so a runner's `env` is named by its path."""
    key, equals, value = line.partition("=")
    prefixes = value[:len(value) - len(value.lstrip("-@:+!"))]
    absolute = "/usr/bin/" + command if command.startswith("env ") else command
    return key + equals + prefixes + move_line(value[len(prefixes):], run, client, absolute)


TEST_WORDS = {"test", "["}
_FD_DUP = re.compile(r"(?:\d|&)?[<>]{1,2}&\d+")
_TO_FILE = re.compile(r"(?:\d|&)?[<>]{1,2}\s*[^\s;&|]+")
SEPARATORS = {";", "&&", "||", "|", "&"}
# What else a plain renewal line may do around the client: wait a random while, check it exists.
JITTER_OR_GUARD = {"sleep", "test", "[", "true", ":", "perl", "python", "python2", "python3"}


def _commands(command: str) -> list[list[str]]:
    """The simple commands of a line, as words; where output goes is not part of any of them."""
    commands: list[list[str]] = [[]]
    for word in shell_words(_TO_FILE.sub(" ", _FD_DUP.sub(" ", command))):
        if word.value in SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(word.value)
    return [c for c in commands if c]


def _is_jitter_or_guard(words: list[str]) -> bool:
    first = posixpath.basename(words[0])
    return first in JITTER_OR_GUARD and (not first.startswith(("perl", "python")) or "sleep" in " ".join(words))


def is_plain_renewal(run: ScheduledRun) -> bool:
    """`renew` with quiet/non-interactive flags only, and nothing else on the line but a random
    sleep or an existence test (commenting it out then loses nothing); redirections do not count."""
    names = {run.program, posixpath.basename(run.program)}
    for words in _commands(run.command):
        calls = [i for i, w in enumerate(words) if w in names or posixpath.basename(w) in names]
        if calls and not (set(words[:calls[0]]) & TEST_WORDS):          # the client runs here
            arguments = words[calls[0] + 1:]
            if "renew" not in arguments or not all(a in PLAIN_RENEWAL_WORDS for a in arguments):
                return False
        elif not _is_jitter_or_guard(words):
            return False
    return run.verb == "renew"


def retire_line(line: str, replaced_by: str) -> str:
    """The scheduled line commented out, saying what renews instead (two schedulers race)."""
    return f"# {line}   # acme-wizard: {replaced_by} renews now"

"""The probe's output as plain data.

`read_snapshot` turns the probe's record stream (see probe.sh) into a `Snapshot`. Log lines are
not kept: they are folded into runs as they stream past (see logs.py), so memory stays bounded
however large the logs are. The raw probe output is also the offline bundle: parsing a saved
copy gives the same snapshot as a live run.
"""
from __future__ import annotations

import datetime
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from wizard.core import defaults
from wizard.core.probe import gzip_batch
from wizard.core.probe.logs import LogEvidence, LogScanner
from wizard.i18n import N_

PROBE_FORMAT = "1"

# Reasons as the probe writes them -> the words shown to the admin (translated at render time).
PROBLEM_REASONS = {
    "symlink-loop": N_("symbolic link loop"),
    "symlink-broken-or-loop": N_("broken symbolic link or link loop"),
    "is-a-directory": N_("is a directory, not a file"),
    "not-a-regular-file": N_("not a regular file"),
    "permission-denied": N_("permission denied"),
    "unlistable-directory": N_("directory cannot be listed (permission denied)"),
    "too-large": N_("too large to read whole (over 1 MiB)"),
    "missing-root": N_("no such directory"),
    "not-a-directory": N_("not a directory"),
    "bad-gzip": N_("corrupt or truncated gzip file"),
    "no-gzip": N_("gzip is not installed on the target, so compressed logs were not read"),
    "binary": N_("binary content, not text"),
    "probe-incomplete": N_("the probe stopped before it finished"),
    "key-material": N_("private key material: never read"),
    "name-with-newline": N_("a file name with a line break (shown with '?'): not read"),
    "log-cut": N_("more than the probe reads of one log: only the first part was scanned"),
}


@dataclass
class Problem:
    path: str
    reason: str          # a key of PROBLEM_REASONS, or free text from the shell

    @property
    def message(self) -> str:
        return PROBLEM_REASONS.get(self.reason, self.reason)


@dataclass
class FileText:
    path: str
    size: int = 0
    mtime: int = 0
    lines: dict[int, str] = field(default_factory=dict)
    binary: bool = False

    def numbered(self) -> list[tuple[int, str]]:
        return sorted(self.lines.items())

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.numbered())


@dataclass
class Snapshot:
    facts: dict[str, str] = field(default_factory=dict)
    looked: list[str] = field(default_factory=list)
    entries: dict[str, str] = field(default_factory=dict)      # path -> f, d, l, o
    links: dict[str, str] = field(default_factory=dict)        # path -> link target as stored
    files: dict[str, FileText] = field(default_factory=dict)
    programs: dict[str, FileText] = field(default_factory=dict)  # #! and version lines only
    commands: dict[str, list[str]] = field(default_factory=dict)  # '!rpm' -> output lines
    problems: list[Problem] = field(default_factory=list)
    logs: LogEvidence = field(default_factory=LogEvidence)
    complete: bool = False

    @property
    def root(self) -> str:
        return self.facts.get("root", "/")

    @property
    def config_dir(self) -> str:
        return self.facts.get("config_dir", defaults.CONFIG_DIR)

    @property
    def logs_dir(self) -> str:
        return self.facts.get("logs_dir", defaults.LOGS_DIR)

    def file(self, path: str) -> FileText | None:
        found = self.files.get(path)
        return found if found is not None and not found.binary else None

    def exists(self, path: str) -> bool:
        return path in self.entries or path in self.files or path in self.programs

    def has_under(self, directory: str) -> bool:
        """True when the probe saw the directory or anything below it."""
        prefix = directory.rstrip("/") + "/"
        return self.exists(directory) or any(p.startswith(prefix) for p in (*self.entries, *self.files))

    def children(self, directory: str) -> list[str]:
        prefix = directory.rstrip("/") + "/"
        names = set(self.entries) | set(self.files)
        return sorted(p for p in names if p.startswith(prefix) and "/" not in p[len(prefix):])

    def resolve(self, path: str, limit: int = 40) -> str:
        """Follow the symlinks the probe recorded (last component only), as the target would."""
        for _ in range(limit):
            target = self.links.get(path)
            if target is None:
                return path
            path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        return path


class SnapshotReader:
    """Feed it the probe's stdout lines as they arrive, then finish() with its stderr."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()
        self._prefix = ""                  # the ROOT prefix the probe used; stripped from paths
        self._scanner: LogScanner | None = None
        self._logs_prefix = "\0"
        self._outputs: set[str] = set()     # files scheduled jobs write their output to (O records)
        self._problems_seen: set[tuple[str, str]] = set()
        self._gzip = gzip_batch.GzipBatch(self._feed_batched, lambda path, reason: self._record(["X", reason, path]))

    def _strip(self, path: str) -> str:
        if self._prefix and path.startswith(self._prefix):
            path = path[len(self._prefix):] or "/"
        return path

    def _record(self, fields: list[str]) -> None:
        snap, tag = self.snapshot, fields[0]
        if tag == "P" and len(fields) >= 2 and fields[1] != PROBE_FORMAT:
            snap.problems.append(Problem("", f"probe output format {fields[1]} is not {PROBE_FORMAT}: "
                                             "use the probe-script of this acme-wizard version"))
        elif tag == "H" and len(fields) >= 3:
            key, value = fields[1], "\t".join(fields[2:])
            snap.facts[key] = value
            if key == "root":
                self._prefix = "" if value == "/" else value.rstrip("/")
            elif key == "logs_dir":
                self._logs_prefix = value.rstrip("/") + "/letsencrypt.log"
                self._scanner = LogScanner(value)
            elif key == "end":
                snap.complete = True
            elif key == "gz_end":         # a gzip pass begins (another after gzip stopped at a corrupt log)
                self._gzip.begin(value)
        elif tag == "O" and len(fields) >= 2:
            self._outputs.add(self._strip(fields[-1]))
        elif tag == "W" and len(fields) >= 2:
            snap.looked.append(fields[-1])
        elif tag == "E" and len(fields) >= 3:
            snap.entries[self._strip(fields[-1])] = fields[1]
        elif tag == "L" and len(fields) >= 3:
            snap.links[self._strip(fields[-1])] = fields[1]
        elif tag == "S" and len(fields) >= 4:
            path = self._strip(fields[-1])
            if path in self._outputs and self._scanner is not None:
                self._scanner.add_output(path, _int(fields[2]), snap.facts.get("utc_offset", ""),
                                         _epoch(snap.facts.get("date", "")))
            elif path.startswith(self._logs_prefix) and self._scanner is not None:
                self._scanner.add_file(path, _int(fields[1]), _int(fields[2]))
            else:
                known = snap.files.setdefault(path, FileText(path))
                known.size, known.mtime = _int(fields[1]), _int(fields[2])
        elif tag == "G" and len(fields) >= 2:
            self._gzip.add("\t".join(fields[1:]))
        elif tag == "B" and len(fields) >= 2:
            path = self._strip(fields[-1])
            snap.programs.setdefault(path, FileText(path))
        elif tag == "X" and len(fields) >= 3:
            seen = (self._strip(fields[-1]), fields[1])
            if seen not in self._problems_seen:      # a place met twice (a refused directory) is one problem
                self._problems_seen.add(seen)
                snap.problems.append(Problem(*seen))

    def feed(self, lines: Iterable[bytes]) -> None:
        snap = self.snapshot
        last_name, last_path = b"", ""
        for raw in lines:
            raw = raw.rstrip(b"\n")
            name, sep, rest = raw.partition(b"\0")
            if not sep:
                self._record(raw.decode("utf-8", "surrogateescape").split("\t"))   # every byte of a name kept
                continue
            number, _sep, text_bytes = _split_number(rest)
            if number is None:
                continue
            if name == GZIP_LABEL:
                self._gzip.line(number, text_bytes.decode("utf-8", "surrogateescape"))
                continue
            if name != last_name:           # a file's lines come together: its name is decoded once
                last_name, last_path = name, self._strip(os.fsdecode(name))
            path = last_path
            # a CRLF file's lines without their \r: edits are built from this text, and the file keeps
            # its own line endings when they are written (FileEdit.apply_to)
            text = text_bytes.decode("utf-8", "surrogateescape").removesuffix("\r")
            if path.startswith("!"):
                snap.commands.setdefault(path, []).append(text)
            elif self._scanner is not None and self._scanner.is_output(path):
                self._scanner.feed_output(path, number, text)
            elif self._scanner is not None and path.startswith(self._logs_prefix):
                self._scanner.feed(path, number, text)
            elif path in snap.programs and path not in snap.files:
                snap.programs[path].lines[number] = text
            else:
                target = snap.files.setdefault(path, FileText(path))
                if b"\0" in text_bytes:
                    target.binary = True
                target.lines[number] = text

    def _feed_batched(self, path: str, number: int, text: str) -> None:
        if self._scanner is not None:
            self._scanner.feed(self._strip(path), number, text.removesuffix("\r"))

    def finish(self, stderr: bytes = b"") -> Snapshot:
        snap = self.snapshot
        self._gzip.finish()
        for line in stderr.decode("utf-8", "surrogateescape").splitlines():
            fields = line.split("\t")
            if fields[0] == "X" and len(fields) >= 3:
                self._record(fields)
            elif line.strip():
                snap.problems.append(Problem("", line.strip()))
        for text_file in snap.files.values():
            if text_file.binary or _looks_binary(text_file):
                text_file.binary = True
                snap.problems.append(Problem(text_file.path, "binary"))
        if self._scanner is not None:
            snap.logs = self._scanner.finish(snap.facts.get("date"))
            snap.problems.extend(Problem(path, reason) for path, reason in snap.logs.problems)
        if not snap.complete:
            snap.problems.append(Problem(snap.facts.get("root", ""), "probe-incomplete"))
        return snap


def read_snapshot(lines: Iterable[bytes], stderr: bytes = b"") -> Snapshot:
    reader = SnapshotReader()
    reader.feed(lines)
    return reader.finish(stderr)


def _epoch(stamp: str) -> int | None:
    """The probe's own clock (`date -u`, …Z) as seconds, or None."""
    try:
        return int(datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
                   .replace(tzinfo=datetime.timezone.utc).timestamp())
    except ValueError:
        return None


GZIP_LABEL = gzip_batch.LABEL.encode()
_NUMBERED = re.compile(rb"(\d{1,12})([:-])")     # no file has more lines than 12 digits count


def _split_number(rest: bytes) -> tuple[int | None, bytes, bytes]:
    """'12:text' (a matching line) or '12-text' (a context line) -> (12, sep, text)."""
    match = _NUMBERED.match(rest)
    if match is None:
        return None, b"", b""
    return int(match.group(1)), match.group(2), rest[match.end():]


def _looks_binary(text_file: FileText) -> bool:
    replaced = sum(line.count("\ufffd") for line in text_file.lines.values())
    total = sum(len(line) for line in text_file.lines.values())
    return total > 0 and replaced * 10 > total


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0

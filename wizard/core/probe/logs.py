"""certbot's logs, folded into runs as their lines stream past.

The probe sends only the interesting lines of letsencrypt.log and its rotated siblings (with
their line numbers). Each run starts at its header (`certbot version:`, `letsencrypt version:`
before 0.6, or the `Root logging level` line that came first before 0.13) and collects the
endpoints it contacted. Formats by era: reference facts §2 (acme.client since 0.12, the root
logger before; urllib3 connection lines with and without `:443`; `Using server … instead of
legacy …` since certbot 1.6.0; v1 and v2 directory bodies).
"""
from __future__ import annotations

import ast
import datetime
import functools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from wizard.core.endpoints import classify_host, classify_url

# The lines of a log the parser below reads, as POSIX EREs (GNU grep 2.6 on CentOS 6 runs them):
# the probe sends only lines that match one of these (see probe.sh, LOG_PATTERN).
KEPT_LINES = (
    r"(certbot|letsencrypt) version: ",              # a run's header (_VERSION)
    r"Location of certbot entry point: ",             # certbot >= 1.11: which install ran
    r":Arguments: ",                                  # the command line it was given
    r"Root logging level set at ",                    # the first line of a run before 0.13
    r"Sending (GET|POST|HEAD) request to ",           # acme.client requests (_REQUEST)
    r"Starting new HTTPS? connection",                # urllib3 connections (_CONNECTION)
    r'https?://[^ ]+ "(GET|POST|HEAD) ',              # urllib3 >= 1.17 request lines (_URLLIB3_REQUEST)
    r"Using server .* instead of legacy",             # certbot >= 1.6 rewrote a v1 server (_REWRITE)
    r'"(new-authz|new-reg|new-cert|newAccount|newNonce|newOrder)"',   # directory bodies (_DIRECTORY_KEY)
    r"urn:(acme|ietf:params:acme):error",             # the errors (_ERROR_MARKERS)
    r"Name or service not known",
    r"Max retries exceeded",
    r"ACMEv1 is deprecated",
    r"/lib/python[0-9.]+/(site|dist)-packages/",      # traceback paths: the Python it ran on (_PYTHON_PATH)
    r"Dry run: ",
    r"renewal failed",
    r"Skipping upgrade",
    r"Exiting abnormally",
    # what certbot prints (a scheduled line may send it to a file): reference facts §2, issue 13 item 3
    r"Attempting to renew cert",
    r"HTTPSConnectionPool\(host=",
    r"Failed to (resolve|establish a new connection)",
    r"renewals? (succeeded|failed)|renewal attempts failed",
    r"Problem connecting to server",                  # dehydrated: `(get for https://acme-v01…; curl …)`
)


def kept_lines_pattern() -> str:
    """KEPT_LINES as one ERE for grep -E (no single quote: the probe holds it in one)."""
    pattern = "|".join(KEPT_LINES)
    assert "'" not in pattern
    return pattern


_STAMPED = re.compile(
    r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),\d+:([A-Z]+):([^:]*):(.*)$"
)
_VERSION = re.compile(r"^(?:certbot|letsencrypt) version: (\S+)")
_REQUEST = re.compile(r"Sending (GET|POST|HEAD) request to (https?://\S+?)[.:]?(?:\s|$)")
_CONNECTION = re.compile(r"Starting new HTTPS? connection \(\d+\): ([A-Za-z0-9.\-\[\]:]+)")
_URLLIB3_REQUEST = re.compile(r"(https?://[^\s\"]+) \"(?:GET|POST|HEAD) (/\S*)")
_REWRITE = re.compile(r"Using server (\S+) instead of legacy (\S+)")
_DIRECTORY_KEY = re.compile(r'^\s*"(new-authz|new-reg|new-cert|newAccount|newNonce|newOrder)"\s*:\s*"([^"]*)"')
_PYTHON_PATH = re.compile(r"(/\S*?)/lib/python(\d\.\d+)/(?:site|dist)-packages/")
_ERROR_MARKERS = (
    "urn:acme:error", "urn:ietf:params:acme:error", "Name or service not known",
    "Max retries exceeded", "ACMEv1 is deprecated", "renewal failed", "Exiting abnormally",
)
V1_DIRECTORY_KEYS = {"new-authz", "new-reg", "new-cert"}
# An ACME host named in what certbot printed: a urllib3 connection, a connection pool, a resolver error.
_PRINTED_HOST = re.compile(r"(?:host='|connection \(\d+\): |resolve '|(?:get|post|head) for https?://)"
                           r"(acme[a-z0-9.-]*\.letsencrypt\.org)")
# Lines only a certbot from some version on writes, newest first: when no header survived, they
# still date the client (reference facts §1, §2; certbot 4.1.1's acme/client.py fetches ARI).
ERA_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("4.1.0", re.compile(r"request to \S+/renewalInfo/")),                  # ARI, certbot >= 4.1.0
    ("1.11.0", re.compile(r"^Location of certbot entry point: ")),         # commit c5a0b1ae5
    ("1.6.0", _REWRITE),                                                   # the v01 rewrite
    ("1.0.0", re.compile(r"^certbot\._internal\.")),                       # logger names (matched on logger:)
)


MAX_ENDPOINTS = 32           # distinct servers kept per run (besides Let's Encrypt's own)


# slots, and the strings every run repeats (its file, entry point, arguments) shared: a log with
# 26,000 runs is held in a few MiB.
@dataclass(slots=True)
class Endpoint:
    url: str
    api: str                 # v1, v1-staging, v2, v2-staging, other
    line: int
    text: str


@dataclass(slots=True)
class LogRun:
    file: str
    line: int
    started: str | None = None
    certbot_version: str | None = None
    entry_point: str | None = None
    entry_point_line: int | None = None
    arguments: list[str] | None = None
    arguments_line: int | None = None
    arguments_text: str = ""
    endpoints: list[Endpoint] = field(default_factory=list)
    rewrite: Endpoint | None = None        # certbot >= 1.6.0 replaced a v01 server in memory
    directory_protocol: str | None = None  # "v1"/"v2" from the directory body it received
    python: tuple[str, str] | None = None  # (install prefix, X.Y) from traceback paths
    internal_loggers: bool = False         # certbot._internal.* => certbot >= 1.0.0
    era: tuple[str, int, str] | None = None    # (the least certbot version the run's lines prove, line, text)
    errors: list[tuple[int, str]] = field(default_factory=list)
    header_seen: bool = False
    started_by_preamble: bool = False      # a pre-0.13 "Root logging level" line came first
    output: bool = False                   # what a scheduled job printed to a file; started = its mtime
    summarised: bool = False               # its lines' texts were let go (see _summarise)

    def add_endpoint(self, url: str, api: str, line: int, text: str) -> None:
        for known in self.endpoints:
            if known.api == api and _origin(known.url) == _origin(url):
                if url.endswith("/directory") and not known.url.endswith("/directory"):
                    known.url = url
                return
        # Let's Encrypt has four origins; a run that names thousands of others (a log built to
        # be slow) keeps the first few, so each line costs the same
        if api == "other" and len(self.endpoints) >= MAX_ENDPOINTS:
            return
        self.endpoints.append(Endpoint(url, api, line, text))


@dataclass
class LogFile:
    path: str
    size: int
    mtime: int
    runs: list[LogRun] = field(default_factory=list)
    dropped: int = 0           # its oldest runs let go past MAX_RUNS_PER_FILE


@dataclass
class LogEvidence:
    files: list[LogFile] = field(default_factory=list)     # newest first
    runs: list[LogRun] = field(default_factory=list)       # oldest first
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def runs_summarised(self) -> int:
        return sum(1 for run in self.runs if run.summarised)

    @property
    def runs_dropped(self) -> int:
        return sum(f.dropped for f in self.files)

    @property
    def newest_run(self) -> LogRun | None:
        return self.runs[-1] if self.runs else None

    def newest_contact(self) -> tuple[LogRun, Endpoint] | None:
        for run in reversed(self.runs):
            if run.endpoints:
                return run, run.endpoints[-1]
        return None

    def newest_version(self) -> tuple[LogRun, str] | None:
        for run in reversed(self.runs):
            if run.certbot_version:
                return run, run.certbot_version
        return None

    def newest_era(self) -> LogRun | None:
        """The newest run dated only by its era markers (no header survived)."""
        for run in reversed(self.runs):
            if run.certbot_version:
                return None
            if run.era:
                return run
        return None


def rotation_key(path: str) -> tuple[int, int, str]:
    """Sort key, newest first: letsencrypt.log, .1, .2 … (also .N.gz), then dated names."""
    name = path.rsplit("/", 1)[-1]
    rest = name[len("letsencrypt.log"):]
    if rest.endswith(".gz"):
        rest = rest[:-3]
    if rest == "":
        return (0, 0, "")
    if rest.startswith(".") and rest[1:].isascii() and rest[1:].isdigit() and len(rest) < 20:
        return (0, int(rest[1:]), "")
    digits = re.sub(r"\D", "", rest)[:20]
    if rest.startswith("-") and digits:
        return (1, -int(digits), "")
    return (2, 0, name)


FULL_RUNS_PER_FILE = 100     # the newest runs of each log keep their lines' texts; older ones are summarised
MAX_RUNS_PER_FILE = 50_000   # and a log keeps its newest 50,000 runs at most (26,000 in ten years)


class LogScanner:
    """Consumes (path, line number, text) in file order and builds the runs."""

    def __init__(self, logs_dir: str) -> None:
        self.logs_dir = logs_dir
        self._files: dict[str, LogFile] = {}
        self._outputs: dict[str, LogRun] = {}
        self._parsed_arguments: dict[str, list[str] | None] = {}

    def add_output(self, path: str, mtime: int, utc_offset: str = "", now: int | None = None) -> None:
        """A file a scheduled job's output goes to; its lines are read as what certbot printed, and
        its last write (mtime, in the host's local time like certbot's own logs; never later than
        the probe's own clock) dates them."""
        if now is not None:
            mtime = min(mtime, now)
        self._outputs[path] = LogRun(path, 0, _local_time(mtime, utc_offset) if mtime > 0 else None, output=True)

    def is_output(self, path: str) -> bool:
        return path in self._outputs

    def feed_output(self, path: str, number: int, text: str) -> None:
        run = self._outputs[path]
        run.line = run.line or number
        for host in _PRINTED_HOST.findall(text):
            run.endpoints = [e for e in run.endpoints if e.url != "https://" + host]    # the latest mention last
            run.endpoints.append(Endpoint("https://" + host, classify_host(host), number, text.strip()[:300]))
        if any(marker in text for marker in _ERROR_MARKERS + ("Failed to", "renewal attempts failed")) \
                and len(run.errors) < 20:
            run.errors.append((number, text.strip()[:300]))

    def add_file(self, path: str, size: int, mtime: int) -> None:
        self._files.setdefault(path, LogFile(path, size, mtime))

    def feed(self, path: str, number: int, text: str) -> None:
        log_file = self._files.get(path)
        if log_file is None:
            log_file = self._files[path] = LogFile(path, 0, 0)
        stamped = _STAMPED.match(text)
        if stamped:
            self._stamped(log_file, number, text, stamped)
        else:
            self._continuation(log_file, number, text)

    def _start(self, log_file: LogFile, run: LogRun) -> None:
        log_file.runs.append(run)
        if len(log_file.runs) > FULL_RUNS_PER_FILE:
            _summarise(log_file.runs[-FULL_RUNS_PER_FILE - 1])
        if len(log_file.runs) > MAX_RUNS_PER_FILE:      # a log of nothing but run headers
            cut = MAX_RUNS_PER_FILE // 10
            del log_file.runs[:cut]
            log_file.dropped += cut

    def _arguments(self, text: str) -> list[str] | None:
        """One list per distinct command line, shared by the runs that had it (never changed)."""
        if text not in self._parsed_arguments:
            if len(self._parsed_arguments) > 1000:
                self._parsed_arguments.clear()
            self._parsed_arguments[text] = _parse_arguments(text)
        return self._parsed_arguments[text]

    def _current(self, log_file: LogFile, number: int, started: str | None) -> LogRun:
        if not log_file.runs:
            self._start(log_file, LogRun(log_file.path, number, started))
        return log_file.runs[-1]

    def _stamped(self, log_file: LogFile, number: int, text: str, match: re.Match[str]) -> None:
        logger, message = match.group(4), match.group(5)
        started = None if log_file.runs and "version: " not in message and "Root logging" not in message \
            else f"{match.group(1)}T{match.group(2)}"      # needed only when a run starts here
        version = _VERSION.match(message) if "version: " in message else None
        if version:
            last = log_file.runs[-1] if log_file.runs else None
            if (last is not None and last.started_by_preamble and not last.header_seen
                    and not last.endpoints and last.arguments is None):
                run = last                   # the header of the run whose preamble came first
            else:
                run = LogRun(log_file.path, number, started)
                self._start(log_file, run)
            run.header_seen = True
            run.certbot_version = version.group(1)
            run.internal_loggers = run.internal_loggers or "._internal." in logger + "."
            return
        if message.startswith("Root logging level set at") and not logger.endswith(".log"):
            self._start(log_file, LogRun(log_file.path, number, started, started_by_preamble=True))
            return
        run = self._current(log_file, number, started)
        if logger.startswith("certbot._internal"):
            run.internal_loggers = True
        _date(run, logger, message, number, text)
        if message.startswith("Location of certbot entry point: "):
            run.entry_point = sys.intern(message.split(": ", 1)[1].strip())
            run.entry_point_line = number
        elif message.startswith("Arguments: "):
            run.arguments_text = sys.intern(message[len("Arguments: "):])
            run.arguments = self._arguments(run.arguments_text)
            run.arguments_line = number
        self._endpoints(run, number, message)

    def _continuation(self, log_file: LogFile, number: int, text: str) -> None:
        run = self._current(log_file, number, None)
        key = _DIRECTORY_KEY.match(text)
        if key:
            run.directory_protocol = "v1" if key.group(1) in V1_DIRECTORY_KEYS else "v2"
            url = key.group(2)
            if url.startswith("http"):
                run.add_endpoint(_origin(url) + "/directory" if _is_le(url) else _origin(url),
                                 classify_url(url), number, text.strip())
            return
        self._endpoints(run, number, text)

    def _endpoints(self, run: LogRun, number: int, message: str) -> None:
        # each pattern only where a piece of its text is (a cheap `in` first: 110,000 lines a second)
        rewrite = _REWRITE.search(message) if " instead of legacy " in message else None
        if rewrite:
            run.rewrite = Endpoint(rewrite.group(1), classify_url(rewrite.group(1)), number, message)
            return
        request = _REQUEST.search(message) if " request to " in message else None
        if request:
            url = sys.intern(request.group(2).rstrip(".:"))
            run.add_endpoint(url, classify_url(url), number, message)
            return
        connection = _CONNECTION.search(message) if " connection (" in message else None
        if connection:
            host = connection.group(1)
            run.add_endpoint("https://" + host.removesuffix(":443"), classify_host(host), number, message)
            return
        urllib3 = _URLLIB3_REQUEST.search(message) if "://" in message else None
        if urllib3:
            url = sys.intern(urllib3.group(1).removesuffix(":443") + urllib3.group(2))
            run.add_endpoint(url, classify_url(url), number, message)
            return
        python = _PYTHON_PATH.search(message) if "-packages/" in message else None
        if python and run.python is None:
            run.python = (python.group(1), python.group(2))
        if any(marker in message for marker in _ERROR_MARKERS) and len(run.errors) < 20:
            run.errors.append((number, message.strip()[:300]))

    def finish(self, now: str | None = None) -> LogEvidence:
        """now: the probe's clock (H date), which no log time may pass by more than a day."""
        evidence = LogEvidence()
        evidence.files = _newest_first(self._files.values(), now)
        previous: LogRun | None = None
        for log_file in reversed(evidence.files):          # oldest file first
            for index, run in enumerate(log_file.runs):
                if (index == 0 and not run.header_seen and previous is not None and not log_file.dropped
                        and not _newer_era(run, previous)):
                    _merge(previous, run)                   # the run went on past a rotation
                    continue
                evidence.runs.append(run)
                previous = run
        for output in self._outputs.values():           # placed by when the job last wrote to it
            # The last write dates the file, not each line in it: a printed v1 failure that is the
            # last server the file names is evidence; a printed v2 contact may be old and proves nothing.
            if not output.endpoints or output.started is None or not output.endpoints[-1].api.startswith("v1"):
                continue
            later = [i for i, r in enumerate(evidence.runs) if r.started and r.started > output.started]
            evidence.runs.insert(later[0] if later else len(evidence.runs), output)
        return evidence


def _newest_first(files: Iterable[LogFile], now: str | None) -> list[LogFile]:
    """By the time of the newest run each log holds: names mislead where two rotation schemes
    met (certbot's own letsencrypt.log.N from before a move to a package, logrotate's
    .N.gz or -YYYYMMDD.gz after it; .2024-01-10.gz against .2024-01-01.gz). Only a time a clock
    can show, and no later than a day after the probe's own, counts; a log without one keeps its
    place by name."""
    by_name = sorted(files, key=lambda f: rotation_key(f.path))
    latest = _day_after(now)
    newest = {id(f): _newest_plausible(f, latest) for f in by_name}
    dated = iter(sorted((f for f in by_name if newest[id(f)]), key=lambda f: newest[id(f)], reverse=True))
    return [next(dated) if newest[id(f)] else f for f in by_name]


_CLOCK = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d")


def _newest_plausible(log_file: LogFile, latest: str) -> str:
    for stamp in sorted({run.started for run in log_file.runs if run.started}, reverse=True):
        if _CLOCK.fullmatch(stamp) and (not latest or stamp <= latest):
            return stamp
    return ""


def _day_after(now: str | None) -> str:
    """The probe's clock (`date -u`, …Z) plus a day, as log times are written; '' when unknown."""
    try:
        moment = datetime.datetime.strptime(now or "", "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return ""
    return (moment + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")


def _summarise(run: LogRun) -> None:
    """An older run keeps what the verdict asks of it (when, which client, which servers, at which
    lines) but not the text of its lines: ACMEv1 contacts keep theirs, they are the evidence."""
    for endpoint in run.endpoints:
        if not endpoint.api.startswith("v1"):
            endpoint.text = ""
    run.errors = []
    if run.era is not None:
        run.era = (run.era[0], run.era[1], "")
    run.summarised = True


def _local_time(mtime: int, utc_offset: str) -> str | None:
    """An mtime as certbot writes its log times: the host's local time (from `date +%z`)."""
    match = re.match(r"^([+-])(\d\d)([0-5]\d)$", utc_offset.strip())
    minutes = (int(match.group(2)) * 60 + int(match.group(3))) * (1 if match.group(1) == "+" else -1) if match else 0
    try:
        zone = datetime.timezone(datetime.timedelta(minutes=minutes))
        return datetime.datetime.fromtimestamp(mtime, zone).strftime("%Y-%m-%dT%H:%M:%S")
    except (ValueError, OverflowError, OSError):     # an offset or mtime no clock has: undated
        return None


# A piece of each marker's text, looked for first: most lines hold none, and `in` is cheap.
_ERA_GUARDS = {"4.1.0": "/renewalInfo/", "1.11.0": "Location of certbot entry point: ",
               "1.6.0": " instead of legacy ", "1.0.0": "certbot._internal"}


def _date(run: LogRun, logger: str, message: str, number: int, text: str) -> None:
    """Raise the run's proven least version when this line exists only from some version on."""
    for version, marker in ERA_MARKERS:
        where = logger + ":" if version == "1.0.0" else message
        if _ERA_GUARDS[version] in where and marker.search(where):
            if run.era is None or _version_key(version) > _version_key(run.era[0]):
                run.era = (version, number, text.strip()[:200])
            return


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _newer_era(run: LogRun, previous: LogRun) -> bool:
    """A headerless start whose lines a newer certbot wrote than the previous run's: not its tail."""
    if run.era is None or not previous.certbot_version:
        return False
    match = re.match(r"(\d+(?:\.\d+)*)", previous.certbot_version)
    return bool(match) and _version_key(run.era[0]) > _version_key(match.group(1) if match else "0")


def _merge(into: LogRun, tail: LogRun) -> None:
    for endpoint in tail.endpoints:
        into.add_endpoint(endpoint.url, endpoint.api, endpoint.line, endpoint.text)
    into.rewrite = into.rewrite or tail.rewrite
    if tail.era and (into.era is None or _version_key(tail.era[0]) > _version_key(into.era[0])):
        into.era = tail.era
    into.directory_protocol = tail.directory_protocol or into.directory_protocol
    into.errors.extend(tail.errors)


def _parse_arguments(text: str) -> list[str] | None:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        # A cut or odd line: keep the quoted words we can read.
        found = re.findall(r"u?'((?:[^'\\]|\\.)*)'", text)
        return found or None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


_ORIGIN = re.compile(r"^(https?://[^/]+)")


@functools.lru_cache(maxsize=1024)     # the same few URLs, thousands of times
def _origin(url: str) -> str:
    match = _ORIGIN.match(url)
    return match.group(1) if match else url


def _is_le(url: str) -> bool:
    return classify_url(url) != "other"


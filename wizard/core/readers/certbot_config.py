"""certbot's configuration directory: renewal confs, cli.ini pins, --config files, accounts.

Renewal confs are configobj files (reference facts §4.1); broken ones are read as far as they
go and their bad lines reported. cli.ini and `--config` files are ConfigArgParse files whose
`server` is a user setting that no certbot version rewrites (§1.4, §4.3).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from wizard.core.endpoints import classify_url
from wizard.core.evidence import Evidence
from wizard.core.probe.snapshot import FileText, Snapshot

_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:=|:|\s)\s*(.*?)\s*$")
_SECTION = re.compile(r"^\s*(\[+)\s*([^\]]*?)\s*\]+\s*$")


@dataclass
class Setting:
    value: str
    evidence: Evidence


@dataclass
class RenewalConf:
    name: str
    path: str
    top: dict[str, Setting] = field(default_factory=dict)
    params: dict[str, Setting] = field(default_factory=dict)     # [renewalparams]
    malformed: list[Evidence] = field(default_factory=list)
    unreadable: str | None = None

    @property
    def server(self) -> Setting | None:
        return self.params.get("server")

    @property
    def server_api(self) -> str | None:
        return classify_url(self.server.value) if self.server else None

    @property
    def version(self) -> str | None:
        return self.top["version"].value if "version" in self.top else None

    def param(self, key: str) -> str | None:
        return self.params[key].value if key in self.params else None


@dataclass
class ServerPin:
    """A `server` set in an ini file (cli.ini or a --config file)."""

    value: str
    evidence: Evidence

    @property
    def api(self) -> str:
        return classify_url(self.value)


@dataclass
class AccountDir:
    server_path: str          # e.g. acme-v01.api.letsencrypt.org/directory
    path: str
    account_ids: list[str]
    link_target: str | None   # certbot >= 0.26 links the v02 dir to the v01 one

    @property
    def api(self) -> str:
        return classify_url("https://" + self.server_path)


def read_renewal_confs(snapshot: Snapshot) -> list[RenewalConf]:
    renewal_dir = posixpath.join(snapshot.config_dir, "renewal")
    confs = []
    for path in snapshot.children(renewal_dir):
        if not path.endswith(".conf"):
            continue
        conf = RenewalConf(posixpath.basename(path)[: -len(".conf")], path)
        text_file = snapshot.files.get(path)
        if text_file is None or text_file.binary:
            conf.unreadable = "binary" if text_file is not None else _problem(snapshot, path)
            confs.append(conf)
            continue
        _parse_renewal(text_file, conf)
        confs.append(conf)
    return confs


def _parse_renewal(text_file: FileText, conf: RenewalConf) -> None:
    section: list[str] = []
    for number, raw in text_file.numbered():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.match(line)
        if header:
            depth = len(header.group(1))
            section = section[: depth - 1] + [header.group(2)]
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            conf.malformed.append(Evidence(conf.path, number, raw.rstrip()))
            continue
        value = _unquote(_strip_inline_comment(value.strip()))
        setting = Setting(value, Evidence(conf.path, number, raw.strip()))
        if not section:
            conf.top[key.strip()] = setting
        elif section == ["renewalparams"]:
            conf.params[key.strip()] = setting


def read_ini_pins(snapshot: Snapshot, path: str) -> list[ServerPin]:
    text_file = snapshot.file(path)
    pins = []
    for number, raw in (text_file.numbered() if text_file else []):
        line = raw.strip()
        if not line or line[0] in "#;[":
            continue
        match = _ASSIGN.match(line)
        if match and match.group(1).lstrip("-") == "server" and match.group(2):
            pins.append(ServerPin(_unquote(_strip_inline_comment(match.group(2))),
                                  Evidence(path, number, raw.strip())))
    return pins


def cli_ini_paths(snapshot: Snapshot) -> list[str]:
    """Where certbot reads cli.ini: the fixed /etc/letsencrypt path and each user's ~/.config."""
    paths = ["/etc/letsencrypt/cli.ini", posixpath.join(snapshot.config_dir, "cli.ini"),
             "/root/.config/letsencrypt/cli.ini"]
    paths += sorted(p for p in snapshot.files if re.match(r"^/home/[^/]+/\.config/letsencrypt/cli\.ini$", p))
    return list(dict.fromkeys(paths))


def read_accounts(snapshot: Snapshot) -> list[AccountDir]:
    accounts_dir = posixpath.join(snapshot.config_dir, "accounts")
    unread = {p.path for p in snapshot.problems}
    found = []
    for host_dir in snapshot.children(accounts_dir):
        for server_dir in snapshot.children(host_dir):
            server_path = server_dir[len(accounts_dir) + 1:]
            ids = [posixpath.basename(p) for p in snapshot.children(server_dir)
                   if snapshot.entries.get(p) in ("d", "l")]
            link = snapshot.links.get(server_dir)
            if not (ids or link or server_dir in unread):
                continue    # certbot makes the directory before it registers: a failed registration leaves it empty
            found.append(AccountDir(server_path, server_dir, ids, link))
    return found


def _problem(snapshot: Snapshot, path: str) -> str:
    return next((p.reason for p in snapshot.problems if p.path == path), "unreadable")


def _strip_inline_comment(value: str) -> str:
    return re.sub(r"\s+#.*$", "", value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value

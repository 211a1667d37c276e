"""Mask hostnames, IP addresses and e-mail addresses in a report, consistently.

The same name always gets the same mask (host-1.example, ip-1, user-1@example.invalid), also
inside paths such as /etc/letsencrypt/renewal/<name>.conf, so a redacted report still reads
correctly. Let's Encrypt's and the tools' own names are kept: they are not the customer's.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any

from wizard.core.analyse.model import Diagnosis

KEEP_DOMAINS = ("letsencrypt.org", "eff.org", "github.com", "centos.org", "debian.org", "ubuntu.com",
                "fedoraproject.org", "python.org", "pypi.org", "snapcraft.io", "example.invalid", "example")
# Names that look dotted but are the tools' own: Python modules in certbot's logs, file names.
MODULES = ("certbot", "acme", "urllib3", "requests", "josepy", "letsencrypt", "configobj", "zope", "parsedatetime",
           "pkg_resources", "configargparse", "cryptography", "OpenSSL", "distutils", "logging", "http")
FILE_SUFFIXES = ("conf", "ini", "log", "pem", "json", "jsonl", "gz", "tar", "txt", "yaml", "yml", "cfg", "service",
                 "probe", "timer", "html", "htm", "sha256", "crt", "csr", "key", "pid", "lock", "deb", "rpm", "whl",
                 "egg", "bak", "old", "orig", "tmp", "eml", "pdf", "svg", "png", "css", "md", "py", "sh", "pyc", "so",
                 "dist-info", "egg-info", "jsonl", "d", "target", "socket", "path", "mount", "repo", "list")
# Public suffixes common enough that a name ending in one is a customer's domain even when its
# first label is a module name (acme.co.jp, certbot.com).
PUBLIC_TLDS = ("com", "net", "org", "info", "biz", "io", "dev", "app", "jp", "de", "uk", "fr", "nl", "eu", "us",
               "ca", "au", "cn", "kr", "tw", "ru", "br", "it", "es", "ch", "at", "be", "se", "no", "dk", "fi", "pl",
               "cz", "in", "sg", "hk", "nz", "ie", "pt", "me", "co", "tv", "cc", "xyz", "site", "online", "shop",
               "tokyo", "edu", "gov", "mil", "int", "corp", "museum")

# By structure, not by a list of TLDs: two or more labels (letters of any script, digits, '-',
# '_'), the last one letters only (or an xn-- label). Each pattern is linear: no nested repeats
# that can overlap.
_LABEL = r"[^\W-](?:[\w-]{0,61}[^\W-])?"
_LAST = r"(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
_NAME = rf"(?:\*\.)?(?:{_LABEL}\.)+{_LAST}"
_HOST = re.compile(rf"(?<![\w.\-/@]){_NAME}(?![\w\-]|\.\w)", re.IGNORECASE)
_PATH_NAME = re.compile(rf"(?<=/){_NAME}(?![\w\-]|\.\w)", re.IGNORECASE)
_EMAIL = re.compile(rf"(?<![\w.%+\-])[\w.%+\-]{{1,64}}@{_NAME}(?![\w\-]|\.\w)", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# IPv6 candidates (compressed, full, with an embedded IPv4 or a zone); ipaddress decides.
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:.])[0-9A-Fa-f:.]{2,45}(?:%[\w.]{1,16})?(?![0-9A-Fa-f:.])")
# A setting whose name says it is a secret (CF_Token=…, AWS_SECRET_ACCESS_KEY=…,
# dns_cloudflare_api_token = …): its value is never shown in a redacted report.
_SECRET = re.compile(r"(?<![\w])([\w.-]{0,40}(?:token|secret|passw(?:or)?d|api_?key|access_?key|private_?key)"
                     r"[\w.-]{0,40})(\s*[=:]\s*)(\"[^\"\n]{0,4096}\"|'[^'\n]{0,4096}'|[^\s\"';&|]{1,4096})",
                     re.IGNORECASE)
MAX_DEPTH = 64
_KEEP_IPS = {"127.0.0.1", "0.0.0.0", "::1", "::"}


def is_ipv6(text: str) -> bool:
    if text.count(":") < 2:
        return False
    try:
        ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


class Redactor:
    def __init__(self, known_hosts: list[str] | None = None) -> None:
        self.masks: dict[str, str] = {}
        self.counts = {"host": 0, "ip": 0, "email": 0}
        # Names the diagnosis knows (lineages, certificates, the host) first: longest first, so
        # www.example.com is masked whole, not as www. + a mask of example.com.
        self.known = sorted({h.lower() for h in (known_hosts or []) if h and not self._kept(h)}, key=len, reverse=True)

    def _kept(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in KEEP_DOMAINS)

    def _tools_own(self, name: str) -> bool:
        """A module (certbot._internal.main, urllib3.connectionpool) or a file name (cli.ini)."""
        labels = name.lower().split(".")
        if labels[-1] in PUBLIC_TLDS:
            return False
        return labels[0] in {m.lower() for m in MODULES} or labels[-1] in FILE_SUFFIXES

    def _mask(self, kind: str, value: str) -> str:
        key = f"{kind}:{value.lower()}"
        if key not in self.masks:
            self.counts[kind] += 1
            number = self.counts[kind]
            self.masks[key] = {"host": f"host-{number}.example", "ip": f"ip-{number}",
                               "email": f"user-{number}@example.invalid"}[kind]
        return self.masks[key]

    def text(self, value: str) -> str:
        value = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", value)
        value = _EMAIL.sub(lambda m: self._mask("email", m.group(0)), value)
        for host in self.known:
            value = re.sub(rf"(?<![\w\-]){re.escape(host)}(?![\w\-])", lambda m: self._mask("host", m.group(0)),
                           value, flags=re.IGNORECASE)
        value = _HOST.sub(self._host, value)
        value = _PATH_NAME.sub(lambda m: m.group(0) if self._tools_own(m.group(0)) else self._host(m), value)
        value = _IPV4.sub(lambda m: m.group(0) if m.group(0) in _KEEP_IPS else self._mask("ip", m.group(0)), value)
        value = _IPV6.sub(lambda m: self._mask("ip", m.group(0)) if is_ipv6(m.group(0))
                          and m.group(0) not in _KEEP_IPS else m.group(0), value)
        return value

    def _host(self, match: re.Match[str]) -> str:
        name = match.group(0)
        if self._kept(name) or self._tools_own(name) or re.fullmatch(r"host-\d+\.example", name):
            return name
        return self._mask("host", name)

    def document(self, value: Any, depth: int = 0) -> Any:
        """A copy of a JSON-able document with every string (keys included) redacted. (A report
        nests a few levels; anything below MAX_DEPTH is dropped rather than passed on unredacted.)"""
        if depth > MAX_DEPTH:
            return None
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.document(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.document(v, depth + 1) for k, v in value.items()}
        return value


def known_hosts(diagnosis: Diagnosis) -> list[str]:
    names = [c.name for c in diagnosis.renewal_confs] + [c.name for c in diagnosis.certs]
    names.append(diagnosis.snapshot.facts.get("nodename", ""))
    if diagnosis.email is not None:
        names += diagnosis.email.hostnames
    return [n for n in names if n]

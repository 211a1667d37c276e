"""Mask hostnames, IP addresses and e-mail addresses in a report, consistently.

The same name always gets the same mask (host-1.example, ip-1, user-1@example.invalid), also
inside paths such as /etc/letsencrypt/renewal/<name>.conf, so a redacted report still reads
correctly. Let's Encrypt's and the tools' own names are kept: they are not the customer's.
"""
from __future__ import annotations

import re

KEEP_DOMAINS = ("letsencrypt.org", "eff.org", "github.com", "centos.org", "debian.org", "ubuntu.com",
                "fedoraproject.org", "python.org", "pypi.org", "snapcraft.io", "example.invalid")
TLDS = ("com", "net", "org", "info", "biz", "io", "dev", "app", "jp", "de", "uk", "fr", "nl", "eu", "us", "ca",
        "au", "cn", "kr", "tw", "ru", "br", "it", "es", "ch", "at", "be", "se", "no", "dk", "fi", "pl", "cz",
        "in", "sg", "hk", "nz", "ie", "pt", "me", "co", "tv", "cc", "xyz", "site", "online", "shop", "tokyo",
        "example", "test", "local", "lan", "internal")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])")
_HOST = re.compile(r"(?<![\w.\-])(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?:"
                   + "|".join(TLDS) + r")(?![\w\-])", re.IGNORECASE)
_KEEP_IPS = {"127.0.0.1", "0.0.0.0"}


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

    def _mask(self, kind: str, value: str) -> str:
        key = f"{kind}:{value.lower()}"
        if key not in self.masks:
            self.counts[kind] += 1
            number = self.counts[kind]
            self.masks[key] = {"host": f"host-{number}.example", "ip": f"ip-{number}",
                               "email": f"user-{number}@example.invalid"}[kind]
        return self.masks[key]

    def text(self, value: str) -> str:
        value = _EMAIL.sub(lambda m: self._mask("email", m.group(0)), value)
        for host in self.known:
            value = re.sub(rf"(?<![\w\-]){re.escape(host)}(?![\w\-])", lambda m: self._mask("host", m.group(0)),
                           value, flags=re.IGNORECASE)
        value = _HOST.sub(lambda m: m.group(0) if self._kept(m.group(0)) or m.group(0).endswith(".example")
                          else self._mask("host", m.group(0)), value)
        value = _IPV4.sub(lambda m: m.group(0) if m.group(0) in _KEEP_IPS else self._mask("ip", m.group(0)), value)
        value = _IPV6.sub(lambda m: self._mask("ip", m.group(0)), value)
        return value

    def document(self, value):
        """A copy of a JSON-able document with every string (keys included) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.document(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.document(v) for k, v in value.items()}
        return value


def known_hosts(diagnosis) -> list[str]:
    names = [c.name for c in diagnosis.renewal_confs] + [c.name for c in diagnosis.certs]
    names.append(diagnosis.snapshot.facts.get("nodename", ""))
    if diagnosis.email is not None:
        names += diagnosis.email.hostnames
    return [n for n in names if n]

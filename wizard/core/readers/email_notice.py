"""Let's Encrypt's "Update your client software to continue using Let's Encrypt" email.

People keep it raw (MIME, quoted-printable), forwarded, quoted with `> `, or re-wrapped by a
mail client. The fields (reference facts §5.1): Client IP address, User agent, Hostname(s),
Request time. The user agent tells the client, its version, certbot vs certbot-auto, the OS,
the plugins and the Python (§7).
"""
from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from wizard.core.errors import UsageError
from wizard.core.evidence import Evidence
from wizard.i18n import _

LABELS = {
    "client_ip": r"Client IP address",
    "user_agent": r"User[ -]agent",
    "hostnames": r"Hostname\(s\)|Hostnames?",
    "request_time": r"Request time",
}
_LABEL = re.compile(r"^(" + "|".join(LABELS.values()) + r")\s*:\s*(.*)$", re.IGNORECASE)
_QUOTE = re.compile(r"^(\s*>)+ ?")


class EmailError(UsageError):
    """The file is not a Let's Encrypt ACMEv1 notice we can read."""


@dataclass
class UserAgent:
    text: str
    kind: str                         # certbot, acme.sh, other
    name: str
    version: str | None = None
    install_method: str | None = None
    os: str | None = None
    authenticator: str | None = None
    installer: str | None = None
    verb: str | None = None
    flags: list[str] = field(default_factory=list)
    python_version: str | None = None


@dataclass
class AcmeV1Email:
    path: str
    user_agent: UserAgent | None
    hostnames: list[str]
    hostnames_elided: bool
    client_ip: str | None
    request_time: datetime.datetime | None
    evidence: list[Evidence]

    def to_json(self) -> dict[str, Any]:
        agent = self.user_agent
        return {
            "user_agent": agent.text if agent else None,
            "client": None if agent is None else {
                "kind": agent.kind, "version": agent.version, "install_method": agent.install_method,
                "python_version": agent.python_version, "os": agent.os,
                "authenticator": agent.authenticator, "installer": agent.installer, "verb": agent.verb,
            },
            "hostnames": self.hostnames,
            "hostnames_elided": self.hostnames_elided,
            "client_ip": self.client_ip,
            "request_time": self.request_time.strftime("%Y-%m-%dT%H:%M:%SZ") if self.request_time else None,
        }


def read_email(path: str, data: bytes) -> AcmeV1Email:
    lines = _plain_lines(data)
    fields: dict[str, tuple[int, str]] = {}
    current: str | None = None
    for number, raw in enumerate(lines, 1):
        line = _QUOTE.sub("", raw).strip()
        match = _LABEL.match(line)
        if match:
            current = next(k for k, pattern in LABELS.items() if re.fullmatch(pattern, match.group(1), re.I))
            if current in fields:            # the second account's details: keep the first
                current = None
                continue
            fields[current] = (number, match.group(2).strip())
        elif current and line and not _is_prose(line):
            number0, value = fields[current]
            joiner = "" if value.endswith(("/", "-", "(")) else " "
            fields[current] = (number0, (value + joiner + line).strip())   # a re-wrapped value
        else:
            current = None
    if "user_agent" not in fields and "client_ip" not in fields:
        raise EmailError(_("no 'User agent' or 'Client IP address' field found"))
    evidence = [Evidence(path, number, f"{key}: {value}") for key, (number, value) in fields.items()]
    hostnames, elided = _hostnames(fields.get("hostnames", (0, ""))[1])
    return AcmeV1Email(
        path=path,
        user_agent=parse_user_agent(fields["user_agent"][1]) if "user_agent" in fields else None,
        hostnames=hostnames,
        hostnames_elided=elided,
        client_ip=_ip(fields.get("client_ip", (0, ""))[1]),
        request_time=_time(fields.get("request_time", (0, ""))[1]),
        evidence=evidence,
    )


def _decode(payload: bytes, charset: str | None) -> str:
    """A part in its declared charset; an unknown one (x-unknown, a typo) is read as UTF-8."""
    try:
        return payload.decode(charset or "utf-8", "replace")
    except (LookupError, ValueError):           # unknown, or not a name at all ("a\0b")
        return payload.decode("utf-8", "replace")


def _plain_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    if re.search(r"^(Content-Type|Content-Transfer-Encoding|MIME-Version):", text, re.M | re.I):
        # a MIME notice only: `check` without --email never pays for the package
        import email
        import email.policy
        message = email.message_from_bytes(data, policy=email.policy.compat32)
        parts = [p for p in message.walk() if p.get_content_type() == "text/plain"] or [message]
        decoded = []
        for part in parts:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                decoded.append(_decode(payload, part.get_content_charset()))
        if decoded:
            text = "\n".join(decoded)
    elif "=\n" in text or "=3D" in text:
        text = re.sub(r"=\r?\n", "", text).replace("=3D", "=")   # quoted-printable pasted as is
    return text.replace("\r\n", "\n").split("\n")


def _is_prose(line: str) -> bool:
    return bool(re.match(r"^(Beginning|According|Here are|We |If you|Thank|To |For |Please)", line))


def parse_user_agent(text: str) -> UserAgent:
    text = " ".join(text.split())
    head = re.match(r"^([A-Za-z][\w.\-]*)/(\S+)\s*", text)
    if not head:
        return UserAgent(text, "other", text.split(" ")[0] if text else "")
    name, version = head.group(1), head.group(2)
    rest = text[head.end():]
    kind = "certbot" if name in ("CertbotACMEClient", "LetsEncryptPythonClient") else (
        "acme.sh" if name.lower() == "acme.sh" else "other")
    agent = UserAgent(text, kind, name, version)
    if kind != "certbot":
        return agent
    first, rest = _parenthesised(rest)
    if first is not None:
        command, sep, os_name = first.partition("; ")
        if sep and command in ("certbot", "certbot-auto", "letsencrypt-auto", "letsencrypt"):
            agent.install_method = "certbot-auto" if command.endswith("-auto") else "unknown"
            agent.os = os_name.split("; ")[0]
        else:
            agent.os = first
    plugins = re.match(r"\s*Authenticator/(\S+)\s+Installer/(\S+)\s*", rest)
    if plugins:
        agent.authenticator, agent.installer = plugins.group(1), plugins.group(2)
        rest = rest[plugins.end():]
    second, rest = _parenthesised(rest)
    if second is not None:
        verb, _, flags = second.partition(";")
        agent.verb = verb.strip() or None
        agent.flags = flags.replace("flags:", "").split()
    python = re.search(r"Py/(\S+)", rest)
    if python:
        agent.python_version = python.group(1)
    return agent


def _parenthesised(text: str) -> tuple[str | None, str]:
    text = text.lstrip()
    if not text.startswith("("):
        return None, text
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:index], text[index + 1:]
    return text[1:], ""


def _hostnames(value: str) -> tuple[list[str], bool]:
    quoted = re.findall(r'"([^"]+)"', value)
    names = quoted or [n.strip() for n in value.split(",")]
    names = [n.strip() for n in names if n.strip() and n.strip() not in ("...", "…")]
    elided = "..." in value or "…" in value
    return names, elided


def _ip(value: str) -> str | None:
    """The first IPv4 or IPv6 address in a header value (linear: candidates are bounded runs,
    checked by ipaddress)."""
    for match in re.finditer(r"[0-9A-Fa-f:.]{2,45}", value[:512]):
        try:
            return str(ipaddress.ip_address(match.group(0).strip(".")))
        except ValueError:
            continue
    return None


def _time(value: str) -> datetime.datetime | None:
    match = re.search(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)", value)
    if not match:
        return None
    try:
        return datetime.datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    except ValueError:                  # 2020-04-00: shaped like a time, but none
        return None

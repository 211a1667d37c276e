"""Certificate expiry from live/*/cert.pem, read with a few lines of DER instead of a crypto library.

Only the public certificate is read; private keys are never opened, by the probe or here.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import posixpath
import re
from dataclasses import dataclass

from wizard.core.probe.snapshot import Snapshot


@dataclass
class LiveCert:
    name: str
    path: str
    not_after: datetime.datetime | None
    error: str | None = None
    client_auth: bool = False      # its extendedKeyUsage includes TLS client authentication

    def days_left(self, now: datetime.datetime) -> float | None:
        if self.not_after is None:
            return None
        return (self.not_after - now).total_seconds() / 86400


def read_live_certs(snapshot: Snapshot) -> list[LiveCert]:
    live = posixpath.join(snapshot.config_dir, "live")
    certs = []
    for directory in snapshot.children(live):
        path = posixpath.join(directory, "cert.pem")
        text_file = snapshot.file(path)
        if text_file is None:
            continue
        name = posixpath.basename(directory)
        try:
            certs.append(LiveCert(name, path, not_after(text_file.text), client_auth=has_client_auth(text_file.text)))
        except ValueError as error:
            certs.append(LiveCert(name, path, None, str(error)))
    return certs


# The DER of OID 1.3.6.1.5.5.7.3.2 (id-kp-clientAuth): in a certificate it appears only in the
# extendedKeyUsage extension.
CLIENT_AUTH_OID = bytes.fromhex("06082b06010505070302")


def has_client_auth(pem: str) -> bool:
    return CLIENT_AUTH_OID in _der(pem)


def _der(pem: str) -> bytes:
    match = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem, re.S)
    if not match:
        raise ValueError("no PEM certificate")
    try:
        return base64.b64decode("".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("bad base64") from error


def not_after(pem: str) -> datetime.datetime:
    der = _der(pem)
    certificate, _ = _tlv(der, 0, 0x30)
    tbs, _ = _tlv(der, certificate, 0x30)
    position = tbs
    if der[position] == 0xA0:                      # [0] explicit version
        position = _skip(der, position)
    for _field in ("serial", "signature", "issuer"):
        position = _skip(der, position)
    validity, _ = _tlv(der, position, 0x30)
    after = _skip(der, validity)                   # past notBefore
    return _time(der, after)


def _header(der: bytes, position: int) -> tuple[int, int, int]:
    """(tag, content start, content length) of the TLV at position."""
    if position + 2 > len(der):
        raise ValueError("truncated certificate")
    tag, length = der[position], der[position + 1]
    start = position + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(der):
            raise ValueError("bad DER length")
        length = int.from_bytes(der[start:start + count], "big")
        start += count
    if start + length > len(der):
        raise ValueError("truncated certificate")
    return tag, start, length


def _tlv(der: bytes, position: int, tag: int) -> tuple[int, int]:
    found, start, length = _header(der, position)
    if found != tag:
        raise ValueError("unexpected DER structure")
    return start, start + length


def _skip(der: bytes, position: int) -> int:
    _, start, length = _header(der, position)
    return start + length


def _time(der: bytes, position: int) -> datetime.datetime:
    tag, start, length = _header(der, position)
    text = der[start:start + length].decode("ascii", "replace")
    if tag == 0x17:                                # UTCTime YYMMDDHHMMSSZ
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    elif tag != 0x18:                              # GeneralizedTime YYYYMMDDHHMMSSZ
        raise ValueError("unexpected time type")
    try:
        return datetime.datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=datetime.timezone.utc)
    except ValueError as error:
        raise ValueError("bad certificate time") from error

"""Version thresholds that drive decisions (reference facts §1, §3), compared with packaging."""
from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

CERTBOT_SPEAKS_V2 = Version("0.22.0")       # first ACMEv2 support
CERTBOT_V2_DEFAULT = Version("0.26.0")      # v2 became the default server
CERTBOT_REWRITES_V1 = Version("1.6.0")      # reads a v01 renewal `server` as v02
CERTBOT_AUTO_OPT_VENV = Version("0.18.0")   # certbot-auto venv moved to /opt/eff.org
CERTBOT_NO_RANDOM_SLEEP = Version("0.30.0")  # --no-random-sleep-on-renew exists (facts §9, commit 856bfe3)
ACME_SH_SPEAKS_V2 = Version("2.7.6")
DEHYDRATED_SPEAKS_V2 = Version("0.6.0")
LEGO_SPEAKS_V2 = Version("1.0.0")           # lego's CHANGELOG, v1.0.0 (2018-05-30): "ACME v2 Support"

# Newest certbot each Python can run (the release before support was dropped).
NEWEST_CERTBOT_FOR_PYTHON = {
    "2.6": "0.21.1", "2.7": "1.11.0", "3.4": "1.1.0", "3.5": "1.7.0", "3.6": "1.23.0",
    "3.7": "2.7.4", "3.8": "3.0.1",
}
# Dependencies that must be held back for that newest certbot to install and run today (facts §9,
# proven with the real clients): pyOpenSSL 23.2 breaks acme 1.23's CSR; pyrfc3339 2 and
# parsedatetime 2.6 no longer import on Python 2.7.
PINS_FOR_PYTHON = {"2.7": ["pyrfc3339<2", "parsedatetime==2.4"], "3.6": ["pyOpenSSL<23.2"]}
# glibc 2.12 (CentOS 6): only manylinux2010 wheels run, and cryptography's end with 37.x; any
# source build of it needs Rust. Wheels only, then (python-augeas, for the apache plugin, has none).
WHEELS_ONLY_FOR_GLIBC_2_12 = ["--only-binary", ":all:"]
GLIBC_2_12_PINS = ["cryptography<38", "pyOpenSSL<23"]
# The first pip that no longer runs on each Python: an old venv pip (8.1.1 on Ubuntu 16.04)
# ignores Requires-Python and would upgrade itself into one (pip's changelog: 21.0, 22.0, 24.1).
PIP_BEFORE_DROPPING_PYTHON = {"2.7": "21", "3.5": "21", "3.6": "22", "3.7": "24.1"}


def parse(version: str | None) -> Version | None:
    """The upstream part of a version string ('0.31.0-2+ubuntu18.04.3+certbot+2' -> 0.31.0)."""
    if not version:
        return None
    match = re.match(r"^(?:\d{1,9}:)?v?(\d{1,9}(?:\.\d{1,9}){0,9})(?!\d)", version.strip())
    if not match:
        return None                   # not a version (or absurd: a component of 5,000 digits)
    try:
        return Version(match.group(1))
    except (InvalidVersion, ValueError):
        return None


def acme_sh_reads_v1_as_v2(version: str | None, url: str) -> bool:
    """Whether this acme.sh renews a certificate whose Le_API is the v01 `url` against ACMEv2.
    Facts §6.1 (read at every tag): the full v01 directory URL only in 2.8.1–2.8.9 and 3.0.1–3.0.4
    (3.0.5 removed the mapping for good; 2.9.0 and 3.0.0 never had it); the bare v01 host only where
    it maps to a v2 default CA, 2.8.1–2.8.6. Any other version renews against Le_API as written."""
    parsed = parse(version)
    if parsed is None:
        return False
    if url == "https://acme-v01.api.letsencrypt.org/directory":
        return Version("2.8.1") <= parsed < Version("2.9.0") or Version("3.0.1") <= parsed < Version("3.0.5")
    if url.rstrip("/") == "https://acme-v01.api.letsencrypt.org":
        return Version("2.8.1") <= parsed <= Version("2.8.6")
    return False


def sort_key(version: str | None) -> Version:
    """For ordering installs: a version that cannot be read sorts before every real one."""
    return parse(version) or Version("0")


def renew_quietly(version: str | None) -> list[str]:
    """The flag that skips certbot's random pre-renewal sleep, for a certbot that knows it (older
    ones reject it as an unknown argument). version None: a current release the plan installs."""
    known = version is None or at_least(version, CERTBOT_NO_RANDOM_SLEEP)
    return ["--no-random-sleep-on-renew"] if known else []


def at_least(version: str | None, threshold: Version) -> bool | None:
    parsed = parse(version)
    return None if parsed is None else parsed >= threshold


def upstream(version: str | None) -> str | None:
    parsed = parse(version)
    return str(parsed) if parsed is not None else None


def python_major_minor(text: str | None) -> str | None:
    match = re.search(r"python(\d\.\d+)", text or "")
    return match.group(1) if match else None

"""Package repositories that have gone away, and where their content lives now (facts §9).

CentOS 6 and 7 lost their mirrorlists on 2024-07-01 (content: vault.centos.org), EPEL 6 and 7 were
archived (archives.fedoraproject.org), the SCLo repositories of CentOS went with them, Debian 8–10
moved to archive.debian.org and Ubuntu's interim releases to old-releases.ubuntu.com. On such a
host every install fails until its repository files point at the archives, so a plan that installs
anything changes those lines first (backed up; rollback restores them) and proves the repositories
answer before it installs. The changes are computed line by line from the files the probe read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from wizard.core.plan.platform import el_release
from wizard.core.probe.snapshot import Snapshot
from wizard.core.readers.osinfo import OsInfo

CENTOS_VAULT = {"6": "6.10", "7": "7.9.2009", "8": "8.5.2111"}   # the last point release of each, as vaulted
CENTOS_STREAM_VAULT = {"8": "8-stream"}
EPEL_ARCHIVE = "https://archives.fedoraproject.org/pub/archive/epel"
DEBIAN_ARCHIVED = {"8", "9", "10"}                    # jessie, stretch, buster: archive.debian.org
YUM_DIR = "/etc/yum.repos.d"
APT_LISTS = ("/etc/apt/sources.list", "/etc/apt/sources.list.d/")
EPEL_ARCHIVE_REPO = YUM_DIR + "/epel-archive.repo"
SCLO_RH_REPO = YUM_DIR + "/CentOS-SCLo-scl-rh.repo"
# Apt's own refusal of an archive whose Release file says it has expired (archive.debian.org).
APT_ARCHIVE_OPTION = ["-o", "Acquire::Check-Valid-Until=false"]

_SECTION = re.compile(r"^\s*\[([^\]]+)\]")
_DEAD_LIST = re.compile(r"^\s*(mirrorlist|metalink)\s*=\s*https?://(mirrorlist\.centos\.org|"
                        r"mirrors\.fedoraproject\.org/(metalink|mirrorlist)\?repo=epel-[a-z-]*[67]\b)")
_CENTOS_BASEURL = re.compile(r"^\s*#?\s*baseurl\s*=\s*https?://mirror\.centos\.org/(?:centos|\$contentdir)/"
                             r"(?:\$releasever|[678](?:\.[0-9.]+)?|8-stream)/(\S+)\s*$")
# epel-release 7-14 ships `#baseurl=http://download.example/pub/epel/7/…`; older ones download.fedoraproject.org
_EPEL_BASEURL = re.compile(r"^\s*#?\s*baseurl\s*=\s*https?://download\.(?:fedoraproject\.org|example)/pub/epel/"
                           r"([67])/(\S+)\s*$")
# The dead lists themselves name what they listed: a section without a usable baseurl line gets one
# in place of its mirrorlist/metalink line.
_CENTOS_LIST_REPO = re.compile(r"[?&]repo=([A-Za-z-]+)")
_EPEL_LIST_REPO = re.compile(r"[?&]repo=epel-(?:(debug|source)-)?([67])\b")
_APT_LINE = re.compile(r"^(\s*deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?)(\S+)(\s+)(\S+)(.*)$")
_DEBIAN_MIRROR = re.compile(r"^https?://(deb|httpredir|ftp(\.[a-z]{2})?|http)\.debian\.(org|net)/debian/?$")
_DEBIAN_SECURITY = re.compile(r"^https?://(security\.debian\.org(/debian-security)?|deb\.debian\.org/debian-security)/?$")
_UBUNTU_MIRROR = re.compile(r"^https?://([a-z]{2}\.)?(archive|security)\.ubuntu\.com/ubuntu/?$")


@dataclass
class LineFix:
    path: str
    line: int
    old: str
    new: str


@dataclass
class RepositoryFixes:
    """What to change so the package manager answers again, and how to prove it does."""

    lines: list[LineFix] = field(default_factory=list)
    new_files: dict[str, str] = field(default_factory=dict)     # path -> content
    check: list[str] | None = None                               # the command that proves the repos answer
    archived_apt: bool = False                                   # apt must be told the archive's dates are old

    def __bool__(self) -> bool:
        return bool(self.lines or self.new_files)


def repository_fixes(os_info: OsInfo, snapshot: Snapshot, needs: set[str]) -> RepositoryFixes:
    """The fixes for this host. needs: the extra repositories the chosen install uses ("epel", "sclo-rh")."""
    fixes = RepositoryFixes()
    if os_info.family == "rhel":
        _yum(os_info, snapshot, needs, fixes)
    elif os_info.family == "debian":
        _apt(os_info, snapshot, fixes)
    return fixes


def _yum(os_info: OsInfo, snapshot: Snapshot, needs: set[str], fixes: RepositoryFixes) -> None:
    vault = None
    if os_info.id == "centos" and os_info.eol:
        stream = "stream" in os_info.pretty_name.lower()
        vault = (CENTOS_STREAM_VAULT if stream else CENTOS_VAULT).get(os_info.major)
    release = el_release(os_info)
    epel_sections: list[str] = []
    for path in sorted(p for p in snapshot.files if p.startswith(YUM_DIR + "/") and p.endswith(".repo")):
        text_file = snapshot.file(path)
        if text_file is None:
            continue
        sections = _sections(text_file.numbered())
        for name, lines in sections.items():
            if name.startswith("epel"):
                epel_sections.append(name)
            new_base = {number: _new_baseurl(text, vault) for number, text in lines}
            has_base = any(new_base.values())
            for number, text in lines:
                base = new_base[number]
                if base:
                    fixes.lines.append(LineFix(path, number, text, base))
                elif _DEAD_LIST.match(text):
                    derived = None if has_base else _baseurl_for_list(text, vault)
                    if derived or has_base:
                        fixes.lines.append(LineFix(path, number, text, derived or "#" + text))
    if "epel" in needs and release == 7 and "epel" not in epel_sections:
        fixes.new_files[EPEL_ARCHIVE_REPO] = (
            "# Added by acme-wizard: EPEL 7 was archived in 2024; its content lives in the Fedora archive.\n"
            "[epel-archive]\nname=Extra Packages for Enterprise Linux 7 - archive - $basearch\n"
            f"baseurl={EPEL_ARCHIVE}/7/$basearch\nenabled=1\ngpgcheck=1\n"
            f"gpgkey={EPEL_ARCHIVE}/RPM-GPG-KEY-EPEL-7\n")
    if "sclo-rh" in needs and vault and not snapshot.exists(SCLO_RH_REPO):
        fixes.new_files[SCLO_RH_REPO] = (
            "# Added by acme-wizard: the CentOS SCLo repositories live only in the vault now.\n"
            f"[centos-sclo-rh]\nname=CentOS-{os_info.major} - SCLo rh (vault)\n"
            f"baseurl=https://vault.centos.org/{vault}/sclo/$basearch/rh/\nenabled=1\ngpgcheck=1\n"
            "gpgkey=https://www.centos.org/keys/RPM-GPG-KEY-CentOS-SIG-SCLo\n")
    if fixes:
        fixes.check = ["yum", "makecache"] if release is not None and release <= 7 else ["dnf", "makecache"]


def _new_baseurl(text: str, vault: str | None) -> str | None:
    centos = _CENTOS_BASEURL.match(text)
    if centos and vault:
        return f"baseurl=https://vault.centos.org/{vault}/{centos.group(1)}"
    epel = _EPEL_BASEURL.match(text)
    if epel:
        return f"baseurl={EPEL_ARCHIVE}/{epel.group(1)}/{epel.group(2)}"
    return None


def _baseurl_for_list(text: str, vault: str | None) -> str | None:
    """The archive baseurl for what a dead mirrorlist/metalink line listed, when it says."""
    epel = _EPEL_LIST_REPO.search(text)
    if "fedoraproject" in text and epel:
        kind, major = epel.groups()
        tail = {"debug": "$basearch/debug", "source": "SRPMS"}.get(kind or "", "$basearch")
        return f"baseurl={EPEL_ARCHIVE}/{major}/{tail}"
    centos = _CENTOS_LIST_REPO.search(text)
    if "mirrorlist.centos.org" in text and centos and vault:
        repo = centos.group(1)
        if repo.startswith("sclo-"):
            return f"baseurl=https://vault.centos.org/{vault}/sclo/$basearch/{repo[5:]}/"
        return f"baseurl=https://vault.centos.org/{vault}/{'os' if repo == 'os' else repo}/$basearch/"
    return None


def _sections(lines: list[tuple[int, str]]) -> dict[str, list[tuple[int, str]]]:
    sections: dict[str, list[tuple[int, str]]] = {}
    current = ""
    for number, text in lines:
        header = _SECTION.match(text)
        if header:
            current = header.group(1).strip()
        sections.setdefault(current, []).append((number, text))
    return sections


def _apt(os_info: OsInfo, snapshot: Snapshot, fixes: RepositoryFixes) -> None:
    debian = os_info.id == "debian" and os_info.major in DEBIAN_ARCHIVED
    ubuntu_interim = os_info.id == "ubuntu" and os_info.eol and not _ubuntu_lts(os_info.version)
    if not (debian or ubuntu_interim):
        return
    for path in sorted(p for p in snapshot.files
                       if p == APT_LISTS[0] or (p.startswith(APT_LISTS[1]) and p.endswith(".list"))):
        text_file = snapshot.file(path)
        for number, text in text_file.numbered() if text_file else []:
            new = _archived_apt_line(text, debian)
            if new is not None and new != text:
                fixes.lines.append(LineFix(path, number, text, new))
    if fixes:
        fixes.archived_apt = debian
        fixes.check = ["apt-get", *(APT_ARCHIVE_OPTION if debian else []), "update"]


def _archived_apt_line(text: str, debian: bool) -> str | None:
    match = _APT_LINE.match(text)
    if not match:
        return None
    head, url, gap, suite, rest = match.groups()
    if debian:
        if _DEBIAN_SECURITY.match(url):
            url = "http://archive.debian.org/debian-security"
        elif _DEBIAN_MIRROR.match(url):
            url = "http://archive.debian.org/debian"
        else:
            return None
        if suite.endswith("-updates") and not suite.startswith("buster"):
            return "# " + text + "   # acme-wizard: not in archive.debian.org"
    elif _UBUNTU_MIRROR.match(url):
        url = "http://old-releases.ubuntu.com/ubuntu"
    else:
        return None
    return f"{head}{url}{gap}{suite}{rest}"


def _ubuntu_lts(version: str) -> bool:
    """Ubuntu LTS releases (even year, .04) stay on archive.ubuntu.com through ESM."""
    match = re.match(r"^(\d+)\.04", version)
    return bool(match and int(match.group(1)) % 2 == 0)

"""The target's operating system: `distro` over the release files the probe brought back."""
from __future__ import annotations

import datetime
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import distro

from wizard.core.probe.snapshot import FileText, Snapshot
from wizard.i18n import _

# End of standard (free) support; extended paid support is mentioned, not counted.
# Sources: vendors' lifecycle pages as summarised in the issue and reference facts.
EOL_DATES: dict[tuple[str, str], datetime.date] = {
    ("centos", "5"): datetime.date(2017, 3, 31),
    ("centos", "6"): datetime.date(2020, 11, 30),
    ("centos", "7"): datetime.date(2024, 6, 30),
    ("centos", "8"): datetime.date(2021, 12, 31),
    ("centos-stream", "8"): datetime.date(2024, 5, 31),
    ("centos-stream", "9"): datetime.date(2027, 5, 31),
    ("rhel", "5"): datetime.date(2017, 3, 31),
    ("rhel", "6"): datetime.date(2020, 11, 30),
    ("rhel", "7"): datetime.date(2024, 6, 30),
    ("cloudlinux", "5"): datetime.date(2017, 3, 31),
    ("cloudlinux", "6"): datetime.date(2020, 11, 30),
    ("cloudlinux", "7"): datetime.date(2024, 6, 30),
    ("oracle", "6"): datetime.date(2021, 3, 1),
    ("oracle", "7"): datetime.date(2024, 12, 1),
    ("ubuntu", "12.04"): datetime.date(2017, 4, 28),
    ("ubuntu", "14.04"): datetime.date(2019, 4, 30),
    ("ubuntu", "16.04"): datetime.date(2021, 4, 30),
    ("ubuntu", "18.04"): datetime.date(2023, 5, 31),
    ("ubuntu", "20.04"): datetime.date(2025, 5, 31),
    ("ubuntu", "22.04"): datetime.date(2027, 6, 1),
    ("ubuntu", "24.04"): datetime.date(2029, 5, 31),
    # interim releases: nine months each (Ubuntu's release list); their archives move to old-releases
    ("ubuntu", "14.10"): datetime.date(2015, 7, 23),
    ("ubuntu", "15.04"): datetime.date(2016, 2, 4),
    ("ubuntu", "15.10"): datetime.date(2016, 7, 28),
    ("ubuntu", "16.10"): datetime.date(2017, 7, 20),
    ("ubuntu", "17.04"): datetime.date(2018, 1, 13),
    ("ubuntu", "17.10"): datetime.date(2018, 7, 19),
    ("ubuntu", "18.10"): datetime.date(2019, 7, 18),
    ("ubuntu", "19.04"): datetime.date(2020, 1, 23),
    ("ubuntu", "19.10"): datetime.date(2020, 7, 17),
    ("ubuntu", "20.10"): datetime.date(2021, 7, 22),
    ("ubuntu", "21.04"): datetime.date(2022, 1, 20),
    ("ubuntu", "21.10"): datetime.date(2022, 7, 14),
    ("ubuntu", "22.10"): datetime.date(2023, 7, 20),
    ("ubuntu", "23.04"): datetime.date(2024, 1, 25),
    ("ubuntu", "23.10"): datetime.date(2024, 7, 11),
    ("ubuntu", "24.10"): datetime.date(2025, 7, 10),
    ("ubuntu", "25.04"): datetime.date(2026, 1, 15),
    ("debian", "7"): datetime.date(2018, 5, 31),
    ("debian", "8"): datetime.date(2020, 6, 30),
    ("debian", "9"): datetime.date(2022, 6, 30),
    ("debian", "10"): datetime.date(2024, 6, 30),
    ("debian", "11"): datetime.date(2026, 8, 31),
    ("debian", "12"): datetime.date(2028, 6, 30),
    ("amzn", "1"): datetime.date(2023, 12, 31),
    ("amzn", "2"): datetime.date(2026, 6, 30),
    ("amzn", "2023"): datetime.date(2029, 6, 30),
}

RELEASE_FILES = ("/etc/os-release", "/usr/lib/os-release")


@dataclass
class OsInfo:
    id: str
    version: str
    pretty_name: str
    like: str
    codename: str
    eol_date: datetime.date | None
    eol: bool
    evidence_path: str | None

    @property
    def major(self) -> str:
        return _eol_key(self.id, self.version)[1]

    @property
    def family(self) -> str:
        """'rhel' or 'debian' (or the id itself) — what decides the package tools."""
        words = {self.id, *self.like.split()}
        if words & {"rhel", "centos", "fedora", "cloudlinux", "oracle", "amzn", "almalinux", "rocky",
                    "scientific"}:
            return "rhel"
        if words & {"debian", "ubuntu"}:
            return "debian"
        return self.id


def detect_os(snapshot: Snapshot, today: datetime.date | None = None) -> OsInfo:
    today = today or datetime.date.today()
    release_files = {
        path: text_file for path, text_file in snapshot.files.items()
        if not text_file.binary and (
            path in RELEASE_FILES
            or (path.startswith("/etc/") and "/" not in path[5:]
                and (path.endswith("-release") or path.endswith("_version")))
        )
    }
    with tempfile.TemporaryDirectory(prefix="acme-wizard-os-") as root:
        # distro reads a root tree; give it the files the probe saw, and nothing else.
        for path, text_file in release_files.items():
            local = os.path.join(root, path.lstrip("/"))
            os.makedirs(os.path.dirname(local), exist_ok=True)
            with open(local, "w", encoding="utf-8", errors="replace") as handle:
                handle.write(text_file.text + "\n")
        try:
            info = distro.LinuxDistribution(root_dir=root, include_lsb=False, include_uname=False)
            os_id, version = info.id(), info.version(best=True)
            like, codename = info.like(), info.codename()
            pretty = info.os_release_attr("pretty_name") or ""
        except ValueError:            # an unbalanced quote in os-release (shlex): the release line decides
            os_id, version, like, codename, pretty = "", "", "", "", ""
        distro_release_line = _first_line(release_files, ("/etc/centos-release", "/etc/redhat-release",
                                                          "/etc/system-release"))
    if not os_id:
        os_id, version = _amazon_fallback(distro_release_line)
    if os_id == "rhel" and "scientific" in (distro_release_line or "").lower():
        os_id = "scientific"
    if not pretty:
        pretty = distro_release_line or " ".join(x for x in (os_id, version) if x) or _(
            "unknown (no /etc/os-release or /etc/*-release file)")
    eol_key = _eol_key(os_id, version)
    if os_id == "centos" and "stream" in pretty.lower():
        eol_key = ("centos-stream", eol_key[1])
    eol_date = EOL_DATES.get(eol_key)
    evidence = next((p for p in ("/etc/os-release", "/etc/centos-release", "/etc/redhat-release",
                                 "/etc/system-release", "/usr/lib/os-release") if p in release_files), None)
    return OsInfo(os_id or "unknown", version, pretty, like, codename, eol_date,
                  bool(eol_date and eol_date <= today), evidence)


def _eol_key(os_id: str, version: str) -> tuple[str, str]:
    family = {"scientific": "rhel"}.get(os_id, os_id)
    if family == "ubuntu":
        return family, ".".join(version.split(".")[:2])
    if family == "amzn":
        return family, "1" if re.match(r"^20\d\d\.", version) else version.split(".")[0]
    return family, version.split(".")[0]


def _first_line(files: Mapping[str, FileText], candidates: Iterable[str]) -> str | None:
    for path in candidates:
        if path in files and files[path].lines:
            first: str = files[path].numbered()[0][1]
            return first.strip()
    return None


def _amazon_fallback(line: str | None) -> tuple[str, str]:
    match = re.match(r"Amazon Linux AMI release (\S+)", line or "")
    return ("amzn", match.group(1)) if match else ("", "")

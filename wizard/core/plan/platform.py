"""How software gets onto this distribution: its package manager, where EPEL comes from, what
certbot's own pip instructions install first, and what snapd needs (reference facts §3 and §9).

Every command is an argv list for the distribution it is written for; nothing here runs anything.
"""
from __future__ import annotations

from wizard.core.readers.osinfo import OsInfo

Argv = list[str]
PACKAGE_MANAGERS = {"apt-get", "yum", "dnf"}

# EPEL's release package by URL: RHEL's own repositories do not carry epel-release (EPEL's
# getting-started guide; facts §9). EPEL 7 is archived, see wizard.core.plan.repositories.
EPEL_RELEASE_RPM = "https://dl.fedoraproject.org/pub/epel/epel-release-latest-{major}.noarch.rpm"
# Rebuilds whose own "extras" repository carries epel-release.
EPEL_IN_EXTRAS = {"centos", "rocky", "almalinux", "cloudlinux", "scientific"}
SNAP_MOUNT_LINK = ("/var/lib/snapd/snap", "/snap")     # classic snaps expect /snap (snapcraft docs)


def el_release(os_info: OsInfo) -> int | None:
    """The Enterprise Linux release a RHEL-like host follows (Amazon Linux 2 follows EL7), or None
    for Fedora, Amazon Linux 2023 and anything that is not RHEL-like."""
    if os_info.family != "rhel" or os_info.id == "fedora":
        return None
    if os_info.id == "amzn":
        return 7 if os_info.major == "2" else None
    return int(os_info.major) if os_info.major.isdigit() else None


def is_fedora(os_info: OsInfo) -> bool:
    return os_info.id == "fedora"


def package_manager(os_info: OsInfo) -> str:
    if os_info.family == "debian":
        return "apt-get"
    release = el_release(os_info)
    return "yum" if release is not None and release <= 7 else "dnf"


def install(os_info: OsInfo, packages: list[str]) -> list[Argv]:
    manager = package_manager(os_info)
    if manager == "apt-get":
        return [["apt-get", "update"], ["apt-get", "install", "-y", *packages]]
    return [[manager, "install", "-y", *packages]]


def remove(os_info: OsInfo, packages: list[str]) -> Argv:
    return [package_manager(os_info), "remove", "-y", *packages]


def enable_epel(os_info: OsInfo) -> list[Argv]:
    """The commands that make EPEL available, for releases where EPEL is alive. EL7 gets the EPEL
    archive from the repositories step instead (its mirrors are gone); Fedora needs no EPEL."""
    release = el_release(os_info)
    if release is None or release <= 7:
        return []
    if os_info.id in ("ol", "oracle"):
        return [["dnf", "install", "-y", f"oracle-epel-release-el{release}"]]    # Oracle's own EPEL mirror
    if os_info.id in EPEL_IN_EXTRAS:
        return [["dnf", "install", "-y", "epel-release"]]
    return [["dnf", "install", "-y", EPEL_RELEASE_RPM.format(major=release)]]


def epel_from_archive(os_info: OsInfo) -> bool:
    """EL7 (CentOS, RHEL, Oracle, Amazon Linux 2): EPEL 7 lives only in the Fedora archive."""
    return el_release(os_info) == 7


def certbot_packages(os_info: OsInfo, plugins: list[str]) -> list[str]:
    """certbot and its web-server plugins as this distribution names them (facts §3.2)."""
    if os_info.family == "debian":
        return ["certbot"] + [f"python3-certbot-{p}" for p in plugins]
    python = "python2" if el_release(os_info) == 7 else "python3"
    return ["certbot"] + [f"{python}-certbot-{p}" for p in plugins]


def pip_prerequisites(os_info: OsInfo) -> list[Argv]:
    """What certbot's pip instructions install before making the venv."""
    if os_info.family == "debian":
        return install(os_info, ["python3", "python3-venv", "libaugeas0"])
    return install(os_info, ["python3", "augeas-libs"])


def snapd(os_info: OsInfo, has_snap_dir: bool) -> list[Argv]:
    """snapd itself: Debian does not install it by default; on a RHEL-like host it comes from EPEL
    with a socket to enable and the /snap link classic snaps expect. Either way the first snap
    command waits for snapd to finish seeding."""
    if os_info.family == "debian":
        return [*install(os_info, ["snapd"]), ["snap", "wait", "system", "seed.loaded"]]
    if os_info.family != "rhel":
        return []
    commands = [[package_manager(os_info), "install", "-y", "snapd"], ["systemctl", "enable", "--now", "snapd.socket"]]
    if not has_snap_dir:
        commands.append(["ln", "-s", *SNAP_MOUNT_LINK])
    return [*commands, ["snap", "wait", "system", "seed.loaded"]]

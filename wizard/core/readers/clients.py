"""Every ACME client install on the target: what it is, how it got there, which Python runs it.

Fingerprints (reference facts §3): certbot-auto scripts (LE_AUTO_VERSION) and their venv at
/opt/eff.org/certbot/venv or the older ~/.local/share/letsencrypt; OS packages (dpkg status,
rpm egg-info under the system site-packages, `rpm -q` on a live system); the snap; pip venvs
such as /opt/certbot; and the entry point that certbot >= 1.11 writes into its log.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from wizard.core import versions
from wizard.core.evidence import Evidence
from wizard.core.probe.snapshot import Snapshot

AUTO_NAMES = {"certbot-auto", "letsencrypt-auto"}
_DIST = re.compile(r"^(certbot|letsencrypt)-(\d[^-]*?)(?:-py\d\.\d+)?\.(egg-info|dist-info)$")
_SITE = re.compile(r"^(.*)/lib(?:64)?/python(\d\.\d+)/(site|dist)-packages/[^/]+$")
SPEAKS_V2_FROM = {"certbot": versions.CERTBOT_SPEAKS_V2, "acme.sh": versions.ACME_SH_SPEAKS_V2,
                  "dehydrated": versions.DEHYDRATED_SPEAKS_V2, "lego": versions.LEGO_SPEAKS_V2}
DPKG_PACKAGES = ("certbot", "letsencrypt", "python3-certbot", "python-certbot", "python-letsencrypt")


@dataclass
class Install:
    kind: str                      # certbot, acme.sh, dehydrated, lego
    method: str                    # certbot-auto, os-package, snap, pip, docker, unknown
    path: str                      # the program admins (and schedulers) run
    version: str | None = None
    python_version: str | None = None
    aliases: set[str] = field(default_factory=set)   # other paths that run this install
    prefix: str | None = None      # venv / install prefix, to match traceback paths in logs
    script_version: str | None = None   # certbot-auto's own LE_AUTO_VERSION
    package: str | None = None     # "certbot 0.31.0-2+ubuntu18.04.3+certbot+2"
    source: str | None = None      # e.g. "ppa:certbot/certbot", "EPEL"
    present: bool = True
    version_is_minimum: bool = False    # known only as "at least": dated by a log's era markers
    seen_in_logs: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def paths(self) -> set[str]:
        return {self.path, *self.aliases}

    @property
    def speaks_v2(self) -> bool | None:
        since = SPEAKS_V2_FROM.get(self.kind)
        return None if since is None else versions.at_least(self.version, since)

    @property
    def v2_since(self) -> str:
        """The first version of this client that speaks ACMEv2."""
        return str(SPEAKS_V2_FROM.get(self.kind, "?"))

    @property
    def rewrites_v1(self) -> bool | None:
        if self.kind != "certbot":
            return None
        return versions.at_least(self.version, versions.CERTBOT_REWRITES_V1)

    @property
    def label(self) -> str:
        version = (">=" if self.version_is_minimum else "") + (self.version or "?")
        return f"{self.kind} {version} ({self.method}, {self.path})"


def detect_installs(snapshot: Snapshot) -> list[Install]:
    installs: list[Install] = []
    installs += _certbot_auto(snapshot)
    installs += _os_packages(snapshot)
    installs += _snap(snapshot)
    installs += _pip(snapshot, installs)
    installs += _other_clients(snapshot)
    _from_logs(snapshot, installs)
    return installs


def find_install(installs: list[Install], path: str, snapshot: Snapshot) -> Install | None:
    """The install a command path runs (following the symlinks the probe recorded)."""
    candidates = {path, snapshot.resolve(path)}
    for install in installs:
        paths = install.paths | {snapshot.resolve(p) for p in install.paths}
        if candidates & paths:
            return install
        if install.prefix and any(c.startswith(install.prefix.rstrip("/") + "/") for c in candidates):
            return install
    return None


# --- certbot-auto ------------------------------------------------------------------------------

def _certbot_auto(snapshot: Snapshot) -> list[Install]:
    by_venv: dict[str, Install] = {}
    for path, program in sorted(snapshot.programs.items(), key=lambda kv: _path_rank(kv[0])):
        if posixpath.basename(path) not in AUTO_NAMES:
            continue
        script_version = _assignment(program.lines, "LE_AUTO_VERSION")
        if script_version is None:
            continue
        venv = _auto_venv(snapshot, path, script_version[1])
        install = by_venv.get(venv)
        if install is None:
            install = Install("certbot", "certbot-auto", path, prefix=venv)
            install.script_version = script_version[1]
            by_venv[venv] = install
            _fill_from_site(snapshot, install, venv)
        else:
            install.aliases.add(path)
        install.evidence.append(Evidence(path, script_version[0], f'LE_AUTO_VERSION="{script_version[1]}"'))
        install.aliases.add(posixpath.join(venv, "bin", "letsencrypt"))
        install.aliases.add(posixpath.join(venv, "bin", "certbot"))
    # A venv whose script is gone still runs when cron calls venv/bin/letsencrypt directly.
    for venv in _auto_venv_candidates(snapshot):
        if venv in by_venv or not _site_dists(snapshot, venv):
            continue
        install = Install("certbot", "certbot-auto", posixpath.join(venv, "bin", "letsencrypt"), prefix=venv)
        install.aliases.add(posixpath.join(venv, "bin", "certbot"))
        _fill_from_site(snapshot, install, venv)
        by_venv[venv] = install
    for install in by_venv.values():
        if install.version is None:
            install.version = install.script_version      # never bootstrapped: it would install this
    return list(by_venv.values())


def _auto_venv(snapshot: Snapshot, script: str, script_version: str) -> str:
    new, old = "/opt/eff.org/certbot/venv", _old_auto_venv(script)
    if versions.at_least(script_version, versions.CERTBOT_AUTO_OPT_VENV) is False:
        return old if snapshot.exists(old) or not snapshot.exists(new) else new
    return new if snapshot.exists(new) or not snapshot.exists(old) else old


def _old_auto_venv(script: str) -> str:
    match = re.match(r"^/home/([^/]+)/", script)
    home = f"/home/{match.group(1)}" if match else "/root"
    return f"{home}/.local/share/letsencrypt"


def _auto_venv_candidates(snapshot: Snapshot) -> list[str]:
    found = {"/opt/eff.org/certbot/venv", "/root/.local/share/letsencrypt"}
    for path in snapshot.entries:
        match = re.match(r"^(/home/[^/]+/\.local/share/letsencrypt)/", path)
        if match:
            found.add(match.group(1))
    return sorted(p for p in found if snapshot.exists(p) or _site_dists(snapshot, p))


# --- site-packages -------------------------------------------------------------------------------

def _site_dists(snapshot: Snapshot, prefix: str) -> list[tuple[str, str, str]]:
    """(dist path, version, python X.Y) for certbot/letsencrypt dists below a prefix."""
    found = []
    for path in snapshot.entries:
        if not path.startswith(prefix.rstrip("/") + "/lib"):
            continue
        match = _SITE.match(path)
        dist = _DIST.match(posixpath.basename(path))
        if match and dist and match.group(1) == prefix.rstrip("/"):
            found.append((path, dist.group(2), match.group(2)))
    found.sort(key=lambda item: (item[0].rsplit("/", 1)[-1].startswith("certbot-"), versions.sort_key(item[1])),
               reverse=True)
    return found


def _fill_from_site(snapshot: Snapshot, install: Install, prefix: str) -> None:
    dists = _site_dists(snapshot, prefix)
    if dists:
        path, version, python = dists[0]
        install.version, install.python_version = version, python
        install.evidence.append(Evidence(path))
    else:
        for entry in snapshot.entries:
            lib = re.match(rf"^{re.escape(prefix.rstrip('/'))}/lib/python(\d\.\d+)$", entry)
            if lib:
                install.python_version = lib.group(1)
    cfg = snapshot.file(posixpath.join(prefix, "pyvenv.cfg"))
    if cfg:
        for number, text in cfg.numbered():
            key, _, value = text.partition("=")
            if key.strip() in ("version", "version_info") and value.strip():
                # virtualenv 20 writes version_info = 2.7.18.final.0: the version is its first three parts
                number_only = re.match(r"^\d+\.\d+(?:\.\d+)?", value.strip())
                install.python_version = number_only.group(0) if number_only else value.strip()
                install.evidence.append(Evidence(cfg.path, number, text.strip()))
                break


# --- OS packages -------------------------------------------------------------------------------

def _dpkg_packages(snapshot: Snapshot) -> dict[str, tuple[str, int]]:
    status = snapshot.file("/var/lib/dpkg/status")
    packages: dict[str, tuple[str, int]] = {}
    if status is None:
        return packages
    name, installed, line = None, False, 0
    for number, text in status.numbered():
        if text.startswith("Package: "):
            name, installed, line = text[9:].strip(), False, number
        elif text.startswith("Status: "):
            installed = text.strip().endswith(" installed") and " ok " in text
        elif text.startswith("Version: ") and name and installed:
            packages[name] = (text[9:].strip(), line)
    return packages


def _os_packages(snapshot: Snapshot) -> list[Install]:
    dpkg = _dpkg_install(snapshot)
    if dpkg:
        return [dpkg]
    rpm = _rpm_install(snapshot)
    return [rpm] if rpm else []


def _dpkg_install(snapshot: Snapshot) -> Install | None:
    dpkg = _dpkg_packages(snapshot)
    main = next((p for p in DPKG_PACKAGES if p in dpkg), None)
    if main is None:
        return None
    full_version, line = dpkg[main]
    program = next((p for p in ("/usr/bin/certbot", "/usr/bin/letsencrypt") if snapshot.exists(p)),
                   "/usr/bin/certbot")
    install = Install("certbot", "os-package", program, versions.upstream(full_version))
    install.package = f"{main} {full_version}"
    install.source = "ppa:certbot/certbot" if "+certbot+" in full_version else "dpkg"
    install.aliases |= {"/usr/bin/certbot", "/usr/bin/letsencrypt"}
    install.evidence.append(Evidence("/var/lib/dpkg/status", line, f"Package: {main} Version: {full_version}"))
    python_package = next((p for p in ("python3-certbot", "python-certbot", "python-letsencrypt") if p in dpkg), None)
    install.python_version = _system_python(snapshot, "3" if python_package == "python3-certbot" else "2")
    return install


def _rpm_install(snapshot: Snapshot) -> Install | None:
    """RHEL-family packages: `rpm -q` on a live system, else the egg-info the rpm put in place."""
    rpm = _rpm_query(snapshot)
    egg = None
    for path in sorted(snapshot.entries):
        match, dist = _SITE.match(path), _DIST.match(posixpath.basename(path))
        if not (match and dist) or match.group(1) not in ("/usr", "/usr/lib64") or match.group(3) == "dist":
            continue
        if path.endswith(".dist-info") and _installer(snapshot, path) == "pip":
            continue          # pip into the system Python: reported by _pip
        egg = (path, dist.group(2), match.group(2))
        break
    if "certbot" not in rpm and egg is None:
        return None
    # rpm's word first; a blank one (a damaged or edited bundle) falls back to the egg-info's
    version = rpm.get("certbot") or (egg[1] if egg is not None else None)
    install = Install("certbot", "os-package", "/usr/bin/certbot", versions.upstream(version),
                      python_version=egg[2] if egg else None)
    install.aliases.add("/usr/bin/letsencrypt")
    if "certbot" in rpm:
        install.package = f"certbot {rpm['certbot']}"
        install.evidence.append(Evidence("/var/lib/rpm", None, f"rpm -q certbot: {rpm['certbot']}"))
    install.source = "EPEL" if ".el" in rpm.get("certbot", ".el") else "rpm"
    if egg:
        install.evidence.append(Evidence(egg[0]))
    return install


def _rpm_query(snapshot: Snapshot) -> dict[str, str]:
    result = {}
    for line in snapshot.commands.get("!rpm", []):
        name, _, version = line.partition("\t")
        if version:
            result[name.strip()] = version.strip()
    return result


def _installer(snapshot: Snapshot, dist_path: str) -> str | None:
    installer = snapshot.file(posixpath.join(dist_path, "INSTALLER"))
    return installer.text.strip() if installer else None


def _system_python(snapshot: Snapshot, major: str) -> str | None:
    name = f"/usr/bin/python{major}"
    target = snapshot.resolve(name)
    return versions.python_major_minor(target) or versions.python_major_minor(snapshot.links.get(name)) or (
        "2.7" if major == "2" else None)


# --- snap ----------------------------------------------------------------------------------------

def _snap(snapshot: Snapshot) -> list[Install]:
    meta = snapshot.file("/snap/certbot/current/meta/snap.yaml")
    if meta is None:
        return []
    install = Install("certbot", "snap", "/snap/bin/certbot", prefix="/snap/certbot")
    for number, text in meta.numbered():
        if text.startswith("version:"):
            install.version = text.split(":", 1)[1].strip().strip("'\"")
            install.evidence.append(Evidence(meta.path, number, text.strip()))
            break
    for entry in snapshot.entries:
        python = re.match(r"^/snap/certbot/current/(?:usr/)?lib/python(3\.\d+)$", entry)
        if python:
            install.python_version = python.group(1)
    return [install]


# --- pip -----------------------------------------------------------------------------------------

def _pip(snapshot: Snapshot, known: list[Install]) -> list[Install]:
    taken = {i.prefix for i in known if i.prefix}
    found: dict[str, Install] = {}
    for path in sorted(snapshot.entries):
        match = _SITE.match(path)
        dist = _DIST.match(posixpath.basename(path))
        if not (match and dist) or dist.group(1) != "certbot":
            continue
        prefix = match.group(1)
        if prefix in taken or prefix in found or "/.local/share/letsencrypt" in prefix:
            continue
        if prefix in ("/usr", "/usr/lib64") and _installer(snapshot, path) != "pip":
            continue
        program = posixpath.join(prefix, "bin", "certbot")
        install = Install("certbot", "pip", program, prefix=prefix)
        _fill_from_site(snapshot, install, prefix)
        if prefix in ("/usr", "/usr/local"):
            install.prefix = None      # a system prefix is not a venv: match by program only
        found[prefix] = install
    return list(found.values())


# --- acme.sh, dehydrated, lego -------------------------------------------------------------------

def _other_clients(snapshot: Snapshot) -> list[Install]:
    found = _lego(snapshot)
    for path, program in sorted(snapshot.programs.items()):
        name = posixpath.basename(path)
        if name == "acme.sh":
            version = _assignment(program.lines, "VER")
            install = Install("acme.sh", "unknown", path, version[1] if version else None)
        elif name in ("dehydrated", "letsencrypt.sh"):      # letsencrypt.sh: dehydrated's old name
            version = _assignment(program.lines, "VERSION")
            install = Install("dehydrated", "unknown", path, version[1] if version else None)
            if path == "/usr/bin/dehydrated":
                _from_package(snapshot, install, "dehydrated")
        else:
            continue
        if version:
            install.evidence.append(Evidence(path, version[0], f"{name} {version[1]}"))
        found.append(install)
    return found


def _from_package(snapshot: Snapshot, install: Install, package: str) -> None:
    """The distribution's package, where its dpkg stanza says it is installed, put this program here."""
    stanza = _dpkg_packages(snapshot).get(package)
    if stanza is None:
        return
    full_version, line = stanza
    install.method, install.package = "os-package", f"{package} {full_version}"
    install.version = install.version or versions.upstream(full_version)
    install.evidence.append(Evidence("/var/lib/dpkg/status", line, f"Package: {package} Version: {full_version}"))


OTHER_CLIENT_NAMES = AUTO_NAMES | {"certbot", "letsencrypt", "acme.sh", "dehydrated"}   # a `lego` link to one is it
LEGO_PLACES = ("/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/usr/local/sbin", "/snap/bin", "/root",
               "/root/bin", "/opt", "/opt/certbot", "/opt/certbot/bin", "/opt/letsencrypt", "/usr/share/letsencrypt")


def _lego(snapshot: Snapshot) -> list[Install]:
    """lego, a Go binary: the probe only notes where it is (a file, or a link that is no loop: one
    snapshot.resolve ends on, in the places it looks for clients); Debian's package gives its version."""
    broken = {p.path for p in snapshot.problems}
    found = []
    for path in sorted(p for p, kind in snapshot.entries.items()
                       if posixpath.basename(p) == "lego" and posixpath.dirname(p) in LEGO_PLACES
                       and kind in ("f", "l") and p not in broken and snapshot.resolve(p) not in snapshot.links
                       and posixpath.basename(snapshot.resolve(p)) not in OTHER_CLIENT_NAMES):
        install = Install("lego", "unknown", path)
        if path == "/usr/bin/lego":
            _from_package(snapshot, install, "lego")
        found.append(install)
    return found


# --- logs ----------------------------------------------------------------------------------------

def _from_logs(snapshot: Snapshot, installs: list[Install]) -> None:
    """Tie logged runs to installs; an entry point no install explains becomes one of its own."""
    for run in reversed(snapshot.logs.runs):            # newest first: newest facts win
        install = None
        if run.entry_point:
            install = find_install(installs, run.entry_point, snapshot)
            if install is None and run.certbot_version:
                install = Install("certbot", _method_from_path(run.entry_point), run.entry_point,
                                  run.certbot_version, present=snapshot.exists(run.entry_point))
                install.evidence.append(Evidence(run.file, run.entry_point_line,
                                                 f"Location of certbot entry point: {run.entry_point}"))
                installs.append(install)
        elif run.python:
            install = next((i for i in installs if i.prefix and run.python[0].startswith(i.prefix)), None)
        if install is None:
            continue
        install.seen_in_logs = True
        if install.version is None and run.certbot_version:
            install.version = run.certbot_version
        if install.python_version is None and run.python:
            install.python_version = run.python[1]


def _method_from_path(path: str) -> str:
    if path.startswith("/snap/"):
        return "snap"
    if path.startswith("/opt/eff.org/") or "/.local/share/letsencrypt/" in path:
        return "certbot-auto"
    if path in ("/usr/bin/certbot", "/usr/bin/letsencrypt"):
        return "os-package"
    if path.startswith("/opt/") or path.startswith("/usr/local/"):
        return "pip"
    return "unknown"


# --- helpers -------------------------------------------------------------------------------------

def _assignment(lines: dict[int, str], name: str) -> tuple[int, str] | None:
    for number, text in sorted(lines.items()):
        match = re.match(rf'^{name}=["\']?([^"\'\s]+)', text)
        if match:
            return number, match.group(1)
    return None


def _path_rank(path: str) -> tuple[int, str]:
    preferred = ("/usr/local/bin/", "/usr/bin/", "/opt/", "/root/")
    for rank, prefix in enumerate(preferred):
        if path.startswith(prefix):
            return rank, path
    return len(preferred), path


def shebang_python(snapshot: Snapshot, program: str) -> str | None:
    text = snapshot.programs.get(program)
    if text is None or 1 not in text.lines or not text.lines[1].startswith("#!"):
        return None
    interpreter = text.lines[1][2:].strip().split()[0] if text.lines[1][2:].strip() else ""
    return versions.python_major_minor(snapshot.resolve(interpreter)) or versions.python_major_minor(interpreter)

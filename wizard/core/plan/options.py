"""Which ACME client this server should renew with, and how to get it there (reference facts §3).

Ranked options per situation: keep a client that is already good; the snap where snapd is at
home; the distribution package (EPEL on RHEL-likes, apt on Debian/Ubuntu); the official pip
recipe in /opt/certbot pinned to the newest certbot the available Python runs. CentOS/RHEL 6 has
no supported in-place path at all: the admin chooses, with the caveats in front of them.
"""
from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass, field

from wizard.core import versions
from wizard.core.analyse.model import Diagnosis
from wizard.core.readers.clients import Install
from wizard.i18n import _

PLUGIN_FOR_AUTHENTICATOR = {"apache": "apache", "nginx": "nginx"}
SNAP_ARCHES = {"x86_64", "aarch64", "armv7l"}


@dataclass
class ClientOption:
    key: str                           # keep, snap, os-package, pip, rh-python36, acme.sh, upgrade-acme.sh, move-host
    title: str
    client_path: str | None            # the certbot that renews afterwards (None: no certbot here)
    commands: list[list[str]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    undo: str = ""
    supported: bool = True             # an in-place path the vendor supports
    version_note: str = ""
    client_version: str | None = None  # the certbot it leaves renewing; None: a current release
    done_when: str = ""                # how to tell the install worked ("" : the new certbot reports its version)


def plugins_in_use(diagnosis: Diagnosis) -> list[str]:
    """apache/nginx plugins the lineages use, so the new client keeps them."""
    found = []
    for conf in diagnosis.renewal_confs:
        for key in ("authenticator", "installer"):
            plugin = PLUGIN_FOR_AUTHENTICATOR.get(conf.param(key) or "")
            if plugin and plugin not in found:
                found.append(plugin)
    return found


def dns_plugins_in_use(diagnosis: Diagnosis) -> list[str]:
    return sorted({(c.param("authenticator") or "") for c in diagnosis.renewal_confs
                   if (c.param("authenticator") or "").startswith("dns-")})


def current_client_is_good(install: Install) -> bool:
    return (install.kind == "certbot" and install.method != "certbot-auto"
            and bool(versions.at_least(install.version, versions.CERTBOT_REWRITES_V1)))


def client_options(diagnosis: Diagnosis) -> list[ClientOption]:
    """Ranked options, best first. The first one is the recommendation."""
    os_info = diagnosis.os
    plugins = plugins_in_use(diagnosis)
    options: list[ClientOption] = []
    renewing = diagnosis.renewing[0] if diagnosis.renewing else None
    if renewing is not None and current_client_is_good(renewing) and renewing.present:
        options.append(ClientOption(
            key="keep", title=_("Keep {label}", label=renewing.label), client_path=renewing.path,
            client_version=renewing.version or "0",
            undo=_("nothing was installed")))
    if renewing is not None and renewing.kind == "acme.sh":
        options.append(_acme_sh_upgrade(renewing))
        return options
    major = os_info.major
    if os_info.family == "rhel" and major in ("5", "6"):
        options += _el6_options(diagnosis, plugins)
        return options
    if os_info.family == "rhel":
        options.append(_epel(os_info.major, plugins))
        options.append(_snap(diagnosis, plugins))
    elif os_info.family == "debian":
        options.append(_snap(diagnosis, plugins))
        apt = _apt(diagnosis, plugins)
        if apt.client_version is None or versions.at_least(apt.client_version, versions.CERTBOT_SPEAKS_V2):
            options.append(apt)     # not where the release's own certbot is v1-only (stretch, xenial: §9)
    else:
        options.append(_snap(diagnosis, plugins))
    pip = _pip(diagnosis, plugins)
    if pip:
        options.append(pip)
    return [o for o in options if o is not None]


def _snap(diagnosis: Diagnosis, plugins: list[str]) -> ClientOption:
    os_info = diagnosis.os
    caveats = []
    machine = diagnosis.snapshot.facts.get("machine", "")
    if machine and machine not in SNAP_ARCHES:
        caveats.append(_("the certbot snap is built for x86_64, arm64 and armhf only, not {machine}", machine=machine))
    if os_info.family == "rhel":
        caveats.append(_("snapd on RHEL-likes comes from EPEL and needs a recent kernel; admins report "
                         "failures on CentOS 7 ('cannot read the value of fs.may_detach_mounts')"))
    commands = [["snap", "install", "core"], ["snap", "refresh", "core"],
                ["snap", "install", "--classic", "certbot"]]
    for plugin in dns_plugins_in_use(diagnosis):
        commands.append(["snap", "set", "certbot", "trust-plugin-with-root=ok"])
        commands.append(["snap", "install", f"certbot-{plugin}"])
    commands.append(["ln", "-sfn", "/snap/bin/certbot", "/usr/bin/certbot"])
    return ClientOption(
        key="snap", title=_("Install the certbot snap (certbot's recommended install)"),
        client_path="/snap/bin/certbot",
        commands=commands, caveats=caveats, undo=shlex.join(["snap", "remove", "certbot"]),
        version_note=_("current certbot, updated automatically by snapd; includes the apache and nginx plugins"))


# The certbot a release's own archive installs, where it matters for the commands a plan gives
# (reference facts §3.2 and §9: xenial 0.4.1, stretch and jessie-backports 0.10.2, bionic-updates 0.27.0).
DISTRO_CERTBOT = {("ubuntu", "16.04"): "0.4.1", ("ubuntu", "18.04"): "0.27.0", ("debian", "8"): "0.10.2",
                  ("debian", "9"): "0.10.2"}


def _apt(diagnosis: Diagnosis, plugins: list[str]) -> ClientOption:
    packages = ["certbot"] + [f"python3-certbot-{p}" for p in plugins]
    caveats = []
    os_info = diagnosis.os
    if os_info.id == "ubuntu" and os_info.version.startswith("16.04"):
        caveats.append(_("Ubuntu 16.04's own package is letsencrypt 0.4.1 (ACMEv1 only); its archive has no "
                         "usable certbot and the certbot PPA is deprecated"))
    if os_info.id == "ubuntu" and os_info.version.startswith("18.04"):
        caveats.append(_("bionic's certbot is 0.27/0.31: it speaks ACMEv2 but does not rewrite v01 pins "
                         "(the plan edits them)"))
    if os_info.id == "debian" and os_info.major in ("9", "10"):
        caveats.append(_("Debian {major}'s certbot predates 1.6.0: it speaks ACMEv2 but does not rewrite v01 "
                         "pins (the plan edits them)", major=os_info.major))
    if os_info.eol:
        caveats.append(_("this release is past its end of life: its archive may have moved (archive mirrors)"))
    return ClientOption(
        key="os-package",
        title=_("Install the distribution's certbot package ({packages})", packages=" ".join(packages)),
        client_path="/usr/bin/certbot", commands=[["apt-get", "update"], ["apt-get", "install", "-y", *packages]],
        caveats=caveats,
        undo=shlex.join(["apt-get", "remove", *packages]),
        supported=not (os_info.id == "ubuntu" and os_info.version.startswith("16.04")),
        client_version=DISTRO_CERTBOT.get((os_info.id, os_info.version[:5] if os_info.id == "ubuntu"
                                           else os_info.major)))


def _epel(major: str, plugins: list[str]) -> ClientOption:
    python = "python2" if major == "7" else "python3"
    manager = "yum" if major == "7" else "dnf"
    packages = ["certbot"] + [f"{python}-certbot-{p}" for p in plugins]
    caveats = []
    if major == "7":
        caveats.append(_("EPEL 7 stopped at certbot 1.11.0 (Python 2.7); CentOS 7 and EPEL 7 are end of life, "
                         "so the repositories may have to point at the archives first"))
        caveats.append(_("certbot {newest} predates ARI (renewal information, certbot 4.1.0): it renews on its own "
                         "schedule only", newest="1.11.0"))
    return ClientOption(
        key="os-package", title=_("Install certbot from EPEL ({packages})", packages=" ".join(packages)),
        client_path="/usr/bin/certbot",
        commands=[[manager, "install", "-y", "epel-release"], [manager, "install", "-y", *packages]], caveats=caveats,
        undo=shlex.join([manager, "remove", *packages]),
        version_note=_("certbot 1.11.0 on Python 2.7") if major == "7" else "",
        client_version="1.11.0" if major == "7" else None)


def _pip(diagnosis: Diagnosis, plugins: list[str]) -> ClientOption | None:
    """certbot with pip on the system's python3, when there is one."""
    python_version = _system_python3(diagnosis)
    if python_version is None:
        return None
    return _pip_on(plugins, "/usr/bin/python3", python_version)


def _pip_on(plugins: list[str], python: str, python_version: str) -> ClientOption:
    """certbot with pip in /opt/certbot on this Python, pinned to the newest release it runs."""
    newest = versions.NEWEST_CERTBOT_FOR_PYTHON.get(python_version or "")
    spec = [f"certbot<{_next_minor(newest)}" if newest else "certbot"]
    spec += [f"certbot-{p}<{_next_minor(newest)}" if newest else f"certbot-{p}" for p in plugins]
    commands = [[python, "-m", "venv", "/opt/certbot"],
                ["/opt/certbot/bin/pip", "install", "--upgrade", "pip"],
                ["/opt/certbot/bin/pip", "install", *spec],
                ["ln", "-sfn", "/opt/certbot/bin/certbot", "/usr/bin/certbot"]]
    return ClientOption(
        key="pip", title=_("Install certbot with pip in /opt/certbot (Python {python})", python=python_version),
        client_path="/opt/certbot/bin/certbot", commands=commands,
        caveats=[_("supported by certbot on a best-effort basis; you update it yourself "
           "(/opt/certbot/bin/pip install --upgrade certbot)")] + (
            [_("Python {python} runs certbot up to {newest} only", python=python_version, newest=newest),
             _("certbot {newest} predates ARI (renewal information, certbot 4.1.0): it renews on its own "
               "schedule only", newest=newest)]
            if newest else []),
        undo=shlex.join(["rm", "-rf", "/opt/certbot"]),
        version_note=shlex.join(spec))


def _el6_options(diagnosis: Diagnosis, plugins: list[str]) -> list[ClientOption]:
    move = ClientOption(
        key="move-host", title=_("Move the sites to a supported OS (recommended)"), client_path=None, commands=[],
        caveats=[_("the only fully supported answer: CentOS 6 left support on 2020-11-30 and nothing current runs "
                   "on it")],
        supported=True)
    pip = _pip_on(plugins, "/opt/rh/rh-python36/root/usr/bin/python3", "3.6")
    scl = dataclasses.replace(
        pip, key="rh-python36", supported=False,
        title=_("rh-python36 from the CentOS vault, then certbot<1.24 with pip in /opt/certbot"),
        commands=[["yum", "install", "-y", "centos-release-scl"], ["yum", "install", "-y", "rh-python36"],
                  *pip.commands],
        caveats=[_("not supported by anyone: CentOS 6 repositories and SCL live only in the vault now; point yum "
                   "at vault.centos.org/6.10 first"),
                 _("OpenSSL 1.0.1e: check that Python reaches acme-v02 over TLS 1.2 (the venv's certifi bundle "
                   "carries ISRG Root X1)"),
                 _("recent cryptography wheels need a newer glibc; pip may have to build from source"),
                 *pip.caveats])
    acme_sh = ClientOption(
        key="acme.sh", title=_("acme.sh (POSIX shell + curl) issuing fresh certificates"), client_path=None,
        commands=[["curl", "-fsSL", "-o", "/root/acme.sh-install", "https://raw.githubusercontent.com/acmesh-official/acme.sh/master/acme.sh"],
         ["sh", "/root/acme.sh-install", "--install", "--home", "/root/.acme.sh"],
         ["/root/.acme.sh/acme.sh", "--set-default-ca", "--server", "letsencrypt"]],
        caveats=[_("acme.sh cannot take over certbot's lineages: each certificate is issued again and installed "
           "with --install-cert; web server configuration must point at the new files"),
         _("acme.sh >= 3.0 defaults to ZeroSSL; the plan sets Let's Encrypt as the default CA"),
         _("CentOS 6's curl uses NSS; check it can reach acme-v02 before relying on it")],
        undo=_("rm -rf /root/.acme.sh and its crontab line"), supported=False)
    return [move, scl, acme_sh]


def _acme_sh_upgrade(install: Install) -> ClientOption:
    home = install.path.rsplit("/", 1)[0]
    return ClientOption(
        key="upgrade-acme.sh", title=_("Upgrade acme.sh in place and make Let's Encrypt its default CA"),
        client_path=None,
        commands=[[install.path, "--upgrade", "--home", home],
         [install.path, "--set-default-ca", "--server", "letsencrypt", "--home", home]],
        caveats=[_("from 3.0.5 on acme.sh renews against exactly what each certificate's Le_API says: the plan "
                   "changes every acme-v01 Le_API line")],
        undo=_("acme.sh keeps no old version: reinstall a specific release by hand if needed"),
        done_when=_("{acme} --version reports the new version", acme=install.path))


def _system_python3(diagnosis: Diagnosis) -> str | None:
    snapshot = diagnosis.snapshot
    target = snapshot.resolve("/usr/bin/python3")
    return versions.python_major_minor(target) if snapshot.exists(target) or target != "/usr/bin/python3" else None


def _next_minor(version: str) -> str:
    parsed = versions.parse(version)
    return f"{parsed.major}.{parsed.minor + 1}" if parsed else version


def choose(options: list[ClientOption], key: str | None) -> ClientOption | None:
    """The option the admin chose, or the recommendation when it is a supported path."""
    if key:
        return next((o for o in options if o.key == key), None)
    if options and options[0].supported and options[0].key != "move-host":
        return options[0]
    return None

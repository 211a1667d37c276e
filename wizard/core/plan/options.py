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

from wizard.core import scl, versions
from wizard.core.analyse.model import Diagnosis
from wizard.core.plan import platform
from wizard.core.readers.clients import Install
from wizard.core.readers.osinfo import OsInfo
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
    runner: list[str] = field(default_factory=list)   # what must come before client_path to run it (SCL)
    repositories: list[str] = field(default_factory=list)   # extra repositories it installs from: epel, sclo-rh
    replaces_os_package: bool = False  # certbot's instructions remove a distribution certbot first
    own_timer: str | None = None       # the renewal timer the install brings and starts
    timer_to_enable: str | None = None  # a timer the package ships but does not start (EPEL, Fedora)

    @property
    def client_argv(self) -> list[str]:
        return [*self.runner, self.client_path] if self.client_path else []


def _primary_client(diagnosis: Diagnosis) -> Install | None:
    """The client the options are about. certbot first: another client renewing beside it keeps its
    own lines (only their pins change); certbot's lineages need a certbot even when only another
    client is scheduled."""
    certbot = next((i for i in diagnosis.renewing if i.kind == "certbot"), None)
    if certbot is None and diagnosis.renewal_confs:
        present = [i for i in diagnosis.installs if i.kind == "certbot" and i.present]
        certbot = max(present, key=lambda i: versions.sort_key(i.version)) if present else None
    return certbot or (diagnosis.renewing[0] if diagnosis.renewing else None)


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
    renewing = _primary_client(diagnosis)
    if renewing is not None and current_client_is_good(renewing) and renewing.present:
        options.append(ClientOption(
            key="keep", title=_("Keep {label}", label=renewing.label), client_path=renewing.path,
            client_version=renewing.version or "0", runner=scl.runner_for(diagnosis.snapshot, renewing),
            undo=_("nothing was installed")))
        if renewing.method == "snap":
            return options     # the package or pip beside a working snap: a downgrade and two timers
    if renewing is not None and renewing.kind == "acme.sh":
        options.append(_acme_sh_upgrade(renewing))
        return options
    if renewing is not None and renewing.kind == "dehydrated" and renewing.speaks_v2:
        options.append(ClientOption(      # speaks ACMEv2: only its CA setting needs changing (facts §9)
            key="keep", title=_("Keep {label}", label=renewing.label), client_path=None,
            undo=_("nothing was installed"),
            done_when=_("{program} --cron renews against the CA the plan set", program=renewing.path)))
        return options
    if renewing is not None and renewing.kind == "lego":
        return [_lego_option(renewing)]      # certbot cannot renew lego's certificates: never move its schedule
    major = os_info.major
    if os_info.family == "rhel" and major in ("5", "6") and os_info.id != "fedora":
        options += _el6_options(diagnosis, plugins)
        return options
    if os_info.family == "rhel":
        package = _rhel_package(os_info, plugins)
        if package is not None:
            options.append(package)
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
    commands = [*platform.enable_epel(os_info),
                *platform.snapd(os_info, diagnosis.snapshot.exists(platform.SNAP_MOUNT_LINK[1])),
                ["snap", "install", "core"], ["snap", "refresh", "core"],
                ["snap", "install", "--classic", "certbot"]]
    for plugin in dns_plugins_in_use(diagnosis):
        commands.append(["snap", "set", "certbot", "trust-plugin-with-root=ok"])
        commands.append(["snap", "install", f"certbot-{plugin}"])
    commands.append(["ln", "-sfn", "/snap/bin/certbot", "/usr/bin/certbot"])
    return ClientOption(
        key="snap", title=_("Install the certbot snap (certbot's recommended install)"),
        client_path="/snap/bin/certbot",
        commands=commands, caveats=caveats,
        undo=shlex.join(["rm", "-f", "/usr/bin/certbot"]) + "; " + shlex.join(["snap", "remove", "certbot"]),
        version_note=_("current certbot, updated automatically by snapd; includes the apache and nginx plugins"),
        repositories=["epel"] if os_info.family == "rhel" else [], replaces_os_package=True,
        own_timer="snap.certbot.renew.timer")


# The certbot a release's own archive installs, where it matters for the commands a plan gives
# (reference facts §3.2 and §9: xenial 0.4.1, stretch and jessie-backports 0.10.2, bionic-updates 0.27.0).
DISTRO_CERTBOT = {("ubuntu", "16.04"): "0.4.1", ("ubuntu", "17.10"): "0.17.0", ("ubuntu", "18.04"): "0.27.0",
                  ("debian", "8"): "0.10.2", ("debian", "9"): "0.10.2"}


def _apt(diagnosis: Diagnosis, plugins: list[str]) -> ClientOption:
    os_info = diagnosis.os
    packages = platform.certbot_packages(os_info, plugins)
    caveats = []
    if os_info.id == "ubuntu" and os_info.version.startswith("16.04"):
        caveats.append(_("Ubuntu 16.04's own package is letsencrypt 0.4.1 (ACMEv1 only); its archive has no "
                         "usable certbot and the certbot PPA is deprecated"))
    if os_info.id == "ubuntu" and os_info.version.startswith("18.04"):
        caveats.append(_("bionic's certbot is 0.27/0.31: it speaks ACMEv2 but does not rewrite v01 pins "
                         "(the plan edits them)"))
    if os_info.id == "debian" and os_info.major in ("9", "10"):
        caveats.append(_("Debian {major}'s certbot predates 1.6.0: it speaks ACMEv2 but does not rewrite v01 "
                         "pins (the plan edits them)", major=os_info.major))
    return ClientOption(
        key="os-package",
        title=_("Install the distribution's certbot package ({packages})", packages=" ".join(packages)),
        client_path="/usr/bin/certbot", commands=platform.install(os_info, packages),
        caveats=caveats,
        undo=shlex.join(platform.remove(os_info, packages)),
        supported=not (os_info.id == "ubuntu" and os_info.version.startswith("16.04")),
        client_version=DISTRO_CERTBOT.get((os_info.id, os_info.version[:5] if os_info.id == "ubuntu"
                                           else os_info.major)),
        own_timer="certbot.timer")


def _rhel_package(os_info: OsInfo, plugins: list[str]) -> ClientOption | None:
    """certbot from EPEL (Fedora: its own repositories). Amazon Linux 2023 has no EPEL: no package."""
    release = platform.el_release(os_info)
    if release is None and not platform.is_fedora(os_info):
        return None
    packages = platform.certbot_packages(os_info, plugins)
    caveats = []
    if release == 7:
        caveats.append(_("EPEL 7 stopped at certbot 1.11.0 (Python 2.7) and is archived: the plan installs it "
                         "from the EPEL archive"))
        caveats.append(_("certbot {newest} predates ARI (renewal information, certbot 4.1.0): it renews on its own "
                         "schedule only", newest="1.11.0"))
    title = (_("Install Fedora's certbot package ({packages})", packages=" ".join(packages))
             if platform.is_fedora(os_info)
             else _("Install certbot from EPEL ({packages})", packages=" ".join(packages)))
    return ClientOption(
        key="os-package", title=title, client_path="/usr/bin/certbot",
        commands=[*platform.enable_epel(os_info), *platform.install(os_info, packages)], caveats=caveats,
        undo=shlex.join(platform.remove(os_info, packages)),
        version_note=_("certbot 1.11.0 on Python 2.7") if release == 7 else "",
        client_version="1.11.0" if release == 7 else None,
        repositories=[] if platform.is_fedora(os_info) else ["epel"],
        timer_to_enable="certbot-renew.timer")


def _pip(diagnosis: Diagnosis, plugins: list[str]) -> ClientOption | None:
    """certbot with pip on the system's python3, when there is one."""
    python_version = _system_python3(diagnosis)
    if python_version is None:
        return None
    option = _pip_on(plugins, "/usr/bin/python3", python_version)
    option.commands[:0] = platform.pip_prerequisites(diagnosis.os)
    existing = next((i for i in diagnosis.installs if (i.prefix or "").rstrip("/") == "/opt/certbot"), None)
    if existing is not None:         # an upgrade in place: removing /opt/certbot would remove the working client
        option.undo = _("an upgrade in place cannot be rolled back from the backup; go back with: {command}",
                        command=shlex.join(["/opt/certbot/bin/pip", "install", f"certbot=={existing.version or '?'}"]))
    return option


def _pip_on(plugins: list[str], python: str, python_version: str, runner: list[str] | None = None,
            glibc_2_12: bool = False) -> ClientOption:
    """certbot with pip in /opt/certbot on this Python, pinned to the newest release it runs."""
    runner = runner or []
    newest = versions.NEWEST_CERTBOT_FOR_PYTHON.get(python_version or "")
    spec = [f"certbot<{_next_minor(newest)}" if newest else "certbot"]
    spec += [f"certbot-{p}<{_next_minor(newest)}" if newest else f"certbot-{p}" for p in plugins]
    pins = versions.PINS_FOR_PYTHON.get(python_version, [])
    binary: list[str] = []
    if glibc_2_12:
        pins = [p for p in pins if not p.startswith("pyOpenSSL")] + versions.GLIBC_2_12_PINS
        binary = versions.WHEELS_ONLY_FOR_GLIBC_2_12 + (["--no-binary", "python-augeas"] if "apache" in plugins
                                                         else [])
    pip_bound = versions.PIP_BEFORE_DROPPING_PYTHON.get(python_version)
    commands = [[*runner, python, "-m", "venv", "/opt/certbot"],
                [*runner, "/opt/certbot/bin/pip", "install", "--upgrade", f"pip<{pip_bound}" if pip_bound else "pip"],
                [*runner, "/opt/certbot/bin/pip", "install", "--upgrade", *binary, *spec, *pins],
                ["ln", "-sfn", "/opt/certbot/bin/certbot", "/usr/bin/certbot"]]
    caveats = [_("supported by certbot on a best-effort basis; you update it yourself ({command})",
                 command=shlex.join([*runner, "/opt/certbot/bin/pip", "install", "--upgrade", *binary, *spec, *pins]))]
    if newest:
        caveats += [_("Python {python} runs certbot up to {newest} only", python=python_version, newest=newest),
                    _("certbot {newest} predates ARI (renewal information, certbot 4.1.0): it renews on its own "
                      "schedule only", newest=newest)]
    if pins:
        caveats.append(_("dependencies held back so certbot {newest} installs and renews today: {pins}",
                         newest=newest or "", pins=" ".join(pins)))
    return ClientOption(
        key="pip", title=_("Install certbot with pip in /opt/certbot (Python {python})", python=python_version),
        client_path="/opt/certbot/bin/certbot", commands=commands, caveats=caveats,
        undo=shlex.join(["rm", "-f", "/usr/bin/certbot"]) + "; " + shlex.join(["rm", "-rf", "/opt/certbot"]),
        version_note=_("pip installs: {spec}", spec=shlex.join([*binary, *spec, *pins])), client_version=newest,
        runner=runner,
        replaces_os_package=True)


def _el6_options(diagnosis: Diagnosis, plugins: list[str]) -> list[ClientOption]:
    move = ClientOption(
        key="move-host", title=_("Move the sites to a supported OS (recommended)"), client_path=None, commands=[],
        caveats=[_("the only fully supported answer: CentOS 6 left support on 2020-11-30 and nothing current runs "
                   "on it")],
        supported=True)
    pip = _pip_on(plugins, scl.PYTHON36, "3.6", runner=scl.runner(scl.RH_PYTHON36), glibc_2_12=True)
    prerequisites = ["rh-python36", "augeas-libs"]
    if "apache" in plugins:         # python-augeas is built from source: a compiler and headers
        prerequisites += ["gcc", "augeas-devel", "libffi-devel", "rh-python36-python-devel"]
    scl_option = dataclasses.replace(
        pip, key="rh-python36", supported=False,
        title=_("rh-python36 from the CentOS vault, then certbot<1.24 with pip in /opt/certbot"),
        commands=[["yum", "install", "-y", *prerequisites], *pip.commands[:-1]],   # no /usr/bin link: see runner
        caveats=[_("no vendor supports the OS under it: CentOS 6 and its SCL repositories live only in the vault "
                   "now (the plan points yum there first)"),
                 _("OpenSSL 1.0.1e: check that Python reaches acme-v02 over TLS 1.2 (the venv's certifi bundle "
                   "carries ISRG Root X1)"),
                 _("rh-python36 runs only with its libraries on the path: every command and the schedule run "
                   "certbot through {runner}, and no /usr/bin/certbot link is made (it would not start)",
                   runner=shlex.join(scl.runner(scl.RH_PYTHON36))),
                 _("cryptography's last wheels for CentOS 6's glibc are 37.x: the plan installs wheels only, "
                   "pinned below cryptography 38"),
                 *pip.caveats],
        undo=shlex.join(["rm", "-rf", "/opt/certbot"]), repositories=["sclo-rh"])
    acme_sh = ClientOption(
        key="acme.sh", title=_("acme.sh (POSIX shell + curl) issuing fresh certificates"), client_path=None,
        commands=[["curl", "-fsSL", "-o", "/root/acme.sh-install", "https://raw.githubusercontent.com/acmesh-official/acme.sh/master/acme.sh"],
         ["sh", "/root/acme.sh-install", "--install-online", "--home", "/root/.acme.sh"],
         ["/root/.acme.sh/acme.sh", "--set-default-ca", "--server", "letsencrypt"]],
        caveats=[_("acme.sh cannot take over certbot's lineages: each certificate is issued again and installed "
           "with --install-cert; web server configuration must point at the new files"),
         _("acme.sh >= 3.0 defaults to ZeroSSL; the plan sets Let's Encrypt as the default CA"),
         _("CentOS 6's curl uses NSS; check it can reach acme-v02 before relying on it"),
         _("the plan installs acme.sh only: issue each certificate with acme.sh --issue, install it with "
           "--install-cert, then remove certbot-auto's cron line yourself")],
        undo=_("rm -rf /root/.acme.sh and its crontab line"), supported=False,
        done_when=_("{acme} --version reports the new version", acme="/root/.acme.sh/acme.sh"))
    return [move, scl_option, acme_sh]


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


def _lego_option(install: Install) -> ClientOption:
    """lego keeps its own certificates under --path: keep it where it speaks ACMEv2 (lego >= 1.0.0)."""
    # lego keeps one account per server (accounts/<host>/<email>) and its `renew` refuses an account
    # not registered there: "Account … is not registered. Use 'run' to register a new account." (cmd_renew.go)
    account = _("lego keeps one account per server: once the line names acme-v02, `lego … run` must register "
                "there once, or `lego … renew` refuses ('Account … is not registered')")
    if install.speaks_v2 is False:
        return ClientOption(
            key="upgrade-lego", title=_("Upgrade lego to a current release (it speaks ACMEv2 from 1.0.0)"),
            client_path=None, supported=False,
            caveats=[_("lego {version} speaks ACMEv1 only; install a current lego (the distribution's package or "
                       "a release binary) in place of {path}", version=install.version or "?", path=install.path),
                     account],
            undo=_("put the old binary back"),
            done_when=_("{program} --version reports 1.0.0 or later", program=install.path))
    return ClientOption(
        key="keep", title=_("Keep {label}", label=install.label), client_path=None, caveats=[account],
        undo=_("nothing was installed"),
        done_when=_("{program} renews against acme-v02", program=install.path))


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

"""Build legacy-host trees: the bundled demo host and the test suite's fixture hosts.

The files follow the formats certbot wrote in each era (reference facts §2–§4): certbot-auto's
script head, venvs and site-packages, renewal confs, accounts, and debug logs with the logger
names, urllib3 lines and directory bodies of the version that wrote them. Private keys are
never written: key files hold a marker text so tests can prove nothing reads them.
"""
from __future__ import annotations

import datetime
import gzip
import os
from dataclasses import dataclass

from packaging.version import Version

KEY_MARKER = "ACME-WIZARD-TEST-PRIVATE-KEY-MATERIAL-MUST-NEVER-APPEAR"
V1 = "https://acme-v01.api.letsencrypt.org/directory"
V1_STAGING = "https://acme-staging.api.letsencrypt.org/directory"
V2 = "https://acme-v02.api.letsencrypt.org/directory"
V2_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory"

EXPIRED_CERT = """-----BEGIN CERTIFICATE-----
MIIBYTCCAQegAwIBAgIUeEaiD56yURFuj5tExfKxZmwKavowCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTRGVtbyBGYWtlIElzc3VlciBSMzAeFw0yMTAzMTAxOTIzMDJa
Fw0yMTA2MDgxOTIzMDJaMBYxFDASBgNVBAMMC2V4YW1wbGUuY29tMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEa2FiYfKeMe+iomoYwmA9CU/ILQdoJoxIvw7A5A9L
pBTNLSVlsH66kN9c1nBi2L2Bm39aPZ6x+fSxfu35rFAOYqMrMCkwJwYDVR0RBCAw
HoILZXhhbXBsZS5jb22CD3d3dy5leGFtcGxlLmNvbTAKBggqhkjOPQQDAgNIADBF
AiAoGB2yoHOgt5+h/C5EpXj4LbD3KHnXVX2tanVf1RpxMwIhAKp+44T+U0H0F4M4
Tvrt+jJjAA4einvCFVNQJUkYEZ/B
-----END CERTIFICATE-----
"""
# notAfter 2021-06-08 19:23:02 UTC (example.com, www.example.com); a fake issuer.

LATE_2026_CERT = """-----BEGIN CERTIFICATE-----
MIIBWDCB/qADAgECAhQE4q7oR+3xR/282mD0z1kvGL6U0zAKBggqhkjOPQQDAjAe
MRwwGgYDVQQDDBNEZW1vIEZha2UgSXNzdWVyIFIzMB4XDTI2MTAwMTAwMDAwMFoX
DTI2MTIzMDAwMDAwMFowGjEYMBYGA1UEAwwPc2hvcC5leGFtcGxlLmpwMFkwEwYH
KoZIzj0CAQYIKoZIzj0DAQcDQgAE2M5pzMe2TgrDmc5RqL0h9eO5dea6sMtqRnNS
iva9WLxZkgcfIJwAJcTUclYKxHIF4rFpK0FPjqsXlMLlkAnLzqMeMBwwGgYDVR0R
BBMwEYIPc2hvcC5leGFtcGxlLmpwMAoGCCqGSM49BAMCA0kAMEYCIQDXGdRCEFmd
Vc84gDFoOAUDpjoPx2gRZLr28awUZ2b4GQIhAJPBJJI1/usu9jnmZG5hy4ZNODim
2Th03+nV0mCW9dRs
-----END CERTIFICATE-----
"""
# notAfter 2026-12-30 00:00:00 UTC (shop.example.jp); a fake issuer.


class HostTree:
    """A directory tree standing in for a server's filesystem."""

    def __init__(self, root: str) -> None:
        self.root = root
        os.makedirs(root, exist_ok=True)

    def path(self, target_path: str) -> str:
        return os.path.join(self.root, target_path.lstrip("/"))

    def file(self, target_path: str, content: str | bytes, mode: int | None = None,
             mtime: float | None = None) -> str:
        local = self.path(target_path)
        os.makedirs(os.path.dirname(local), exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        with open(local, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(local, mode)
        if mtime is not None:
            os.utime(local, (mtime, mtime))
        return local

    def link(self, target_path: str, points_to: str) -> None:
        local = self.path(target_path)
        os.makedirs(os.path.dirname(local), exist_ok=True)
        if os.path.lexists(local):
            os.remove(local)
        os.symlink(points_to, local)

    def dir(self, target_path: str) -> None:
        os.makedirs(self.path(target_path), exist_ok=True)

    # --- operating systems ----------------------------------------------------------------------

    def rhel_release(self, line: str) -> None:
        """CentOS/RHEL 6 style: no os-release, only the release files."""
        for name in ("centos-release", "redhat-release", "system-release"):
            if name == "centos-release" and not line.startswith("CentOS"):
                continue
            self.file(f"/etc/{name}", line + "\n")

    def os_release(self, **fields: str) -> None:
        body = "".join(f'{key.upper()}="{value}"\n' for key, value in fields.items())
        self.file("/etc/os-release", body)

    def centos_repos(self, major: str, epel: bool = False) -> None:
        """The repository files a stock CentOS 6/7 ships (and epel-release's), mirrorlists and all."""
        self.file("/etc/yum.repos.d/CentOS-Base.repo", centos_base_repo(major))
        if epel:
            self.file("/etc/yum.repos.d/epel.repo", epel_repo(major))

    def apt_sources(self, lines: list[str]) -> None:
        self.file("/etc/apt/sources.list", "".join(line + "\n" for line in lines))

    def python_links(self, **links: str) -> None:
        for name, target in links.items():
            self.link(f"/usr/bin/{name.replace('_', '.')}", target)

    # --- installs -----------------------------------------------------------------------------------

    def certbot_auto(self, path: str, le_auto_version: str) -> None:
        self.file(path, CERTBOT_AUTO_HEAD.format(version=le_auto_version), mode=0o755)

    def venv(self, prefix: str, python: str, certbot: str, egg: bool = True,
             installer: str | None = None, pyvenv_version: str | None = None,
             dist_name: str = "certbot") -> None:
        site = f"{prefix}/lib/python{python}/site-packages"
        if egg:
            self.file(f"{site}/{dist_name}-{certbot}-py{python}.egg-info/PKG-INFO",
                      f"Metadata-Version: 1.1\nName: {dist_name}\nVersion: {certbot}\n")
        else:
            info = f"{site}/{dist_name}-{certbot}.dist-info"
            self.file(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {certbot}\n")
            if installer:
                self.file(f"{info}/INSTALLER", installer + "\n")
        self.file(f"{site}/{dist_name}/__init__.py", f"__version__ = '{certbot}'\n")
        self.file(f"{prefix}/bin/letsencrypt" if "eff.org" in prefix or "letsencrypt" in prefix
                  else f"{prefix}/bin/certbot",
                  f"#!{prefix}/bin/python{python}\nfrom certbot.main import main\nmain()\n", mode=0o755)
        self.link(f"{prefix}/bin/python{python}", f"/usr/bin/python{python}")
        if pyvenv_version:
            self.file(f"{prefix}/pyvenv.cfg", f"home = /usr/bin\ninclude-system-site-packages = false\n"
                                              f"version = {pyvenv_version}\n")

    def dpkg_status(self, packages: list[tuple[str, str]]) -> None:
        stanzas = [DPKG_FILLER]
        for name, version in packages:
            stanzas.append(
                f"Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: web\n"
                f"Installed-Size: 100\nMaintainer: Debian Let's Encrypt\nArchitecture: all\n"
                f"Version: {version}\nDescription: {name}\n")
        self.file("/var/lib/dpkg/status", "\n".join(stanzas))

    # --- certbot's configuration ------------------------------------------------------------------

    def renewal_conf(self, name: str, version: str | None = None, server: str | None = None,
                     authenticator: str = "webroot", installer: str | None = None,
                     account: str = "0652f690fd6e48af380ad6d6a1b4e792", config_dir: str = "/etc/letsencrypt",
                     ancient: bool = False, extra: str = "") -> None:
        lines = ["# renew_before_expiry = 30 days"]
        if version:
            lines.append(f"version = {version}")
        lines += [f"archive_dir = {config_dir}/archive/{name}",
                  f"cert = {config_dir}/live/{name}/cert.pem",
                  f"privkey = {config_dir}/live/{name}/privkey.pem",
                  f"chain = {config_dir}/live/{name}/chain.pem",
                  f"fullchain = {config_dir}/live/{name}/fullchain.pem", ""]
        lines.append("# Options and defaults used in the renewal process" if ancient
                     else "# Options used in the renewal process")
        lines.append("[renewalparams]")
        lines.append(f"authenticator = {authenticator}")
        if installer:
            lines.append(f"installer = {installer}")
        lines.append(f"account = {account}")
        if server:
            lines.append(f"server = {server}")
        if authenticator == "webroot":
            lines += ["webroot_path = /var/www/html,", "[[webroot_map]]", f"{name} = /var/www/html"]
        self.file(f"{config_dir}/renewal/{name}.conf", "\n".join(lines) + "\n" + extra)

    def live_cert(self, name: str, pem: str, config_dir: str = "/etc/letsencrypt") -> None:
        self.file(f"{config_dir}/archive/{name}/cert1.pem", pem)
        self.file(f"{config_dir}/archive/{name}/privkey1.pem", KEY_MARKER + "\n", mode=0o600)
        self.link(f"{config_dir}/live/{name}/cert.pem", f"../../archive/{name}/cert1.pem")
        self.link(f"{config_dir}/live/{name}/privkey.pem", f"../../archive/{name}/privkey1.pem")

    def account(self, server_path: str, account_id: str, config_dir: str = "/etc/letsencrypt") -> None:
        base = f"{config_dir}/accounts/{server_path}/{account_id}"
        host = server_path.split("/")[0]
        self.file(f"{base}/regr.json", '{"body": {}, "uri": "https://' + host + '/acme/reg/19727708"}\n')
        self.file(f"{base}/meta.json",
                  '{"creation_host": "legacy.example.com", "creation_dt": "2016-03-01T10:00:00Z"}\n')
        self.file(f"{base}/private_key.json", '{"kty": "RSA", "d": "' + KEY_MARKER + '"}\n', mode=0o400)

    # --- logs -----------------------------------------------------------------------------------------

    def log(self, name: str, runs: list[Run], logs_dir: str = "/var/log/letsencrypt",
            compress: bool = False) -> str:
        text = "".join(run.render() for run in runs)
        if compress:
            return self.file(f"{logs_dir}/{name}", gzip.compress(text.encode(), mtime=0))
        return self.file(f"{logs_dir}/{name}", text)


@dataclass
class Run:
    """One certbot invocation, rendered in the log format of its version."""

    version: str
    started: datetime.datetime
    arguments: list[str]
    server: str = V1                      # the directory URL it asks for
    outcome: str = "ok"                   # ok, dns-failure, v1-disabled
    entry_point: str | None = None        # logged by certbot >= 1.11
    urllib3: str = "1.22"                 # decides the connection line format
    python_path: str | None = None        # e.g. /opt/eff.org/certbot/venv/lib/python2.6 (tracebacks)
    rewritten_from_v1: bool = False       # certbot >= 1.6 read a v01 renewal conf as v02
    lineage: str = "example.com"

    def render(self) -> str:
        version = Version(self.version)
        main = ("letsencrypt.cli" if version < Version("0.6") else "certbot.main" if version < Version("1.0")
                else "certbot._internal.main")
        log_logger = "certbot.main" if version < Version("0.13") else main.replace("main", "log")
        acme = "root" if version < Version("0.12") else "acme.client"
        urllib3_logger = ("requests.packages.urllib3.connectionpool" if Version(self.urllib3) < Version("1.17")
                          else "urllib3.connectionpool")
        clock = _Clock(self.started)
        out: list[str] = []

        def add(level: str, logger: str, msg: str) -> None:
            out.append(f"{clock.next()}:{level}:{logger}:{msg}\n")

        if version < Version("0.13"):
            add("DEBUG", log_logger, "Root logging level set at 20")
            add("INFO", log_logger, "Saving debug log to /var/log/letsencrypt/letsencrypt.log")
        name = "letsencrypt" if version < Version("0.6") else "certbot"
        add("DEBUG", main, f"{name} version: {self.version}")
        if self.entry_point and version >= Version("1.11"):
            add("DEBUG", main, f"Location of certbot entry point: {self.entry_point}")
        add("DEBUG", main, f"Arguments: {self.arguments!r}")
        add("DEBUG", main, "Discovered plugins: PluginsRegistry(PluginEntryPoint#manual,PluginEntryPoint#null,"
                           "PluginEntryPoint#standalone,PluginEntryPoint#webroot)")
        if version >= Version("0.13"):
            add("DEBUG", log_logger, "Root logging level set at 20")
        renewal = main.replace("main", "renewal")
        if self.rewritten_from_v1:
            add("INFO", renewal, f"Using server {self.server} instead of legacy {V1}")
        suffix = ". args: (), kwargs: {}" if version < Version("0.10") else "."
        add("DEBUG", acme, f"Sending GET request to {self.server}{suffix}")
        host = self.server.split("/")[2]
        if Version(self.urllib3) < Version("1.17"):
            add("INFO", urllib3_logger, f"Starting new HTTPS connection (1): {host}")
        elif Version(self.urllib3) < Version("1.23"):
            add("DEBUG", urllib3_logger, f"Starting new HTTPS connection (1): {host}")
        else:
            add("DEBUG", urllib3_logger, f"Starting new HTTPS connection (1): {host}:443")
        if self.outcome == "dns-failure":
            add("ERROR", renewal, f"Failed to renew certificate {self.lineage} with error: "
                f"HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with url: /directory "
                "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object>: Failed to "
                "establish a new connection: [Errno -2] Name or service not known'))")
            if self.python_path:
                out.append("Traceback (most recent call last):\n")
                out.append(f'  File "{self.python_path}/site-packages/certbot/renewal.py", line 430, '
                           'in handle_renewal_request\n')
            add("DEBUG", main, "Exiting abnormally:")
            return "".join(out)
        if Version(self.urllib3) >= Version("1.17"):
            add("DEBUG", urllib3_logger, f'https://{host}:443 "GET /directory HTTP/1.1" 200 658')
        add("DEBUG", acme, "Received response:\nHTTP 200\nContent-Type: application/json\n\n"
            + (V1_DIRECTORY if "v01" in host or host == "acme-staging.api.letsencrypt.org" else V2_DIRECTORY)
            .replace("HOST", host))
        if self.outcome == "v1-disabled":
            add("DEBUG", acme, f"Sending POST request to https://{host}/acme/new-authz:")
            add("DEBUG", acme, 'Received response:\nHTTP 403\n\n{"type": "urn:acme:error:serverInternal", '
                '"detail": "ACMEv1 is deprecated and you can no longer get certificates from this endpoint."}')
            add("DEBUG", main, "Exiting abnormally:")
            return "".join(out)
        new_order = "acme/new-cert" if "v01" in host or "staging.api" in host else "acme/new-order"
        add("DEBUG", acme, f"Sending POST request to https://{host}/{new_order}:")
        add("DEBUG", renewal, "Dry run: skipping updating lineage" if "--dry-run" in self.arguments
            else "Renewal succeeded")
        return "".join(out)


class _Clock:
    def __init__(self, start: datetime.datetime) -> None:
        self.now = start

    def next(self) -> str:
        stamp = self.now.strftime("%Y-%m-%d %H:%M:%S") + f",{self.now.microsecond // 1000:03d}"
        self.now += datetime.timedelta(milliseconds=137)
        return stamp


V1_DIRECTORY = """{
  "key-change": "https://HOST/acme/key-change",
  "meta": {
    "terms-of-service": "https://letsencrypt.org/documents/LE-SA-v1.2-November-15-2017.pdf"
  },
  "new-authz": "https://HOST/acme/new-authz",
  "new-cert": "https://HOST/acme/new-cert",
  "new-reg": "https://HOST/acme/new-reg",
  "revoke-cert": "https://HOST/acme/revoke-cert"
}"""
V2_DIRECTORY = """{
  "keyChange": "https://HOST/acme/key-change",
  "newAccount": "https://HOST/acme/new-acct",
  "newNonce": "https://HOST/acme/new-nonce",
  "newOrder": "https://HOST/acme/new-order",
  "revokeCert": "https://HOST/acme/revoke-cert"
}"""

CERTBOT_AUTO_HEAD = """#!/bin/sh
#
# Download and run the latest release version of the Certbot client.
#
# NOTE: THIS SCRIPT IS AUTO-GENERATED AND SELF-UPDATING
#
# IF YOU WANT TO EDIT IT LOCALLY, *ALWAYS* RUN YOUR COPY WITH THE
# "--no-self-upgrade" FLAG
#
# IF YOU WANT TO SEND PULL REQUESTS, THE REAL SOURCE FOR THIS FILE IS
# letsencrypt-auto-source/letsencrypt-auto.template AND
# letsencrypt-auto-source/pieces/bootstrappers/*

set -e  # Work even if somebody does "sh thisscript.sh".

# Note: you can set XDG_DATA_HOME or VENV_PATH before running this script,
# if you want to change where the virtual environment will be installed
if [ -z "$XDG_DATA_HOME" ]; then
  XDG_DATA_HOME=~/.local/share
fi
if [ -z "$VENV_PATH" ]; then
  # We export these values so they are preserved properly if this script is
  # rerun with sudo/su where $HOME/$XDG_DATA_HOME may have a different value.
  export OLD_VENV_PATH="$XDG_DATA_HOME/letsencrypt"
  export VENV_PATH="/opt/eff.org/certbot/venv"
fi
VENV_BIN="$VENV_PATH/bin"
BOOTSTRAP_VERSION_PATH="$VENV_PATH/certbot-auto-bootstrap-version.txt"
LE_AUTO_VERSION="{version}"
BASENAME=$(basename $0)
USAGE="Usage: $BASENAME [OPTIONS]
A self-updating wrapper script for the Certbot ACME client. When run, updates
to both this script and certbot will be downloaded and installed. After
ensuring you have the latest versions installed, certbot will be invoked with
all arguments you have provided.
"
# (the rest of the 1,800-line script is not needed by the wizard's probe)
"""

DPKG_FILLER = """Package: base-files
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 340
Maintainer: Santiago Vila
Architecture: amd64
Version: 10.1
Description: Debian base system miscellaneous files
"""


def centos_base_repo(major: str) -> str:
    """CentOS-Base.repo as centos-release ships it (6 has no &infra= on its mirrorlists)."""
    infra = "&infra=$infra" if major == "7" else ""
    out = ["# CentOS-Base.repo", "#", "# The mirror system uses the connecting IP address of the client and the",
           "# update status of each mirror to pick mirrors that are updated to and",
           "# geographically close to the client.  You should use this for CentOS updates",
           "# unless you are manually picking other mirrors.", "#",
           "# If the mirrorlist= does not work for you, as a fall back you can try the ",
           "# remarked out baseurl= line instead.", "#", "#", ""]
    for repo, name, enabled in (("base", "Base", True), ("updates", "Updates", True), ("extras", "Extras", True),
                                ("centosplus", "Plus", False)):
        repo_path = "os" if repo == "base" else repo
        out += [f"[{repo}]", f"name=CentOS-$releasever - {name}",
                f"mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo={repo_path}{infra}",
                f"#baseurl=http://mirror.centos.org/centos/$releasever/{repo_path}/$basearch/", "gpgcheck=1",
                *([] if enabled else ["enabled=0"]), f"gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-{major}", ""]
    return "\n".join(out)


def epel_repo(major: str) -> str:
    """epel.repo as epel-release ships it (7-14: download.example in the commented baseurl): a metalink
    to mirrors that no longer carry EPEL 6/7."""
    key = "mirrorlist" if major == "6" else "metalink"
    host = "download.fedoraproject.org" if major == "6" else "download.example"
    return (f"[epel]\nname=Extra Packages for Enterprise Linux {major} - $basearch\n"
            f"#baseurl=http://{host}/pub/epel/{major}/$basearch\n"
            f"{key}=https://mirrors.fedoraproject.org/metalink?repo=epel-{major}&arch=$basearch\n"
            f"failovermethod=priority\nenabled=1\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-{major}\n\n"
            f"[epel-debuginfo]\nname=Extra Packages for Enterprise Linux {major} - $basearch - Debug\n"
            f"#baseurl=http://{host}/pub/epel/{major}/$basearch/debug\n"
            f"{key}=https://mirrors.fedoraproject.org/metalink?repo=epel-debug-{major}&arch=$basearch\n"
            f"failovermethod=priority\nenabled=0\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-{major}\ngpgcheck=1\n")

"""One ssh connection to a host: the system OpenSSH client under a ControlMaster that serves the
whole session (the admin's ~/.ssh/config, agent, ProxyJump and known_hosts all apply, or
`--ssh-config FILE`). Every remote command is an argv list quoted word by word for the remote
shell (ssh sends one command line), so no name or path is ever spliced into shell code."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field

from wizard.core.target import ssh_probe
from wizard.core.target.errors import SshError
from wizard.core.target.process import ScriptRun, start_script
from wizard.i18n import _

LEGACY_OPTIONS = ["-o", "HostKeyAlgorithms=+ssh-rsa", "-o", "PubkeyAcceptedAlgorithms=+ssh-rsa",
                  "-o", "KexAlgorithms=+diffie-hellman-group14-sha1,diffie-hellman-group1-sha1"]


def parse_host(spec: str) -> tuple[str, int | None]:
    """[USER@]HOST[:PORT] -> (destination for ssh, port)."""
    match = re.match(r"^(?:(?P<user>[^@]+)@)?(?P<host>\[[^\]]+\]|[^:]+)(?::(?P<port>\d{1,5}))?$", spec)
    if not match:
        raise SshError(_("cannot read the host {spec}: use [USER@]HOST[:PORT]", spec=spec))
    host = match.group("host").strip("[]")
    destination = f"{match.group('user')}@{host}" if match.group("user") else host
    return destination, int(match.group("port")) if match.group("port") else None


def classify_ssh_failure(spec: str, stderr: str) -> SshError:
    """Turn ssh's own words into a clear reason (exit code 3)."""
    text = stderr.strip()
    last = text.splitlines()[-1] if text else _("ssh exited without a message")
    if "no matching host key type found" in text or "no matching key exchange method found" in text \
            or "no matching cipher found" in text:
        offer = re.search(r"Their offer: (\S+)", text)
        return SshError(_("{host} offers only old algorithms ({offer}) that this ssh client refuses. These options "
                          "would connect: {options} (or pass --legacy-ssh).", host=spec,
                          offer=offer.group(1) if offer else "?", options=" ".join(LEGACY_OPTIONS)), LEGACY_OPTIONS)
    if "REMOTE HOST IDENTIFICATION HAS CHANGED" in text:
        return SshError(_("the host key of {host} does not match known_hosts: someone may be intercepting the "
                          "connection, or the server was reinstalled. Check it, then update known_hosts.", host=spec))
    if "Host key verification failed" in text or "No ED25519 host key is known" in text or "host key is known" in text:
        return SshError(_("the host key of {host} is not in known_hosts and strict checking is on: confirm it "
                          "with 'ssh {host}' once, or add it to known_hosts.", host=spec))
    if "Permission denied" in text:
        return SshError(_("authentication to {host} failed ({detail}): check the user, the key or the agent.",
                          host=spec, detail=last))
    if "Connection refused" in text:
        return SshError(_("{host} refused the connection: no SSH server on that port.", host=spec))
    if "timed out" in text.lower():
        return SshError(_("connecting to {host} timed out: check the address, the port and the firewall.", host=spec))
    if "Could not resolve hostname" in text:
        return SshError(_("cannot resolve {host}.", host=spec))
    return SshError(_("cannot use {host}: {detail}", host=spec, detail=last))


@dataclass
class SshLink:
    spec: str                            # [USER@]HOST[:PORT] as the admin gave it
    ssh_config: str | None = None
    legacy: bool = False                 # allow the ssh-rsa/SHA-1 algorithms of CentOS 6 era servers
    connect_timeout: int = 10
    bytes_sent: int = 0
    bytes_received: int = 0
    sudo: bool = False                   # set after connecting when the user is not root
    sudo_error: str | None = None        # why sudo cannot be used (it needs a password), if so
    _identity_known: bool = field(default=False, repr=False)
    _socket_dir: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self.destination, self.port = parse_host(self.spec)
        self._socket_dir = tempfile.mkdtemp(prefix="acme-wizard-ssh-")

    def ssh_argv(self, remote: list[str] | None = None, options: list[str] | None = None) -> list[str]:
        argv = ["ssh", *(options or []), "-o", "ControlMaster=auto", "-o", f"ControlPath={self._socket_dir}/cm",
                "-o", "ControlPersist=120", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={self.connect_timeout}",
                "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"]
        if self.ssh_config:
            argv += ["-F", self.ssh_config]
        if self.port:
            argv += ["-p", str(self.port)]
        if self.legacy:
            argv += LEGACY_OPTIONS
        argv.append(self.destination)
        if remote is not None:
            argv.append(" ".join(shlex.quote(word) for word in remote))
        return argv

    def connect(self) -> None:
        """Open the master connection; raise SshError with a clear reason when it fails."""
        # The master alone (-N), no session: the first session does real work, and the probe says
        # who we are there (ssh_probe). LogLevel INFO: ssh says why a negotiation failed only at INFO.
        result = subprocess.run(self.ssh_argv(None, ["-o", "LogLevel=INFO", "-N"]), capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise classify_ssh_failure(self.spec, result.stderr)

    def _learn_identity(self) -> None:
        """Whether commands need sudo there: asked once, unless a probe already told."""
        if self._identity_known:
            return
        result = subprocess.run(self.ssh_argv(["id", "-u"]), capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if result.returncode == 255:
            raise classify_ssh_failure(self.spec, result.stderr)
        if result.stdout.strip() == "0":
            self._set_identity("root")
            return
        check = subprocess.run(self.ssh_argv(["sudo", "-n", "true"]), capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
        self._set_identity("sudo" if check.returncode == 0 else "nosudo")

    def _set_identity(self, sudo: str) -> None:
        self._identity_known = True
        self.sudo = sudo != "root"
        self.sudo_error = None if sudo in ("root", "sudo") else _(
            "the SSH user on {host} is not root and 'sudo -n' needs a password there: log in as root, allow "
            "NOPASSWD sudo for this tool, or run sudo on the host yourself", host=self.spec)

    def close(self) -> None:
        subprocess.run(["ssh", "-o", f"ControlPath={self._socket_dir}/cm", "-O", "exit", self.destination],
                       capture_output=True, stdin=subprocess.DEVNULL)
        try:
            for name in os.listdir(self._socket_dir):
                os.unlink(os.path.join(self._socket_dir, name))
            os.rmdir(self._socket_dir)
        except OSError:
            pass

    @property
    def privilege_error(self) -> str | None:
        """Why changes cannot be made as root on this host, or None."""
        self._learn_identity()
        return self.sudo_error if self.sudo else None

    def argv(self, remote: list[str], privileged: bool = True) -> list[str]:
        if privileged:
            self._learn_identity()
        if self.sudo and privileged and not self.sudo_error:
            remote = ["sudo", "-n", "--", *remote]
        return self.ssh_argv(remote)

    def run(self, remote: list[str], data: bytes = b"", check: bool = True) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(self.argv(remote), input=data, capture_output=True)
        self.bytes_sent += len(data) + len(" ".join(remote))
        self.bytes_received += len(result.stdout) + len(result.stderr)
        if result.returncode == 255:
            raise classify_ssh_failure(self.spec, result.stderr.decode("utf-8", "replace"))
        if check and result.returncode != 0:
            raise OSError(result.returncode, result.stderr.decode("utf-8", "replace").strip() or
                          _("remote command failed: {command}", command=remote[0]))
        return result

    def start_script(self, script: bytes, args: list[str]) -> ScriptRun:
        """sh -s on the host (through sudo when needed and allowed), reading `script`, in one session
        that also says who we are there; its answer comes compressed when the host has gzip
        (ssh_probe). The bytes that cross the link are counted as they arrive."""
        self.bytes_sent += len(script)
        run = start_script(self.ssh_argv(["sh", "-c", ssh_probe.WRAPPER, "sh", *args]), script)
        run.reader = lambda stream: ssh_probe.lines(stream, self._received, lambda who: self._set_identity(who.sudo))
        return run

    def _received(self, count: int) -> None:
        self.bytes_received += count

"""A remote host reached with the system OpenSSH client; nothing is installed there.

The admin's ~/.ssh/config, agent, ProxyJump and known_hosts all apply (or `--ssh-config FILE`).
One ControlMaster connection serves the whole session and is closed at the end. Every remote
command is an argv list quoted word by word for the remote shell (ssh sends one command line),
so no name or path is ever spliced into shell code. Commands run detached on the target
(nohup, their own log and exit-code file), so a step keeps running when the link drops and the
next run can re-attach to it.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shlex
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable

from wizard.core.defaults import CONFIG_DIR, LOGS_DIR
from wizard.core.target.errors import CommandsNotAllowed, JobLost, SshError, UntrustedStateError
from wizard.core.target.process import ScriptRun, start_script
from wizard.core.target.protocol import TEMPORARY, JobState, ManifestEntry, Target
from wizard.i18n import _

LEGACY_OPTIONS = ["-o", "HostKeyAlgorithms=+ssh-rsa", "-o", "PubkeyAcceptedAlgorithms=+ssh-rsa",
                  "-o", "KexAlgorithms=+diffie-hellman-group14-sha1,diffie-hellman-group1-sha1"]
# Runs argv detached from the SSH session: output and exit code go to files beside the job.
DETACH = ('job=$1; shift; mkdir -p "$(dirname "$job")"; rm -f "$job.exit"; '
          'nohup sh -c \'"$@" > "$0.log" 2>&1 < /dev/null; echo $? > "$0.exit"\' "$job" "$@" '
          '> /dev/null 2>&1 < /dev/null & echo $! > "$job.pid"; cat "$job.pid"')
WRITE = ('set -e; umask 077; mkdir -p "$(dirname "$1")"; tmp=$(mktemp "$(dirname "$1")/.acme-wizard.XXXXXXXX"); '
         'cat > "$tmp"; '
         'if [ -e "$1" ]; then chmod --reference="$1" "$tmp"; chown --reference="$1" "$tmp" 2>/dev/null || true; '
         'else chmod "$2" "$tmp"; fi; mv -f "$tmp" "$1"')


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
class SshTarget(Target):
    spec: str
    root: str = "/"                      # a root prefix on the target (a copied tree there)
    config_dir: str = CONFIG_DIR
    logs_dir: str = LOGS_DIR
    ssh_config: str | None = None
    legacy: bool = False
    connect_timeout: int = 10
    allow_commands: bool | None = None
    bytes_sent: int = 0
    bytes_received: int = 0
    sudo: bool = False                   # set after connecting when the user is not root
    sudo_error: str | None = None        # why sudo cannot be used (it needs a password), if so
    _socket_dir: str = field(default="", repr=False)
    _interrupted: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.destination, self.port = parse_host(self.spec)
        self._socket_dir = tempfile.mkdtemp(prefix="acme-wizard-ssh-")
        if self.allow_commands is None:
            self.allow_commands = self.root in ("/", "") or os.environ.get("ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT") == "1"

    @property
    def host(self) -> str:
        return self.spec

    @property
    def is_live(self) -> bool:
        return self.root in ("/", "")

    def describe(self) -> str:
        return self.spec if self.is_live else f"{self.spec}:{self.root}"

    @property
    def shown_root(self) -> str:
        return self.root

    @property
    def demo(self) -> bool:
        return False

    # --- the connection ---------------------------------------------------------------------------

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
        # LogLevel INFO for this first connection: ssh says why a negotiation failed only at INFO.
        result = subprocess.run(self.ssh_argv(["id", "-u"], ["-o", "LogLevel=INFO"]), capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise classify_ssh_failure(self.spec, result.stderr)
        self.sudo = result.stdout.strip() != "0"
        if self.sudo:
            check = subprocess.run(self.ssh_argv(["sudo", "-n", "true"]), capture_output=True, text=True,
                                   stdin=subprocess.DEVNULL)
            if check.returncode != 0:
                self.sudo_error = _("the SSH user on {host} is not root and 'sudo -n' needs a password there: "
                                    "log in as root, allow NOPASSWD sudo for this tool, or run sudo on the "
                                    "host yourself", host=self.spec)
            else:
                self.sudo_error = None

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
        return self.sudo_error if self.sudo else None

    def _argv(self, remote: list[str], privileged: bool = True) -> list[str]:
        if self.sudo and privileged and not self.sudo_error:
            remote = ["sudo", "-n", "--", *remote]
        return self.ssh_argv(remote)

    def _run(self, remote: list[str], data: bytes = b"", check: bool = True) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(self._argv(remote), input=data, capture_output=True)
        self.bytes_sent += len(data) + len(" ".join(remote))
        self.bytes_received += len(result.stdout) + len(result.stderr)
        if result.returncode == 255:
            raise classify_ssh_failure(self.spec, result.stderr.decode("utf-8", "replace"))
        if check and result.returncode != 0:
            raise OSError(result.returncode, result.stderr.decode("utf-8", "replace").strip() or
                          _("remote command failed: {command}", command=remote[0]))
        return result

    # --- the probe ---------------------------------------------------------------------------------

    def start_shell_script(self, script: bytes, args: list[str]) -> ScriptRun:
        self.bytes_sent += len(script)
        run = start_script(self._argv(["sh", "-s", "--", *args]), script)
        run.on_bytes = self._received      # the bytes of the probe's answer are what crosses the link
        return run

    def _received(self, count: int) -> None:
        self.bytes_received += count

    def probe_args(self) -> list[str]:
        return ["" if self.is_live else self.root, self.config_dir, self.logs_dir]

    # --- files (target paths; a root prefix is applied on the target) --------------------------

    def host_path(self, path: str) -> str:
        return path if self.is_live else self.root.rstrip("/") + "/" + path.lstrip("/")

    def resolve(self, path: str, follow: bool = True) -> str:
        """The target path `path` leads to (the remote kernel's resolution, readlink -m)."""
        real = self.host_path(path)
        script = 'readlink -m -- "$1"' if follow else \
            'd=$(readlink -m -- "$(dirname -- "$1")") && printf "%s/%s\\n" "${d%/}" "$(basename -- "$1")"'
        out = self._run(["sh", "-c", script, "sh", real]).stdout.decode("utf-8", "surrogateescape").rstrip("\n")
        if self.is_live:
            return out or "/"
        base = self.root.rstrip("/")
        if out != base and not out.startswith(base + "/"):
            raise OSError(18, _("{path} leads outside the root {root}", path=path, root=self.root), path)
        return out[len(base):] or "/"

    def exists(self, path: str) -> bool:
        real = self.host_path(path)
        return self._run(["sh", "-c", 'test -e "$1" || test -L "$1"', "sh", real], check=False).returncode == 0

    def is_link(self, path: str) -> bool:
        return self._run(["test", "-L", self.host_path(path)], check=False).returncode == 0

    def read_bytes(self, path: str, limit: int | None = None, follow: bool = True) -> bytes:
        # A regular file only (never a FIFO or a device), through a symlink only when asked.
        script = ('if [ "$2" = 0 ] && [ -L "$1" ]; then echo "is a symbolic link" >&2; exit 1; fi; '
                  '[ -f "$1" ] || { [ -e "$1" ] && echo "not a regular file" >&2; [ -e "$1" ] || '
                  'echo "No such file or directory" >&2; exit 1; }; '
                  'if [ -n "$3" ]; then head -c "$3" -- "$1"; else cat -- "$1"; fi')
        result = self._run(["sh", "-c", script, "sh", self.host_path(path), "1" if follow else "0",
                            "" if limit is None else str(limit + 1)], check=False)
        if result.returncode != 0:
            raise FileNotFoundError(2, result.stderr.decode("utf-8", "replace").strip(), path)
        if limit is not None and len(result.stdout) > limit:
            raise OSError(27, _("larger than {size} bytes", size=limit), path)
        return result.stdout

    def write_bytes(self, path: str, data: bytes, mode: int = 0o644, follow: bool = True) -> None:
        real = self.host_path(path)
        if follow:
            real = self.host_path(self.resolve(path))
        self._run(["sh", "-c", WRITE, "sh", real, format(mode, "o")], data)

    def append_line(self, path: str, line: str) -> None:
        self._run(["sh", "-c", '[ ! -L "$1" ] || exit 1; umask 077; printf "%s\\n" "$2" >> "$1"', "sh",
                   self.host_path(path), line.rstrip("\n")])

    def make_private_dir(self, path: str) -> None:
        real = self.host_path(path)
        self._run(["sh", "-c", '[ -L "$1" ] || mkdir -p "$1"', "sh", real])
        self.check_private_dir(path)
        self._run(["chmod", "700", "--", real])

    def check_private_dir(self, path: str) -> None:
        """Raise UntrustedStateError unless an existing directory is the remote user's own (root's
        with sudo), not a symlink."""
        script = ('[ -e "$1" ] || [ -L "$1" ] || exit 0; if [ -L "$1" ]; then echo link; '
                  'elif [ ! -d "$1" ]; then echo notdir; else echo "uid $(stat -c %u -- "$1") $(id -u)"; fi')
        words = self._run(["sh", "-c", script, "sh", self.host_path(path)]).stdout.decode().split()
        problem = None
        if words[:1] == ["link"]:
            problem = _("is a symbolic link")
        elif words[:1] == ["notdir"]:
            problem = _("is not a directory")
        elif len(words) == 3 and words[1] != words[2]:
            problem = _("belongs to another user (uid {uid})", uid=words[1])
        if problem:
            raise UntrustedStateError(_("{path} {problem}: refusing to keep state or backups there",
                                        path=path, problem=problem))

    def list_dir(self, path: str) -> list[str]:
        result = self._run(["ls", "-1A", "--", self.host_path(path)], check=False)
        return sorted(result.stdout.decode("utf-8", "surrogateescape").split("\n")[:-1]) \
            if result.returncode == 0 else []

    def remove(self, path: str) -> None:
        self._run(["rm", "-rf", "--", self.host_path(path)])

    def move(self, source: str, destination: str) -> None:
        self._run(["sh", "-c", 'mkdir -p "$(dirname "$2")" && mv -- "$1" "$2"', "sh",
                   self.host_path(source), self.host_path(destination)])

    def sweep_temporaries(self, directory: str) -> list[str]:
        """Remove what a killed write or restore left in `directory` (see LocalTarget)."""
        names = self.list_dir(directory)
        removed = [directory.rstrip("/") + "/" + name for name in names if TEMPORARY.fullmatch(name)]
        if removed:
            self._run(["rm", "-rf", "--", *[self.host_path(path) for path in removed]])
        return removed

    def sha256(self, path: str) -> str:
        return self._run(["sha256sum", "--", self.host_path(path)]).stdout.decode().split()[0]

    def backup(self, paths: list[str], tarball: str) -> list[ManifestEntry]:
        present = [p for p in paths if self.exists(p)]
        entries = [ManifestEntry(p, "absent") for p in paths if p not in present]
        base = self.root if not self.is_live else "/"
        script = ('umask 077; out=$1; base=$2; shift 2; tar -czpf "$out" -C "$base" -- "$@" '
                  '|| { rm -f -- "$out"; exit 1; }')
        self._run(["sh", "-c", script, "sh", self.host_path(tarball), base, *[p.lstrip("/") for p in present]])
        # The manifest is computed from the archive itself, read back once.
        with tarfile.open(fileobj=io.BytesIO(self.read_bytes(tarball)), mode="r:gz") as archive:
            for member in archive.getmembers():
                path = "/" + member.name.lstrip("/")
                stream = archive.extractfile(member) if member.isfile() else None
                if stream is not None:
                    digest = hashlib.sha256(stream.read()).hexdigest()
                    entries.append(ManifestEntry(path, "file", digest, member.mode))
                elif member.isdir():
                    entries.append(ManifestEntry(path, "dir", mode=member.mode))
                elif member.issym():
                    entries.append(ManifestEntry(path, "link", link=member.linkname))
        return entries

    def restore_path(self, archive_bytes: bytes, path: str, displaced: str) -> None:
        """Put `path` back from the (already verified) archive: extracted beside the live path on
        the host, then swapped in with renames; the live path is put back if the swap fails."""
        script = ('set -e; real=$1; rel=$2; parent=$(dirname -- "$real"); mkdir -p -- "$parent"; '
                  'tmp=$(mktemp -d "$parent/.acme-wizard-restore.XXXXXXXX"); trap \'rm -rf -- "$tmp"\' EXIT; '
                  'tar -xzpf - -C "$tmp" --numeric-owner -- "$rel"; had=0; '
                  'if [ -e "$real" ] || [ -L "$real" ]; then mv -- "$real" "$tmp.old"; had=1; fi; '
                  'if mv -- "$tmp/$rel" "$real"; then [ "$had" = 0 ] || '
                  '{ mkdir -p -- "$(dirname -- "$3")" && mv -- "$tmp.old" "$3"; }; '
                  'else [ "$had" = 0 ] || mv -- "$tmp.old" "$real"; exit 1; fi')
        self._run(["sh", "-c", script, "sh", self.host_path(path), path.lstrip("/"), self.host_path(displaced)],
                  archive_bytes)

    # --- commands ------------------------------------------------------------------------------

    def run(self, argv: list[str], on_output: Callable[[str], None], env: dict[str, str] | None = None,
            timeout: float | None = None, job: str | None = None) -> int:
        """Run argv on the target, detached (see DETACH), and follow its log until it ends."""
        if not self.allow_commands:
            raise CommandsNotAllowed(_("commands cannot run inside a root prefix ({root}) on {host}",
                                       root=self.root, host=self.spec))
        temporary = job is None               # a one-off command: its job files go in the host's /tmp
        real_job = (f"/tmp/acme-wizard-job-{os.getpid()}-{int(time.time() * 1000)}" if job is None
                    else self.host_path(job))
        argv = list(argv)
        if not self.is_live and argv and argv[0].startswith("/") and self.exists(argv[0]):
            argv[0] = self.host_path(argv[0])          # labs: a program inside the copied tree
        environment = [f"{k}={v}" for k, v in (env or {}).items()]
        command = (["env", *environment] if environment else []) + list(argv)
        self._run(["sh", "-c", DETACH, "sh", real_job, *command])
        code = self._follow_real(real_job, on_output)
        if temporary:
            self._run(["sh", "-c", 'rm -f "$1.log" "$1.exit" "$1.pid"', "sh", real_job], check=False)
        return code

    def job_state(self, job: str) -> tuple[JobState, int | None]:
        """("absent" | "running" | "done", exit code) of a detached job."""
        real = self.host_path(job)
        script = ('if [ -f "$1.exit" ]; then echo done; cat "$1.exit"; '
                  'elif [ -f "$1.pid" ] && kill -0 "$(cat "$1.pid")" 2>/dev/null; then echo running; '
                  'elif [ -f "$1.pid" ]; then echo lost; else echo absent; fi')
        words = self._run(["sh", "-c", script, "sh", real]).stdout.decode().split()
        state: JobState = "absent"
        for known in ("running", "done", "lost"):
            if words[:1] == [known]:
                state = known
        code = int(words[1]) if state == "done" and len(words) > 1 and words[1].lstrip("-").isdigit() else None
        return state, code

    def follow(self, job: str, on_output: Callable[[str], None]) -> int:
        """Stream the job's log until it ends; its exit code. Raises JobLost if the link drops."""
        return self._follow_real(self.host_path(job), on_output)

    def _follow_real(self, real: str, on_output: Callable[[str], None]) -> int:
        follow = ('pid=$(cat "$1.pid"); while [ ! -e "$1.log" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; '
                  'tail -n +1 -s 0.2 -f --pid="$pid" -- "$1.log" 2>/dev/null; '
                  'while [ ! -f "$1.exit" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; '
                  'cat "$1.exit" 2>/dev/null || echo lost')
        process = subprocess.Popen(self._argv(["sh", "-c", follow, "sh", real]), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        last = None
        assert process.stdout is not None
        for raw in process.stdout:
            self.bytes_received += len(raw)
            if last is not None:
                on_output(last)
            last = raw.decode("utf-8", "replace").rstrip("\n")
            if self._interrupted:
                break
        code = process.wait()
        if self._interrupted:
            self._run(["sh", "-c", 'kill "$(cat "$1.pid")" 2>/dev/null; true', "sh", real], check=False)
            raise KeyboardInterrupt
        if code != 0 or last is None or not last.lstrip("-").isdigit():
            raise JobLost(_("lost the connection to {host} while a step was running; it goes on there. Run "
                            "the same command again to re-attach.", host=self.spec))
        return int(last)

    def interrupt(self) -> None:
        self._interrupted = True

    def create_exclusive(self, path: str, data: bytes) -> bool:
        """Create a file only if it does not exist (the shell's noclobber makes it atomic)."""
        result = self._run(["sh", "-c", 'umask 077; mkdir -p "$(dirname "$1")"; set -C; cat > "$1"', "sh",
                            self.host_path(path)], data, check=False)
        return result.returncode == 0

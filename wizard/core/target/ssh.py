"""A remote host as a target, over one ssh connection (wizard.core.target.ssh_link); nothing is
installed there. Commands run detached on the target (nohup, their own log and exit-code file), so
a step keeps running when the link drops and the next run can re-attach to it.
"""
from __future__ import annotations

import errno
import hashlib
import io
import os
import posixpath
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from typing import Callable

from wizard.core.defaults import CONFIG_DIR, LOGS_DIR
from wizard.core.target import private_dir
from wizard.core.target.errors import CommandsNotAllowed, JobLost
from wizard.core.target.process import ScriptRun
from wizard.core.target.protocol import TEMPORARY, JobState, ManifestEntry, Target, commands_allowed
from wizard.core.target.ssh_link import SshLink
from wizard.i18n import _

# Runs argv detached from the SSH session: output and exit code go to files beside the job.
DETACH = ('job=$1; shift; mkdir -p "$(dirname "$job")"; rm -f "$job.exit"; '
          'nohup sh -c \'"$@" > "$0.log" 2>&1 < /dev/null; echo $? > "$0.exit"\' "$job" "$@" '
          '> /dev/null 2>&1 < /dev/null & echo $! > "$job.pid"; cat "$job.pid"')
WRITE = ('set -e; umask 077; mkdir -p "$(dirname "$1")"; tmp=$(mktemp "$(dirname "$1")/.acme-wizard.XXXXXXXX"); '
         'cat > "$tmp"; '
         'if [ -e "$1" ]; then chmod --reference="$1" "$tmp"; chown --reference="$1" "$tmp" 2>/dev/null || true; '
         'else chmod "$2" "$tmp"; fi; mv -f "$tmp" "$1"')


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
    _interrupted: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.link = SshLink(self.spec, self.ssh_config, self.legacy, self.connect_timeout)
        if self.allow_commands is None:
            self.allow_commands = commands_allowed(self.is_live)

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

    def shown_path(self, path: str) -> str:
        return path if self.is_live else posixpath.join(self.root, path.lstrip("/"))

    @property
    def demo(self) -> bool:
        return False

    # --- the connection ---------------------------------------------------------------------------

    def connect(self) -> None:
        """Open the master connection; raise SshError with a clear reason when it fails."""
        self.link.connect()

    def close(self) -> None:
        self.link.close()

    @property
    def privilege_error(self) -> str | None:
        return self.link.privilege_error

    @property
    def bytes_sent(self) -> int:
        return self.link.bytes_sent

    @property
    def bytes_received(self) -> int:
        return self.link.bytes_received

    # --- the probe ---------------------------------------------------------------------------------

    def start_shell_script(self, script: bytes, args: list[str]) -> ScriptRun:
        return self.link.start_script(script, args)

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
        out = self.link.run(["sh", "-c", script, "sh", real]).stdout.decode("utf-8", "surrogateescape").rstrip("\n")
        if self.is_live:
            return out or "/"
        base = self.root.rstrip("/")
        if out != base and not out.startswith(base + "/"):
            raise OSError(errno.EXDEV, _("{path} leads outside the root {root}", path=path, root=self.root), path)
        return out[len(base):] or "/"

    def exists(self, path: str) -> bool:
        real = self.host_path(path)
        return self.link.run(["sh", "-c", 'test -e "$1" || test -L "$1"', "sh", real], check=False).returncode == 0

    def is_link(self, path: str) -> bool:
        return self.link.run(["test", "-L", self.host_path(path)], check=False).returncode == 0

    def read_bytes(self, path: str, limit: int | None = None, follow: bool = True) -> bytes:
        # A regular file only (never a FIFO or a device), through a symlink only when asked.
        script = ('if [ "$2" = 0 ] && [ -L "$1" ]; then echo "is a symbolic link" >&2; exit 1; fi; '
                  '[ -f "$1" ] || { [ -e "$1" ] && echo "not a regular file" >&2; [ -e "$1" ] || '
                  'echo "No such file or directory" >&2; exit 1; }; '
                  'if [ -n "$3" ]; then head -c "$3" -- "$1"; else cat -- "$1"; fi')
        result = self.link.run(["sh", "-c", script, "sh", self.host_path(path), "1" if follow else "0",
                                "" if limit is None else str(limit + 1)], check=False)
        if result.returncode != 0:
            raise FileNotFoundError(2, result.stderr.decode("utf-8", "replace").strip(), path)
        if limit is not None and len(result.stdout) > limit:
            raise OSError(errno.EFBIG, _("larger than {size} bytes", size=limit), path)
        return result.stdout

    def write_bytes(self, path: str, data: bytes, mode: int = 0o644, follow: bool = True) -> None:
        real = self.host_path(path)
        if follow:
            real = self.host_path(self.resolve(path))
        self.link.run(["sh", "-c", WRITE, "sh", real, format(mode, "o")], data)

    def append_line(self, path: str, line: str) -> None:
        self.link.run(["sh", "-c", '[ ! -L "$1" ] || exit 1; umask 077; printf "%s\\n" "$2" >> "$1"', "sh",
                       self.host_path(path), line.rstrip("\n")])

    def make_private_dir(self, path: str) -> None:
        """Create a 0700 directory, or check an existing one (never changed; see private_dir)."""
        create = ('[ -e "$1" ] || [ -L "$1" ] && exit 0; mkdir -p -- "$(dirname -- "$1")"; '
                  'mkdir -m 700 -- "$1" 2>/dev/null || [ -d "$1" ]')
        self.link.run(["sh", "-c", create, "sh", self.host_path(path)])
        why = self._private_dir_problem(path)
        if why:
            raise private_dir.refuse_to_keep(path, why)

    def check_private_dir(self, path: str) -> None:
        why = self._private_dir_problem(path)
        if why:
            raise private_dir.refuse_to_read(path, why)

    def _private_dir_problem(self, path: str) -> str | None:
        """The remote lstat of an existing directory (the user's own: root's with sudo), judged."""
        script = '[ -e "$1" ] || [ -L "$1" ] || exit 0; echo "$(stat -c "%f %u" -- "$1") $(id -u)"'
        words = self.link.run(["sh", "-c", script, "sh", self.host_path(path)]).stdout.decode().split()
        if len(words) != 3:
            return None
        return private_dir.problem(int(words[0], 16), int(words[1]), int(words[2]))

    def list_dir(self, path: str) -> list[str]:
        result = self.link.run(["ls", "-1A", "--", self.host_path(path)], check=False)
        return sorted(result.stdout.decode("utf-8", "surrogateescape").split("\n")[:-1]) \
            if result.returncode == 0 else []

    def remove(self, path: str) -> None:
        self.link.run(["rm", "-rf", "--", self.host_path(path)])

    def move(self, source: str, destination: str) -> None:
        self.link.run(["sh", "-c", 'mkdir -p "$(dirname "$2")" && mv -- "$1" "$2"', "sh",
                       self.host_path(source), self.host_path(destination)])

    def sweep_temporaries(self, directory: str) -> list[str]:
        """Remove what a killed write or restore left in `directory` (see LocalTarget)."""
        names = self.list_dir(directory)
        removed = [directory.rstrip("/") + "/" + name for name in names if TEMPORARY.fullmatch(name)]
        if removed:
            self.link.run(["rm", "-rf", "--", *[self.host_path(path) for path in removed]])
        return removed

    def sha256(self, path: str) -> str:
        return self.link.run(["sha256sum", "--", self.host_path(path)]).stdout.decode().split()[0]

    def backup(self, paths: list[str], tarball: str) -> list[ManifestEntry]:
        present = [p for p in paths if self.exists(p)]
        entries = [ManifestEntry(p, "absent") for p in paths if p not in present]
        base = self.root if not self.is_live else "/"
        script = ('umask 077; out=$1; base=$2; shift 2; tar -czpf "$out" -C "$base" -- "$@" '
                  '|| { rm -f -- "$out"; exit 1; }')
        self.link.run(["sh", "-c", script, "sh", self.host_path(tarball), base, *[p.lstrip("/") for p in present]])
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
        self.link.run(["sh", "-c", script, "sh", self.host_path(path), path.lstrip("/"), self.host_path(displaced)],
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
        self.link.run(["sh", "-c", DETACH, "sh", real_job, *command])
        code = self._follow_real(real_job, on_output)
        if temporary:
            self.link.run(["sh", "-c", 'rm -f "$1.log" "$1.exit" "$1.pid"', "sh", real_job], check=False)
        return code

    def job_state(self, job: str) -> tuple[JobState, int | None]:
        """("absent" | "running" | "done", exit code) of a detached job."""
        real = self.host_path(job)
        script = ('if [ -f "$1.exit" ]; then echo done; cat "$1.exit"; '
                  'elif [ -f "$1.pid" ] && kill -0 "$(cat "$1.pid")" 2>/dev/null; then echo running; '
                  'elif [ -f "$1.pid" ]; then echo lost; else echo absent; fi')
        words = self.link.run(["sh", "-c", script, "sh", real]).stdout.decode().split()
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
        process = subprocess.Popen(self.link.argv(["sh", "-c", follow, "sh", real]), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        last = None
        assert process.stdout is not None
        for raw in process.stdout:
            self.link.bytes_received += len(raw)
            if last is not None:
                on_output(last)
            last = raw.decode("utf-8", "replace").rstrip("\n")
            if self._interrupted:
                break
        code = process.wait()
        if self._interrupted:
            self.link.run(["sh", "-c", 'kill "$(cat "$1.pid")" 2>/dev/null; true', "sh", real], check=False)
            raise KeyboardInterrupt
        if code != 0 or last is None or not last.lstrip("-").isdigit():
            raise JobLost(_("lost the connection to {host} while a step was running; it goes on there. Run "
                            "the same command again to re-attach.", host=self.spec))
        return int(last)

    def interrupt(self) -> None:
        self._interrupted = True

    def create_exclusive(self, path: str, data: bytes) -> bool:
        """Create a file only if it does not exist (the shell's noclobber makes it atomic)."""
        result = self.link.run(["sh", "-c", 'umask 077; mkdir -p "$(dirname "$1")"; set -C; cat > "$1"', "sh",
                                self.host_path(path)], data, check=False)
        return result.returncode == 0

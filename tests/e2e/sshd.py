"""A throwaway OpenSSH server on 127.0.0.1 for the remote-mode tests, stopped by its PID.

Host and client keys are made fresh; StrictModes is off because everything lives under /tmp.
The client side gets its own ssh_config (passed with --ssh-config) naming the host 'wizard-test'.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SshServer:
    def __init__(self, host_key_type: str = "ed25519", extra: str = "", env_path: str | None = None) -> None:
        assert shutil.which("sshd") or os.path.exists("/usr/sbin/sshd"), "openssh-server is installed by tests/run.sh"
        self.dir = tempfile.mkdtemp(prefix="acme-wizard-sshd-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.host_key = os.path.join(self.dir, f"host_{host_key_type}")
        self.client_key = os.path.join(self.dir, "client_ed25519")
        self.keygen(self.host_key, host_key_type)
        self.keygen(self.client_key, "ed25519")
        shutil.copy(self.client_key + ".pub", os.path.join(self.dir, "authorized_keys"))
        environment = f"SetEnv PATH={env_path}:/usr/local/bin:/usr/bin:/bin\n" if env_path else ""
        with open(os.path.join(self.dir, "sshd_config"), "w") as handle:
            handle.write(f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.host_key}\n"
                         f"PidFile {self.dir}/sshd.pid\nAuthorizedKeysFile {self.dir}/authorized_keys\n"
                         "StrictModes no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                         "KbdInteractiveAuthentication no\nUsePAM no\nLogLevel VERBOSE\nMaxSessions 50\n"
                         "MaxStartups 50\n" + environment + extra)
        os.makedirs("/run/sshd", exist_ok=True)
        self.process = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", os.path.join(self.dir, "sshd_config")],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "sshd.log"), "w"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                assert self.process.poll() is None, open(os.path.join(self.dir, "sshd.log")).read()
                time.sleep(0.05)
        self.known_hosts = os.path.join(self.dir, "known_hosts")
        with open(self.known_hosts, "w") as handle:
            handle.write(f"[127.0.0.1]:{self.port} " + open(self.host_key + ".pub").read().split(" ", 2)[0] + " "
                         + open(self.host_key + ".pub").read().split(" ", 2)[1] + "\n")
        self.config = self.client_config()

    @staticmethod
    def keygen(path: str, kind: str) -> None:
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", path] + (["-b", "2048"] if kind == "rsa" else []),
                       check=True)

    def client_config(self, name: str = "ssh_config", identity: str | None = None,
                      known_hosts: str | None = None, port: int | None = None) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "w") as handle:
            handle.write(f"Host wizard-test\n  HostName 127.0.0.1\n  Port {port or self.port}\n  User root\n"
                         f"  IdentityFile {identity or self.client_key}\n  IdentitiesOnly yes\n"
                         f"  UserKnownHostsFile {known_hosts or self.known_hosts}\n  StrictHostKeyChecking yes\n"
                         "  LogLevel ERROR\n")
        return path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

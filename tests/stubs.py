"""Stand-ins for programs a fixture host cannot run: a certbot that logs a real-looking ACMEv2
staging run, and package managers that succeed, fail or hang on demand."""
import datetime
import os

from wizard.demo.hostkit import V2_STAGING, Run


def stub_certbot(root: str, path: str = "/usr/bin/certbot", version: str = "1.11.0") -> None:
    """A certbot in the fixture that appends a --dry-run log run (ACMEv2 staging) and exits 0."""
    log = os.path.join(root, "var/log/letsencrypt/letsencrypt.log")
    run = Run(version, datetime.datetime(2026, 11, 27, 13, 0, 0), ["renew", "--dry-run"], server=V2_STAGING,
              entry_point=path, urllib3="1.25.6").render()
    script = f"#!/bin/sh\necho \"stub certbot $*\"\nmkdir -p {os.path.dirname(log)}\ncat >> {log} <<'EOF'\n{run}EOF\n"
    real = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(real), exist_ok=True)
    with open(real, "w") as handle:
        handle.write(script)
    os.chmod(real, 0o755)


def stub_bin(directory, name: str, body: str) -> str:
    """An executable `name` in directory running the sh body."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w") as handle:
        handle.write("#!/bin/sh\n" + body + "\n")
    os.chmod(path, 0o755)
    return str(directory)

"""The programs the demo's rehearsal runs instead of the real yum, pip, curl, acme.sh and certbot.

The wizard's own apply engine carries out the demo's plan on the throwaway demo tree; only the
programs it calls are stand-ins. Each is a small sh script that runs this module, which does to
the tree what the real program would do to a CentOS 6 host (a Python 3.6 collection appears, a
venv with certbot 1.23.0, a certbot that logs an ACMEv2 staging dry run), and prints what the
real one prints, shortened. The first `yum makecache` times out, so the newcomer meets a failed
step and its retry.

Nothing outside the tree is written: every path is resolved inside the root the way the engine
resolves it (symlinks and `..` never leave it). The interpreter starts isolated (-I: neither the
current directory nor PYTHONPATH can put code in front of the wizard's own), and variables given
to `env` are not passed on to this machine's programs.
"""
from __future__ import annotations

import datetime
import os
import shlex
import sys

import wizard
from wizard.core.target.confine import resolved_host_path
from wizard.core.target.local import STAND_IN_MARK
from wizard.demo.hostkit import V2_STAGING, HostTree, Run
from wizard.i18n import _, current_language, set_language

CERTBOT = "1.23.0"
SCL_PYTHON = "/opt/rh/rh-python36/root/usr/bin/python3"
CERTBOT_AUTO = "/usr/local/bin/certbot-auto"
TREE_BINS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
DIRECT = ("yum", "env", "curl", "sh")   # the names the demo's plans run without a path
ACME_SH = "3.1.1"


def install(root: str) -> str:
    """Write the stand-ins for the programs the plan names without a path into a directory beside
    the tree (never inside it: the probe would see them); return that directory."""
    directory = programs_dir(root)
    os.makedirs(directory, exist_ok=True)
    for name in DIRECT:
        _script(os.path.join(directory, name), root, name)
    _adopt(_Tree(root).path(CERTBOT_AUTO), root, "certbot-auto")
    return directory


class _Tree(HostTree):
    """The demo tree as its programs see it: a path is resolved inside the root, links and `..`
    included, as the engine resolves it (a plain join would follow a link out of the tree)."""

    def path(self, target_path: str) -> str:
        return resolved_host_path(self.root, target_path)

    def link(self, target_path: str, points_to: str) -> None:
        local = resolved_host_path(self.root, target_path, follow_last=False)
        os.makedirs(os.path.dirname(local), exist_ok=True)
        if os.path.lexists(local):
            os.remove(local)
        os.symlink(points_to, local)


def _adopt(path: str, root: str, name: str) -> None:
    """Make the tree's own script a stand-in in place: its 2nd and 3rd lines (comments) become the mark
    and the exec, so every other line, and the line numbers the evidence cites, stay as they were."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    stand_in = _stand_in_text(root, name).split("\n")
    if (lines[0] == "#!/bin/sh" and len(lines) > 3 and lines[1].startswith("#") and lines[2].startswith("#")
            and len(stand_in) == 4):        # (mark, name, exec, ""): one exec line to put in place
        lines[1:3] = stand_in[1:3]
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))


def _stand_in_text(root: str, name: str, lines: str = "") -> str:
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(wizard.__file__)))
    # -I: no current directory, no PYTHONPATH, no user site; the wizard's own package is put first by hand
    code = (f"import sys; sys.path.insert(0, {package_parent!r}); from wizard.demo.stand_ins import main; "
            "raise SystemExit(main(sys.argv[1:]))")
    return (STAND_IN_MARK.decode() + name + "\n" + lines +
            f"exec {shlex.quote(sys.executable)} -I -c {shlex.quote(code)} "
            f"{shlex.quote(current_language())} {shlex.quote(root)} {shlex.quote(name)} \"$0\" \"$@\"\n")


def _script(path: str, root: str, name: str, lines: str = "") -> None:
    text = _stand_in_text(root, name, lines)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o755)


def programs_dir(root: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(root)), "programs")


def _state(root: str, name: str) -> str:
    return os.path.join(programs_dir(root), "." + name)


def _yum(root: str, args: list[str]) -> int:
    if args[:1] == ["makecache"]:
        tried = _state(root, "yum-makecache-tried")
        if not os.path.exists(tried):
            open(tried, "w").close()
            print("Loaded plugins: fastestmirror")
            print("http://vault.centos.org/6.10/os/x86_64/repodata/repomd.xml: [Errno 12] Timeout on "
                  "http://vault.centos.org/6.10/os/x86_64/repodata/repomd.xml: (28, 'Operation too slow. Less "
                  "than 1 bytes/sec transferred the last 30 seconds')")
            print("Error: Cannot retrieve repository metadata (repomd.xml) for repository: base. Please verify "
                  "its path and try again")
            print(_("(acme-wizard demo: this first attempt fails on purpose; press r to retry)"))
            return 1
        print("Loaded plugins: fastestmirror")
        for repo in ("base", "updates", "centos-sclo-rh"):
            print(f"{repo:<40}| 3.0 kB     00:00")
        print("Metadata Cache Created")
        return 0
    if args[:1] == ["install"]:
        packages = [a for a in args[1:] if not a.startswith("-")]
        print("Loaded plugins: fastestmirror")
        print("Resolving Dependencies")
        if "rh-python36" in packages:
            tree = _Tree(root)
            tree.file("/opt/rh/rh-python36/enable", "export PATH=/opt/rh/rh-python36/root/usr/bin${PATH:+:${PATH}}\n")
            _script(tree.path(SCL_PYTHON), root, "python3")
        print("Installed:")
        for package in packages:
            print(f"  {package}.x86_64 (demo stand-in)")
        print("Complete!")
        return 0
    print(f"yum {shlex.join(args)}: " + _("(acme-wizard demo stand-in, nothing to do)"))
    return 0


def _env(root: str, args: list[str]) -> int:
    """env VAR=VALUE… PROGRAM ARG…: the program is a stand-in in the tree or beside it, never this
    machine's. The variables name paths of the demo host (LD_LIBRARY_PATH=/opt/rh/…): they are not
    passed on, as this machine's interpreter would then load libraries from its own /opt/rh."""
    while args and "=" in args[0] and not args[0].startswith(("/", "-")):
        args.pop(0)
    if not args:
        return 0
    program = args[0]
    if program.startswith("-") or ("/" in program and not program.startswith("/")):
        print(f"env: {program}: " + _("the demo's env takes VAR=VALUE and an absolute path or a name only"),
              file=sys.stderr)
        return 125
    if program.startswith("/"):
        candidates = [resolved_host_path(root, program)]
    else:
        candidates = [resolved_host_path(root, f"{d}/{program}") for d in TREE_BINS]
        candidates.append(os.path.join(programs_dir(root), program))
    for real in candidates:
        if os.access(real, os.X_OK) and os.path.isfile(real):
            if not _is_stand_in_file(real):
                break                  # the demo tree's own programs are placeholders: never run
            os.execv(real, [real, *args[1:]])
    print(f"env: {program}: " + _("the demo runs its stand-in programs only"), file=sys.stderr)
    return 127


def _python3(root: str, args: list[str]) -> int:
    if args[:2] == ["-m", "venv"] and len(args) == 3:
        prefix = args[2]
        tree = _Tree(root)
        tree.file(f"{prefix}/pyvenv.cfg", "home = /opt/rh/rh-python36/root/usr/bin\n"
                                          "include-system-site-packages = false\nversion = 3.6.12\n")
        tree.file(f"{prefix}/lib/python3.6/site-packages/pip-9.0.1.dist-info/METADATA",
                  "Metadata-Version: 2.0\nName: pip\nVersion: 9.0.1\n")
        tree.link(f"{prefix}/bin/python3", SCL_PYTHON)          # as venv makes it: links to the base Python
        tree.link(f"{prefix}/bin/python", "python3")
        _script(tree.path(f"{prefix}/bin/pip"), root, "pip")
        return 0
    print("Python 3.6.12 (acme-wizard demo stand-in)")
    return 0


def _pip(root: str, args: list[str], program: str) -> int:
    prefix = os.path.dirname(os.path.dirname(program))          # /opt/certbot/bin/pip → /opt/certbot
    wanted = [a for a in args[1:] if not a.startswith("-") and a != ":all:"]
    if "certbot<1.24" not in wanted:
        print("Successfully installed pip-21.3.1")
        return 0
    tree = _Tree(root)
    print("Collecting certbot<1.24")
    print(f"  Downloading certbot-{CERTBOT}-py3-none-any.whl (405 kB)")
    print("Collecting cryptography<38")
    print("  Downloading cryptography-37.0.4-cp36-abi3-manylinux_2_12_x86_64.manylinux2010_x86_64.whl (4.1 MB)")
    site = f"{prefix}/lib/python3.6/site-packages"
    for name, version in (("certbot", CERTBOT), ("acme", CERTBOT), ("cryptography", "37.0.4"),
                          ("pyOpenSSL", "22.0.0")):
        tree.file(f"{site}/{name}-{version}.dist-info/METADATA",
                  f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        tree.file(f"{site}/{name}-{version}.dist-info/INSTALLER", "pip\n")
    tree.file(f"{site}/certbot/__init__.py", f"__version__ = '{CERTBOT}'\n")
    _script(tree.path(f"{prefix}/bin/certbot"), root, "certbot")
    print(f"Successfully installed acme-{CERTBOT} certbot-{CERTBOT} cryptography-37.0.4 pyOpenSSL-22.0.0")
    return 0


def _certbot(root: str, args: list[str], program: str) -> int:
    if "--version" in args:
        print(f"certbot {CERTBOT}")
        return 0
    if args[:1] != ["renew"]:
        print(f"certbot {shlex.join(args)}: " + _("(acme-wizard demo stand-in, nothing to do)"))
        return 0
    tree = _Tree(root)
    names = sorted(n[:-5] for n in os.listdir(tree.path("/etc/letsencrypt/renewal")) if n.endswith(".conf"))
    now = datetime.datetime.now().replace(microsecond=0)
    log = tree.path("/var/log/letsencrypt/letsencrypt.log")
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(Run(CERTBOT, now, ["renew", *args[1:]], server=V2_STAGING, entry_point=program,
                         urllib3="1.26.9").render())
    print("Saving debug log to /var/log/letsencrypt/letsencrypt.log")
    for name in names:
        print("- " * 40)
        print(f"Processing /etc/letsencrypt/renewal/{name}.conf")
        print(f"Simulating renewal of an existing certificate for {name}")
    print("- " * 40)
    print("Congratulations, all simulated renewals succeeded:")
    for name in names:
        print(f"  /etc/letsencrypt/live/{name}/fullchain.pem (success)")
    return 0


def _curl(root: str, args: list[str]) -> int:
    """curl -fsSL -o FILE URL: acme.sh's installer, as a stand-in."""
    if "-o" in args[:-1]:
        _script(_Tree(root).path(args[args.index("-o") + 1]), root, "acme.sh-installer")
        return 0
    print(f"curl {shlex.join(args)}: " + _("(acme-wizard demo stand-in, nothing fetched)"))
    return 0


def _sh(root: str, args: list[str]) -> int:
    """sh INSTALLER --install-online --home DIR: acme.sh installs itself and its cron line."""
    if not args or not _is_stand_in_file(_Tree(root).path(args[0])):
        print(f"sh {shlex.join(args)}: " + _("(acme-wizard demo stand-in, nothing to do)"))
        return 0
    return _install_acme_sh(root, args[1:])


def _install_acme_sh(root: str, args: list[str]) -> int:
    home = args[args.index("--home") + 1] if "--home" in args[:-1] else "/root/.acme.sh"
    tree = _Tree(root)
    print(f"[demo] Installing to {home}")
    _script(tree.path(f"{home}/acme.sh"), root, "acme.sh", f"VER={ACME_SH}\n")
    tree.file(f"{home}/account.conf", "#LOG_FILE=\"/root/.acme.sh/acme.sh.log\"\n")
    cron = tree.path("/var/spool/cron/root")
    os.makedirs(os.path.dirname(cron), exist_ok=True)
    with open(cron, "a", encoding="utf-8") as handle:
        handle.write(f'12 3 * * * "{home}"/acme.sh --cron --home "{home}" > /dev/null\n')
    print("[demo] Installing cron job")
    print("[demo] Install success!")
    return 0


def _acme_sh(root: str, args: list[str], program: str) -> int:
    if "--version" in args:
        print(f"https://github.com/acmesh-official/acme.sh\nv{ACME_SH}")
    elif "--set-default-ca" in args:
        with open(_Tree(root).path(os.path.join(os.path.dirname(program), "account.conf")), "a",
                  encoding="utf-8") as handle:
            handle.write("DEFAULT_ACME_SERVER='https://acme-v02.api.letsencrypt.org/directory'\n")
        print("[demo] Changed default CA to: https://acme-v02.api.letsencrypt.org/directory")
    else:
        print(f"acme.sh {shlex.join(args)}: " + _("(acme-wizard demo stand-in, nothing to do)"))
    return 0


def _certbot_auto(root: str, args: list[str]) -> int:
    """certbot-auto 0.20.0 as it runs today: acme-v01's name no longer resolves, so every renewal fails."""
    if "--version" in args:
        print("certbot 0.20.0")
        return 0
    now = datetime.datetime.now().replace(microsecond=0)
    with open(_Tree(root).path("/var/log/letsencrypt/letsencrypt.log"), "a", encoding="utf-8") as handle:
        handle.write(Run("0.20.0", now, args, outcome="dns-failure", urllib3="1.10.2").render())
    print("Saving debug log to /var/log/letsencrypt/letsencrypt.log")
    print("Attempting to renew cert (example.com) from /etc/letsencrypt/renewal/example.com.conf produced an "
          "unexpected error: HTTPSConnectionPool(host='acme-v01.api.letsencrypt.org', port=443): Max retries "
          "exceeded with url: /directory (Caused by NewConnectionError: [Errno -2] Name or service not known). "
          "Skipping.")
    print("All renewal attempts failed.")
    return 1


def _is_stand_in_file(real: str) -> bool:
    try:
        with open(real, "rb") as handle:
            return handle.read(len(STAND_IN_MARK)) == STAND_IN_MARK
    except OSError:
        return False


def main(argv: list[str]) -> int:
    language, root, name, ran, args = argv[0], argv[1], argv[2], argv[3], argv[4:]
    set_language(language)
    program = "/" + os.path.relpath(os.path.abspath(ran), root)      # as the target names it
    try:
        if name == "yum":
            return _yum(root, args)
        if name == "env":
            return _env(root, args)
        if name in ("curl", "sh", "python3", "certbot-auto"):
            return {"curl": _curl, "sh": _sh, "python3": _python3, "certbot-auto": _certbot_auto}[name](root, args)
        if name in ("acme.sh", "acme.sh-installer"):
            return _acme_sh(root, args, program) if name == "acme.sh" else _install_acme_sh(root, args)
        return _pip(root, args, program) if name == "pip" else _certbot(root, args, program)
    except OSError as error:         # a demo program says what went wrong, like a real one, without a traceback
        where = str(error.filename or "")
        where = "/" + os.path.relpath(where, root) if where.startswith(root) else where   # the demo host's name
        print(f"{name}: {where}: {error.strerror}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

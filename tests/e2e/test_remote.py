"""Remote mode against a real OpenSSH server on 127.0.0.1 (nothing installed on the 'remote' side)."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.sshd import SshServer, free_port
from tests.fixtures.hosts import HOSTS
from tests.fixtures.stubs import stub_bin, stub_certbot
from tests.fixtures.trees import make_world_readable

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    stubs = str(tmp_path_factory.mktemp("remote-bin"))
    server = SshServer(env_path=stubs)
    server.stubs = stubs
    yield server
    server.stop()


def wizard(*argv, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def remote(server, *argv, config=None):
    return ["--host", "wizard-test", "--ssh-config", config or server.config, *argv]


@pytest.mark.parametrize("name", sorted(HOSTS))
def test_check_over_ssh_equals_the_local_check(server, make_host, name):
    root = make_host(name)
    local = wizard("check", "--root", root, "--json")
    over_ssh = wizard("check", *remote(server, "--root", root, "--json"))
    assert over_ssh.returncode == local.returncode, over_ssh.stderr
    a, b = json.loads(local.stdout), json.loads(over_ssh.stdout)
    assert b.pop("target") == {"root": root, "host": "wizard-test", "config_dir": "/etc/letsencrypt",
                               "logs_dir": "/var/log/letsencrypt", "demo": False}
    a.pop("target")
    assert a == b


def test_options_before_the_command_reach_the_remote_and_follow_ups_name_it(server, make_host):
    """`acme-wizard --host H --ssh-config F --root R check`: the remote is checked (not this machine), and
    the printed next command, pasted, targets the same host, config and root."""
    import shlex

    from wizard.cli import parse
    root = make_host("centos6_certbot_auto")
    result = wizard(*remote(server, "--root", root), "check")
    assert result.returncode == 1 and "ACME-001" in result.stdout, result.stderr
    line, = [text.strip() for text in result.stdout.splitlines() if text.strip().startswith("acme-wizard plan")]
    args = parse(shlex.split(line)[1:])
    assert (args.command, args.host, args.ssh_config, args.root) == ("plan", "wizard-test", server.config, root)
    pasted = wizard(*shlex.split(line)[1:])
    assert pasted.returncode == 1 and "Plan for" in pasted.stdout, pasted.stderr


def test_bundle_from_the_remote_host_gives_the_same_result(server, make_host, tmp_path):
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    script = wizard("probe-script").stdout
    out = subprocess.run(["ssh", "-F", server.config, "wizard-test", "sh", "-s", "--", root], input=script,
                         capture_output=True, text=True, check=True).stdout
    (tmp_path / "out").write_text(out)
    offline = json.loads(wizard("check", "--from-bundle", str(tmp_path / "out"), "--json").stdout)
    live = json.loads(wizard("check", *remote(server, "--root", root, "--json")).stdout)
    offline.pop("target"), live.pop("target")
    assert offline == live


def test_wrong_key_is_an_authentication_error(server):
    wrong = os.path.join(server.dir, "wrong_key")
    SshServer.keygen(wrong, "ed25519")
    result = wizard("check", *remote(server, config=server.client_config("wrong", identity=wrong)))
    assert result.returncode == 3 and "authentication to wizard-test failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_host_key_with_strict_checking(server):
    empty = os.path.join(server.dir, "empty_known_hosts")
    open(empty, "w").close()
    result = wizard("check", *remote(server, config=server.client_config("unknown", known_hosts=empty)))
    assert result.returncode == 3 and "not in known_hosts" in result.stderr


def test_changed_host_key_is_refused(server):
    other = os.path.join(server.dir, "other_host_key")
    SshServer.keygen(other, "ed25519")
    changed = os.path.join(server.dir, "changed_known_hosts")
    key = open(other + ".pub").read().split()
    with open(changed, "w") as handle:
        handle.write(f"[127.0.0.1]:{server.port} {key[0]} {key[1]}\n")
    result = wizard("check", *remote(server, config=server.client_config("changed", known_hosts=changed)))
    assert result.returncode == 3 and "does not match known_hosts" in result.stderr


def test_closed_port(server):

    result = wizard("check", *remote(server, config=server.client_config("closed", port=free_port())))
    assert result.returncode == 3 and "refused the connection" in result.stderr


def test_an_ssh_rsa_only_server_gets_the_options_that_would_connect(make_host):
    legacy = SshServer(host_key_type="rsa", extra="HostKeyAlgorithms ssh-rsa\n")
    try:
        root = make_host("debian12_apt_21")
        refused = wizard("check", "--host", "wizard-test", "--ssh-config", legacy.config, "--root", root)
        assert refused.returncode == 3
        assert "HostKeyAlgorithms=+ssh-rsa" in refused.stderr and "--legacy-ssh" in refused.stderr
        accepted = wizard("check", "--host", "wizard-test", "--ssh-config", legacy.config, "--root", root,
                          "--legacy-ssh", "--json")
        assert accepted.returncode == 0, accepted.stderr
        assert json.loads(accepted.stdout)["acme"]["verdict"] == "v2"
    finally:
        legacy.stop()


def _master_pid(server) -> int | None:
    for line in subprocess.run(["pgrep", "-af", "ssh -o ControlMaster=auto"], capture_output=True,
                               text=True).stdout.splitlines():
        if "acme-wizard-ssh-" in line and server.config in line and "[mux]" not in line:
            return int(line.split()[0])
    return None


def test_apply_over_ssh_survives_a_dropped_link_and_rollback_restores_it(server, make_host, tmp_path):
    from tests.fixtures.trees import content_digest
    root = make_host("centos7_two_installs")
    stub_certbot(root)
    stub_bin(server.stubs, "yum", 'echo "stub yum $*"; for n in 1 2 3 4 5 6; do echo "downloading $n"; sleep 0.5; done')
    logs = ("var/log/letsencrypt", "var/lib")
    original = content_digest(root, logs)
    env = {"ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT": "1"}
    process = subprocess.Popen([sys.executable, "-m", "wizard", "apply", *remote(server, "--root", root, "--yes")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    jobs = os.path.join(root, "var/lib/acme-wizard/runs")
    while time.monotonic() < deadline:
        logs_seen = [os.path.join(dp, f) for dp, _d, fs in os.walk(jobs) for f in fs if f.endswith(".log")] \
            if os.path.isdir(jobs) else []
        if any("downloading 1" in open(p).read() for p in logs_seen if "/jobs/" in p):
            break
        time.sleep(0.1)
    pid = _master_pid(server)
    assert pid, "the ControlMaster connection was not found"
    os.kill(pid, signal.SIGKILL)                      # the link drops in the middle of the install step
    out, err = process.communicate(timeout=60)
    assert process.returncode == 3, out + err
    assert "lost the connection" in err
    time.sleep(4)                                     # meanwhile the step finishes on the target
    again = wizard("apply", *remote(server, "--root", root, "--yes"), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "re-attached" in again.stdout and "downloading 6" in again.stdout
    assert "resumed the unfinished run" in again.stdout
    assert "certbot-auto" not in open(os.path.join(root, "etc/crontab")).read()
    back = wizard("rollback", *remote(server, "--root", root, "--yes"), env=env)
    assert back.returncode == 0, back.stdout + back.stderr
    assert content_digest(root, logs) == original


@pytest.fixture
def ssh_user(server):
    """A non-root account on the 'remote' host (same key), removed afterwards."""
    name = "acmewiztest"
    if subprocess.run(["id", name], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", name], check=True)
    subprocess.run(["usermod", "-p", "*", name], check=True)     # no password, but not a locked account
    config = os.path.join(server.dir, "ssh_config_user")
    with open(server.config) as handle, open(config, "w") as out:
        out.write(handle.read().replace("User root", f"User {name}"))
    sudoers = f"/etc/sudoers.d/{name}"
    yield name, config, sudoers
    if os.path.exists(sudoers):
        os.remove(sudoers)
    subprocess.run(["userdel", name], capture_output=True)


def _world_readable_copy(name):
    import tempfile
    base = tempfile.mkdtemp(prefix="acme-wizard-remote-")
    HOSTS[name](base)
    make_world_readable(base)
    return base


def test_a_non_root_user_without_sudo_is_told_and_nothing_changes(server, ssh_user):
    import shutil
    _name, config, _sudoers = ssh_user
    root = _world_readable_copy("ubuntu1804_ppa_031_cli_ini")
    try:
        check = wizard("check", *remote(server, "--root", root, "--json", config=config))
        assert check.returncode == 1 and json.loads(check.stdout)["acme"]["verdict"] == "v1"   # read as that user
        refused = wizard("apply", *remote(server, "--root", root, "--yes", config=config))
        assert refused.returncode == 3 and "sudo -n" in refused.stderr and "needs a password" in refused.stderr
        assert "server = https://acme-v01" in open(os.path.join(root, "etc/letsencrypt/cli.ini")).read()
    finally:
        shutil.rmtree(root)


def test_a_non_root_user_with_passwordless_sudo_applies_through_sudo(server, ssh_user):
    import shutil
    name, config, sudoers = ssh_user
    with open(sudoers, "w") as handle:
        handle.write(f"{name} ALL=(ALL) NOPASSWD: ALL\n")
    os.chmod(sudoers, 0o440)
    root = _world_readable_copy("ubuntu1804_ppa_031_cli_ini")
    try:
        applied = wizard("apply", *remote(server, "--root", root, "--yes", config=config))
        assert applied.returncode == 1, applied.stdout + applied.stderr      # commands wait for a live host
        assert "# server = https://acme-v01" in open(os.path.join(root, "etc/letsencrypt/cli.ini")).read()
        state = os.path.join(root, "var/lib/acme-wizard")
        assert os.stat(state).st_uid == 0                                   # written as root, through sudo
    finally:
        shutil.rmtree(root)


def test_a_symlinked_config_dir_over_ssh_is_backed_up_where_it_leads_and_restored(server, make_host):
    from tests.fixtures.trees import content_digest
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    os.makedirs(os.path.join(root, "srv"))
    os.rename(os.path.join(root, "etc/letsencrypt"), os.path.join(root, "srv/letsencrypt"))
    os.symlink("../srv/letsencrypt", os.path.join(root, "etc/letsencrypt"))
    original = content_digest(root)
    applied = wizard("apply", *remote(server, "--root", root, "--yes"))
    assert applied.returncode == 1, applied.stdout + applied.stderr          # edits done; commands not in a root
    conf = open(os.path.join(root, "srv/letsencrypt/renewal/www.example.co.jp.conf")).read()
    assert "acme-v01" not in conf
    back = wizard("rollback", *remote(server, "--root", root, "--yes"))
    assert back.returncode == 0, back.stdout + back.stderr
    assert content_digest(root) == original
    assert not [n for n in os.listdir(os.path.join(root, "srv")) if n.startswith(".acme-wizard")]


def test_a_truncated_backup_over_ssh_stops_the_rollback_with_nothing_changed(server, make_host):
    from tests.fixtures.trees import content_digest
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    wizard("apply", *remote(server, "--root", root, "--yes"))
    runs = os.path.join(root, "var/lib/acme-wizard/runs")
    tarball = os.path.join(runs, os.listdir(runs)[0], "backup-1.tar.gz")
    data = open(tarball, "rb").read()
    open(tarball, "wb").write(data[: len(data) // 2])
    edited = content_digest(root)
    back = wizard("rollback", *remote(server, "--root", root, "--yes"))
    assert back.returncode == 4 and "does not match its manifest" in back.stderr, back.stderr
    assert content_digest(root) == edited


def _commands():
    from tests.fixtures.commands import COMMANDS
    return COMMANDS


@pytest.mark.parametrize("command", _commands(), ids=lambda c: "-".join(c))
def test_every_command_over_ssh_is_clean(server, make_host, command):
    root = make_host("centos7_two_installs")
    result = wizard(*command, *remote(server, "--root", root))
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    if command[0] == "rollback":
        assert result.returncode == 2 and "no runs" in result.stderr          # nothing applied yet
    else:
        assert result.returncode in (0, 1), (result.returncode, result.stderr)
        assert result.stdout.strip()
        if "--json" in command or "json" in command:
            json.loads(result.stdout)


def test_a_state_dir_open_to_other_users_is_refused_over_ssh_and_left_as_it_is(server, make_host):
    """The same rule as on this machine: an existing state dir is checked, never chmodded."""
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    state = os.path.join(root, "var/lib/acme-wizard")
    os.makedirs(state)
    os.chmod(state, 0o777)
    result = wizard("apply", *remote(server, "--root", root, "--yes"))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "is open to other users (mode 777" in result.stderr
    assert oct(os.stat(state).st_mode & 0o777) == "0o777" and os.listdir(state) == []


def test_a_missing_root_over_ssh_is_named_as_given(server, tmp_path):
    missing = str(tmp_path / "no-such-copy" / "web01")
    result = wizard("check", *remote(server, "--root", missing))
    assert result.returncode == 3, result.stderr
    assert f"no such directory ({missing})" in result.stderr and "(/)" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr

"""Safety under hostile and broken conditions: rollback never destroys, --root never escapes, the
state directory is trusted only when it is this user's own, and a full disk fails cleanly."""
import json
import os
import resource
import signal
import subprocess
import sys

import pytest

from tests.fixtures.trees import tree_digest

STATE = "var/lib/acme-wizard"
V1_LINE = "server = https://acme-v01.api.letsencrypt.org/directory"


def wizard(*argv, env=None, timeout=120, limit_file_size=None):
    def limits():
        if limit_file_size is not None:          # a full disk, as the wizard's writes meet it
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, preexec_fn=limits)


def content(root, *exclude):
    return tree_digest(root, (STATE, *exclude))


def only_run(root):
    runs = os.listdir(os.path.join(root, STATE, "runs"))
    assert len(runs) == 1, runs
    return os.path.join(root, STATE, "runs", runs[0])


@pytest.fixture
def pinned(make_host):
    """Ubuntu 18.04 with v1 pins in cli.ini and a renewal conf: apply edits files under --root."""
    return make_host("ubuntu1804_ppa_031_cli_ini")


def no_traceback(result):
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


# --- 1. rollback verifies before it touches anything ---------------------------------------------

def test_a_truncated_backup_stops_the_rollback_with_nothing_changed(pinned):
    assert wizard("apply", "--root", pinned, "--yes").returncode == 1        # edits done, commands not run
    run = only_run(pinned)
    tarball = os.path.join(run, "backup-1.tar.gz")
    data = open(tarball, "rb").read()
    open(tarball, "wb").write(data[: len(data) // 2])
    edited = content(pinned)
    back = wizard("rollback", "--root", pinned, "--yes")
    no_traceback(back)
    assert back.returncode == 4, back.stdout + back.stderr
    assert "does not match its manifest" in back.stderr and "nothing was changed" in back.stderr
    assert content(pinned) == edited                      # /etc/letsencrypt is still there, as it was


def test_a_swapped_file_in_the_backup_is_refused(pinned):
    wizard("apply", "--root", pinned, "--yes")
    run = only_run(pinned)
    import io
    import tarfile
    tarball = os.path.join(run, "backup-1.tar.gz")
    with tarfile.open(tarball) as old:
        members = [(m, old.extractfile(m).read() if m.isfile() else None) for m in old.getmembers()]
    with tarfile.open(tarball, "w:gz") as new:
        for member, data in members:
            if data is not None and member.name.endswith("cli.ini"):
                data = b"server = https://evil.example/directory\n"
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)
    edited = content(pinned)
    back = wizard("rollback", "--root", pinned, "--yes")
    assert back.returncode == 4 and "does not match" in back.stderr
    assert content(pinned) == edited


def test_a_state_dir_inside_a_backed_up_path_is_refused(pinned):
    before = tree_digest(pinned)
    result = wizard("apply", "--root", pinned, "--yes", "--state-dir", "/etc/letsencrypt/wizard-state")
    no_traceback(result)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "choose another --state-dir" in result.stderr
    assert tree_digest(pinned) == before


def test_rollback_restores_byte_for_byte_and_deletes_nothing(pinned):
    original = content(pinned)
    mine = os.path.join(pinned, "etc/.acme-wizard-restore.mydata")          # an admin's own, similar name
    os.makedirs(mine)
    wizard("apply", "--root", pinned, "--yes")
    open(os.path.join(pinned, "etc/letsencrypt/renewal/added-later.conf"), "w").write("x\n")
    back = wizard("rollback", "--root", pinned, "--yes")
    assert back.returncode == 0, back.stderr
    assert os.path.isdir(mine)
    os.rmdir(mine)
    assert content(pinned) == original
    leftovers = [n for n in os.listdir(os.path.join(pinned, "etc")) if n.startswith(".acme-wizard")]
    assert leftovers == []
    kept = os.path.join(only_run(pinned), "displaced/etc/letsencrypt/renewal/added-later.conf")
    assert open(kept).read() == "x\n"                  # what changed after the apply is kept, not lost


def test_an_existing_shared_directory_is_never_taken_as_a_state_dir(pinned):
    shared = os.path.join(pinned, "var/lib")
    os.makedirs(shared, exist_ok=True)
    os.chmod(shared, 0o755)
    result = wizard("verify", "--root", pinned, "--state-dir", "/var/lib")
    no_traceback(result)
    assert result.returncode == 3 and "open to other users" in result.stderr
    assert oct(os.stat(shared).st_mode & 0o777) == "0o755"


def test_a_bundle_that_is_not_a_regular_file_is_refused_at_once():
    result = wizard("check", "--from-bundle", "/dev/zero", timeout=20)
    assert result.returncode == 3 and "not a regular file" in result.stderr


# --- 2. a symlinked configuration directory is really backed up ---------------------------------

@pytest.mark.parametrize("link", ["/srv/letsencrypt", "../srv/letsencrypt"])
def test_a_symlinked_config_dir_is_backed_up_where_it_leads_and_restored(pinned, link):
    os.makedirs(os.path.join(pinned, "srv"))
    os.rename(os.path.join(pinned, "etc/letsencrypt"), os.path.join(pinned, "srv/letsencrypt"))
    os.symlink(link, os.path.join(pinned, "etc/letsencrypt"))
    original = content(pinned)
    result = wizard("apply", "--root", pinned, "--yes")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "backed up 0 file(s)" not in result.stdout
    conf = os.path.join(pinned, "srv/letsencrypt/renewal/www.example.co.jp.conf")
    assert V1_LINE not in open(conf).read()                 # the edit reached the real file
    assert os.readlink(os.path.join(pinned, "etc/letsencrypt")) == link      # and kept the link
    manifest = open(os.path.join(only_run(pinned), "manifest.sha256")).read()
    assert "  /srv/letsencrypt/renewal/www.example.co.jp.conf\n" in manifest
    back = wizard("rollback", "--root", pinned, "--yes")
    assert back.returncode == 0, back.stderr
    assert content(pinned) == original


# --- 3. --root confinement --------------------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    """A directory outside the tree, holding a v1-pinned renewal conf the wizard must never touch."""
    base = tmp_path / "outside"
    (base / "renewal").mkdir(parents=True)
    (base / "renewal" / "victim.conf").write_text(f"[renewalparams]\n{V1_LINE}\nsecret = OUTSIDE-LINE\n")
    return base


def test_an_absolute_link_mid_path_resolves_inside_the_root(pinned, outside):
    # The tree's etc/letsencrypt names the host's outside dir by its absolute path: inside the
    # tree that path does not exist, so nothing there is read, edited or backed up.
    import shutil
    shutil.rmtree(os.path.join(pinned, "etc/letsencrypt"))
    os.symlink(str(outside), os.path.join(pinned, "etc/letsencrypt"))
    before = tree_digest(str(outside))
    check = wizard("check", "--root", pinned)
    assert "OUTSIDE-LINE" not in check.stdout and "victim" not in check.stdout
    wizard("apply", "--root", pinned, "--yes")
    wizard("rollback", "--root", pinned, "--yes")
    assert tree_digest(str(outside)) == before


def test_a_relative_link_climbing_out_is_clamped_at_the_root(pinned, outside):
    renewal = os.path.join(pinned, "etc/letsencrypt/renewal")
    os.symlink("../" * 20 + str(outside).lstrip("/") + "/renewal/victim.conf", os.path.join(renewal, "victim.conf"))
    check = wizard("check", "--root", pinned, "--json")
    report = wizard("report", "--root", pinned, "--format", "txt")
    assert report.returncode in (0, 1) and "www.example.co.jp" in report.stdout
    assert "OUTSIDE-LINE" not in check.stdout + report.stdout
    before = tree_digest(str(outside))
    wizard("apply", "--root", pinned, "--yes")
    assert tree_digest(str(outside)) == before


def test_rollback_does_not_write_through_a_directory_link_swapped_in_after_apply(pinned, outside):
    wizard("apply", "--root", pinned, "--yes")
    renewal = os.path.join(pinned, "etc/letsencrypt/renewal")
    import shutil
    shutil.rmtree(renewal)
    os.symlink(str(outside / "renewal"), renewal)          # a host directory, by its absolute path
    before = tree_digest(str(outside))
    back = wizard("rollback", "--root", pinned, "--yes")
    assert back.returncode == 0, back.stderr
    assert tree_digest(str(outside)) == before
    assert os.path.isdir(renewal) and not os.path.islink(renewal)         # the tree got its own back


def test_glob_characters_in_the_root_path_hide_nothing(tmp_path):
    from tests.fixtures.hosts import HOSTS
    root = str(tmp_path / "img[1]")
    HOSTS["ubuntu1804_ppa_031_cli_ini"](root)
    check = wizard("check", "--root", root, "--json")
    document = json.loads(check.stdout)
    assert [c["name"] for c in document["renewal_confs"]] == ["www.example.co.jp"]
    assert any(s["source"] == "/etc/cron.d/certbot" for s in document["schedules"])
    assert document["logs"]["files_scanned"] > 0


def test_a_cron_file_name_with_a_newline_is_reported_not_read_from_the_cwd(pinned, tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "name").write_text("0 0 * * * root /usr/bin/certbot renew --server https://acme-v01.api.letsencrypt.org/directory\n")
    open(os.path.join(pinned, "etc/cron.d/bad\nname"), "w").write("# nothing\n")
    result = subprocess.run([sys.executable, "-m", "wizard", "check", "--root", pinned, "--json"],
                            capture_output=True, text=True, cwd=str(cwd))
    document = json.loads(result.stdout)
    assert "/etc/cron.d/bad?name" in json.dumps(document["problems"])
    assert not any(os.path.basename(s["source"]) == "name" for s in document["schedules"])


# --- 4. the state directory is trusted only when it is ours -----------------------------------

def test_a_state_dir_owned_by_another_user_is_refused(pinned):
    state = os.path.join(pinned, STATE)
    os.makedirs(state)
    os.chown(state, 65534, 65534)
    before = content(pinned)
    for argv in (("apply", "--yes"), ("rollback", "--yes")):
        result = wizard(*argv, "--root", pinned)
        no_traceback(result)
        assert result.returncode == 3, result.stdout + result.stderr
        assert "belongs to another user" in result.stderr
    assert content(pinned) == before


def test_a_symlinked_state_dir_is_refused(pinned, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.makedirs(os.path.join(pinned, "var/lib"), exist_ok=True)
    os.symlink(str(elsewhere), os.path.join(pinned, STATE))
    result = wizard("apply", "--root", pinned, "--yes")
    assert result.returncode == 3 and "symbolic link" in result.stderr
    assert os.listdir(elsewhere) == []


@pytest.mark.parametrize("lock", ["fifo", "dev-zero"])
def test_a_strange_lock_file_is_refused_promptly(pinned, lock):
    state = os.path.join(pinned, STATE)
    os.makedirs(state, mode=0o700)
    path = os.path.join(state, "lock")
    os.mkfifo(path) if lock == "fifo" else os.symlink("/dev/zero", path)
    result = wizard("apply", "--root", pinned, "--yes", timeout=30)
    no_traceback(result)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "lock" in result.stderr


def test_a_planted_symlink_in_a_run_is_never_written_through(pinned, tmp_path):
    wizard("apply", "--root", pinned, "--yes")
    run = only_run(pinned)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    os.unlink(os.path.join(run, "manifest.sha256"))
    os.symlink(str(victim), os.path.join(run, "manifest.sha256"))
    back = wizard("rollback", "--root", pinned, "--yes")
    no_traceback(back)
    assert back.returncode == 4
    assert victim.read_text() == "keep me\n"


# --- 13. a full disk fails cleanly -------------------------------------------------------------

def test_a_full_disk_during_the_backup_fails_the_step_cleanly(pinned):
    before = content(pinned)
    # Room for the journal and small state files, not for the backup archive of the whole tree.
    big = os.path.join(pinned, "etc/letsencrypt/renewal/big.bin")
    open(big, "wb").write(os.urandom(300_000))
    before = content(pinned)
    result = wizard("apply", "--root", pinned, "--yes", limit_file_size=200_000)
    no_traceback(result)
    assert result.returncode == 4, result.stdout + result.stderr
    run = only_run(pinned)
    assert not any(name.startswith("backup-") for name in os.listdir(run))       # no half archive
    journal = [json.loads(line) for line in open(os.path.join(run, "journal.jsonl"))]
    assert journal[-1]["event"] == "run-end" and journal[-1]["status"] == "failed"
    assert content(pinned) == before                                               # no edit without a backup


# --- 14/15. rollback undoes the run that changed something; a rolled-back run is closed ---------

def test_plain_rollback_skips_a_later_run_that_changed_nothing(two_installs):
    root, bin_dir, env = two_installs
    from tests.fixtures.stubs import stub_bin
    stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
    original = content(root, "var/log/letsencrypt", "var/lib")
    assert wizard("apply", "--root", root, "--yes", env=env).returncode == 0
    assert wizard("apply", "--root", root, "--yes", env=env).returncode == 0        # verify only
    back = wizard("rollback", "--root", root, "--yes", env=env)
    assert back.returncode == 0, back.stderr
    assert "moved back /usr/local/bin/certbot-auto" in back.stdout
    assert content(root, "var/log/letsencrypt", "var/lib") == original
    again = wizard("rollback", "--root", root, "--yes", env=env)
    assert again.returncode == 2 and "already rolled back" in again.stderr


def test_a_new_apply_after_a_rollback_starts_a_new_run(pinned):
    wizard("apply", "--root", pinned, "--yes")
    assert wizard("rollback", "--root", pinned, "--yes").returncode == 0
    result = wizard("apply", "--root", pinned, "--yes")
    assert "resumed" not in result.stdout
    assert len(os.listdir(os.path.join(pinned, STATE, "runs"))) == 2
    conf = open(os.path.join(pinned, "etc/letsencrypt/renewal/www.example.co.jp.conf")).read()
    assert V1_LINE not in conf                                         # the pins were fixed again


# --- 16. step logs are not named after lineages --------------------------------------------------

def test_a_very_long_lineage_name_does_not_break_the_step_log(make_host, tmp_path):
    from tests.fixtures.hosts import V1_STAGING, HostTree
    from tests.fixtures.stubs import stub_certbot
    root = make_host("staging_v1_lineage")
    name = "t" * 235 + ".example.io"          # 251 bytes with .conf: a legal name
    HostTree(root).renewal_conf(name, version="0.19.0", server=V1_STAGING)
    stub_certbot(root, "/opt/certbot/bin/certbot")
    answers = tmp_path / "answers.json"
    answers.write_text('{"staging_lineages": "delete"}')
    env = {"ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT": "1"}
    result = wizard("apply", "--root", root, "--yes", "--answers", str(answers), env=env)
    no_traceback(result)
    assert "File name too long" not in result.stdout + result.stderr
    run = only_run(root)
    journal = [json.loads(line) for line in open(os.path.join(run, "journal.jsonl"))]
    deletes = [e for e in journal if e.get("event") == "step-end" and e["step"].startswith("delete-staging-t")]
    assert deletes and deletes[0]["status"] == "ok", deletes
    assert all(len(n) < 40 for n in os.listdir(os.path.join(run, "output")))


# --- kill -9 at random points: resume, or roll back, always ends byte-identical -------------------

KILL_SEED = 20261129
# Loaded into the wizard's process (PYTHONPATH): counts every call that changes the file system and,
# at the N-th, kills the process with SIGKILL — before the call or right after it. The points
# are spread over the whole run: inside the backup, between a journal line and its move, mid-edit.
SITECUSTOMIZE = """
import os, signal, shutil
_at = int(os.environ.get("KILL_AT", "0"))
_after = os.environ.get("KILL_AFTER") == "1"
_only = os.environ.get("KILL_ONLY")          # count the calls of this one function only
_count = [0]
def _wrap(module, name):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        if _only and name != _only:
            return real(*args, **kwargs)
        _count[0] += 1
        mine = _count[0]
        if mine == _at and not _after:
            os.kill(os.getpid(), signal.SIGKILL)
        try:
            return real(*args, **kwargs)
        finally:
            if mine == _at and _after:
                os.kill(os.getpid(), signal.SIGKILL)
    setattr(module, name, wrapper)
for _name in ("replace", "rename", "unlink", "mkdir", "rmdir", "fsync", "chmod", "symlink"):
    _wrap(os, _name)
_wrap(shutil, "move")
if os.environ.get("KILL_COUNT_FILE"):
    import atexit
    atexit.register(lambda: open(os.environ["KILL_COUNT_FILE"], "w").write(str(_count[0])))
"""


@pytest.fixture
def killable(tmp_path):
    """A CentOS 7 template host with stubs, and (env, killing env): the second loads SITECUSTOMIZE."""
    from tests.fixtures.hosts import HOSTS
    from tests.fixtures.stubs import stub_bin, stub_certbot
    template = str(tmp_path / "template")
    HOSTS["centos7_two_installs"](template)
    stub_certbot(template)
    bin_dir = str(tmp_path / "bin")
    stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {**os.environ, "ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT": "1", "ACME_WIZARD_STUB_PATH": str(bin_dir),
           "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return template, env, {**env, "PYTHONPATH": str(hooks)}


def test_kill_9_at_random_points_then_resume_or_rollback_restores_everything(tmp_path, killable):
    import random
    import shutil
    template, env, killing = killable
    ignore = ("var/log/letsencrypt", "var/lib")       # certbot's log grows with each test renewal

    def apply(root, **extra):
        return subprocess.run([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes"],
                              env={**killing, **extra}, capture_output=True, text=True, timeout=120)

    counting = str(tmp_path / "count")
    shutil.copytree(template, str(tmp_path / "counted"), symlinks=True)
    assert apply(str(tmp_path / "counted"), KILL_COUNT_FILE=counting).returncode == 0
    total = int(open(counting).read())
    assert total > 20, total
    rng = random.Random(KILL_SEED)
    points = sorted(rng.sample(range(1, total + 1), min(total, 16)))
    for index, point in enumerate(points):
        root = str(tmp_path / f"host{index}")
        shutil.copytree(template, root, symlinks=True)
        original = content(root, *ignore)
        killed = apply(root, KILL_AT=str(point), KILL_AFTER=str(index % 2))
        assert killed.returncode == -signal.SIGKILL, (point, killed.stdout[-2000:], killed.stderr)
        if index % 3 != 2:                      # two in three resume first, then roll back
            resumed = subprocess.run([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes"], env=env,
                                     capture_output=True, text=True, timeout=120)
            no_traceback(resumed)
            assert resumed.returncode == 0, (point, resumed.stdout[-3000:], resumed.stderr)
        if index % 4 == 3:                      # and the rollback itself killed once on the way
            subprocess.run([sys.executable, "-m", "wizard", "rollback", "--root", root, "--yes"], timeout=120,
                           env={**killing, "KILL_AT": str(rng.randint(1, 12))}, capture_output=True)
        back = subprocess.run([sys.executable, "-m", "wizard", "rollback", "--root", root, "--yes"], env=env,
                              capture_output=True, text=True, timeout=120)
        no_traceback(back)
        nothing_yet = back.returncode == 2 and ("no runs" in back.stderr or "changed anything" in back.stderr)
        assert back.returncode == 0 or nothing_yet, (point, back.stdout, back.stderr)
        assert content(root, *ignore) == original, (point, index % 2, back.stdout)


def test_a_kill_right_after_the_retire_move_still_rolls_certbot_auto_back(killable):
    """The journal says where certbot-auto goes before it is moved; the resume carries out the saved
    plan (not one made from the changed host), and the rollback puts certbot-auto back."""
    root, env, killing = killable                  # the template itself is this test's host
    original = content(root, "var/log/letsencrypt", "var/lib")
    killed = subprocess.run([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes"], capture_output=True,
                            env={**killing, "KILL_ONLY": "move", "KILL_AT": "1", "KILL_AFTER": "1"}, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert not os.path.exists(os.path.join(root, "usr/local/bin/certbot-auto"))       # moved, then killed
    plan_before = open(os.path.join(only_run(root), "plan.json")).read()
    resumed = wizard("apply", "--root", root, "--yes", env=env)
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr
    assert "resumed" in resumed.stdout
    assert open(os.path.join(only_run(root), "plan.json")).read() == plan_before
    back = wizard("rollback", "--root", root, "--yes", env=env)
    assert back.returncode == 0 and "moved back /usr/local/bin/certbot-auto" in back.stdout, back.stdout
    assert content(root, "var/log/letsencrypt", "var/lib") == original


def test_commands_in_a_root_never_run_the_workstations_own_programs(make_host, tmp_path):
    """A lab run (ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT=1) of a plan on a tree: `yum` and an absolute
    /usr/bin/certbot the tree does not hold are refused, not taken from this machine's PATH."""
    from wizard.core.target.local import LocalTarget
    root = make_host("centos7_two_installs")
    decoy = tmp_path / "path"
    decoy.mkdir()
    (decoy / "yum").write_text(f"#!/bin/sh\ntouch {tmp_path}/ran\n")
    (decoy / "yum").chmod(0o755)
    target = LocalTarget(root, allow_commands=True)
    os.environ["PATH"], saved = f"{decoy}:{os.environ['PATH']}", os.environ["PATH"]
    try:
        for argv in (["yum", "makecache"], ["/usr/sbin/no-such-tool"]):
            with pytest.raises(FileNotFoundError) as missing:
                target.run(argv, lambda _line: None)
            assert root in str(missing.value) or "inside" in str(missing.value)
    finally:
        os.environ["PATH"] = saved
    assert not (tmp_path / "ran").exists()
    os.makedirs(f"{root}/usr/bin", exist_ok=True)
    with open(f"{root}/usr/bin/yum", "w") as handle:
        handle.write(f"#!/bin/sh\necho tree-yum > {tmp_path}/tree\n")
    os.chmod(f"{root}/usr/bin/yum", 0o755)
    assert target.run(["yum", "makecache"], lambda _line: None) == 0 and (tmp_path / "tree").exists()

"""Plan, preview, apply, resume, rollback and verify on temp copies of the fixture hosts."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.fixtures.hosts import NOW  # noqa: F401  (fixtures share the clock)
from tests.fixtures.stubs import stub_bin, stub_certbot
from tests.fixtures.trees import content_digest, tree_digest
from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Answers, AnswersError
from wizard.core.run.apply import ApplyRefused, check_can_apply
from wizard.core.target.local import LocalTarget
from wizard.demo.hostkit import KEY_MARKER

STATE = "var/lib/acme-wizard"


def plan_for(diagnose_root, root, **answers):
    return build_plan(diagnose_root(root), Answers(**answers))


def commands(plan):
    return [a.argv for s in plan.steps for a in s.actions if a.type == "command"]


def wizard(*argv, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


# --- the plan ---------------------------------------------------------------------------------------

def test_centos6_has_no_supported_path_and_needs_a_decision(make_host, diagnose_root):
    plan = plan_for(diagnose_root, make_host("centos6_certbot_auto"))
    assert plan.decision_needed and plan.choice is None
    assert [o.key for o in plan.options] == ["move-host", "rh-python36", "acme.sh"]
    assert not plan.options[1].supported and any("vault" in c for c in plan.options[1].caveats)
    with pytest.raises(ApplyRefused):
        check_can_apply(plan, LocalTarget("/", euid=0))


SCL = ["env", "LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64"]


def test_centos6_with_rh_python36_installs_certbot_below_1_24_and_moves_the_cron_line(make_host, diagnose_root):
    plan = plan_for(diagnose_root, make_host("centos6_certbot_auto"), client="rh-python36")
    assert ["yum", "install", "-y", "rh-python36", "augeas-libs"] in commands(plan)
    assert [*SCL, "/opt/certbot/bin/pip", "install", "--upgrade", "--only-binary", ":all:", "certbot<1.24", "cryptography<38",
            "pyOpenSSL<23"] in commands(plan)
    ids = [s.id for s in plan.steps]
    assert ids == ["backup", "repositories", "install-client", "fix-pins-1", "test-renewal", "move-schedule",
                   "retire-certbot-auto", "verify"]
    move = plan.step("move-schedule")
    assert move.depends_on == ["test-renewal"]
    diff = move.actions[0].to_json()["diff"]
    assert "-30 2 * * 1 root /usr/local/bin/certbot-auto renew --quiet --no-self-upgrade" in diff
    assert ("+30 2 * * 1 root env LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64 /opt/certbot/bin/certbot "
            "renew --quiet >> /var/log/le-renew.log 2>&1") in diff
    retire = plan.step("retire-certbot-auto")
    assert retire.actions[0].paths == ["/usr/local/bin/certbot-auto", "/opt/eff.org"]
    assert retire.depends_on == ["test-renewal", "move-schedule"]
    assert plan.step("backup").actions[0].paths == ["/etc/letsencrypt", "/etc/yum.repos.d/CentOS-Base.repo",
                                                    "/etc/yum.repos.d/CentOS-SCLo-scl-rh.repo", "/etc/crontab"]


@pytest.mark.parametrize("name,choice,expected", [
    # EL7: the vault and the EPEL archive first (proved by makecache), then EPEL's certbot
    ("centos7_epel_027_v01_pin", "os-package", [["yum", "makecache"], ["yum", "install", "-y", "certbot"]]),
    ("centos7_two_installs", "os-package", [["yum", "makecache"], ["yum", "install", "-y", "certbot"]]),
    # the package goes only once the snap is in, right before its /usr/bin/certbot is replaced by the link
    ("ubuntu1604_letsencrypt_041", "snap", [["apt-get", "update"], ["apt-get", "install", "-y", "snapd"],
                                            ["snap", "wait", "system", "seed.loaded"],
                                            ["snap", "install", "core"], ["snap", "refresh", "core"],
                                            ["snap", "install", "--classic", "certbot"],
                                            ["apt-get", "remove", "-y", "letsencrypt"],
                                            ["ln", "-sfn", "/snap/bin/certbot", "/usr/bin/certbot"]]),
    ("centos7_epel_111", "keep", []),
    ("cron_server_flag", "keep", []),
    ("acme_sh_old", "upgrade-acme.sh", [["/root/.acme.sh/acme.sh", "--upgrade", "--home", "/root/.acme.sh"],
                                        ["/root/.acme.sh/acme.sh", "--set-default-ca", "--server", "letsencrypt",
                                         "--home", "/root/.acme.sh"]]),
])
def test_the_recommended_path_per_os_method_and_python(make_host, diagnose_root, name, choice, expected):
    plan = plan_for(diagnose_root, make_host(name))
    assert plan.choice.key == choice and commands(plan) == expected


def test_pip_path_is_pinned_to_what_the_system_python_runs(make_host, diagnose_root):
    plan = plan_for(diagnose_root, make_host("centos7_two_installs"), client="pip")
    assert ["/usr/bin/python3", "-m", "venv", "/opt/certbot"] in commands(plan)
    assert ["/opt/certbot/bin/pip", "install", "--upgrade", "certbot<1.24", "pyOpenSSL<23.2"] in commands(plan)   # Python 3.6


def test_acme_sh_le_api_pin_is_edited(make_host, diagnose_root):
    plan = plan_for(diagnose_root, make_host("acme_sh_old"))
    diff = next(a.edit.diff() for s in plan.steps for a in s.actions if a.type == "edit")
    assert "-Le_API='https://acme-v01.api.letsencrypt.org/directory'" in diff
    assert "+Le_API='https://acme-v02.api.letsencrypt.org/directory'" in diff


def test_plugins_are_kept(make_host, diagnose_root):
    plan = plan_for(diagnose_root, make_host("ubuntu1804_ppa_031_cli_ini"), client="os-package")
    assert ["apt-get", "install", "-y", "certbot", "python3-certbot-apache"] in commands(plan)


def test_every_v1_pin_gets_an_edit(make_host, diagnose_root):
    plan = plan_for(diagnose_root, make_host("ubuntu1804_ppa_031_cli_ini"))
    edits = {a.edit.path: a.edit.diff() for s in plan.steps for a in s.actions if a.type == "edit"}
    assert set(edits) == {"/etc/letsencrypt/renewal/www.example.co.jp.conf", "/etc/letsencrypt/cli.ini"}
    assert "+server = https://acme-v02.api.letsencrypt.org/directory" in edits["/etc/letsencrypt/renewal/www.example.co.jp.conf"]
    assert "+# server = https://acme-v01.api.letsencrypt.org/directory" in edits["/etc/letsencrypt/cli.ini"]
    flag = plan_for(diagnose_root, make_host("cron_server_flag"))
    diff = next(a.edit.diff() for s in flag.steps for a in s.actions if a.type == "edit")
    assert "+0 3 * * * root /opt/certbot/bin/certbot renew -q\n" in diff


def test_config_file_pin_and_wrapper_script_on_the_letsencrypt_auto_host(make_host, diagnose_root):
    plan = plan_for(diagnose_root, make_host("letsencrypt_auto_config_file"), client="rh-python36")
    paths = [a.edit.path for s in plan.steps for a in s.actions if a.type == "edit"]
    assert paths == ["/etc/letsencrypt/configs/example.org.conf", "/root/bin/renew-certs.sh"]


@pytest.mark.parametrize("answer,expected", [("move", "edit"), ("delete", "command"), ("keep", None)])
def test_v1_staging_lineages_get_their_own_decision(make_host, diagnose_root, answer, expected):
    plan = plan_for(diagnose_root, make_host("staging_v1_lineage"), staging_lineages=answer)
    kinds = [a.type for s in plan.steps for a in s.actions if s.id != "verify"]
    if expected == "edit":
        diff = next(a.edit.diff() for s in plan.steps for a in s.actions if a.type == "edit")
        assert "+server = https://acme-staging-v02.api.letsencrypt.org/directory" in diff
    elif expected == "command":
        assert ["/opt/certbot/bin/certbot", "delete", "--non-interactive", "--cert-name", "test.example.io"] in commands(plan)
    else:
        assert "edit" not in kinds and any("staging" in n for n in plan.notes)


@pytest.mark.parametrize("name", ["debian12_apt_21", "snap_certbot", "pip_opt_certbot"])
def test_a_healthy_host_gets_a_verify_only_plan(make_host, diagnose_root, name):
    assert [s.id for s in plan_for(diagnose_root, make_host(name)).steps] == ["verify"]


def test_a_host_with_nothing_to_renew_gets_an_empty_plan(make_host, diagnose_root):
    assert plan_for(diagnose_root, make_host("no_client")).steps == []


def test_bad_answers_are_usage_errors(make_host, tmp_path, run_cli):
    root = make_host("centos6_certbot_auto")
    with pytest.raises(AnswersError):
        Answers.from_json('{"client": "snap", "colour": "blue"}')
    answers = tmp_path / "a.json"
    answers.write_text('{"client": "snap"}')          # not an option on CentOS 6
    code, _out, err = run_cli("plan", "--root", root, "--answers", str(answers))
    assert code == 2 and "not an option" in err
    answers.write_text("{not json")
    assert run_cli("plan", "--root", root, "--answers", str(answers))[0] == 2


def test_plan_json_follows_the_contract(make_host, run_cli, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text('{"client": "rh-python36"}')
    code, out, _ = run_cli("plan", "--root", make_host("centos6_certbot_auto"), "--answers", str(answers), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["format_version"] == 1
    for step in doc["steps"]:
        assert {"id", "title", "why", "requires_root", "risk", "actions", "undo", "done_when"} <= set(step)
        assert step["risk"] in ("low", "medium", "high")
        for action in step["actions"]:
            assert action["type"] in ("backup", "command", "edit", "create", "retire", "test-renewal", "verify")
            if action["type"] == "edit":
                assert action["diff"].startswith("--- a/")
            if action["type"] == "command":
                assert isinstance(action["argv"], list)


# --- preview ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["centos6_certbot_auto", "centos6_frozen_021", "centos7_epel_027_v01_pin",
                                  "centos7_epel_111", "centos7_two_installs", "ubuntu1604_letsencrypt_041",
                                  "ubuntu1804_ppa_031_cli_ini", "debian12_apt_21", "snap_certbot",
                                  "pip_opt_certbot", "no_client", "staging_v1_lineage",
                                  "letsencrypt_auto_config_file", "cron_server_flag", "acme_sh_old"])
def test_preview_changes_zero_bytes(make_host, name):
    root = make_host(name)
    before = tree_digest(root, mtimes=True)
    result = wizard("apply", "--root", root, "--dry-run")
    assert result.returncode in (0, 1), result.stderr
    assert "PREVIEW" in result.stdout and "Nothing was executed or written." in result.stdout
    assert tree_digest(root, mtimes=True) == before


def test_demo_is_preview_only(run_cli):
    code, _out, err = run_cli("apply", "--demo", "--yes")
    assert code == 2 and "--dry-run" in err
    code, out, _ = run_cli("apply", "--demo", "--dry-run")
    assert code == 1 and "PREVIEW" in out


# --- apply and rollback -----------------------------------------------------------------------------

def test_apply_edits_on_a_root_prefix_and_rollback_restores_byte_for_byte(make_host):
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    original = content_digest(root)
    result = wizard("apply", "--root", root, "--yes")
    assert result.returncode == 1, result.stdout + result.stderr          # incomplete: commands need the live host
    assert "| commands cannot run inside a root prefix" in result.stdout
    cli_ini = open(os.path.join(root, "etc/letsencrypt/cli.ini")).read()
    assert "\n# server = https://acme-v01.api.letsencrypt.org/directory" in cli_ini
    conf = open(os.path.join(root, "etc/letsencrypt/renewal/www.example.co.jp.conf")).read()
    assert "server = https://acme-v02.api.letsencrypt.org/directory" in conf
    run_id = os.listdir(os.path.join(root, STATE, "runs"))[0]
    run_dir = os.path.join(root, STATE, "runs", run_id)
    assert oct(os.stat(run_dir).st_mode & 0o777) == "0o700"
    manifest = open(os.path.join(run_dir, "manifest.sha256")).read()
    assert "  /etc/letsencrypt/cli.ini\n" in manifest and "  /etc/letsencrypt/renewal/www.example.co.jp.conf\n" in manifest
    journal = [json.loads(line) for line in open(os.path.join(run_dir, "journal.jsonl"))]
    statuses = {e["step"]: e["status"] for e in journal if e["event"] == "step-end"}
    assert statuses == {"backup": "ok", "install-client": "not-run", "fix-pins-1": "ok", "fix-pins-2": "ok",
                        "test-renewal": "blocked", "verify": "not-run"}
    preview = wizard("rollback", "--root", root, run_id, "--dry-run")
    assert preview.returncode == 0 and "would restore /etc/letsencrypt" in preview.stdout
    assert content_digest(root) != original
    back = wizard("rollback", "--root", root, run_id, "--yes")
    assert back.returncode == 0, back.stderr
    assert content_digest(root) == original


def test_full_apply_with_stubs_then_verify_and_rollback(two_installs):
    root, bin_dir, env = two_installs
    pristine = os.path.join(os.path.dirname(root), "pristine")
    from tests.fixtures.hosts import centos7_two_installs
    centos7_two_installs(pristine)
    stub_certbot(pristine)
    # certbot's logs grow with every run and are not restored; /var/lib holds only the run directory here
    logs = ("var/log/letsencrypt", "var/lib")
    original = content_digest(root, logs)
    stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
    result = wizard("apply", "--root", root, "--yes", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| stub yum install -y certbot" in result.stdout and "| stub certbot renew --dry-run" in result.stdout
    assert "| stub yum makecache" in result.stdout
    repos = open(os.path.join(root, "etc/yum.repos.d/CentOS-Base.repo")).read()
    assert "baseurl=https://vault.centos.org/7.9.2009/os/$basearch/" in repos
    crontab = open(os.path.join(root, "etc/crontab")).read()
    assert "&& /usr/bin/certbot renew -q" in crontab and "certbot-auto" not in crontab
    planned = ("etc/crontab", "usr/local/bin/certbot-auto", "opt/eff.org",     # nothing outside the plan
               "usr/bin/certbot", "etc/yum.repos.d")                      # (the stub names its own root)
    assert content_digest(root, logs + planned) == content_digest(pristine, logs + planned)
    assert not os.path.exists(os.path.join(root, "usr/local/bin/certbot-auto"))
    assert not os.path.exists(os.path.join(root, "opt/eff.org"))
    verify = wizard("verify", "--root", root, env=env)
    assert verify.returncode == 0, verify.stdout
    assert "PASSED" in verify.stdout and "Before and after:" in verify.stdout
    again = wizard("plan", "--root", root, "--json", env=env)
    assert [s["id"] for s in json.loads(again.stdout)["steps"]] == ["verify"]      # idempotent
    rollback = wizard("rollback", "--root", root, "--yes", env=env)
    assert rollback.returncode == 0, rollback.stderr
    assert "moved back /opt/eff.org" in rollback.stdout
    assert "Install certbot from EPEL" in rollback.stdout and "yum remove" in rollback.stdout
    assert content_digest(root, logs) == original


def test_failing_step_stops_with_exit_4_and_a_rerun_resumes(two_installs):
    root, bin_dir, env = two_installs
    stub_bin(bin_dir, "yum", 'echo "Cannot find a valid baseurl for repo: base/7/x86_64" >&2; exit 1')
    first = wizard("apply", "--root", root, "--yes", env=env)
    assert first.returncode == 4, first.stdout + first.stderr
    assert "Step repositories failed" in first.stderr and "exited with 1" in first.stderr   # before any install
    assert "valid baseurl" in first.stdout
    assert os.path.exists(os.path.join(root, "usr/local/bin/certbot-auto"))     # nothing after the failure ran
    stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
    second = wizard("apply", "--root", root, "--yes", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "resumed the unfinished run" in second.stdout
    assert "already done: in an earlier attempt of this run" in second.stdout    # the backup is not redone
    runs = os.listdir(os.path.join(root, STATE, "runs"))
    assert len(runs) == 1
    backups = [n for n in os.listdir(os.path.join(root, STATE, "runs", runs[0])) if n.startswith("backup-")]
    assert backups == ["backup-1.tar.gz"]


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _journal(root):
    runs = os.path.join(root, STATE, "runs")
    if not os.path.isdir(runs) or not os.listdir(runs):
        return []
    path = os.path.join(runs, sorted(os.listdir(runs))[-1], "journal.jsonl")
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]


def test_a_kill_mid_step_leaves_a_journal_the_next_run_understands(two_installs, tmp_path):
    root, bin_dir, env = two_installs
    pid_file = tmp_path / "yum.pid"
    stub_bin(bin_dir, "yum", f'[ "$1" = install ] || exit 0; echo $$ > {pid_file}; echo "stub yum downloading"; sleep 60')
    process = subprocess.Popen([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
    try:
        assert _wait_for(lambda: pid_file.exists() and any(e.get("step") == "install-client" for e in _journal(root)))
        process.kill()
        process.wait()
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    events = _journal(root)
    assert events[-1] == {**events[-1], "event": "step-start", "step": "install-client"}
    assert os.path.exists(os.path.join(root, STATE, "lock"))            # held by a dead process
    stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
    again = wizard("apply", "--root", root, "--yes", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    restart = next(e for e in _journal(root) if e["event"] == "run-start" and e["resumed"])
    assert restart["interrupted_steps"] == ["install-client"]
    assert not os.path.exists(os.path.join(root, STATE, "lock"))


def test_ctrl_c_mid_step_exits_130_with_a_consistent_journal(two_installs):
    root, bin_dir, env = two_installs
    stub_bin(bin_dir, "yum", '[ "$1" = install ] || exit 0; echo "stub yum waiting"; sleep 60')
    # as from a terminal: a suite started in the background (`cmd &`) runs with SIGINT ignored
    process = subprocess.Popen([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env}, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert _wait_for(lambda: any(e.get("step") == "install-client" for e in _journal(root)))
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130, out + err
    assert "Interrupted." in err and "resume with the first command" in err and f"acme-wizard apply --root={root}" in err
    tail = _journal(root)[-2:]
    assert [(e["event"], e.get("status")) for e in tail] == [("step-end", "interrupted"), ("run-end", "interrupted")]
    assert not os.path.exists(os.path.join(root, STATE, "lock"))


def test_private_keys_never_reach_output_journal_or_listings(make_host, tmp_path):
    root = make_host("ubuntu1804_ppa_031_cli_ini")
    from tests.fixtures.hosts import HostTree
    from wizard.demo.hostkit import LATE_2026_CERT
    HostTree(root).live_cert("www.example.co.jp", LATE_2026_CERT)
    HostTree(root).account("acme-v01.api.letsencrypt.org/directory", "0652f690fd6e48af380ad6d6a1b4e792")
    result = wizard("apply", "--root", root, "--yes")
    run_dir = os.path.join(root, STATE, "runs", os.listdir(os.path.join(root, STATE, "runs"))[0])
    texts = [result.stdout, result.stderr]
    for dirpath, _dirs, files in os.walk(run_dir):
        texts += [open(os.path.join(dirpath, f), "rb").read().decode("latin-1") for f in files if not f.endswith(".gz")]
    assert not any(KEY_MARKER in text for text in texts)


def test_apply_to_the_live_root_needs_root():
    from wizard.core.plan.model import Plan, Step
    step = Step(id="backup", title="b", why=[], requires_root=True, risk="low", actions=[], undo="", done_when="")
    plan = Plan(steps=[step], options=[], choice=None, decision_needed=False, notes=[])
    with pytest.raises(ApplyRefused) as refused:
        check_can_apply(plan, LocalTarget("/", euid=1000))
    assert "needs root" in str(refused.value)


def test_a_second_apply_while_one_runs_is_refused(two_installs):
    """The lock names a live holder: the second apply stops before touching anything (exit 3)."""
    root, _bin_dir, env = two_installs
    lock = os.path.join(root, STATE, "lock")
    os.makedirs(os.path.dirname(lock), mode=0o700)          # as the wizard makes its state dir
    with open(lock, "w") as handle:
        json.dump({"pid": os.getpid(), "workstation": os.uname().nodename, "run_id": "other"}, handle)
    before = content_digest(root, (STATE,))
    result = wizard("apply", "--root", root, "--yes", env=env)
    assert result.returncode == 3 and "another apply is running" in result.stderr
    assert content_digest(root, (STATE,)) == before and os.path.exists(lock)


def test_verify_json_is_kept_with_the_run(two_installs):
    root, bin_dir, env = two_installs
    stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
    assert wizard("apply", "--root", root, "--yes", env=env).returncode == 0
    result = wizard("verify", "--root", root, "--json", env=env)
    document = json.loads(result.stdout)
    assert result.returncode == 0 and document["passed"] and document["test_renewal"]["exit_code"] == 0
    assert {c["key"] for c in document["checks"]} == {"client", "schedule", "pins", "test-renewal", "newest-log"}
    run = os.listdir(os.path.join(root, STATE, "runs"))[0]
    assert json.load(open(os.path.join(root, STATE, "runs", run, "verify.json")))["passed"]

"""The front door: every way a user starts the tool does exactly what it says.

Options mean the same before or after the command (and contradictions are refused), `--dry-run` can
never be lost on the way to apply or rollback, every printed follow-up command names the same target
and parses back to it, and the tool is honest when it cannot see or has no terminal.
"""
import argparse
import glob
import html
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tests.fixtures.trees import make_world_readable, tree_digest
from wizard.arguments import COMMANDS, OPTIONS, WIZARD, OptionError
from wizard.cli import parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = "var/lib/acme-wizard"


def wizard(*argv, env=None, timeout=120, **kwargs):
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})}, timeout=timeout, **kwargs)


# --- one option table, two places --------------------------------------------------------------

def _sample(option) -> list[str]:
    """The words that give `option` a value, plus whatever that option needs beside it."""
    extra = option.extra
    if extra.get("action") == "store_true":
        words = [option.name]
    elif extra.get("action") is argparse.BooleanOptionalAction:
        words = ["--no-mouse"]
    elif "choices" in extra:
        words = [option.name, extra["choices"][-1]]
    else:
        words = [option.name, "/srv/a b/it's" if option.is_path else "admin@web01.example:2222"]
    if option.dest in ("ssh_config", "legacy_ssh"):
        words += ["--host", "web01"]
    return words


CASES = [(option, command) for option in OPTIONS for command in (WIZARD, *COMMANDS) if command in option.takers]


@pytest.mark.parametrize("option,command", CASES, ids=[f"{o.dest}-{c}" for o, c in CASES])
def test_every_option_means_the_same_before_or_after_the_command(option, command):
    words = _sample(option)
    if command == WIZARD:
        merged = parse(words)
        assert getattr(merged, option.dest) == getattr(parse(words + words), option.dest)
    else:
        before, after = parse([*words, command]), parse([command, *words])
        assert vars(before) == vars(after)
        merged = after
    assert getattr(merged, option.dest) != option.default, option.dest


@pytest.mark.parametrize("option,command", [(o, c) for o in OPTIONS for c in (WIZARD, *COMMANDS)
                                            if c not in o.takers])
def test_an_option_the_command_does_not_take_is_refused_wherever_it_stands(option, command):
    words = _sample(option)
    for argv in ([*words] if command == WIZARD else [*words, command], [] if command == WIZARD else [command, *words]):
        if argv:
            with pytest.raises(OptionError):
                parse(argv)


def test_contradictions_exit_2_naming_both():
    result = wizard("--root", "/srv/a", "check", "--root", "/srv/b")
    assert result.returncode == 2
    assert "--root" in result.stderr and "/srv/a" in result.stderr and "/srv/b" in result.stderr
    assert "Traceback" not in result.stderr
    result = wizard("check", "--root", "/srv/a", "--root", "/srv/b")
    assert result.returncode == 2 and "/srv/a" in result.stderr and "/srv/b" in result.stderr
    assert parse(["--root", "/srv/a/", "check", "--root", "/srv/a"]).root in ("/srv/a", "/srv/a/")
    for argv, words in ((["--demo", "check", "--host", "web01"], ("--demo", "--host")),
                        (["check", "--from-bundle", "out", "--root", "/srv"], ("--from-bundle", "--root")),
                        (["--ssh-config", "cfg", "check"], ("--ssh-config", "--host")),
                        (["--mouse", "--no-mouse"], ("on", "off"))):
        result = wizard(*argv)
        assert result.returncode == 2 and all(w in result.stderr for w in words), (argv, result.stderr)


def test_abbreviations_are_not_guessed():
    """`--dry` is not silently `--dry-run`, nor `--ro` `--root`: the tool does exactly what was typed."""
    for argv in (["apply", "--dry"], ["--ro", "/srv", "check"]):
        assert wizard(*argv).returncode == 2


def test_target_options_before_the_command_reach_the_target(make_host):
    root = make_host("centos6_certbot_auto")
    result = wizard("--root", root, "check", "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["target"]["root"] == root
    result = wizard("--host", "nonexistent-host.invalid", "check")
    assert result.returncode == 3 and "nonexistent-host.invalid" in result.stderr
    assert "Nothing needs doing" not in result.stdout


# --- --dry-run can never be lost ---------------------------------------------------------------

@pytest.mark.parametrize("placement", ["first", "after-command", "last", "between-target-options"])
def test_apply_dry_run_in_every_placement_changes_nothing(make_host, placement):
    root = make_host("centos7_epel_027_v01_pin")
    argv = {"first": ["--dry-run", "apply", "--root", root, "--yes"],
            "after-command": ["apply", "--dry-run", "--root", root, "--yes"],
            "last": ["apply", "--root", root, "--yes", "--dry-run"],
            "between-target-options": ["--root", root, "--dry-run", "apply", "--yes"]}[placement]
    before = tree_digest(root, mtimes=True)
    result = wizard(*argv)
    assert "Nothing was executed or written." in result.stdout, result.stdout + result.stderr
    assert tree_digest(root, mtimes=True) == before
    assert not os.path.exists(os.path.join(root, STATE))


@pytest.mark.parametrize("placement", ["first", "after-command", "last"])
def test_rollback_dry_run_in_every_placement_changes_nothing(make_host, placement):
    root = make_host("centos7_epel_027_v01_pin")
    applied = wizard("apply", "--root", root, "--yes")
    assert applied.returncode in (0, 1), applied.stderr
    before = tree_digest(root, mtimes=True)
    argv = {"first": ["--dry-run", "rollback", "--root", root, "--yes"],
            "after-command": ["rollback", "--dry-run", "--root", root, "--yes"],
            "last": ["rollback", "--root", root, "--yes", "--dry-run"]}[placement]
    result = wizard(*argv)
    assert result.returncode == 0 and "Rollback preview" in result.stdout, result.stdout + result.stderr
    assert tree_digest(root, mtimes=True) == before


@pytest.mark.parametrize("command", ["check", "plan", "verify", "report", "probe-script"])
def test_dry_run_on_a_command_that_has_none_is_refused_and_changes_nothing(make_host, command):
    root = make_host("centos6_certbot_auto")
    before = tree_digest(root, mtimes=True)
    target = [] if command == "probe-script" else ["--root", root]
    for argv in (["--dry-run", command, *target], [command, *target, "--dry-run"]):
        result = wizard(*argv)
        assert result.returncode == 2 and "--dry-run" in result.stderr and "Traceback" not in result.stderr
    assert tree_digest(root, mtimes=True) == before


def test_the_wizard_takes_dry_run_and_target_from_the_front():
    args = parse(["--dry-run", "--root", "/srv/x", "--state-dir", "/srv/state"])
    assert args.command is None and args.dry_run and args.root == "/srv/x" and args.state_dir == "/srv/state"


# --- follow-up commands name the same target ----------------------------------------------------

def _commands_in(text: str) -> list[str]:
    return [line.strip().removeprefix("sudo ") for line in text.splitlines()
            if re.match(r"\s*(sudo )?acme-wizard ", line) and not re.match(r"\s*acme-wizard \w+: ", line)]


def _target_of(command_line: str) -> dict:
    words = shlex.split(command_line)
    assert words[0] == "acme-wizard"
    args = parse(words[1:])
    return {k: getattr(args, k) for k in ("root", "host", "ssh_config", "config_dir", "logs_dir", "state_dir",
                                          "demo", "legacy_ssh")}


def test_every_printed_command_repeats_the_target_quoted_for_the_shell(make_host, tmp_path):
    base = tmp_path / "srv dir's copy"
    base.mkdir()
    root = make_host("centos7_epel_027_v01_pin")
    os.rename(root, base / "root")
    root = str(base / "root")
    state = str(base / "state $HOME")
    target = ["--root", root, "--state-dir", state]
    expected = {"root": root, "host": None, "ssh_config": None, "config_dir": "/etc/letsencrypt",
                "logs_dir": "/var/log/letsencrypt", "state_dir": state, "demo": False, "legacy_ssh": False}
    seen = []
    for argv in (["check", *target], [*target, "plan"], ["apply", "--dry-run", *target],
                 ["report", *target, "--format", "md"], [*target, "apply", "--yes"],
                 ["report", *target, "--format", "txt"], ["report", *target, "--format", "md"]):
        result = wizard(*argv)
        assert "Traceback" not in result.stderr, result.stderr
        commands = _commands_in(result.stdout + result.stderr)
        if argv[0] == "report":
            commands += [c.strip("`") for c in re.findall(r"`(acme-wizard [^`]+)`", result.stdout)]
        assert commands, (argv, result.stdout)
        for line in commands:
            assert _target_of(line) == expected, line
        seen += commands
    verbs = {shlex.split(c)[1] for c in seen}
    assert {"plan", "apply", "rollback", "verify"} <= verbs, seen


def test_follow_ups_over_ssh_and_for_the_demo_name_that_target():
    from wizard.core.invocation import Invocation
    remote = Invocation(host="admin@web01.example:2222", ssh_config="/home/me/ssh config", legacy_ssh=True,
                        config_dir="/srv/le")
    assert _target_of(remote.command("plan")) == {
        "root": "/", "host": "admin@web01.example:2222", "ssh_config": "/home/me/ssh config",
        "config_dir": "/srv/le", "logs_dir": "/var/log/letsencrypt", "state_dir": "/var/lib/acme-wizard",
        "demo": False, "legacy_ssh": True}
    assert Invocation(root="/tmp/acme-wizard-demo-1-x", demo=True).command("plan") == "acme-wizard plan --demo"
    result = wizard("check", "--demo")
    assert _commands_in(result.stdout) == ["acme-wizard plan --demo"]


def test_every_command_shown_parses_back_to_its_argv(make_host, tmp_path):
    """Plan text, apply preview and every report format show each argv exactly as shlex.join does."""
    root = make_host("centos6_certbot_auto")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"client": "rh-python36"}))
    plan = json.loads(wizard("plan", "--root", root, "--answers", str(answers), "--json").stdout)
    argvs = [a["argv"] for s in plan["steps"] for a in s["actions"] if a.get("argv")]
    assert ["env", "LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64", "/opt/certbot/bin/pip", "install",
            "--upgrade", "--only-binary", ":all:", "certbot<1.24", "cryptography<38", "pyOpenSSL<23"] in argvs
    outputs = [wizard("plan", "--root", root, "--answers", str(answers)).stdout,
               wizard("apply", "--dry-run", "--root", root, "--answers", str(answers)).stdout]
    outputs += [wizard("report", "--root", root, "--answers", str(answers), "--format", fmt).stdout
                for fmt in ("md", "txt")]
    page = wizard("report", "--root", root, "--answers", str(answers), "--format", "html").stdout
    outputs.append("\n".join(html.unescape(m) for m in re.findall(r"<pre>(\$ [^<]*)</pre>", page)))
    for text in outputs:
        shown = [shlex.split(m) for m in re.findall(r"^\s*\$ (.+)$", text, re.M)]
        for argv in argvs:
            assert argv in shown, (argv, text[:300])
        assert "pip install certbot<1.24" not in text


# --- honest when it cannot see ---------------------------------------------------------------------

def test_protected_directories_as_nobody_never_give_an_all_clear():
    """A v1 host whose evidence is all behind 0700 directories, probed for real as nobody."""
    from tests.fixtures.hosts import HOSTS
    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.probe.run import probe_script
    from wizard.core.probe.snapshot import read_snapshot
    from wizard.render.check import render_check
    base = tempfile.mkdtemp(prefix="acme-wizard-nonroot-")
    try:
        HOSTS["ubuntu1804_ppa_031_cli_ini"](base)
        make_world_readable(base)
        for protected in ("etc/letsencrypt", "var/log/letsencrypt"):
            os.chmod(os.path.join(base, protected), 0o700)
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                 "sh", "-s", "--", base, "/etc/letsencrypt", "/var/log/letsencrypt"],
                                input=probe_script(), capture_output=True, check=True)
        diagnosis = diagnose(read_snapshot(result.stdout.splitlines(keepends=True), result.stderr))
        assert diagnosis.snapshot.facts["uid"] == "65534"
        assert diagnosis.verdict == "unknown" and diagnosis.reasons == ["ACME-026"]
        assert diagnosis.action_needed                               # exit 1, never 0
        finding = next(f for f in diagnosis.findings if f.id == "ACME-026")
        assert finding.blocking and {e.path for e in finding.evidence} == {"/etc/letsencrypt", "/var/log/letsencrypt"}
        text = render_check(diagnosis, "x")
        assert "Nothing needs doing" not in text and "ACMEv2:" not in text
        assert "run the check as root" in text and "sudo acme-wizard check" in text
        # As root the same tree is read in full and the cli.ini pin is found.
        assert diagnose(read_snapshot(subprocess.run(["sh", "-s", "--", base, "/etc/letsencrypt",
                                                      "/var/log/letsencrypt"], input=probe_script(),
                                                     capture_output=True).stdout.splitlines(keepends=True))
                        ).verdict == "v1"
    finally:
        import shutil
        shutil.rmtree(base)


def test_the_wizard_without_a_terminal_refuses_in_one_line():
    result = wizard("--demo", stdin=subprocess.DEVNULL, timeout=30)
    assert result.returncode == 2
    assert result.stdout == "" and "\x1b" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "acme-wizard check" in result.stderr and "ssh -t" in result.stderr


def test_the_demo_tree_never_shows_in_json():
    for argv in (["check", "--demo", "--json"], ["plan", "--demo", "--json"], ["report", "--demo", "--format", "json"]):
        result = wizard(*argv)
        assert result.returncode in (0, 1), result.stderr
        assert "acme-wizard-demo-" not in result.stdout, argv
        if argv[0] == "check":
            assert json.loads(result.stdout)["target"] == {"root": "/", "host": None, "demo": True,
                                                           "config_dir": "/etc/letsencrypt",
                                                           "logs_dir": "/var/log/letsencrypt"}


def _demo_trees(tmp: str) -> list[str]:
    return glob.glob(os.path.join(tmp, "acme-wizard-demo-*"))


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "tmux killed"])
def test_the_demo_cleans_up_when_the_session_dies(tmp_path, how):
    tmp = str(tmp_path / "tmp")
    os.mkdir(tmp)
    socket = f"acme-wizard-demo-{os.getpid()}-{how.replace(' ', '')}"
    base = ["tmux", "-L", socket]
    command = shlex.join(["env", f"TMPDIR={tmp}", "TERM=xterm", sys.executable, "-m", "wizard", "--demo"])
    subprocess.run(base + ["new-session", "-d", "-s", "w", "-x", "80", "-y", "24", "sh", "-c", f"exec {command}"],
                   check=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Verdict" not in subprocess.run(
                base + ["capture-pane", "-t", "w", "-p"], capture_output=True, text=True).stdout:
            time.sleep(0.05)
        tree, = _demo_trees(tmp)
        pid = int(os.path.basename(tree).split("-")[3])
        if how == "tmux killed":
            subprocess.run(base + ["kill-server"], check=True)       # the terminal goes away: SIGHUP
        else:
            os.kill(pid, getattr(signal, how))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (_demo_trees(tmp) or _alive(pid)):
            time.sleep(0.05)
        assert _demo_trees(tmp) == [] and not _alive(pid)
    finally:
        subprocess.run(base + ["kill-server"], capture_output=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:            # a zombie of ours does not count
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_a_tree_left_by_a_killed_demo_is_swept_by_the_next(tmp_path):
    tmp = str(tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = os.path.join(tmp, f"acme-wizard-demo-{dead.pid}-abc")
    os.makedirs(os.path.join(stale, "etc"))
    mine = os.path.join(tmp, f"acme-wizard-demo-{os.getpid()}-live")     # a live process's tree stays
    os.makedirs(mine)
    result = wizard("check", "--demo", env={"TMPDIR": tmp})
    assert result.returncode == 1
    assert not os.path.exists(stale) and os.path.isdir(mine)
    assert _demo_trees(tmp) == [mine]


# --- the project documents its own contract -----------------------------------------------------------

def test_the_contract_is_in_the_repository_and_names_every_option():
    path = os.path.join(REPO, "docs", "CONTRACT.md")
    text = open(path, encoding="utf-8").read()
    for option in OPTIONS:
        assert option.name in text, option.name
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |", "| 130 |", "ACME-026"):
        assert code in text
    assert "docs/CONTRACT.md" in wizard("--help").stdout.replace("\n", " ")
    assert "docs/CONTRACT.md" in open(os.path.join(REPO, "README.md"), encoding="utf-8").read()


# --- what a new admin and an attacker found -------------------------------------------------------

def test_printed_apply_commands_carry_the_answers_so_the_same_plan_runs(make_host, tmp_path):
    root = make_host("centos7_two_installs")
    answers = tmp_path / "a b.json"
    answers.write_text(json.dumps({"retire_certbot_auto": False}))
    shown = json.loads(wizard("plan", "--root", root, "--answers", str(answers), "--json").stdout)
    for argv in (["plan", "--root", root, "--answers", str(answers)],
                 ["apply", "--dry-run", "--root", root, "--answers", str(answers)]):
        lines = [c for c in _commands_in(wizard(*argv).stdout) if shlex.split(c)[1] == "apply"]
        assert lines, argv
        for line in lines:
            args = parse(shlex.split(line)[1:])
            assert args.answers == str(answers) and args.root == root
    # the pasted command previews exactly the plan that was shown
    pasted_plan = wizard("apply", "--dry-run", "--root", root, "--answers", str(answers)).stdout
    assert [s["id"] for s in shown["steps"]] == re.findall(r"^Step \d+/\d+ \[([^\]]+)\]", pasted_plan, re.M)


def test_a_bundle_is_followed_by_what_a_bundle_can_do(make_host, tmp_path):
    root = make_host("centos6_certbot_auto")
    bundle = str(tmp_path / "out")
    assert wizard("check", "--root", root, "--save-bundle", bundle).returncode == 1
    result = wizard("check", "--from-bundle", bundle)
    assert _commands_in(result.stdout) == [f"acme-wizard plan --from-bundle={bundle}"]
    plan = wizard(*shlex.split(_commands_in(result.stdout)[0])[1:])
    assert plan.returncode == 1 and "Plan for" in plan.stdout and "Traceback" not in plan.stderr
    assert not any(shlex.split(c)[1] in ("apply", "verify", "rollback") for c in _commands_in(plan.stdout))
    for fmt in ("md", "html", "txt", "json"):
        report = wizard("report", "--from-bundle", bundle, "--format", fmt)
        assert report.returncode == 0 and "Traceback" not in report.stderr, (fmt, report.stderr)


@pytest.mark.parametrize("argv,words", [
    (["check", "--root", ""], ("--root", "empty")),
    (["--state-dir", "", "apply", "--dry-run"], ("--state-dir", "empty")),
    (["check", "--host", ""], ("--host", "empty")),
    (["check", "--host=-oProxyCommand=touch /tmp/x"], ("--host", "'-'")),
    (["check", "--root", "a\nb"], ("--root", "line break")),
    (["verify", "--demo"], ("--demo", "verify")),
    (["rollback", "--demo"], ("--demo", "rollback")),
    (["check", "--yes"], ("--yes", "check")),
])
def test_values_that_would_silently_mean_something_else_are_refused(argv, words):
    result = wizard(*argv)
    assert result.returncode == 2 and all(w in result.stderr for w in words), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "usage:" not in result.stderr


def test_a_root_that_starts_with_a_dash_is_printed_so_that_it_pastes(make_host, tmp_path):
    os.chdir(tmp_path)
    root = make_host("centos6_certbot_auto")
    os.rename(root, tmp_path / "-rf")
    result = wizard("check", "--root=-rf", cwd=tmp_path)
    line, = _commands_in(result.stdout)
    assert line == "acme-wizard plan --root=-rf"
    assert wizard(*shlex.split(line)[1:], cwd=tmp_path).returncode == 1


def test_the_demo_previews_and_its_commands_say_so():
    lines = _commands_in(wizard("plan", "--demo").stdout) + _commands_in(wizard("check", "--demo").stdout)
    lines += re.findall(r"`(acme-wizard [^`]+)`", wizard("report", "--demo", "--format", "md").stdout)
    verbs = [shlex.split(line)[1] for line in lines]
    assert "apply" in verbs and "plan" in verbs and not {"verify", "rollback"} & set(verbs), lines
    for line in lines:
        words = shlex.split(line)
        assert "--demo" in words
        if words[1] == "apply":
            assert "--dry-run" in words


def test_the_demo_sweep_ignores_what_is_not_its_own(tmp_path):
    from wizard.demo import sweep_stale_demo_trees
    odd = ["acme-wizard-demo-²-x", "acme-wizard-demo-99999999999999999999-x", "acme-wizard-demo--x",
           "acme-wizard-demo-abc"]
    for name in odd:
        (tmp_path / name).mkdir()
    (tmp_path / "target").mkdir()
    os.symlink(tmp_path / "target", tmp_path / "acme-wizard-demo-999999-link")
    (tmp_path / "acme-wizard-demo-999998-file").write_text("x")
    others = tmp_path / "acme-wizard-demo-999997-other"
    others.mkdir()
    os.chown(others, 65534, 65534)
    assert sweep_stale_demo_trees(str(tmp_path)) == []
    assert sorted(os.listdir(tmp_path)) == sorted(odd + ["target", "acme-wizard-demo-999999-link",
                                                         "acme-wizard-demo-999998-file", others.name])


def test_the_wizard_refuses_when_stderr_is_not_the_terminal():
    """Textual draws on stderr: a terminal on stdin and stdout alone is not enough."""
    import pty
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "wizard", "--demo"], stdin=terminal, stdout=terminal,
                                stderr=subprocess.PIPE, timeout=30, env={**os.environ, "TERM": "xterm"})
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.returncode == 2 and b"\x1b" not in result.stderr and b"ssh -t" in result.stderr


def test_a_pipe_closed_early_is_not_a_traceback(make_host):
    root = make_host("centos6_certbot_auto")
    command = shlex.join([sys.executable, "-m", "wizard", "plan", "--root", root]) + " | head -1"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True)
    assert result.stdout.startswith("Plan for") and "Traceback" not in result.stderr, result.stderr


def test_a_state_dir_that_cannot_be_made_is_a_clean_exit_3(make_host):
    root = make_host("centos7_epel_027_v01_pin")
    assert os.path.isfile(os.path.join(root, "etc/centos-release"))
    result = wizard("apply", "--root", root, "--yes", "--state-dir", "/etc/centos-release/state")
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
    assert "centos-release" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_decision_still_needed_is_never_nothing_to_do(make_host):
    result = wizard("apply", "--root", make_host("centos6_certbot_auto"), "--yes", stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "decision" in result.stderr and "Nothing to do" not in result.stdout


def test_hidden_behind_refused_directories_as_nobody(tmp_path):
    """/root is 0700 on real systems: its cli.ini; a cron.d link into a private directory; the config dir
    linked into a private directory; a user's acme.sh behind a 0700 home."""
    from tests.fixtures.hosts import HOSTS
    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.probe.run import probe_script
    from wizard.core.probe.snapshot import read_snapshot
    base = tempfile.mkdtemp(prefix="acme-wizard-nonroot-")
    try:
        HOSTS["debian12_apt_21"](base)
        os.makedirs(os.path.join(base, "root/.config/letsencrypt"))
        with open(os.path.join(base, "root/.config/letsencrypt/cli.ini"), "w") as handle:
            handle.write("server = https://acme-v01.api.letsencrypt.org/directory\n")
        os.makedirs(os.path.join(base, "etc/private"))
        with open(os.path.join(base, "etc/private/pin"), "w") as handle:
            handle.write("0 3 * * * root certbot renew --server https://acme-v01.api.letsencrypt.org/directory\n")
        os.symlink("/etc/private/pin", os.path.join(base, "etc/cron.d/pin"))
        os.makedirs(os.path.join(base, "srv/sec"))
        os.rename(os.path.join(base, "etc/letsencrypt"), os.path.join(base, "srv/sec/le"))
        os.symlink("/srv/sec/le", os.path.join(base, "etc/letsencrypt"))
        os.makedirs(os.path.join(base, "home/x/.acme.sh/example.org"))
        make_world_readable(base)
        for private in ("root", "etc/private", "srv/sec", "home/x"):
            os.chmod(os.path.join(base, private), 0o700)
        as_root = subprocess.run(["sh", "-s", "--", base], input=probe_script(), capture_output=True)
        assert diagnose(read_snapshot(as_root.stdout.splitlines(keepends=True), as_root.stderr)).verdict == "v1"
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-s", "--",
                                 base], input=probe_script(), capture_output=True, check=True)
        diagnosis = diagnose(read_snapshot(result.stdout.splitlines(keepends=True), result.stderr))
        assert diagnosis.verdict == "unknown" and diagnosis.reasons == ["ACME-026"] and diagnosis.action_needed
        hidden = {e.path for f in diagnosis.findings if f.id == "ACME-026" for e in f.evidence}
        assert {"/root", "/etc/cron.d/pin", "/srv/sec", "/home/x"} <= hidden, hidden
    finally:
        import shutil
        shutil.rmtree(base)


def test_argparse_errors_are_one_line_too():
    for argv, words in ((["check", "--host", "-x"], ("--host", "--option=VALUE")),
                        (["rollback", "a\nb"], ("run id",)), (["report", "--format", "xx"], ("--format",))):
        result = wizard(*argv)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert all(w in result.stderr for w in words) and "usage:" not in result.stderr


def test_apply_whose_output_is_closed_stops_consistently_and_says_how_to_resume(make_host):
    root = make_host("centos7_epel_027_v01_pin")
    command = shlex.join([sys.executable, "-m", "wizard", "apply", "--root", root, "--yes"]) + " | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True)
    assert result.returncode == 141 and "Traceback" not in result.stderr, result.stderr
    assert "output was closed" in result.stderr and f"acme-wizard apply --root={root}" in result.stderr
    run, = glob.glob(os.path.join(root, STATE, "runs", "*"))
    events = [json.loads(line) for line in open(os.path.join(run, "journal.jsonl"))]
    assert events[-1] == {**events[-1], "event": "run-end", "status": "interrupted"}


def test_client_and_staging_flags_choose_like_an_answers_file_and_are_repeated(make_host, tmp_path):
    root = make_host("centos7_two_installs")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"client": "pip", "staging_lineages": "move"}))
    by_file = json.loads(wizard("plan", "--root", root, "--answers", str(answers), "--json").stdout)
    by_flags = json.loads(wizard("--client", "pip", "plan", "--staging=move", "--root", root, "--json").stdout)
    assert by_file["choice"] == by_flags["choice"] == "pip"
    assert [s["id"] for s in by_file["steps"]] == [s["id"] for s in by_flags["steps"]]
    # a flag is over the file's answer
    over = json.loads(wizard("plan", "--root", root, "--answers", str(answers), "--client", "os-package", "--json").stdout)
    assert over["choice"] == "os-package"
    # and every printed apply command carries the choice, so the pasted command runs the same plan
    for line in _commands_in(wizard("plan", "--root", root, "--client", "pip", "--staging", "move").stdout):
        args = parse(shlex.split(line)[1:])
        if args.command == "apply":
            assert args.client == "pip" and args.staging == "move" and args.root == root
    refused = wizard("apply", "--dry-run", "--root", root, "--client", "no-such-client")
    assert refused.returncode == 2 and "no-such-client" in refused.stderr and "pip" in refused.stderr
    assert "Traceback" not in refused.stderr

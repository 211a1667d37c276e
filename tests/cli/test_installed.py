"""What an ordinary install gets: build the wheel, install it into a fresh venv outside the source
tree, and use it from there — in Japanese, with the report and the help — while an audit hook proves
that nothing is read from the source checkout."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NON_PYTHON_FILES = {"wizard/core/probe/probe.sh", "wizard/core/report/schema.json", "wizard/locale/ja.json",
                    "wizard/tui/wizard.tcss"}

# Runs inside the installed venv: every file Python opens is recorded, then the CLI runs.
AUDITED_MAIN = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from wizard.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
import wizard
print("\\n@@" + json.dumps({"code": code, "opened": opened, "wizard": wizard.__file__, "path": sys.path}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("installed")
    # Built from a clean copy: a stale build/ in the checkout must not hide a missing package-data entry.
    source = work / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                                "__pycache__", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(source)],
                   check=True, cwd=work)
    wheel, = (work / "dist").glob("acme_v2_wizard-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    subprocess.run([str(work / "venv/bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    str(wheel)], check=True, cwd=work)
    return work, wheel


def run_installed(work, *argv, lang="ja_JP.UTF-8"):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LC_", "LANG"))}
    env.update(LANG=lang, PYTHONIOENCODING="utf-8", PATH=f"{work}/venv/bin:/usr/bin:/bin")
    result = subprocess.run([str(work / "venv/bin/python"), "-c", AUDITED_MAIN, *argv], capture_output=True,
                            text=True, cwd=work, env=env, timeout=120)
    output, _, tail = result.stdout.rpartition("\n@@")
    facts = json.loads(tail)
    return facts, output, result.stderr


def test_the_wheel_ships_every_file_the_code_opens(installed):
    _work, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert names >= NON_PYTHON_FILES
    shipped = {os.path.relpath(os.path.join(d, f), REPO) for d, _, files in os.walk(os.path.join(REPO, "wizard"))
               for f in files if not f.endswith((".py", ".pyc"))}
    assert shipped <= names, f"files in wizard/ missing from the wheel: {sorted(shipped - names)}"


@pytest.mark.parametrize("argv,expected", [
    (["check", "--demo"], "判定"),
    (["report", "--demo", "--format", "html"], "<html lang=\"ja\""),
    (["--help"], "使い方"),
])
def test_japanese_from_an_installed_package(installed, argv, expected):
    work, _wheel = installed
    facts, output, err = run_installed(work, *argv)
    assert expected in output, (output[:400], err)
    assert facts["wizard"].startswith(str(work / "venv")), facts["wizard"]
    assert not any(p.startswith(REPO) for p in facts["path"]), facts["path"]
    # Relative names are opened below the child's cwd (outside the checkout) or a directory fd it opened.
    from_checkout = [p for p in facts["opened"] if p.startswith(REPO + os.sep)]
    assert from_checkout == [], from_checkout
    assert facts["code"] in (0, 1) and "Traceback" not in err


def test_the_console_script_is_installed(installed):
    work, _wheel = installed
    result = subprocess.run([str(work / "venv/bin/acme-wizard"), "--version"], capture_output=True, text=True,
                            cwd=work)
    assert result.returncode == 0 and result.stdout.startswith("acme-wizard ")


def test_the_readmes_install_script_installs_links_and_upgrades(tmp_path):
    """`sh install.sh ARGS`: its own venv, the command linked, ARGS run; a second run upgrades in place."""
    env = {**os.environ, "ACME_WIZARD_HOME": str(tmp_path / "home"), "ACME_WIZARD_BIN": str(tmp_path / "bin")}
    for _round in range(2):
        result = subprocess.run(["sh", os.path.join(REPO, "install.sh"), "--version"], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("acme-wizard ") and "installed:" in result.stderr
    link = tmp_path / "bin" / "acme-wizard"
    assert os.path.realpath(link) == str(tmp_path / "home" / "venv" / "bin" / "acme-wizard")
    assert "is not on your PATH; run" in result.stderr          # a custom bin dir: no ~/.profile advice
    check = subprocess.run([str(link), "check", "--demo", "--json"], capture_output=True, text=True)
    assert check.returncode == 1 and '"demo": true' in check.stdout


REHEARSAL = """
import json, os, sys, tempfile
from wizard.core.analyse.diagnose import diagnose
from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Answers
from wizard.core.probe.run import run_probe
from wizard.core.run.remediate import apply_and_verify
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host, stand_ins
base = tempfile.mkdtemp(dir=sys.argv[1])
root = build_demo_host(os.path.join(base, "host"))
target = LocalTarget(root, demo=True, stand_ins=stand_ins.install(root))
diagnosis = diagnose(run_probe(target))
plan = build_plan(diagnosis, Answers(client="rh-python36"))

class Yes:
    def step_started(self, step, index, total): pass
    def output(self, step, line): print(line)
    def step_finished(self, step, record): pass
    def confirm(self, step): return "yes"

statuses = [apply_and_verify(target, plan, diagnosis, "/var/lib/acme-wizard", Yes()).status for _ in range(2)]
print("@@" + json.dumps(statuses))
"""


def test_the_demo_rehearses_from_an_installed_package(installed, tmp_path):
    """The stand-ins find the installed wizard (python -I, its own site-packages), not the checkout."""
    work, _wheel = installed
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PATH"] = "/usr/bin:/bin"
    result = subprocess.run([str(work / "venv/bin/python"), "-c", REHEARSAL, str(tmp_path)], capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=300)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:] + result.stdout[-2000:]
    assert json.loads(result.stdout.rpartition("@@")[2]) == ["failed", "complete"]      # the yum timeout, then a retry
    assert "Congratulations, all simulated renewals succeeded" in result.stdout
    scripts = [os.path.join(d, f) for d, _dirs, files in os.walk(tmp_path) for f in files if f in ("yum", "env")]
    assert scripts and all(REPO not in open(path).read() for path in scripts)
    assert all(str(work / "venv") in open(path).read() for path in scripts)

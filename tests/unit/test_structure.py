"""Project rules that a reader relies on."""
import glob
import os
import shutil
import subprocess
import sys

import pytest

import wizard
from wizard.core.probe.run import probe_script

PACKAGE = os.path.dirname(wizard.__file__)
PROBE = os.path.join(PACKAGE, "core", "probe", "probe.sh")



def test_core_never_imports_textual():
    modules = [f"wizard.core.{os.path.basename(p)[:-3]}" for p in glob.glob(os.path.join(PACKAGE, "core", "*.py"))
               if not p.endswith("__init__.py")]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in glob.glob(os.path.join(PACKAGE, "core", "*.py")):
        assert "textual" not in open(path).read(), path


def test_probe_passes_shellcheck():
    assert shutil.which("shellcheck"), "shellcheck is installed by the test command"
    for script in (open(PROBE, "rb").read(), probe_script()):     # as shipped, and as it is run
        result = subprocess.run(["shellcheck", "-s", "sh", "-"], input=script, capture_output=True)
        assert result.returncode == 0, result.stdout.decode()


def test_the_probe_keeps_exactly_the_lines_the_log_parser_reads():
    from wizard.core.probe.logs import KEPT_LINES
    script = probe_script().decode()
    assert "@KEPT_LINES@" not in script
    assert "LOG_PATTERN='" + "|".join(KEPT_LINES) + "'" in script


@pytest.mark.parametrize("name", ["centos6_certbot_auto", "debian12_apt_21", "centos7_two_installs"])
def test_probe_output_is_the_same_under_dash_and_bash_posix(make_host, name):
    root = make_host(name)
    script = probe_script()
    outputs = []
    for shell in (["dash", "-s"], ["bash", "--posix", "-s"]):
        result = subprocess.run(shell + ["--", root], input=script, capture_output=True, check=True)
        outputs.append([line for line in result.stdout.splitlines() if not line.startswith(b"H\tdate")])
    assert outputs[0] == outputs[1] and len(outputs[0]) > 50


def test_probe_never_reads_private_keys(make_host):
    from tests.fixtures.hosts import HOSTS
    from wizard.demo.hostkit import KEY_MARKER
    for name in HOSTS:
        root = make_host(name)
        result = subprocess.run(["sh", "-s", "--", root], input=probe_script(), capture_output=True)
        assert KEY_MARKER.encode() not in result.stdout + result.stderr, name


def test_user_facing_cli_strings_go_through_the_translation_function():
    # Every print to the user in the CLI uses _() (a Japanese catalogue will follow).
    source = open(os.path.join(PACKAGE, "cli.py")).read()
    for line in source.splitlines():
        if "help=" in line and "help=_(" not in line:
            pytest.fail(line)

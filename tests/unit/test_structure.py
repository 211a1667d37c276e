"""Project rules that a reader relies on."""
import glob
import os
import re
import shutil
import subprocess

import pytest

import wizard
from wizard.core.probe.run import probe_script

PACKAGE = os.path.dirname(wizard.__file__)
PROBE = os.path.join(PACKAGE, "core", "probe", "probe.sh")



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
        # the clock, and the gzip pass's end marker (a token drawn for each run), differ by nature
        outputs.append([re.sub(rb"acme-wizard-end-[0-9a-f-]+", b"acme-wizard-end-TOKEN", line)
                        for line in result.stdout.splitlines() if not line.startswith(b"H\tdate")])
    assert outputs[0] == outputs[1] and len(outputs[0]) > 50


def test_probe_never_reads_private_keys(make_host):
    from tests.fixtures.hosts import HOSTS
    from wizard.demo.hostkit import KEY_MARKER
    for name in HOSTS:
        root = make_host(name)
        result = subprocess.run(["sh", "-s", "--", root], input=probe_script(), capture_output=True)
        assert KEY_MARKER.encode() not in result.stdout + result.stderr, name


def test_every_error_the_admin_reads_goes_through_the_translation_function():
    # A WizardError's message is printed to the admin as it is: it must be built with _(), never
    # from a bare literal or f-string (help texts are N_() in wizard/arguments.py, translated when
    # the parser is built).
    import ast
    import importlib
    import pkgutil

    from wizard.core.errors import WizardError
    for module in pkgutil.walk_packages(wizard.__path__, "wizard."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    names = {cls.__name__ for cls in _subclasses(WizardError)}
    offenders = []
    for path in glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True):
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", None) in names and node.exc.args \
                    and isinstance(node.exc.args[0], (ast.Constant, ast.JoinedStr)):
                offenders.append(f"{os.path.relpath(path, PACKAGE)}:{node.lineno}")
    assert not offenders, offenders
    assert {"UsageError", "AnswersError", "EmailError", "EditConflict", "RollbackError"} <= names


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_the_client_help_names_every_client_option():
    import re

    from wizard.arguments import BY_DEST
    from wizard.core.plan.model import STAGING_CHOICES
    source = open(os.path.join(PACKAGE, "core", "plan", "options.py")).read()
    keys = set(re.findall(r'\bkey="([^"]+)"', source))
    assert {"keep", "pip", "rh-python36", "upgrade-acme.sh"} <= keys
    listed = re.search(r"\(([^)]*)\)", BY_DEST["client"].help).group(1).split(", ")
    assert sorted(listed) == sorted(keys)
    assert "|".join(STAGING_CHOICES) in BY_DEST["answers"].help
    assert BY_DEST["staging"].extra["choices"] == list(STAGING_CHOICES)

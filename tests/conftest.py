import json
import os
import sys

import pytest

# Scripts the tests start (tests/e2e/*.sh) call python3 and acme-wizard: the ones of this environment.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

from tests.fixtures.hosts import HOSTS, NOW
from wizard import cli
from wizard.core.analyse.diagnose import diagnose
from wizard.core.probe.run import run_probe
from wizard.core.target.local import LocalTarget


@pytest.fixture
def make_host(tmp_path):
    """Build a named fixture host in a fresh temp dir and return its root."""
    def build(name: str, **options) -> str:
        root = str(tmp_path / name)
        HOSTS[name](root, **options)
        return root
    return build


@pytest.fixture
def diagnose_root():
    def run(root: str, **target_options):
        return diagnose(run_probe(LocalTarget(root, **target_options)), now=NOW)
    return run


@pytest.fixture
def run_cli(capsys):
    """Run acme-wizard in-process; returns (exit code, stdout, stderr)."""
    def run(*argv: str):
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


@pytest.fixture
def check_json(run_cli):
    def run(root: str, *extra: str):
        code, out, _err = run_cli("check", "--root", root, "--json", *extra)
        return code, json.loads(out)
    return run


@pytest.fixture
def two_installs(make_host, tmp_path):
    """CentOS 7 with certbot-auto and EPEL, a stub certbot and stub package managers on PATH."""
    from tests.fixtures.stubs import stub_certbot
    root = make_host("centos7_two_installs")
    stub_certbot(root)
    bin_dir = str(tmp_path / "bin")
    env = {"ACME_WIZARD_ALLOW_COMMANDS_IN_ROOT": "1", "ACME_WIZARD_STUB_PATH": bin_dir,
           "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return root, bin_dir, env

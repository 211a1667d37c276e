"""The demo's stand-in programs stay in the demo's tree: they follow its links and `..` the way the
engine does, import nothing from the directory the wizard was started in, and pass no variable to
this machine's programs. (Found by an attacker's review.)"""
import os

import pytest

from tests.fixtures.stubs import stub_bin
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host, stand_ins


@pytest.fixture
def demo(tmp_path, monkeypatch):
    root = build_demo_host(str(tmp_path / "demo" / "host"))
    outside = tmp_path / "outside"
    outside.mkdir()
    return LocalTarget(root, demo=True, stand_ins=stand_ins.install(root)), root, outside


def _run(target, argv):
    output = []
    code = target.run(argv, output.append)
    return code, "\n".join(output)


def test_code_in_the_current_directory_is_never_imported(demo, tmp_path, monkeypatch):
    target, _root, outside = demo
    trap = tmp_path / "cwd"
    trap.mkdir()
    for module in ("datetime", "shlex", "wizard"):
        (trap / f"{module}.py").write_text(f"open({str(outside / 'imported')!r}, 'a').write({module!r})\n")
    monkeypatch.chdir(trap)
    monkeypatch.setenv("PYTHONPATH", str(trap))
    code, output = _run(target, ["yum", "makecache"])
    assert code == 1 and "Cannot retrieve repository metadata" in output        # the stand-in itself ran
    assert not (outside / "imported").exists()


def test_links_and_dots_in_the_tree_never_lead_a_stand_in_outside(demo):
    target, root, outside = demo
    os.symlink(str(outside), os.path.join(root, "opt/rh"))                       # absolute: the host's /opt/rh
    os.makedirs(os.path.join(root, "root"), exist_ok=True)
    assert _run(target, ["yum", "install", "-y", "rh-python36"])[0] == 0
    assert _run(target, ["curl", "-fsSL", "-o", "/../../../outside/fetched", "https://example.invalid/x"])[0] == 0
    assert _run(target, ["sh", "/../../../outside/fetched", "--install-online", "--home", "/../../outside/home"])[0] == 0
    assert os.listdir(outside) == []                                             # nothing written out there
    assert os.path.isfile(os.path.join(root, str(outside).lstrip("/"), "rh-python36/root/usr/bin/python3"))
    assert os.path.isfile(os.path.join(root, "outside/fetched")) and os.path.isdir(os.path.join(root, "outside/home"))


def test_env_runs_stand_ins_only_and_passes_no_variable_on(demo, tmp_path):
    target, _root, outside = demo
    stub_bin(outside, "evil", f"touch {outside}/ran")
    for argv in (["env", "../../../outside/evil"], ["env", "/../../../outside/evil"], ["env", "-i", "yum"],
                 ["env", "--", "/bin/sh"], ["env", "sh", "-c", f"touch {outside}/ran"]):
        code, output = _run(target, argv)
        assert not (outside / "ran").exists(), argv
        assert code in (0, 125, 127) and "Traceback" not in output, (argv, output)
    # a variable naming the demo host's libraries is not handed to this machine's interpreter
    code, output = _run(target, ["env", "LD_PRELOAD=/nonexistent/preload.so", "yum", "--version"])
    assert code == 0 and "preload.so" not in output                    # (the loader would complain of it)

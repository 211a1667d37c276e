"""The pinned pip sets the plans give exist as wheels for the targets' glibc (issue 14 item 3).

CentOS 6 has glibc 2.12 and no compiler to spare: only manylinux2010 wheels run there, and the plan
installs `--only-binary :all:`. CentOS 7 (glibc 2.17) takes manylinux2014 wheels. Each test takes
the exact arguments from the plan and has the real pip resolve them against PyPI for that platform.
"""
import os
import subprocess
import sys

from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Answers


def pip_install_arguments(plan):
    argv = next(a.argv for s in plan.steps for a in s.actions
                if a.type == "command" and "install" in a.argv and any("certbot<" in w for w in a.argv))
    return [w for w in argv[argv.index("install") + 1:] if w != "--upgrade"]


def download(arguments, platform, tmp_path):
    dest = tmp_path / "wheels"
    wheels_only = [] if "--only-binary" in arguments else ["--only-binary", ":all:"]
    return subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(dest),
                           "--platform", platform, "--python-version", "3.6", "--implementation", "cp",
                           "--abi", "cp36m", *wheels_only, *arguments],
                          capture_output=True, text=True, timeout=600)


def test_centos6_set_is_all_manylinux2010_wheels(make_host, diagnose_root, tmp_path):
    plan = build_plan(diagnose_root(make_host("centos6_certbot_auto")), Answers(client="rh-python36"))
    arguments = pip_install_arguments(plan)
    assert arguments[:2] == ["--only-binary", ":all:"]
    result = download(arguments, "manylinux2010_x86_64", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    files = os.listdir(tmp_path / "wheels")
    assert files and all(name.endswith(".whl") for name in files)           # nothing to build on the target
    crypto = next(name for name in files if name.lower().startswith("cryptography-"))
    assert crypto.startswith("cryptography-37.") and "manylinux2010" in crypto
    assert any(name.startswith("certbot-1.23.") for name in files)
    assert any(name.lower().startswith("pyopenssl-22.") for name in files)


def test_centos7_python36_set_has_wheels_for_glibc_2_17(make_host, diagnose_root, tmp_path):
    plan = build_plan(diagnose_root(make_host("centos7_two_installs")), Answers(client="pip"))
    arguments = pip_install_arguments(plan)
    assert arguments == ["certbot<1.24", "pyOpenSSL<23.2"]
    result = download(arguments, "manylinux2014_x86_64", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    files = os.listdir(tmp_path / "wheels")
    assert any(name.startswith("certbot-1.23.") for name in files)
    assert not any(name.lower().startswith("pyopenssl-23.2") for name in files)

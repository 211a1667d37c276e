"""The tools that keep the code's shape, run by the test command: ruff (style and likely bugs),
mypy (strict on wizard/core, checked everywhere else) and import-linter (which way imports point,
no cycles between layers). Their settings are in pyproject.toml; docs/ARCHITECTURE.md explains them."""
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def run(*argv):
    return subprocess.run([os.path.join(BIN, argv[0]), *argv[1:]], cwd=REPO, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = run("ruff", "check", "--no-cache", "wizard", "tests", "benchmarks", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_strict_on_the_core_and_everywhere_else():
    result = run("mypy", "--no-incremental", "--cache-dir", os.devnull)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_import_contracts_are_kept():
    result = run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("layer", ["wizard.core", "wizard.render"])
def test_no_module_of_a_layer_imports_textual(layer):
    # import-linter checks imports; this checks what really loads: the core and the renderers
    # import without Textual or Rich in the process.
    code = (f"import sys, pkgutil, importlib, {layer} as pkg\n"
            "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
            "    importlib.import_module(m.name)\n"
            "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'rich'))\n"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

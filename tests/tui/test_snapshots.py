"""SVG snapshots of the wizard's screens at 80×24, in English and Japanese (pytest-textual-snapshot;
--snapshot-update to refresh, on Python 3.11 only)."""
import sys

import pytest

from tests.fixtures.hosts import NOW
from tests.fixtures.tui import after_load, answer_until_settled
from wizard import i18n
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host, stand_ins
from wizard.tui.app import wizard_app
from wizard.tui.session import Session

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="snapshots are pinned to Python 3.11")


def demo(tmp_path):
    root = build_demo_host(str(tmp_path / "demo" / "host"))
    session = Session(LocalTarget(root, demo=True, stand_ins=stand_ins.install(root)),
                      i18n._("demo host (CentOS 6, certbot-auto 0.20.0)"), preview=True, demo=True, now=NOW)
    return wizard_app(session, report_dir="/srv/reports")


def until_the_failed_step(*keys):
    """Leave preview, choose rh-python36, start apply and answer y until the stand-in yum fails."""
    async def run_before(pilot):
        await after_load("d", "y", "3", "c", "down", "enter", "4", "a")(pilot)
        await answer_until_settled(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
    return run_before


SCREENS = [
    ("overview", after_load()),
    ("findings", after_load("2")),
    ("plan_decision", after_load("3")),
    ("chooser", after_load("3", "c", "down")),
    ("plan_chosen", after_load("3", "c", "down", "enter")),
    ("plan_step_detail", after_load("3", "c", "down", "enter", "down", "down", "down", "down", "down")),
    ("apply_preview", after_load("3", "c", "down", "enter", "4")),
    ("apply_failed_step", until_the_failed_step()),
    ("help", after_load("question_mark")),
]


@pytest.fixture(params=["en", "ja"])
def language(request):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


@pytest.mark.parametrize("name,run_before", SCREENS, ids=[name for name, _run in SCREENS])
def test_screen(snap_compare, tmp_path, language, name, run_before):
    assert snap_compare(demo(tmp_path), terminal_size=(80, 24), run_before=run_before)

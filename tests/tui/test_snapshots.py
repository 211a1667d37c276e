"""SVG snapshots of the main screens at 80×24 (pytest-textual-snapshot; --snapshot-update to refresh)."""
import sys

import pytest

from tests.fixtures.hosts import NOW
from tests.fixtures.tui import after_load
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host
from wizard.tui.app import wizard_app
from wizard.tui.session import Session

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="snapshots are pinned to Python 3.11")


def demo(tmp_path):
    root = build_demo_host(str(tmp_path / "demo"))
    session = Session(LocalTarget(root, demo=True), "demo host (CentOS 6, certbot-auto 0.20.0)", preview=True, demo=True, now=NOW)
    return wizard_app(session, report_dir="/srv/reports")



@pytest.mark.parametrize("name,keys", [
    ("overview", ()),
    ("findings", ("2",)),
    ("plan_decision", ("3",)),
    ("plan_chosen", ("3", "c", "down", "enter")),
    ("apply_preview", ("3", "c", "down", "enter", "4")),
    ("help", ("question_mark",)),
])
def test_screen(snap_compare, tmp_path, name, keys):
    assert snap_compare(demo(tmp_path), terminal_size=(80, 24), run_before=after_load(*keys))

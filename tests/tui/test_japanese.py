"""The wizard in Japanese at 80×24: Pilot, SVG snapshots and a real terminal."""
import re

import pytest

from tests.fixtures.hosts import NOW
from tests.fixtures.tui import screen_text, settle, wait_for
from wizard import i18n
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host
from wizard.render.width import cells
from wizard.tui.app import wizard_app
from wizard.tui.session import Session


@pytest.fixture
def japanese():
    i18n.set_language("ja")
    yield
    i18n.set_language("en")


def demo(tmp_path):
    root = build_demo_host(str(tmp_path / "demo"))
    session = Session(LocalTarget(root, demo=True), i18n._("demo host (CentOS 6, certbot-auto 0.20.0)"), preview=True,
                      demo=True, now=NOW)
    return wizard_app(session, report_dir="/srv/reports")


async def test_every_stage_in_japanese_fits_80_cells(tmp_path, japanese):
    app = demo(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = screen_text(app)
        for text in ("判定: ACMEv1 使用中", "1 概要", "6 レポート", "プレビュー: 何も変更しません。", "終了", "ヘルプ",
                     "クライアント", "/etc/crontab:17 で定期実行", "4 重大、1 高、3 中、1 情報"):
            assert text in screen, text
        screens = [screen]
        for keys in (("2",), ("3",), ("c", "down"), ("enter",), ("4",), ("5",), ("6",), ("question_mark",)):
            await pilot.press(*keys)
            await pilot.pause()
            screens.append(screen_text(app))
            assert all(cells(line.rstrip()) <= 80 for line in screens[-1].splitlines())
        assert "キー操作" in screen_text(app) and "Esc キーでこのヘルプを閉じます" in screen_text(app)
        text = "\n".join(screens)
        assert not re.search(r"[。、] +\S", text)          # no space after a Japanese stop or comma
        assert not re.search(r"(^|\s)[a-z]\s*$", text, re.M)     # no key letter left alone at a line end
        for english in ("low", "medium", "not-run", "blocked", "incomplete", " ok "):
            assert english not in text, english


def test_help_in_japanese_fits_80_cells_for_every_command():
    import os
    import subprocess
    import sys

    from wizard.arguments import COMMANDS
    for command in ("", *COMMANDS):
        argv = [sys.executable, "-m", "wizard", *([command] if command else []), "--lang", "ja", "--help"]
        shown = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"}).stdout
        assert "使い方" in shown
        wide = [line for line in shown.splitlines() if cells(line) > 80]
        assert not wide, (command, wide)


def test_demo_in_tmux_with_a_japanese_locale(tmux):
    base, _exit_file = tmux({"TERM": "xterm", "LANG": "ja_JP.UTF-8", "LC_ALL": ""})
    screen = wait_for(base, "判定")
    assert "ACMEv1 使用中" in screen and "概要" in screen and "終了" in screen

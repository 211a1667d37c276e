"""Japanese and English: the catalogue, the choice of language, and text that fits by cell width."""
import json
import os
import subprocess
import sys

import pytest

from tests.fixtures.printing import print_pdf
from wizard import i18n
from wizard.i18n import choose_language
from wizard.i18n_catalog import check, messages
from wizard.render.width import cells, wrap


@pytest.fixture
def japanese():
    i18n.set_language("ja")
    yield
    i18n.set_language("en")


def wizard(*argv, env=None):
    return subprocess.run([sys.executable, "-m", "wizard", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def test_every_string_has_a_japanese_entry_with_the_same_placeholders():
    result = subprocess.run([sys.executable, "-m", "wizard.i18n_catalog", "check", "ja"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert len(messages()) > 400


def test_the_check_catches_missing_entries_and_placeholder_mismatches(tmp_path):
    catalogue = dict.fromkeys(messages(), "訳")
    catalogue["Cannot write {path}: {reason}"] = "{path} に書き込めません"            # {reason} lost
    del catalogue["Nothing needs doing."]
    path = tmp_path / "xx.json"
    path.write_text(json.dumps(catalogue, ensure_ascii=False))
    problems = check("xx", path)
    assert any("placeholders differ" in p and "Cannot write" in p for p in problems)
    assert any("no xx entry for 'Nothing needs doing.'" in p for p in problems)


@pytest.mark.parametrize("requested,environ,encoding,expected", [
    (None, {"LANG": "ja_JP.UTF-8"}, "utf-8", "ja"),
    (None, {"LANG": "ja_JP.UTF-8", "LC_ALL": "C.UTF-8"}, "utf-8", "en"),
    (None, {"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "utf-8", "ja"),
    ("en", {"LANG": "ja_JP.UTF-8"}, "utf-8", "en"),
    ("ja", {}, "utf-8", "ja"),
    (None, {}, "utf-8", "en"),
])
def test_language_choice(requested, environ, encoding, expected):
    assert choose_language(requested, environ, encoding) == (expected, None)


def test_a_non_utf8_terminal_falls_back_to_english_with_one_line():
    language, notice = choose_language(None, {"LANG": "ja_JP.eucJP"}, "euc_jp")
    assert language == "en" and notice.count("\n") == 0 and "UTF-8" in notice
    result = wizard("check", "--demo", env={"LANG": "ja_JP.UTF-8", "PYTHONIOENCODING": "latin-1"})
    assert "Verdict" in result.stdout and result.stderr.strip().count("\n") == 0 and "UTF-8" in result.stderr


def test_cli_speaks_japanese_from_the_locale_and_fits_80_cells():
    result = wizard("check", "--demo", env={"LANG": "ja_JP.UTF-8", "LC_ALL": ""})
    assert result.returncode == 1
    assert "判定: ACMEv1 使用中" in result.stdout and "検出事項 (4 重大" in result.stdout
    for line in result.stdout.splitlines()[1:]:
        if cells(line) > 80:          # only an evidence path runs over: it is never cut
            assert line.strip().startswith("場所 /") and " " not in line.strip()[3:], line
    assert "--format" in wizard("report", "--help", "--lang", "ja").stdout


def test_wrap_counts_cells_and_keeps_punctuation_off_line_starts():
    text = "このホストで更新を行うクライアントは、提供終了した ACMEv1 API としか通信できません。" * 3
    lines = wrap(text, 40)
    assert all(cells(line) <= 40 for line in lines)
    assert not any(line[0] in "、。" for line in lines)


def test_japanese_report_in_every_format(make_host, japanese):
    from tests.fixtures.hosts import NOW
    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.plan.build import build_plan
    from wizard.core.probe.run import run_probe
    from wizard.core.report.model import build_report
    from wizard.core.target.local import LocalTarget
    from wizard.render.report import render_html, render_markdown, render_text
    target = LocalTarget(make_host("centos6_certbot_auto"))
    diagnosis = diagnose(run_probe(target), now=NOW)
    document = build_report(diagnosis, build_plan(diagnosis), target, "/var/lib/acme-wizard", now=NOW, label="デモ")
    for text in (render_markdown(document), render_text(document), render_html(document)):
        assert "ACME 対応レポート" in text and "2026年11月27日" in text and "今後の流れ" in text
        assert "2026-11-23T02:30:01" in text          # evidence keeps the logs' own timestamps
    assert all(cells(line) <= 80 for line in render_text(document).splitlines())
    assert '<html lang="ja">' in render_html(document)


def test_japanese_html_report_prints_with_its_headings(make_host, tmp_path):
    root = make_host("centos6_certbot_auto")
    html = wizard("report", "--root", root, "--format", "html", "--lang", "ja").stdout
    path = tmp_path / "report.html"
    path.write_text(html.replace("@page {", "@page { size: A4; ", 1), encoding="utf-8")
    text, pages, _size = print_pdf(str(path), str(tmp_path / "report.pdf"))
    flat = " ".join(text.split())
    for heading in ("ACME 対応レポート", "対応が必要です", "今後の流れ", "環境", "検出事項", "残るリスクと今後の対応"):
        assert heading in flat, heading
    assert 2 <= pages <= 14
    squeezed = "".join(text.split())
    assert "/opt/eff.org/certbot/venv/lib/python2.6/site-packages/certbot-0.20.0-py2.6.egg-info" in squeezed


def test_argparse_speaks_japanese_too():
    result = wizard("check", "--bogus", "--lang", "ja")
    assert result.returncode == 2 and "認識できない引数: --bogus" in result.stderr
    assert wizard("check", "--help", "--lang", "ja").stdout.startswith("使い方: ")
    assert "unrecognized arguments: --bogus" in wizard("check", "--bogus", "--lang", "en").stderr

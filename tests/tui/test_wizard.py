"""The wizard driven through Textual's Pilot at 80×24: the whole flow, on the demo and on copies."""
import json
import os

import pytest

from tests.fixtures.hosts import HOSTS, NOW
from tests.fixtures.stubs import stub_bin, stub_certbot
from tests.fixtures.tui import answer_until_settled, screen_text, settle, text_of
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host
from wizard.render.width import cells
from wizard.tui.app import wizard_app
from wizard.tui.keys import STAGES
from wizard.tui.modals import ChoiceModal, ConfirmModal, HelpScreen
from wizard.tui.session import Session

SIZE = (80, 24)



def demo_app(tmp_path, **kwargs):
    root = build_demo_host(str(tmp_path / "demo"))
    session = Session(LocalTarget(root, demo=True), "demo host (CentOS 6, certbot-auto 0.20.0)", preview=True, demo=True, now=NOW)
    return wizard_app(session, report_dir=str(tmp_path), **kwargs)


def live_app(root, tmp_path, allow_commands=False):
    session = Session(LocalTarget(root, allow_commands=allow_commands), root, preview=False, now=NOW)
    return wizard_app(session, report_dir=str(tmp_path))


async def test_demo_walks_through_every_stage(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "ACMEv1 IN USE" in screen_text(app) and "PREVIEW" in text_of(app, "#banner")
        seen = []
        for _ in STAGES:
            seen.append(app.stage)
            await pilot.press("n")
        assert seen == STAGES and app.stage == "report"
        await pilot.press("b")
        assert app.stage == "verify"
        await pilot.press("2")
        assert app.stage == "findings"
        assert "CRITICAL ACME-001  certbot 0.20.0 cannot speak ACMEv2" in screen_text(app)
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("d")                       # the demo stays in preview
        assert app.session.preview
        await pilot.press("q")
    assert app.return_code == 0


async def test_overview_is_complete_at_80x24(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = screen_text(app)
        for text in ("Verdict", "ACMEv1", "CentOS release 6.9", "certbot-auto", "/etc/crontab:17",
                     "1 Overview", "6 Report", "Quit", "Help"):
            assert text in screen, text


async def test_centos6_choice_rebuilds_the_plan(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        assert app.session.plan.decision_needed
        await pilot.press("c")
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("down", "enter")           # the second option: rh-python36
        await pilot.pause()
        assert app.session.plan.choice.key == "rh-python36"
        ids = [s.id for s in app.session.plan.steps]
        assert ids[:3] == ["backup", "repositories", "install-client"] and "retire-certbot-auto" in ids
        await pilot.press("4", "a")                  # preview: apply is not offered
        assert not app.applying and app.session.outcome is None


async def test_real_apply_of_file_edits_on_a_copy_with_confirm_per_step(tmp_path):
    root = str(tmp_path / "host")
    HOSTS["ubuntu1804_ppa_031_cli_ini"](root)
    app = live_app(root, tmp_path)
    app.session.preview = True
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("d")                       # leaving preview asks first
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        assert not app.session.preview and "LIVE" in text_of(app, "#banner")
        await pilot.press("4", "a")
        await answer_until_settled(app, pilot)
        statuses = {k: v.status for k, v in app.session.records.items()}
        assert statuses["backup"] == "ok" and statuses["fix-pins-1"] == "ok" and statuses["fix-pins-2"] == "ok"
        assert statuses["install-client"] == "not-run"
    assert "# server = https://acme-v01" in open(os.path.join(root, "etc/letsencrypt/cli.ini")).read()


@pytest.fixture
def stubbed_host(tmp_path, monkeypatch):
    root = str(tmp_path / "host")
    HOSTS["centos7_two_installs"](root)
    stub_certbot(root)
    bin_dir = str(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("ACME_WIZARD_STUB_PATH", bin_dir)
    return root, bin_dir


async def test_failing_step_then_abort_retry_and_skip(stubbed_host, tmp_path):
    root, bin_dir = stubbed_host
    stub_bin(bin_dir, "yum", 'echo "Cannot find a valid baseurl" >&2; exit 1')
    app = live_app(root, tmp_path, allow_commands=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4", "a")
        await answer_until_settled(app, pilot)
        assert app.failed_step == "repositories"          # yum answers nothing: stop before any install
        assert "retry" in text_of(app, "#apply-prompt")
        await pilot.press("x")                       # abort: stop here, nothing more runs
        assert app.failed_step is None and not app.applying
        assert os.path.exists(os.path.join(root, "usr/local/bin/certbot-auto"))
        await pilot.press("a")                       # start again: still failing
        await answer_until_settled(app, pilot)
        assert app.failed_step == "repositories"
        stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
        await pilot.press("r")                       # retry after fixing the cause
        await answer_until_settled(app, pilot)
        assert app.session.outcome.status == "complete", app.session.records
        assert app.session.records["repositories"].status == "ok"
        assert app.session.records["install-client"].status == "ok"


async def test_skipping_a_failed_step_blocks_what_depends_on_it(stubbed_host, tmp_path):
    root, bin_dir = stubbed_host
    stub_bin(bin_dir, "yum", "exit 1")
    app = live_app(root, tmp_path, allow_commands=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4", "a")
        await answer_until_settled(app, pilot)
        await pilot.press("s")
        await answer_until_settled(app, pilot)
        records = app.session.records
        assert records["repositories"].status == "skipped" and records["install-client"].status == "blocked"
        assert records["test-renewal"].status == "blocked" and records["retire-certbot-auto"].status == "blocked"
    assert os.path.exists(os.path.join(root, "opt/eff.org"))      # never retired without a test renewal


async def test_quitting_mid_apply_asks_and_leaves_the_journal_consistent(stubbed_host, tmp_path):
    root, bin_dir = stubbed_host
    stub_bin(bin_dir, "yum", 'echo "downloading"; sleep 30')
    app = live_app(root, tmp_path, allow_commands=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4", "a")
        for _ in range(30):
            await pilot.pause(0.1)
            if app.pending is not None:
                await pilot.press("y")
            if "install-client" in app.session.records or any(
                    "downloading" in line for line in app.apply_pane.lines):
                break
        await pilot.pause(0.3)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        for _ in range(50):
            await pilot.pause(0.1)
            if not app.is_running:
                break
    assert app.return_code == 130
    runs = os.path.join(root, "var/lib/acme-wizard/runs")
    journal = [json.loads(line) for line in open(os.path.join(runs, os.listdir(runs)[0], "journal.jsonl"))]
    assert [(e["event"], e.get("status")) for e in journal[-2:]] == [("step-end", "interrupted"),
                                                                     ("run-end", "interrupted")]


async def test_verify_and_report_export(stubbed_host, tmp_path):
    root, bin_dir = stubbed_host
    stub_bin(bin_dir, "yum", 'echo "stub yum $*"')
    app = live_app(root, tmp_path, allow_commands=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4", "a")
        await answer_until_settled(app, pilot)
        await pilot.press("5", "v")
        await settle(app, pilot)
        assert app.session.verify_result.passed
        assert "PASSED" in text_of(app, "#verify-body")
        await pilot.press("6", "e")
        await pilot.pause()
        assert app.report_path and os.path.dirname(app.report_path) == str(tmp_path)
        assert app.report_path.endswith(".html")
        report = open(app.report_path).read()
        assert "Fixed and verified" in report and "complete" in report and "rollback" in report
        assert os.path.exists(app.report_path[:-5] + ".md")
        assert app.report_path in app.query_one("#report-written").plain


async def test_a_missing_root_is_shown_and_exits_3(tmp_path):
    os.makedirs(tmp_path / "gone")
    session = Session(LocalTarget(str(tmp_path / "gone")), "gone", preview=True)
    os.rmdir(tmp_path / "gone")
    app = wizard_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Cannot inspect" in text_of(app, "#overview-head")
        await pilot.press("q")
    assert app.return_code == 3


def test_mouse_is_off_over_ssh():
    from wizard.commands.interactive import mouse_default
    assert mouse_default({}) is True
    assert mouse_default({"SSH_CONNECTION": "10.0.0.1 5555 10.0.0.2 22"}) is False
    assert mouse_default({"SSH_TTY": "/dev/pts/1"}) is False


async def test_resizing_down_to_80x24_keeps_every_control_reachable(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(132, 43)) as pilot:
        await settle(app, pilot)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        screen = screen_text(app)
        for key in ("n Next", "d Preview", "? Help", "q Quit", "1 Overview", "6 Report", "PREVIEW"):
            assert key in screen, key
        assert "b Back" not in screen                # nothing before the first stage
        await pilot.press("3")
        screen = screen_text(app)
        assert "c Choose" in screen and "b Back" in screen and "Step 1/2: Back up /etc/letsencrypt" in screen
        assert max(len(line.rstrip()) for line in screen.splitlines()) <= 80


def _laid_out(app, selector):
    """A Prose widget's lines as drawn at its real width, joined without the wrapping's blanks."""
    widget = app.query_one(selector)
    width = widget.content_size.width
    lines = widget.render().plain.split("\n")
    assert width > 0 and all(cells(line) <= width for line in lines), (width, lines)
    return "".join(line.strip() for line in lines)


async def test_live_text_is_wrapped_never_cut_and_run_paths_carry_the_root(tmp_path):
    root = str(tmp_path / "copies-of-customer-hosts-made-for-the-acmev1-migration" / "web01.example.jp")
    HOSTS["ubuntu1804_ppa_031_cli_ini"](root)
    app = live_app(root, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "LIVE" in text_of(app, "#banner")
        assert root in _laid_out(app, "#banner")                        # the whole root, over two lines
        await pilot.press("4", "a")
        await answer_until_settled(app, pilot)
        run_path = os.path.join(root, "var/lib/acme-wizard/runs", app.session.outcome.run_id)
        assert os.path.isdir(run_path)
        assert run_path in _laid_out(app, "#apply-prompt")               # where the backups really are
        for line in screen_text(app).splitlines():
            assert len(line.rstrip()) <= SIZE[0]


async def test_notices_never_cover_the_prompt_the_next_action_or_the_footer(tmp_path):
    from textual.widgets import Footer
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for stage in ("1", "4"):
            await pilot.press(stage)
            app.tell("A notice long enough to take a good part of the width of the screen, and then some more of it",
                     error=True)
            await pilot.pause(0.2)
            notice = app.query_one("#notice").region
            assert notice.height == 2 and "some more of it" in screen_text(app)     # wrapped, not cut
            others = [app.query_one(Footer).region, app.query_one("#banner").region,
                      app.query_one("#overview-next" if stage == "1" else "#apply-prompt").region]
            for region in others:
                assert not notice.overlaps(region), (notice, region)
            app.query_one("#notice").clear()


async def test_page_keys_scroll_the_stage_shown_after_a_dialog_closed(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3", "c", "escape", "2", "pagedown")
        await pilot.pause()
        assert app.query_one("#findings").scroll_y > 0

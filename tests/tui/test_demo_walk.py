"""The demo is walkable: from the overview through the choice, a rehearsed apply (with a failing
step and its retry), the verification's before/after and the report, on the demo's own throwaway
tree. Only the demo's stand-ins run; nothing outside the tree (and the report asked for) changes."""
import os

from tests.fixtures.hosts import NOW
from tests.fixtures.stubs import stub_bin
from tests.fixtures.trees import tree_digest
from tests.fixtures.tui import answer_until_settled, screen_text, settle, text_of
from wizard.core.target.errors import CommandsNotAllowed
from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host, stand_ins
from wizard.tui.app import wizard_app
from wizard.tui.modals import ChoiceModal, ConfirmModal
from wizard.tui.session import Session
from wizard.tui.widgets.steps import StepTable

SIZE = (80, 24)
MACHINE_PATHS = ("/opt/certbot", "/opt/rh/rh-python36", "/etc/yum.repos.d/CentOS-SCLo-scl-rh.repo",
                 "/var/lib/acme-wizard", "/root/.acme.sh")
LABEL = "demo host (CentOS 6, certbot-auto 0.20.0)"


def rehearsal(tmp_path):
    root = build_demo_host(str(tmp_path / "demo" / "host"))
    target = LocalTarget(root, demo=True, stand_ins=stand_ins.install(root))
    session = Session(target, LABEL, preview=True, demo=True, now=NOW)
    os.makedirs(tmp_path / "reports")
    return root, wizard_app(session, report_dir=str(tmp_path / "reports"))


def set_traps(tmp_path, monkeypatch):
    """This machine's yum, pip and certbot, and a lab's stubs: the demo must run none of them."""
    fired = tmp_path / "trap-fired"
    for name in ("yum", "pip", "certbot", "certbot-auto", "python3", "curl"):     # (the probe's own sh stays)
        stub_bin(tmp_path / "trap", name, f'echo "{name} $*" >> {fired}; exit 0')
    for name in ("yum", "env", "sh", "certbot", "certbot-auto", "pip"):
        stub_bin(tmp_path / "lab-stubs", name, f'echo "{name} $*" >> {fired}; exit 0')
    monkeypatch.setenv("PATH", f"{tmp_path / 'trap'}:{os.environ['PATH']}")
    monkeypatch.setenv("ACME_WIZARD_STUB_PATH", str(tmp_path / "lab-stubs"))
    return fired


async def test_the_demo_walks_from_overview_to_report_through_apply_and_verify(tmp_path, monkeypatch):
    fired = set_traps(tmp_path, monkeypatch)
    root, app = rehearsal(tmp_path)
    outside = tree_digest(str(tmp_path), exclude=("demo", "reports"))
    on_this_machine = {path: os.path.lexists(path) for path in MACHINE_PATHS}
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "A decision is needed: press 3, then c" in screen_text(app)
        assert "b Back" not in screen_text(app)                  # the first stage has nothing before it

        await pilot.press("d")                                   # the point of no return is explicit, demo too
        assert isinstance(app.screen, ConfirmModal) and "throwaway copy" in app.screen.question
        await pilot.press("y")
        assert not app.session.preview and "DEMO REHEARSAL" in text_of(app, "#banner")

        await pilot.press("3", "c")
        assert isinstance(app.screen, ChoiceModal)
        detail = app.screen.query_one("#choice-detail").plain
        assert "changes nothing on this host" in detail and "example.com expired on 2021-06-08" in detail
        await pilot.press("down")
        await pilot.pause()
        assert "Python 3.6 runs certbot up to 1.23.0 only" in app.screen.query_one("#choice-detail").plain
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.plan.choice.key == "rh-python36"
        table = app.query_one("#plan-steps", StepTable)
        assert table.row_count == 8 and table.has_focus
        await pilot.press("down", "down")                        # the third step: the install, in full
        detail = app.query_one("#plan-detail").plain
        assert "Step 3/8" in detail and "$ yum install -y rh-python36 augeas-libs" in detail
        assert "answers" not in screen_text(app)                 # no CLI advice inside the wizard

        await pilot.press("4", "a")
        await answer_until_settled(app, pilot)
        assert app.failed_step == "repositories"                 # the stand-in yum times out once
        assert any("Cannot retrieve repository metadata" in line for line in app.apply_pane.lines)
        assert "r retry" in text_of(app, "#apply-prompt")
        await pilot.press("r")
        await answer_until_settled(app, pilot)
        outcome = app.session.outcome
        assert outcome.status == "complete", app.session.records
        assert {r.status for r in app.session.records.values()} <= {"ok", "already-done"}
        assert "Undo: the demo's copy is thrown away" in text_of(app, "#apply-prompt")

        await pilot.press("5")
        verify = text_of(app, "#verify-body")
        assert "PASSED" in verify and "Before and after" in verify and "certbot 1.23.0 (pip)" in verify
        assert "--real-renewal" not in verify                    # the demo has no real renewal to offer
        await pilot.press("1")
        assert "After the run" in screen_text(app) and "ACMEv2: renewals here use" in screen_text(app)
        await pilot.press("6", "e")
        await pilot.pause()
        assert app.report_path and app.report_path.startswith(str(tmp_path / "reports"))
        report = open(app.report_path, encoding="utf-8").read()
        assert "rh-python36" in report and "complete" in report
        # a rehearsal's report never passes for a real fix, nor offers a rollback that cannot run
        assert "Demo rehearsal: not a real server." in report and "demo rehearsal (a throwaway copy" in report
        assert "Fixed and verified" not in report and "acme-wizard rollback" not in report
        assert "nothing to roll back" in report
        contents = app.query_one("#report-contents").plain
        assert "what was done: run" in contents and "the verification: passed" in contents
        assert "demo rehearsal" in contents
        assert "n Next" not in screen_text(app)                   # nothing after the last stage
        await pilot.press("q")
    # what the rehearsal did, it did to the demo's tree
    assert os.path.isfile(os.path.join(root, "opt/certbot/lib/python3.6/site-packages/certbot-1.23.0.dist-info/METADATA"))
    assert not os.path.exists(os.path.join(root, "usr/local/bin/certbot-auto"))
    assert "/opt/certbot/bin/certbot renew" in open(os.path.join(root, "etc/crontab")).read()
    # and nothing else
    assert not fired.exists(), fired.read_text()
    assert tree_digest(str(tmp_path), exclude=("demo", "reports")) == outside
    assert {path: os.path.lexists(path) for path in MACHINE_PATHS} == on_this_machine


def test_the_demo_never_runs_its_own_placeholder_programs(tmp_path, monkeypatch):
    fired = set_traps(tmp_path, monkeypatch)
    root = build_demo_host(str(tmp_path / "demo" / "host"))
    preview_only = LocalTarget(root, demo=True)
    try:
        preview_only.run(["yum", "makecache"], print)
        raise AssertionError("a demo without stand-ins ran a command")
    except CommandsNotAllowed:
        pass
    target = LocalTarget(root, demo=True, stand_ins=stand_ins.install(root))
    for argv in (["/usr/bin/python2.6", "-V"], ["/opt/eff.org/certbot/venv/bin/letsencrypt", "renew"],
                 ["python2.6", "-V"]):
        try:
            target.run(argv, print)
            raise AssertionError(f"ran {argv}")
        except FileNotFoundError as error:
            assert "stand-in" in str(error) or "not found" in str(error)
    output = []
    assert target.run(["env", "A=1", "/usr/bin/python2.6", "-V"], output.append) == 127
    assert "stand-in programs only" in output[-1]
    # certbot-auto is a stand-in that fails as the real one does today: acme-v01 no longer resolves
    output.clear()
    assert target.run(["/usr/local/bin/certbot-auto", "renew", "--dry-run"], output.append) == 1
    assert "acme-v01.api.letsencrypt.org" in "\n".join(output)
    assert not fired.exists()

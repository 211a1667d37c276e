"""Plans checked against the facts review (reference facts §9): each test names the item of issue 13."""
import pytest

from wizard.core import versions
from wizard.core.plan.build import build_plan
from wizard.core.plan.model import Answers
from wizard.core.readers.clients import Install
from wizard.core.run import verify
from wizard.core.target.local import LocalTarget


def renewal_argv_of(plan):
    return next(a.argv for s in plan.steps for a in s.actions if a.type == "test-renewal")


@pytest.mark.parametrize("version,flag", [("0.10.2", False), ("0.27.1", False), ("0.29.1", False),
                                          ("0.30.0", True), ("1.11.0", True), (None, True)])
def test_item_13_the_no_sleep_flag_only_for_certbot_0_30_and_later(version, flag):
    assert (versions.renew_quietly(version) == ["--no-random-sleep-on-renew"]) is flag


@pytest.mark.parametrize("client,flag", [("os-package", False), ("snap", True), ("pip", True)])
def test_item_13_bionic_test_renewal_fits_the_client_it_installs(make_host, diagnose_root, client, flag):
    """Ubuntu 18.04's archive certbot is 0.27.0: it rejects --no-random-sleep-on-renew."""
    plan = build_plan(diagnose_root(make_host("ubuntu1804_ppa_031_cli_ini")), Answers(client=client))
    assert ("--no-random-sleep-on-renew" in renewal_argv_of(plan)) is flag


@pytest.mark.parametrize("version,flag", [("0.27.1", False), ("1.11.0", True), (None, False)])
def test_item_13_verify_passes_the_flag_only_to_a_certbot_that_knows_it(tmp_path, version, flag):
    install = Install("certbot", "os-package", "/usr/bin/certbot", version)
    argv = verify.test_renewal_argv(install, LocalTarget(str(tmp_path)))
    assert argv[:3] == ["/usr/bin/certbot", "renew", "--non-interactive"] and "--dry-run" in argv
    assert ("--no-random-sleep-on-renew" in argv) is flag


def test_item_13_a_kept_certbot_is_tested_with_the_flags_its_version_knows(make_host, diagnose_root):
    """EPEL 7's certbot 1.11.0 knows the flag; the plan keeps it and passes it."""
    plan = build_plan(diagnose_root(make_host("centos7_epel_111")), Answers())
    assert plan.choice is not None and plan.choice.key == "keep" and plan.choice.client_version == "1.11.0"
    assert "--no-random-sleep-on-renew" in renewal_argv_of(plan)


def test_item_16_an_acme_sh_plan_speaks_of_acme_sh_and_numbers_its_diff_as_the_file_does(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("acme_sh_old")), Answers())
    install = next(s for s in plan.steps if s.id == "install-client")
    assert "certbot" not in install.done_when and "/root/.acme.sh/acme.sh --version" in install.done_when
    fix = next(s for s in plan.steps if s.id.startswith("fix-pins"))
    diff = fix.actions[0].to_json()["diff"]
    assert "\n@@ -4 +4 @@\n-Le_API='https://acme-v01" in diff          # Le_API is line 4 of the conf


def test_item_16_a_config_file_known_by_its_settings_only_is_diffed_at_its_own_line(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("letsencrypt_auto_config_file")), Answers(client="rh-python36"))
    diffs = [a.to_json()["diff"] for s in plan.steps for a in s.actions if a.type == "edit"]
    config = next(d for d in diffs if "configs/example.org.conf" in d)
    assert "\n@@ -2 +2 @@\n-server = https://acme-v01" in config


def test_a_diff_of_separate_runs_keeps_each_runs_line_numbers():
    from wizard.core.plan.edits import FileEdit, LineChange
    edit = FileEdit("/f", [LineChange(3, "c", "C"), LineChange(10, "j", None)],
                    context={1: "a", 2: "b", 3: "c", 9: "i", 10: "j"})
    diff = edit.diff()
    assert "@@ -1,3 +1,3 @@" in diff and "@@ -9,2 +9 @@" in diff, diff
    assert edit.apply_to(b"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n") == b"a\nb\nC\nd\ne\nf\ng\nh\ni\n"


def acme_sh_host(root, version, le_api="https://acme-v01.api.letsencrypt.org/directory"):
    from tests.fixtures.hosts import HostTree
    tree = HostTree(root)
    tree.os_release(pretty_name="Ubuntu 22.04.4 LTS", id="ubuntu", version_id="22.04")
    tree.file("/root/.acme.sh/acme.sh", f"#!/usr/bin/env sh\n\nVER={version}\n\nPROJECT_NAME=\"acme.sh\"\n", mode=0o755)
    tree.file("/var/spool/cron/crontabs/root", '12 0 * * * "/root/.acme.sh"/acme.sh --cron --home "/root/.acme.sh" > /dev/null\n')
    tree.file("/root/.acme.sh/shop.example.jp/shop.example.jp.conf",
              f"Le_Domain='shop.example.jp'\nLe_Alt='no'\nLe_Webroot='/var/www/shop'\nLe_API='{le_api}'\n")
    return root


@pytest.mark.parametrize("version,le_api,rewritten", [
    ("3.1.3", "https://acme-v01.api.letsencrypt.org/directory", False),     # the review's case: it will expire
    ("3.0.5", "https://acme-v01.api.letsencrypt.org/directory", False),
    ("3.0.0", "https://acme-v01.api.letsencrypt.org/directory", False),
    ("2.9.0", "https://acme-v01.api.letsencrypt.org/directory", False),
    ("3.0.2", "https://acme-v01.api.letsencrypt.org/directory", True),
    ("2.8.9", "https://acme-v01.api.letsencrypt.org/directory", True),
    ("2.8.6", "https://acme-v01.api.letsencrypt.org", True),               # the bare host: 2.8.1-2.8.6 only
    ("2.8.7", "https://acme-v01.api.letsencrypt.org", False),
    ("3.0.2", "https://acme-v01.api.letsencrypt.org", False),
])
def test_item_1_acme_sh_reads_a_v01_le_api_as_v2_only_in_its_windows(tmp_path, diagnose_root, version, le_api,
                                                                      rewritten):
    diagnosis = diagnose_root(acme_sh_host(str(tmp_path / "h"), version, le_api))
    ids = {f.id for f in diagnosis.findings}
    if rewritten:
        assert "ACME-025" in ids and "ACME-024" not in ids and diagnosis.verdict == "v2"
    else:
        assert "ACME-024" in ids and diagnosis.verdict == "v1" and diagnosis.action_needed
    plan = build_plan(diagnosis, Answers())
    edits = [a.to_json()["diff"] for s in plan.steps for a in s.actions if a.type == "edit"]
    assert any("+Le_API='https://acme-v02.api.letsencrypt.org/directory'" in d for d in edits)   # fixed either way


def test_item_1_a_current_acme_sh_with_a_v01_pin_is_not_fine(tmp_path, run_cli):
    code, out, _err = run_cli("check", "--root", acme_sh_host(str(tmp_path / "h"), "3.1.3"))
    assert code == 1 and "ACMEv1 IN USE" in out and "ACME-024" in out


def must_staple_host(root):
    from tests.fixtures.hosts import HOSTS
    HOSTS["debian12_apt_21"](root)
    conf = f"{root}/etc/letsencrypt/renewal/example.de.conf"
    text = open(conf).read().replace("[renewalparams]\n", "[renewalparams]\nmust_staple = True\n", 1)
    with open(conf, "w") as handle:
        handle.write(text)
    return root


def test_item_5_must_staple_is_a_blocking_finding_and_the_plan_drops_it(tmp_path, diagnose_root):
    diagnosis = diagnose_root(must_staple_host(str(tmp_path / "h")))
    finding = next(f for f in diagnosis.findings if f.id == "ACME-027")
    assert finding.blocking and diagnosis.action_needed and diagnosis.verdict == "v2"    # not ACMEv1, still fails
    assert finding.evidence[0].path == "/etc/letsencrypt/renewal/example.de.conf"
    assert finding.evidence[0].text == "must_staple = True"
    plan = build_plan(diagnosis, Answers())
    step = next(s for s in plan.steps if "ACME-027" in s.why)
    assert step.title.startswith("Drop Must-Staple from /etc/letsencrypt/renewal/example.de.conf")
    diff = step.actions[0].to_json()["diff"]
    assert "-must_staple = True\n+# must_staple = True" in diff
    assert plan.steps[0].id == "backup" and "test-renewal" in [s.id for s in plan.steps]


def test_item_5_must_staple_false_is_fine(tmp_path, diagnose_root):
    root = must_staple_host(str(tmp_path / "h"))
    conf = f"{root}/etc/letsencrypt/renewal/example.de.conf"
    with open(conf) as handle:
        text = handle.read().replace("must_staple = True", "must_staple = False")
    with open(conf, "w") as handle:
        handle.write(text)
    assert "ACME-027" not in {f.id for f in diagnose_root(root).findings}


def test_item_15_no_stale_advice_in_any_plan_or_report(make_host, diagnose_root):
    """No 'remove DST Root CA X3' (the chain stopped 2024-06-06); renewal timing as certbot >= 4.0
    does it; a pinned old certbot is said to have no ARI."""
    from tests.fixtures.hosts import HOSTS
    from wizard.core.report.model import build_report
    for name in HOSTS:
        diagnosis = diagnose_root(make_host(name))
        plan = build_plan(diagnosis, Answers())
        text = str(plan.to_json()) + str([f.to_json() for f in diagnosis.findings])
        text += str(build_report(diagnosis, plan, None, "/var/lib/acme-wizard"))
        assert "DST Root" not in text and "30 days before expiry" not in text, name
    centos6 = build_plan(diagnose_root(make_host("centos6_certbot_auto")), Answers(client="rh-python36"))
    assert any("predates ARI" in caveat for caveat in centos6.choice.caveats)


def test_item_8_the_os_package_is_no_option_where_the_release_ships_a_v1_only_certbot(tmp_path, diagnose_root):
    from tests.fixtures.hosts import HOSTS
    root = str(tmp_path / "stretch")
    HOSTS["debian12_apt_21"](root)
    with open(f"{root}/etc/os-release", "w") as handle:
        handle.write('PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nNAME="Debian GNU/Linux"\nVERSION_ID="9"\n'
                     'VERSION="9 (stretch)"\nVERSION_CODENAME=stretch\nID=debian\n')
    with open(f"{root}/etc/debian_version", "w") as handle:
        handle.write("9.13\n")
    keys = [o.key for o in build_plan(diagnose_root(root), Answers()).options]
    assert "os-package" not in keys and "snap" in keys                  # stretch's certbot is 0.10.2 (v1 only)
    bookworm = [o.key for o in build_plan(diagnose_root(make_bookworm(tmp_path)), Answers()).options]
    assert "os-package" in bookworm


def make_bookworm(tmp_path):
    from tests.fixtures.hosts import HOSTS
    root = str(tmp_path / "bookworm")
    HOSTS["debian12_apt_21"](root)
    return root


def test_item_14_an_added_schedule_runs_at_the_hosts_own_minute(make_host, diagnose_root, tmp_path):
    from wizard.core.plan.steps import renewal_time
    times = {renewal_time(f"web{n:02d}.example.jp") for n in range(40)}
    assert len(times) > 30                                            # a fleet is spread, not all at 0:00
    assert all(0 <= minute < 60 and 0 <= hour < 12 for minute, hour in times)
    assert renewal_time("web01.example.jp") == renewal_time("web01.example.jp")   # stable: plan == apply
    root = make_host("debian12_apt_21")
    for path in ("etc/cron.d/certbot", "etc/systemd/system/timers.target.wants/certbot.timer"):
        (tmp_path / "debian12_apt_21" / path).unlink()
    plan = build_plan(diagnose_root(root), Answers(client="pip"))
    added = next(a for s in plan.steps for a in s.actions if a.type == "create")
    minute, hours = added.content.splitlines()[1].split()[:2]
    first = int(hours.split(",")[0])
    assert hours == f"{first},{first + 12}" and 0 <= int(minute) < 60


def test_item_5_only_the_lineage_that_asks_for_must_staple_is_changed(tmp_path, diagnose_root):
    root = must_staple_host(str(tmp_path / "h"))
    other = f"{root}/etc/letsencrypt/renewal/example.net.conf"
    with open(f"{root}/etc/letsencrypt/renewal/example.de.conf") as handle:
        text = handle.read().replace("must_staple = True", "must_staple = False")
    with open(other, "w") as handle:
        handle.write(text)
    plan = build_plan(diagnose_root(root), Answers())
    diffs = [a.to_json()["diff"] for s in plan.steps for a in s.actions if a.type == "edit"]
    assert any("-must_staple = True" in d for d in diffs)
    assert not any("example.net.conf" in d for d in diffs)          # must_staple = False is left alone

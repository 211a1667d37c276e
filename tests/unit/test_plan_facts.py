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


def test_item_8_the_os_package_is_no_option_where_the_release_ships_a_v1_only_certbot(make_host, tmp_path,
                                                                                      diagnose_root):
    keys = [o.key for o in build_plan(diagnose_root(host_on(tmp_path, "debian12_apt_21", "stretch")),
                                      Answers()).options]
    assert "os-package" not in keys and "snap" in keys                  # stretch's certbot is 0.10.2 (v1 only)
    bookworm = [o.key for o in build_plan(diagnose_root(make_host("debian12_apt_21")), Answers()).options]
    assert "os-package" in bookworm


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


# --- helpers for hosts the fixture set does not hold as such -------------------------------------------

OS_RELEASES = {
    "rhel8": 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="8.10"\nID="rhel"\nID_LIKE="fedora"\n'
             'PRETTY_NAME="Red Hat Enterprise Linux 8.10 (Ootpa)"\n',
    "rhel7": 'NAME="Red Hat Enterprise Linux Server"\nVERSION_ID="7.9"\nID="rhel"\nID_LIKE="fedora"\n'
             'PRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"\n',
    "rocky9": 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\n'
              'PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n',
    "ol8": 'NAME="Oracle Linux Server"\nVERSION_ID="8.9"\nID="ol"\nID_LIKE="fedora"\n'
           'PRETTY_NAME="Oracle Linux Server 8.9"\n',
    "fedora40": 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\nPRETTY_NAME="Fedora Linux 40 (Server Edition)"\n',
    "amzn2": 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\n'
             'PRETTY_NAME="Amazon Linux 2"\n',
    "stretch": 'PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nNAME="Debian GNU/Linux"\nVERSION_ID="9"\n'
               'VERSION="9 (stretch)"\nVERSION_CODENAME=stretch\nID=debian\n',
}


def host_on(tmp_path, fixture, release, files=None):
    """A fixture host moved onto another release: its os-release replaced, other release files dropped."""
    import glob
    import os

    from tests.fixtures.hosts import HOSTS
    root = str(tmp_path / f"{fixture}-{release}")
    HOSTS[fixture](root)
    for path in glob.glob(f"{root}/etc/*-release") + glob.glob(f"{root}/etc/*_version"):
        os.remove(path)
    for path, text in {"/etc/os-release": OS_RELEASES[release], **(files or {})}.items():
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        with open(root + path, "w") as handle:
            handle.write(text)
    return root


def commands_of(plan, step_id="install-client"):
    step = plan.step(step_id)
    return [a.argv for a in step.actions if a.type == "command"] if step else []


def edits_of(plan, step_id):
    return {a.edit.path: {c.line: c.new for c in a.edit.changes}
            for a in plan.step(step_id).actions if a.type == "edit"}


STRETCH_SOURCES = ("deb http://deb.debian.org/debian stretch main\n"
                   "deb http://security.debian.org/debian-security stretch/updates main\n"
                   "deb http://deb.debian.org/debian stretch-updates main\n")


# --- item 6: dead repositories are a step ----------------------------------------------------------------

def test_item_6_centos7_repositories_point_at_the_vault_and_the_epel_archive_before_the_install(
        make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("centos7_two_installs")), Answers(client="os-package"))
    ids = [s.id for s in plan.steps]
    assert ids.index("backup") < ids.index("repositories") < ids.index("install-client")
    assert plan.step("install-client").depends_on == ["repositories"]
    edits = edits_of(plan, "repositories")
    base = edits["/etc/yum.repos.d/CentOS-Base.repo"]
    assert "baseurl=https://vault.centos.org/7.9.2009/os/$basearch/" in base.values()
    assert "baseurl=https://vault.centos.org/7.9.2009/updates/$basearch/" in base.values()
    assert all(v.startswith(("baseurl=https://vault.centos.org/7.9.2009/", "#mirrorlist=")) for v in base.values())
    epel = edits["/etc/yum.repos.d/epel.repo"]
    assert "baseurl=https://archives.fedoraproject.org/pub/archive/epel/7/$basearch" in epel.values()
    assert any(v.startswith("#metalink=https://mirrors.fedoraproject.org/metalink?repo=epel-7") for v in epel.values())
    assert commands_of(plan, "repositories") == [["yum", "makecache"]]          # the repos answer, or stop here
    backup = plan.step("backup").actions[0].paths
    assert "/etc/yum.repos.d/CentOS-Base.repo" in backup and "/etc/yum.repos.d/epel.repo" in backup


def test_item_6_without_epel_repo_file_the_epel_archive_is_added_as_a_new_file(tmp_path, diagnose_root):
    import os
    root = host_on(tmp_path, "centos7_two_installs", "rhel7")
    os.remove(f"{root}/etc/yum.repos.d/epel.repo")
    os.remove(f"{root}/etc/yum.repos.d/CentOS-Base.repo")                      # RHEL: its repos are Red Hat's
    plan = build_plan(diagnose_root(root), Answers(client="os-package"))
    created = {a.path: a.content for a in plan.step("repositories").actions if a.type == "create"}
    repo = created["/etc/yum.repos.d/epel-archive.repo"]
    assert "baseurl=https://archives.fedoraproject.org/pub/archive/epel/7/$basearch" in repo
    assert "gpgcheck=1" in repo and "gpgkey=https://archives.fedoraproject.org/pub/archive/epel/RPM-GPG-KEY-EPEL-7" in repo
    assert not [a for a in plan.step("repositories").actions if a.type == "edit"]


def test_item_6_centos6_scl_comes_from_the_vault(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("centos6_certbot_auto")), Answers(client="rh-python36"))
    base = edits_of(plan, "repositories")["/etc/yum.repos.d/CentOS-Base.repo"]
    assert "baseurl=https://vault.centos.org/6.10/os/$basearch/" in base.values()
    created = {a.path: a.content for a in plan.step("repositories").actions if a.type == "create"}
    assert "baseurl=https://vault.centos.org/6.10/sclo/$basearch/rh/" in created["/etc/yum.repos.d/CentOS-SCLo-scl-rh.repo"]
    assert ["yum", "install", "-y", "centos-release-scl"] not in commands_of(plan)   # its repo files are dead


def test_item_6_debian_stretch_moves_to_archive_debian_org(tmp_path, diagnose_root):
    root = host_on(tmp_path, "debian12_apt_21", "stretch", {"/etc/apt/sources.list": STRETCH_SOURCES})
    plan = build_plan(diagnose_root(root), Answers(client="pip"))
    lines = edits_of(plan, "repositories")["/etc/apt/sources.list"]
    assert lines[1] == "deb http://archive.debian.org/debian stretch main"
    assert lines[2] == "deb http://archive.debian.org/debian-security stretch/updates main"
    assert lines[3].startswith("# deb http://deb.debian.org/debian stretch-updates main")   # not in the archive
    archive_update = ["apt-get", "-o", "Acquire::Check-Valid-Until=false", "update"]
    assert commands_of(plan, "repositories") == [archive_update]
    assert archive_update in commands_of(plan) and ["apt-get", "update"] not in commands_of(plan)


def test_item_6_lts_ubuntu_and_current_releases_need_no_repository_step(make_host, diagnose_root):
    for name, client in (("ubuntu1804_ppa_031_cli_ini", "pip"), ("debian12_apt_21", "pip")):
        plan = build_plan(diagnose_root(make_host(name)), Answers(client=client))
        assert plan.step("repositories") is None, name


def test_item_6_apt_lines_of_other_mirrors_and_third_parties():
    from wizard.core.plan.repositories import _archived_apt_line
    assert _archived_apt_line("deb [arch=amd64] http://ftp.jp.debian.org/debian/ jessie main", True) == \
        "deb [arch=amd64] http://archive.debian.org/debian jessie main"
    assert _archived_apt_line("deb http://example.org/debian stretch main", True) is None     # third-party: kept


# --- item 7: per-distro install commands -------------------------------------------------------------------

@pytest.mark.parametrize("release,first,package", [
    ("rhel8", ["dnf", "install", "-y", "https://dl.fedoraproject.org/pub/epel/epel-release-latest-8.noarch.rpm"],
     ["dnf", "install", "-y", "certbot"]),
    ("rocky9", ["dnf", "install", "-y", "epel-release"], ["dnf", "install", "-y", "certbot"]),
    ("ol8", ["dnf", "install", "-y", "oracle-epel-release-el8"], ["dnf", "install", "-y", "certbot"]),
    ("fedora40", ["dnf", "install", "-y", "certbot"], ["dnf", "install", "-y", "certbot"]),
    ("amzn2", ["yum", "install", "-y", "certbot"], ["yum", "install", "-y", "certbot"]),
])
def test_item_7_each_rhel_like_gets_its_own_install_commands(tmp_path, diagnose_root, release, first, package):
    root = host_on(tmp_path, "centos7_two_installs", release)
    plan = build_plan(diagnose_root(root), Answers(client="os-package"))
    commands = commands_of(plan)
    assert commands[0] == first and package in commands
    assert ["yum", "install", "-y", "epel-release"] not in commands
    if release == "fedora40":
        assert "Fedora" in plan.choice.title and plan.choice.repositories == []
    if release == "amzn2":                  # EL7's EPEL: from the archive, added by the repositories step
        assert set(edits_of(plan, "repositories")) == {"/etc/yum.repos.d/epel.repo"}     # amzn2-core is alive


def test_item_7_snap_on_a_rhel_like_brings_snapd_its_socket_and_the_snap_link(tmp_path, diagnose_root):
    root = host_on(tmp_path, "centos7_two_installs", "rhel8")
    commands = commands_of(build_plan(diagnose_root(root), Answers(client="snap")))
    expected = [["dnf", "install", "-y", "snapd"], ["systemctl", "enable", "--now", "snapd.socket"],
                ["ln", "-s", "/var/lib/snapd/snap", "/snap"], ["snap", "wait", "system", "seed.loaded"],
                ["snap", "install", "core"]]
    start = commands.index(expected[0])
    assert commands[start:start + 5] == expected
    assert commands.index(["dnf", "install", "-y", EPEL8]) < start                  # snapd is in EPEL


EPEL8 = "https://dl.fedoraproject.org/pub/epel/epel-release-latest-8.noarch.rpm"


# --- item 9: exactly one scheduler ---------------------------------------------------------------------------

def test_item_9_epel_certbot_with_nothing_else_scheduled_gets_its_timer_enabled(tmp_path, diagnose_root):
    import os

    from tests.fixtures.hosts import centos7_two_installs
    root = str(tmp_path / "h")
    centos7_two_installs(root)
    os.remove(f"{root}/etc/crontab")
    plan = build_plan(diagnose_root(root), Answers(client="os-package"))
    assert commands_of(plan, "enable-timer") == [["systemctl", "enable", "--now", "certbot-renew.timer"]]
    assert plan.step("add-schedule") is None


def test_item_9_epel_certbot_takes_over_an_existing_cron_line_and_starts_no_timer(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("centos7_two_installs")), Answers(client="os-package"))
    assert plan.step("enable-timer") is None
    moved = edits_of(plan, "move-schedule")["/etc/crontab"]
    assert next(iter(moved.values())).endswith("&& /usr/bin/certbot renew -q")


def test_item_9_a_plain_cron_renewal_stops_when_the_snap_timer_takes_over(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("centos7_two_installs")), Answers(client="snap"))
    line = next(iter(edits_of(plan, "move-schedule")["/etc/crontab"].values()))
    assert line.startswith("# 0 0,12 * * * root") and "snap.certbot.renew.timer renews now" in line
    assert ["snap", "stop", "--disable", "certbot.renew"] not in commands_of(plan, "move-schedule")


def test_item_9_a_cron_line_with_the_admins_hooks_keeps_running_and_the_new_timer_stops(make_host, diagnose_root):
    root = make_host("centos7_two_installs", cron_runs="/usr/local/bin/certbot-auto --post-hook 'systemctl reload nginx'")
    plan = build_plan(diagnose_root(root), Answers(client="snap"))
    line = next(iter(edits_of(plan, "move-schedule")["/etc/crontab"].values()))
    assert "/snap/bin/certbot --post-hook 'systemctl reload nginx' renew -q" in line and not line.startswith("#")
    assert ["snap", "stop", "--disable", "certbot.renew"] in commands_of(plan, "move-schedule")


def test_item_9_a_removed_package_takes_its_timer_along_so_pip_adds_a_schedule(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("ubuntu1804_ppa_031_cli_ini")), Answers(client="pip"))
    created = next(a for a in plan.step("add-schedule").actions if a.type == "create")
    assert "root /opt/certbot/bin/certbot renew -q" in created.content


def test_item_9_verify_fails_when_two_schedulers_renew_the_same_certificates(make_host, diagnose_root):
    from wizard.core.run.verify import _schedule_check
    root = make_host("debian12_apt_21")
    assert _schedule_check(diagnose_root(root)).passed
    with open(f"{root}/etc/crontab", "a") as handle:
        handle.write("17 3 * * * root /usr/bin/certbot renew -q\n")
    check = _schedule_check(diagnose_root(root))
    assert not check.passed and "/etc/crontab" in check.text and len(check.evidence) == 2


# --- item 10: SCL Python needs its libraries ---------------------------------------------------------------

RUNNER = ["env", "LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64"]


def test_item_10_every_command_that_runs_the_scl_venv_carries_the_library_path(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("centos6_certbot_auto")), Answers(client="rh-python36"))
    for argv in commands_of(plan):
        if "/opt/certbot/" in " ".join(argv) or argv[0].startswith("/opt/rh/") or "/opt/rh/" in argv[-1]:
            assert argv[:2] == RUNNER, argv
    assert renewal_argv_of(plan)[:3] == [*RUNNER, "/opt/certbot/bin/certbot"]
    assert not any(argv[0] == "ln" for argv in commands_of(plan))           # /usr/bin/certbot would not start


def test_item_10_the_generated_cron_line_gives_the_program_its_library_path(make_host, diagnose_root, tmp_path):
    """Run the moved cron line's command through /bin/sh as cron would, with the client swapped for a
    script that reports its environment."""
    import os
    import subprocess
    plan = build_plan(diagnose_root(make_host("centos6_certbot_auto")), Answers(client="rh-python36"))
    line = next(iter(edits_of(plan, "move-schedule")["/etc/crontab"].values()))
    command = line.split(" root ", 1)[1]
    probe = tmp_path / "certbot"
    probe.write_text(f'#!/bin/sh\necho "LD=$LD_LIBRARY_PATH ARGS=$*" > {tmp_path}/seen\n')
    probe.chmod(0o755)
    command = command.replace("/opt/certbot/bin/certbot", str(probe)).replace("/var/log/le-renew.log",
                                                                              str(tmp_path / "renew.log"))
    subprocess.run(["/bin/sh", "-c", command], check=True, env={"PATH": "/usr/bin:/bin"})
    seen = open(f"{tmp_path}/seen").read()
    assert seen.startswith("LD=/opt/rh/rh-python36/root/usr/lib64 ARGS=renew --quiet"), seen
    assert os.path.exists(tmp_path / "renew.log")


def test_item_10_a_venv_made_from_scl_python_is_tested_through_the_library_path(tmp_path, diagnose_root):
    from wizard.core import scl
    root = make_host_scl_venv(str(tmp_path / "h"))
    diagnosis = diagnose_root(root)
    install = next(i for i in diagnosis.installs if i.path == "/opt/certbot/bin/certbot")
    assert scl.runner_for(diagnosis.snapshot, install) == RUNNER
    argv = verify.test_renewal_argv(install, LocalTarget(root), runner=scl.runner_for(diagnosis.snapshot, install))
    assert argv[:3] == [*RUNNER, "/opt/certbot/bin/certbot"]


def make_host_scl_venv(root):
    from tests.fixtures.hosts import centos6_certbot_auto
    from wizard.demo.hostkit import HostTree
    centos6_certbot_auto(root)
    tree = HostTree(root)
    tree.venv("/opt/certbot", "3.6", "1.23.0", egg=False, pyvenv_version="3.6.9")
    tree.link("/opt/certbot/bin/python3", "/opt/rh/rh-python36/root/usr/bin/python3")
    tree.link("/opt/certbot/bin/python", "python3")
    tree.file("/opt/rh/rh-python36/root/usr/bin/python3", "\x7fELF\n", mode=0o755)
    return root


# --- item 11: wheels-only pins -------------------------------------------------------------------------------

def pip_install_of(plan):
    return next(argv for argv in commands_of(plan) if "install" in argv and any("certbot<" in a for a in argv))


def test_item_11_centos6_installs_wheels_only_below_cryptography_38(make_host, diagnose_root):
    argv = pip_install_of(build_plan(diagnose_root(make_host("centos6_certbot_auto")), Answers(client="rh-python36")))
    assert argv[argv.index("install") + 1:] == ["--upgrade", "--only-binary", ":all:", "certbot<1.24",
                                                 "cryptography<38", "pyOpenSSL<23"]


def test_item_11_with_the_apache_plugin_only_python_augeas_is_built(make_host, diagnose_root):
    argv = pip_install_of(build_plan(diagnose_root(make_host("centos6_frozen_021")), Answers(client="rh-python36")))
    assert argv[argv.index("install") + 2:argv.index("install") + 6] == ["--only-binary", ":all:", "--no-binary",
                                                                         "python-augeas"]
    assert "certbot-apache<1.24" in argv and "cryptography<38" in argv


def test_item_11_python_3_6_holds_pyopenssl_below_23_2(make_host, diagnose_root):
    argv = pip_install_of(build_plan(diagnose_root(make_host("ubuntu1804_ppa_031_cli_ini")), Answers(client="pip")))
    assert "pyOpenSSL<23.2" in argv and "--only-binary" not in argv        # bionic's glibc 2.27 has the wheels
    assert versions.PINS_FOR_PYTHON["2.7"] == ["pyrfc3339<2", "parsedatetime==2.4"]


# --- item 12: the pip path does not break a working host ----------------------------------------------------

def test_item_12_pip_installs_prerequisites_and_removes_the_package_before_linking(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("ubuntu1804_ppa_031_cli_ini")), Answers(client="pip"))
    commands = commands_of(plan)
    assert commands[:2] == [["apt-get", "update"], ["apt-get", "install", "-y", "python3", "python3-venv", "libaugeas0"]]
    remove, link = commands.index(["apt-get", "remove", "-y", "certbot"]), \
        commands.index(["ln", "-sfn", "/opt/certbot/bin/certbot", "/usr/bin/certbot"])
    assert remove == link - 1                         # after the new client installed, right before the link
    assert plan.choice.undo.startswith("rm -f /usr/bin/certbot; rm -rf /opt/certbot")   # no dangling link


def test_item_12_xenial_pip_upgrades_only_to_a_pip_that_runs_python_3_5(make_host, diagnose_root):
    plan = build_plan(diagnose_root(make_host("ubuntu1604_letsencrypt_041")), Answers(client="pip"))
    assert ["/opt/certbot/bin/pip", "install", "--upgrade", "pip<21"] in commands_of(plan)


def test_item_12_rhel_pip_prerequisites(tmp_path, diagnose_root):
    root = host_on(tmp_path, "centos7_two_installs", "rhel8")
    commands = commands_of(build_plan(diagnose_root(root), Answers(client="pip")))
    assert commands[0] == ["dnf", "install", "-y", "python3", "augeas-libs"]


# --- item 2: dehydrated's CA is used as written ---------------------------------------------------------------

def dehydrated_host(root, version="0.6.5", config="/opt/dehydrated/config", ca_line='CA="https://acme-v01.api.letsencrypt.org/directory"'):
    from tests.fixtures.hosts import HOSTS
    from wizard.demo.hostkit import HostTree
    HOSTS["no_client"](root)
    tree = HostTree(root)
    tree.file("/opt/dehydrated/dehydrated", f'#!/usr/bin/env bash\nset -e\nVERSION="{version}"\n', mode=0o755)
    tree.file(config, f"# dehydrated configuration\nCONTACT_EMAIL=admin@example.jp\n{ca_line}\nWELLKNOWN=/var/www/le\n")
    tree.file("/etc/cron.d/dehydrated", "MAILTO=root\n5 3 * * * root /opt/dehydrated/dehydrated --cron >/dev/null\n")
    return root


@pytest.mark.parametrize("version", ["0.6.5", "0.7.1"])
def test_item_2_an_explicit_v01_ca_is_a_blocking_finding_whatever_the_version(tmp_path, diagnose_root, version):
    diagnosis = diagnose_root(dehydrated_host(str(tmp_path / "h"), version))
    finding = next(f for f in diagnosis.findings if f.id == "ACME-028")
    assert finding.blocking and finding.evidence[0].path == "/opt/dehydrated/config" and finding.evidence[0].line == 3
    assert diagnosis.verdict == "v1"
    plan = build_plan(diagnosis, Answers())
    assert plan.choice.key == "keep" and plan.step("install-client") is None
    fix = next(s for s in plan.steps if s.id.startswith("fix-pins"))
    assert fix.actions[0].edit.changes[0].new == 'CA="https://acme-v02.api.letsencrypt.org/directory"'


def test_item_2_conf_d_files_and_the_ca_names_of_0_7(tmp_path, diagnose_root):
    root = dehydrated_host(str(tmp_path / "h"), config="/etc/dehydrated/conf.d/ca.sh",
                           ca_line="export CA='https://acme-v01.api.letsencrypt.org/directory'")
    plan = build_plan(diagnose_root(root), Answers())
    change = next(s for s in plan.steps if s.id.startswith("fix-pins")).actions[0].edit.changes[0]
    assert change.new == "export CA='https://acme-v02.api.letsencrypt.org/directory'"
    fine = diagnose_root(dehydrated_host(str(tmp_path / "k"), version="0.7.1", ca_line='CA="letsencrypt"'))
    assert not [f for f in fine.findings if f.id == "ACME-028"] and fine.dehydrated_pins[0].api == "v2"


def test_item_2_a_later_ca_line_wins_and_a_cron_ca_option_is_a_pin(tmp_path, diagnose_root):
    root = dehydrated_host(str(tmp_path / "h"),
                           ca_line='CA="https://acme-v01.api.letsencrypt.org/directory"\nCA="letsencrypt"')
    assert not [f for f in diagnose_root(root).findings if f.id == "ACME-028"]
    with open(f"{root}/etc/cron.d/dehydrated", "w") as handle:
        handle.write("5 3 * * * root /opt/dehydrated/dehydrated --cron --ca https://acme-v01.api.letsencrypt.org/directory\n")
    plan = build_plan(diagnose_root(root), Answers())
    change = next(a.edit for s in plan.steps for a in s.actions if a.type == "edit").changes[0]
    assert change.new == "5 3 * * * root /opt/dehydrated/dehydrated --cron"


# --- item 5: TLS client auth ---------------------------------------------------------------------------------

def self_signed(tmp_path, usage):
    import subprocess
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(tmp_path / "c.pem"), "-days", "30", "-subj", "/CN=mail.example.jp",
                    "-addext", f"extendedKeyUsage={usage}"], check=True, capture_output=True)
    return (tmp_path / "c.pem").read_text()


def test_item_5_a_certificate_carrying_client_auth_is_told_it_loses_it(tmp_path, diagnose_root):
    from tests.fixtures.hosts import HOSTS
    from wizard.demo.hostkit import HostTree
    root = str(tmp_path / "h")
    HOSTS["debian12_apt_21"](root)
    HostTree(root).live_cert("example.de", self_signed(tmp_path, "serverAuth,clientAuth"))
    finding = next(f for f in diagnose_root(root).findings if f.id == "ACME-030")
    assert not finding.blocking and finding.evidence[0].path == "/etc/letsencrypt/live/example.de/cert.pem"
    HostTree(root).live_cert("example.de", self_signed(tmp_path, "serverAuth"))
    assert not [f for f in diagnose_root(root).findings if f.id == "ACME-030"]


@pytest.mark.parametrize("key,blocking", [("required_profile", True), ("preferred_profile", False)])
def test_item_5_a_lineage_asking_for_the_tlsclient_profile(tmp_path, diagnose_root, key, blocking):
    from tests.fixtures.hosts import HOSTS
    root = str(tmp_path / "h")
    HOSTS["debian12_apt_21"](root)
    conf = f"{root}/etc/letsencrypt/renewal/example.de.conf"
    text = open(conf).read().replace("[renewalparams]\n", f"[renewalparams]\n{key} = tlsclient\n", 1)
    with open(conf, "w") as handle:
        handle.write(text)
    finding = next(f for f in diagnose_root(root).findings if f.id == "ACME-029")
    assert finding.blocking is blocking and finding.evidence[0].text == f"{key} = tlsclient"


# --- item 4: the log's own era markers date the client ---------------------------------------------------------

HEADERLESS = ("2026-11-27 00:00:05,101:DEBUG:certbot._internal.main:Arguments: ['-q']\n"
              "2026-11-27 00:00:05,102:DEBUG:certbot._internal.main:Discovered plugins: PluginsRegistry()\n")


def headerless_host(tmp_path, lines):
    import os

    from tests.fixtures.hosts import HOSTS
    root = str(tmp_path / "h")
    HOSTS["no_client"](root)
    os.makedirs(f"{root}/var/log/letsencrypt", exist_ok=True)
    with open(f"{root}/var/log/letsencrypt/letsencrypt.log", "w") as handle:
        handle.write(lines)
    return root


@pytest.mark.parametrize("extra,version", [
    ("", "1.0.0"),
    ("2026-11-27 00:00:05,100:DEBUG:certbot._internal.main:Location of certbot entry point: /usr/bin/certbot\n",
     "1.11.0"),
    ("2026-11-27 00:00:06,300:DEBUG:acme.client:Sending GET request to "
     "https://acme-v02.api.letsencrypt.org/draft-ietf-acme-ari-03/renewalInfo/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE\n",
     "4.1.0"),
])
def test_item_4_a_log_without_its_header_is_dated_by_its_own_lines(tmp_path, diagnose_root, extra, version):
    diagnosis = diagnose_root(headerless_host(tmp_path, extra + HEADERLESS))
    install = diagnosis.renewing[0]
    assert install.version == version and install.version_is_minimum and install.label.startswith(f"certbot >={version}")
    assert install.evidence[0].path == "/var/log/letsencrypt/letsencrypt.log"
    assert diagnosis.verdict == "v2"          # certainly a v2-default client, and nothing pins v1


def test_item_4_a_header_still_wins_and_a_v1_pin_still_counts(tmp_path, diagnose_root):
    header = "2026-11-26 00:00:01,000:DEBUG:certbot.main:certbot version: 0.10.2\n"
    older = diagnose_root(headerless_host(tmp_path, header))
    assert older.renewing[0].version == "0.10.2" and not older.renewing[0].version_is_minimum
    root = headerless_host(tmp_path, HEADERLESS)          # the newer log lost its run's header: >= 1.0.0,
    with open(f"{root}/var/log/letsencrypt/letsencrypt.log.1", "w") as handle:     # not 0.10.2's tail
        handle.write(header)
    assert diagnose_root(root).renewing[0].version == "1.0.0"
    from wizard.demo.hostkit import HostTree
    HostTree(root).file("/etc/letsencrypt/cli.ini", "server = https://acme-v01.api.letsencrypt.org/directory\n")
    assert diagnose_root(root).verdict == "v1"


# --- item 3: what a scheduled job printed is evidence too -------------------------------------------------

PRINTED_V1_FAILURE = (
    "Attempting to renew cert (legacy.example.com) from /etc/letsencrypt/renewal/legacy.example.com.conf produced "
    "an unexpected error: HTTPSConnectionPool(host='acme-v01.api.letsencrypt.org', port=443): Max retries exceeded "
    "with url: /directory (Caused by NewConnectionError('<urllib3.connection.VerifiedHTTPSConnection object at "
    "0x7f1c2c3d4e50>: Failed to establish a new connection: [Errno -2] Name or service not known',)). Skipping.\n"
    "All renewal attempts failed. The following certs could not be renewed:\n"
    "  /etc/letsencrypt/live/legacy.example.com/fullchain.pem (failure)\n")


def redirected_host(tmp_path, when, redirect=">> /var/log/le-renew.log 2>&1"):
    import datetime
    import os

    from tests.fixtures.hosts import HOSTS
    root = str(tmp_path / "h")
    HOSTS["centos7_epel_111"](root)          # its letsencrypt.log: a v2 run at 2026-11-27 00:00:05
    os.remove(f"{root}/etc/systemd/system/timers.target.wants/certbot-renew.timer")
    with open(f"{root}/etc/crontab", "w") as handle:
        handle.write(f"SHELL=/bin/bash\n0 3 * * * root /usr/bin/certbot renew -q {redirect}\n")
    with open(f"{root}/var/log/le-renew.log", "w") as handle:
        handle.write(PRINTED_V1_FAILURE)
    stamp = when.replace(tzinfo=datetime.timezone.utc).timestamp()
    os.utime(f"{root}/var/log/le-renew.log", (stamp, stamp))
    return root


@pytest.mark.parametrize("redirect", [">> /var/log/le-renew.log 2>&1", ">>/var/log/le-renew.log 2>&1",
                                      "2>> /var/log/le-renew.log", "&> /var/log/le-renew.log"])
def test_item_3_a_newer_printed_v1_failure_beats_an_older_log(tmp_path, diagnose_root, redirect):
    import datetime
    diagnosis = diagnose_root(redirected_host(tmp_path, datetime.datetime(2026, 11, 28, 3, 0, 2), redirect))
    run, endpoint = diagnosis.logs.newest_contact()
    assert run.output and run.file == "/var/log/le-renew.log" and endpoint.api == "v1" and endpoint.line == 1
    finding = next(f for f in diagnosis.findings if f.id == "ACME-008")
    assert finding.evidence[0].path == "/var/log/le-renew.log" and finding.evidence[0].line == 1


def test_item_3_with_no_version_to_judge_by_the_printed_v1_failure_decides(tmp_path, diagnose_root):
    import datetime
    import os
    root = redirected_host(tmp_path, datetime.datetime(2026, 11, 28, 3, 0, 2))
    import shutil
    shutil.rmtree(f"{root}/usr/lib/python2.7/site-packages/certbot-1.11.0-py2.7.egg-info")   # version unknown
    os.remove(f"{root}/var/log/letsencrypt/letsencrypt.log")        # logs rotated away: only the printout
    diagnosis = diagnose_root(root)
    assert diagnosis.verdict == "v1" and "ACME-008" in diagnosis.reasons


def test_item_3_an_older_printed_failure_is_history_the_log_wins(tmp_path, diagnose_root):
    import datetime
    diagnosis = diagnose_root(redirected_host(tmp_path, datetime.datetime(2026, 11, 20, 3, 0, 2)))
    run, endpoint = diagnosis.logs.newest_contact()
    assert not run.output and endpoint.api == "v2"
    assert any(r.output for r in diagnosis.logs.runs)          # still listed, in its place in time
    assert diagnosis.verdict == "v2"


def test_item_3_output_thrown_away_is_not_read(tmp_path, diagnose_root):
    import datetime
    root = redirected_host(tmp_path, datetime.datetime(2026, 11, 28), redirect="> /dev/null 2>&1")
    assert not any(r.output for r in diagnose_root(root).logs.runs)


def test_item_9_an_admins_cron_line_outlives_the_package_it_calls(make_host, diagnose_root):
    """Removing xenial's letsencrypt package does not remove root's crontab line that runs it: with the
    snap's timer renewing, that plain line (output redirect and all) is commented out, not left to fail."""
    plan = build_plan(diagnose_root(make_host("ubuntu1604_letsencrypt_041")), Answers(client="snap"))
    line = next(iter(edits_of(plan, "move-schedule")["/var/spool/cron/crontabs/root"].values()))
    assert line.startswith("# 0 3 * * 1 /usr/bin/letsencrypt renew >> /var/log/le-renew.log 2>&1")
    assert "/var/spool/cron/crontabs/root" in plan.step("backup").actions[0].paths
    pip = build_plan(diagnose_root(make_host("ubuntu1604_letsencrypt_041")), Answers(client="pip"))
    moved = next(iter(edits_of(pip, "move-schedule")["/var/spool/cron/crontabs/root"].values()))
    assert moved == "0 3 * * 1 /opt/certbot/bin/certbot renew >> /var/log/le-renew.log 2>&1"
    assert pip.step("add-schedule") is None                  # the moved line is the one scheduler


def test_item_6_a_section_with_only_a_dead_list_gets_the_archive_in_its_place(tmp_path, diagnose_root):
    root = str(tmp_path / "h")
    from tests.fixtures.hosts import HOSTS
    HOSTS["centos7_two_installs"](root)
    with open(f"{root}/etc/yum.repos.d/epel.repo", "w") as handle:
        handle.write("[epel]\nname=EPEL 7\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=epel-7&arch=$basearch\n"
                     "enabled=1\n[epel-source]\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=epel-source-7&arch=$basearch\n")
    with open(f"{root}/etc/yum.repos.d/CentOS-SCLo-scl-rh.repo", "w") as handle:
        handle.write("[centos-sclo-rh]\nmirrorlist=http://mirrorlist.centos.org?arch=$basearch&release=7&repo=sclo-rh\n")
    edits = edits_of(build_plan(diagnose_root(root), Answers(client="os-package")), "repositories")
    assert edits["/etc/yum.repos.d/epel.repo"] == {
        3: "baseurl=https://archives.fedoraproject.org/pub/archive/epel/7/$basearch",
        6: "baseurl=https://archives.fedoraproject.org/pub/archive/epel/7/SRPMS"}
    assert edits["/etc/yum.repos.d/CentOS-SCLo-scl-rh.repo"] == {
        2: "baseurl=https://vault.centos.org/7.9.2009/sclo/$basearch/rh/"}


def test_item_9_a_kept_epel_certbot_whose_timer_was_never_started_gets_it_started(make_host, diagnose_root, tmp_path):
    import os
    root = make_host("centos7_epel_111")
    os.remove(f"{root}/etc/systemd/system/timers.target.wants/certbot-renew.timer")
    diagnosis = diagnose_root(root)
    assert diagnosis.action_needed and next(f for f in diagnosis.findings if f.id == "ACME-014").blocking
    plan = build_plan(diagnosis, Answers())
    assert plan.choice.key == "keep"
    assert commands_of(plan, "enable-timer") == [["systemctl", "enable", "--now", "certbot-renew.timer"]]
    assert plan.step("test-renewal") is not None


def test_item_7_snap_on_debian_installs_snapd_first(make_host, diagnose_root):
    commands = commands_of(build_plan(diagnose_root(make_host("debian12_apt_21")), Answers(client="snap")))
    assert commands[:3] == [["apt-get", "update"], ["apt-get", "install", "-y", "snapd"],
                            ["snap", "wait", "system", "seed.loaded"]]


def test_item_9_a_line_that_does_more_than_renew_is_moved_never_commented_out(make_host, diagnose_root):
    root = make_host("ubuntu1604_letsencrypt_041")
    with open(f"{root}/var/spool/cron/crontabs/root", "w") as handle:
        handle.write("0 3 * * 1 /usr/local/bin/backup.sh; /usr/bin/letsencrypt renew\n"
                     "0 4 * * * /usr/bin/letsencrypt renew -q && /usr/sbin/service nginx reload\n"
                     "0 5 * * * sleep 7 && test -x /usr/bin/letsencrypt && /usr/bin/letsencrypt renew -q\n")
    plan = build_plan(diagnose_root(root), Answers(client="snap"))
    lines = edits_of(plan, "move-schedule")["/var/spool/cron/crontabs/root"]
    assert lines[1] == "0 3 * * 1 /usr/local/bin/backup.sh; /snap/bin/certbot renew"
    assert lines[2] == "0 4 * * * /snap/bin/certbot renew -q && /usr/sbin/service nginx reload"
    assert lines[3].startswith("# 0 5 * * * sleep 7 && test -x")          # only jitter and a guard: retired
    assert ["snap", "stop", "--disable", "certbot.renew"] in commands_of(plan, "move-schedule")


def test_item_10_an_existence_test_names_the_client_not_its_runner(make_host, diagnose_root):
    root = make_host("centos6_certbot_auto")
    crontab = open(f"{root}/etc/crontab").read().replace(
        "root /usr/local/bin/certbot-auto renew", "root test -x /usr/local/bin/certbot-auto && /usr/local/bin/certbot-auto renew")
    with open(f"{root}/etc/crontab", "w") as handle:
        handle.write(crontab)
    plan = build_plan(diagnose_root(root), Answers(client="rh-python36"))
    line = next(iter(edits_of(plan, "move-schedule")["/etc/crontab"].values()))
    assert ("root test -x /opt/certbot/bin/certbot && env LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64 "
            "/opt/certbot/bin/certbot renew") in line


def test_item_3_a_printed_v2_contact_proves_nothing_and_odd_clocks_do_not_crash(tmp_path, diagnose_root):
    import datetime

    from wizard.core.probe.logs import LogScanner
    root = redirected_host(tmp_path, datetime.datetime(2026, 11, 28, 3, 0, 2))
    with open(f"{root}/var/log/le-renew.log", "a") as handle:       # a later line names acme-v02
        handle.write("Starting new HTTPS connection (1): acme-v02.api.letsencrypt.org\n")
    assert not any(r.output for r in diagnose_root(root).logs.runs)
    scanner = LogScanner("/var/log/letsencrypt")
    scanner.add_output("/x.log", 99999999999999, "+0900")                # a year no clock has
    scanner.add_output("/y.log", 1800000000, "+9999", now=1790000000)     # a bad offset; the future clamped
    scanner.feed_output("/y.log", 1, "HTTPSConnectionPool(host='acme-v01.api.letsencrypt.org', port=443)")
    runs = scanner.finish().runs
    assert [r.file for r in runs] == ["/y.log"] and runs[0].started == "2026-09-21T14:13:20"


def test_item_4_a_version_known_only_from_the_run_that_asked_v1_does_not_clear_it(tmp_path, diagnose_root):
    lines = HEADERLESS + ("2026-11-27 00:00:05,200:DEBUG:acme.client:Sending GET request to "
                          "https://acme-v01.api.letsencrypt.org/directory.\n")
    diagnosis = diagnose_root(headerless_host(tmp_path, lines))
    assert diagnosis.verdict == "v1" and "ACME-008" in diagnosis.reasons


@pytest.mark.parametrize("option", ["--config", "-f"])
def test_item_2_a_config_file_the_scheduled_line_names_and_odd_ca_forms(tmp_path, diagnose_root, option):
    root = dehydrated_host(str(tmp_path / "h"), config="/srv/dh/settings",
                           ca_line='CA="${CA:-https://acme-v01.api.letsencrypt.org/directory}"; CONFIG_D=/srv/dh/d')
    with open(f"{root}/etc/cron.d/dehydrated", "w") as handle:
        handle.write(f"5 3 * * * root /opt/dehydrated/dehydrated --cron {option} /srv/dh/settings\n")
    diagnosis = diagnose_root(root)
    assert next(f for f in diagnosis.findings if f.id == "ACME-028").evidence[0].path == "/srv/dh/settings"
    change = next(s for s in build_plan(diagnosis, Answers()).steps if s.id.startswith("fix-pins")).actions[0].edit.changes[0]
    assert change.new == 'CA="${CA:-https://acme-v02.api.letsencrypt.org/directory}"; CONFIG_D=/srv/dh/d'


def test_item_6_a_crlf_repo_file_keeps_its_line_endings_and_a_rerun_finds_it_done(make_host, diagnose_root):
    root = make_host("centos7_two_installs")
    path = f"{root}/etc/yum.repos.d/CentOS-Base.repo"
    data = open(path, "rb").read().replace(b"\n", b"\r\n")
    with open(path, "wb") as handle:
        handle.write(data)
    edit = next(a.edit for a in build_plan(diagnose_root(root), Answers(client="os-package")).step("repositories").actions
                if a.edit and a.edit.path == "/etc/yum.repos.d/CentOS-Base.repo")
    new = edit.apply_to(data)
    assert b"\r\r" not in new and new.count(b"\r\n") == data.count(b"\r\n") and b"\n" not in new.replace(b"\r\n", b"")
    assert b"baseurl=https://vault.centos.org/7.9.2009/os/$basearch/\r\n" in new and edit.is_applied(new)

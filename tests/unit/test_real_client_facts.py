"""What running the real clients taught (issue 14), held on small fixture trees.

lego (Debian's 4.9.1, run against pebble) was invisible: a Go binary, found now by its place and its
dpkg stanza, speaking ACMEv2 since lego v1.0.0 (its CHANGELOG). A cron line's subcommand is the
client's own verb, not an option's value.
"""
from wizard.core.analyse.diagnose import diagnose
from wizard.core.probe.run import run_probe
from wizard.core.readers.schedule import ScheduledRun
from wizard.core.target.local import LocalTarget
from wizard.demo.hostkit import HostTree

V1 = "https://acme-v01.api.letsencrypt.org/directory"
LEGO_CRON = "0 3 * * * root /usr/bin/lego --accept-tos --email admin@example.jp --domains mail.example.jp " \
            "--http --path /etc/lego {server}renew --days 30\n"


def lego_host(root, server="", package=True):
    tree = HostTree(str(root))
    tree.os_release(id="debian", version_id="12", pretty_name="Debian GNU/Linux 12 (bookworm)")
    tree.file("/usr/bin/lego", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, mode=0o755)
    if package:
        tree.dpkg_status([("lego", "4.9.1-1")])
    tree.file("/etc/cron.d/lego", LEGO_CRON.format(server=server))
    return diagnose(run_probe(LocalTarget(str(root))))


def test_lego_from_the_debian_package_renews_over_acme_v2(tmp_path):
    diagnosis = lego_host(tmp_path)
    lego, = diagnosis.installs
    assert (lego.kind, lego.method, lego.version, lego.path) == ("lego", "os-package", "4.9.1", "/usr/bin/lego")
    assert lego.speaks_v2 and diagnosis.renewing == [lego]
    assert lego.evidence[0].where() == "/var/lib/dpkg/status:" + str(lego.evidence[0].line)
    assert diagnosis.verdict == "v2" and not [f for f in diagnosis.findings if f.blocking]


def test_lego_pinned_to_acme_v01_on_its_cron_line_is_v1(tmp_path):
    for flag in ("--server", "-s"):
        diagnosis = lego_host(tmp_path / flag, server=f"{flag} {V1} ")
        pin = next(f for f in diagnosis.findings if f.id == "ACME-006")
        assert pin.blocking and pin.evidence[0].where() == "/etc/cron.d/lego:1"
        assert diagnosis.verdict == "v1"


def test_lego_of_unknown_version_is_not_called_v2(tmp_path):
    diagnosis = lego_host(tmp_path, package=False)
    lego, = diagnosis.installs
    assert (lego.method, lego.version, lego.speaks_v2) == ("unknown", None, None)


def test_the_verb_is_the_clients_subcommand_not_an_options_value():
    def verb(program, *arguments):
        return ScheduledRun("/etc/crontab", 1, "", "cron", program, list(arguments)).verb
    assert verb("/usr/bin/certbot", "--config-dir", "/etc/le", "renew", "-q") == "renew"
    assert verb("/usr/local/bin/certbot-auto", "-c", "/etc/letsencrypt/cli.ini", "renew") == "renew"
    assert verb("/usr/bin/lego", "--email", "a@example.jp", "--path", "/etc/lego", "renew") == "renew"
    assert verb("/usr/bin/certbot", "-q", "renew") == "renew"
    assert verb("/usr/bin/dehydrated", "--cron") is None


def test_a_lego_host_keeps_lego_and_only_loses_the_pin(tmp_path):
    from wizard.core.plan.build import build_plan
    from wizard.core.plan.model import Answers
    diagnosis = lego_host(tmp_path, server=f"-s {V1} ")
    plan = build_plan(diagnosis, Answers())
    assert [o.key for o in plan.options] == ["keep"] and plan.choice is not None and plan.choice.key == "keep"
    assert [s.id for s in plan.steps] == ["backup", "fix-pins-1", "verify"]   # certbot never takes lego's schedule


def old_lego_host(root):
    """Debian 9 with lego 0.3.1 from its package: ACMEv1 only."""
    tree = HostTree(str(root))
    tree.os_release(id="debian", version_id="9", pretty_name="Debian GNU/Linux 9 (stretch)")
    tree.file("/usr/bin/lego", b"\x7fELF", mode=0o755)
    tree.dpkg_status([("lego", "0.3.1-5")])
    tree.file("/etc/cron.d/lego", LEGO_CRON.format(server=""))


def test_a_lego_before_1_0_is_not_replaced_by_certbot(tmp_path):
    from wizard.core.plan.build import build_plan
    from wizard.core.plan.model import Answers
    old_lego_host(tmp_path)
    plan = build_plan(diagnose(run_probe(LocalTarget(str(tmp_path)))), Answers())
    option, = plan.options
    assert option.key == "upgrade-lego" and not option.supported and plan.choice is None and plan.decision_needed


# --- an attacker's trees (issue 14 review): lego beside certbot, lego where the probe does not look,
# Go's flag forms, things merely named lego, verify where certbot is not the client ---------------

def _plan(root, answers=None):
    from wizard.core.plan.build import build_plan
    from wizard.core.plan.model import Answers
    diagnosis = diagnose(run_probe(LocalTarget(str(root))))
    return diagnosis, build_plan(diagnosis, answers or Answers())


def _new_lines(plan, path):
    """Every new line the plan writes into path, whichever step writes it."""
    return [c.new for s in plan.steps for a in s.actions if a.edit and a.edit.path == path for c in a.edit.changes]


def test_certbot_beside_lego_moves_only_its_own_line(tmp_path):
    tree = HostTree(str(tmp_path))
    lego_host(tmp_path, server=f"-s {V1} ")
    tree.dpkg_status([("certbot", "0.31.0-1"), ("python3-certbot", "0.31.0-1"), ("lego", "4.9.1-1")])
    tree.file("/usr/bin/certbot", "#!/usr/bin/python3\n", mode=0o755)
    tree.renewal_conf("www.example.jp", version="0.31.0", server=V1)
    tree.file("/etc/cron.d/a-certbot", "0 */12 * * * root certbot -q renew\n")
    diagnosis, plan = _plan(tmp_path)
    assert {i.kind for i in diagnosis.renewing} == {"certbot", "lego"}
    assert plan.choice is not None and plan.choice.key != "keep"      # certbot 0.31 is replaced...
    moves = [s for s in plan.steps if s.id == "move-schedule"]
    assert moves and all("/etc/cron.d/lego" not in s.title for s in moves)
    lego_line, = _new_lines(plan, "/etc/cron.d/lego")      # ...lego only loses its pin
    assert lego_line == LEGO_CRON.format(server="").strip() and "certbot" not in lego_line


def test_a_lego_only_its_cron_line_knows_is_still_lego(tmp_path):
    tree = HostTree(str(tmp_path))
    tree.os_release(id="debian", version_id="12", pretty_name="Debian GNU/Linux 12 (bookworm)")
    tree.file("/var/spool/cron/crontabs/root", f"0 3 * * * /root/go/bin/lego -s {V1} --path /root/.lego renew\n")
    diagnosis = diagnose(run_probe(LocalTarget(str(tmp_path))))
    lego, = diagnosis.installs
    assert (lego.kind, lego.path, lego.present) == ("lego", "/root/go/bin/lego", False)     # named, not there
    tree.file("/root/go/bin/lego", b"\x7fELF", mode=0o755)          # `go install` puts it here
    diagnosis, plan = _plan(tmp_path)
    lego, = diagnosis.installs
    assert (lego.kind, lego.path, lego.present) == ("lego", "/root/go/bin/lego", True)
    assert [o.key for o in plan.options] == ["keep"]
    assert [s.id for s in plan.steps] == ["backup", "fix-pins-1", "verify"]


def test_go_flag_forms_of_legos_server_are_pins(tmp_path):
    for number, form in enumerate((f"-s={V1}", f"--s {V1}", f"-server {V1}", f"--s={V1}", f"-server={V1}")):
        root = tmp_path / str(number)
        diagnosis = lego_host(root, server=form + " ")
        assert diagnosis.verdict == "v1" and any(f.id == "ACME-006" for f in diagnosis.findings), form
        _diagnosis, plan = _plan(root)
        new_line, = _new_lines(plan, "/etc/cron.d/lego")
        assert new_line == LEGO_CRON.format(server="").strip(), form


def test_a_lego_timer_is_a_schedule(tmp_path):
    tree = HostTree(str(tmp_path))
    lego_host(tmp_path)
    (tmp_path / "etc/cron.d/lego").unlink()
    tree.file("/etc/systemd/system/lego-renew.service",
              f"[Service]\nType=oneshot\nExecStart=/usr/bin/lego -s {V1} --path /etc/lego renew\n")
    tree.file("/etc/systemd/system/lego-renew.timer", "[Timer]\nOnCalendar=daily\n")
    tree.link("/etc/systemd/system/timers.target.wants/lego-renew.timer", "/etc/systemd/system/lego-renew.timer")
    diagnosis = diagnose(run_probe(LocalTarget(str(tmp_path))))
    pin = next(f for f in diagnosis.findings if f.id == "ACME-006")
    assert pin.evidence[0].where() == "/etc/systemd/system/lego-renew.service:3" and diagnosis.verdict == "v1"


def test_only_a_program_named_lego_is_lego(tmp_path):
    for name, build in (("dir", lambda t: t.dir("/usr/local/bin/lego")),
                        ("loop", lambda t: t.link("/usr/bin/lego", "lego")),
                        ("lineage", lambda t: t.live_cert("lego", "not a certificate"))):
        tree = HostTree(str(tmp_path / name))
        tree.os_release(id="debian", version_id="12", pretty_name="Debian GNU/Linux 12 (bookworm)")
        build(tree)
        diagnosis = diagnose(run_probe(LocalTarget(str(tmp_path / name))))
        assert not [i for i in diagnosis.installs if i.kind == "lego"], name


def test_verify_on_a_lego_host_does_not_ask_for_certbot(tmp_path):
    from wizard.core.run.verify import verify
    lego_host(tmp_path)
    result = verify(LocalTarget(str(tmp_path)), lambda line: None)
    checks = {c.key: c for c in result.checks}
    assert result.passed, [c.text for c in result.checks if not c.passed]
    assert "has no dry run" in checks["test-renewal"].text and "keeps its own" in checks["newest-log"].text


def test_the_report_does_not_claim_a_test_renewal_that_could_not_run(tmp_path, run_cli):
    lego_host(tmp_path / "root")
    state = ["--root", str(tmp_path / "root"), "--state-dir", "/var/lib/acme-wizard"]
    code, out, _err = run_cli("verify", *state)
    assert code == 0 and "has no dry run" in " ".join(out.split())
    code, out, _err = run_cli("report", *state, "--format", "txt")
    flat = " ".join(out.split())
    assert "no test renewal was made" in flat and "A test renewal with the client" not in flat


def test_a_hand_done_choice_is_a_note_not_an_empty_step(tmp_path):
    from wizard.core.plan.model import Answers
    old_lego_host(tmp_path)
    _diagnosis, plan = _plan(tmp_path, Answers(client="upgrade-lego"))
    assert [s.id for s in plan.steps] == ["verify"] and any("done by hand" in n for n in plan.notes)


def test_an_option_value_that_looks_like_a_verb_is_no_verb():
    def verb(*arguments):
        return ScheduledRun("/etc/crontab", 1, "", "cron", "/usr/bin/certbot", list(arguments)).verb
    assert verb("-q", "--cert-name", "run", "renew") == "renew"
    assert verb("--cert-name", "renew", "certonly") == "certonly"


def test_dehydrated_beside_certbot_auto_keeps_its_line(tmp_path):
    tree = _centos7_certbot_auto(tmp_path)
    tree.file("/usr/local/bin/dehydrated", "#!/bin/bash\nVERSION=0.7.0\n", mode=0o755)
    dehydrated_line = "@daily root /usr/local/bin/dehydrated --cron"
    tree.file("/etc/crontab", f"0 3 * * * root /usr/local/bin/certbot-auto renew -q\n{dehydrated_line}\n")
    _diagnosis, plan = _plan(tmp_path, None)
    assert plan.choice is not None and plan.choice.key != "keep"
    new = _new_lines(plan, "/etc/crontab")
    assert new and all("dehydrated" not in line for line in new)      # only line 1 changes


def test_an_account_directory_this_user_cannot_list_is_named(tmp_path):
    import json
    import os
    import subprocess
    import sys
    lego_host(tmp_path)
    account = tmp_path / "etc/letsencrypt/accounts/acme-v01.api.letsencrypt.org/directory"
    (account / "0123abcd").mkdir(parents=True)
    for path in [tmp_path, *tmp_path.parents]:
        if str(path).startswith("/tmp/"):
            os.chmod(path, 0o755)
    subprocess.run(["chmod", "-R", "a+rX", str(tmp_path)], check=True)
    os.chmod(account, 0o700)
    result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m",
                             "wizard", "check", "--root", str(tmp_path), "--json"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    refused = next(f for f in json.loads(result.stdout)["findings"] if f["id"] == "ACME-026")
    assert "/etc/letsencrypt/accounts/acme-v01.api.letsencrypt.org/directory" in refused["detail"]


# --- the second attack: one client's schedule never goes to another; no renewal is lost ----------

def _centos7_certbot_auto(root):
    """The seed's kind of host: CentOS 7, certbot-auto 0.20.0 on Python 2.7, one lineage pinned to v1."""
    tree = HostTree(str(root))
    tree.rhel_release("CentOS Linux release 7.9.2009 (Core)")
    tree.certbot_auto("/usr/local/bin/certbot-auto", "0.20.0")
    tree.venv("/opt/eff.org/certbot/venv", "2.7", "0.20.0")
    tree.renewal_conf("www.example.jp", version="0.20.0", server=V1)
    return tree


def _debian(tree, version="12", name="bookworm"):
    tree.os_release(id="debian", version_id=version, pretty_name=f"Debian GNU/Linux {version} ({name})")


def test_dehydrated_inside_certbots_venv_folder_is_dehydrated(tmp_path):
    tree = HostTree(str(tmp_path))
    _debian(tree, "11", "bullseye")
    tree.venv("/opt/acme", "3.9", "2.7.4", egg=False)
    tree.renewal_conf("www.example.jp", version="2.7.4", server=V1.replace("v01", "v02"))
    tree.file("/opt/acme/dehydrated", "#!/bin/bash\nVERSION=0.7.0\n", mode=0o755)
    dehydrated_line = f"30 3 * * * root /opt/acme/dehydrated --cron --ca {V1}"
    tree.file("/etc/cron.d/acme", f"0 3 * * * root /opt/acme/bin/certbot renew -q\n{dehydrated_line}\n")
    diagnosis, plan = _plan(tmp_path)
    run = next(r for r in diagnosis.schedules.runs if "dehydrated" in r.program)
    assert run.client_kind == "dehydrated" and diagnosis.verdict == "v1"      # its --ca v01 is a pin
    line, = _new_lines(plan, "/etc/cron.d/acme")
    assert line == "30 3 * * * root /opt/acme/dehydrated --cron"


def test_a_lego_snap_is_not_the_certbot_snap(tmp_path):
    tree = HostTree(str(tmp_path))
    tree.os_release(id="ubuntu", version_id="22.04", pretty_name="Ubuntu 22.04.4 LTS")
    tree.file("/usr/bin/snap", b"\x7fELF", mode=0o755)
    tree.file("/snap/certbot/current/meta/snap.yaml", "name: certbot\nversion: '2.11.0'\n")
    tree.link("/snap/bin/certbot", "/usr/bin/snap")
    tree.link("/snap/bin/lego", "/usr/bin/snap")
    tree.file("/etc/cron.d/lego", f"0 3 * * * root /snap/bin/lego -s {V1} --path /var/lib/lego renew\n")
    diagnosis = diagnose(run_probe(LocalTarget(str(tmp_path))))
    run, = diagnosis.schedules.runs
    assert run.client_kind == "lego" and any(f.id == "ACME-006" for f in diagnosis.findings)


def test_certbots_lineages_need_certbot_even_when_another_client_is_scheduled(tmp_path):
    tree = _centos7_certbot_auto(tmp_path)
    tree.file("/root/.acme.sh/acme.sh", "#!/bin/sh\nVER=3.0.7\n", mode=0o755)
    tree.file("/var/spool/cron/root", '0 0 * * * "/root/.acme.sh"/acme.sh --cron --home "/root/.acme.sh"\n')
    diagnosis, plan = _plan(tmp_path)
    unscheduled = next(f for f in diagnosis.findings if f.id == "ACME-014")
    assert unscheduled.blocking and "acme.sh" in unscheduled.title
    assert plan.choice is not None and plan.choice.key not in ("keep", "upgrade-acme.sh")
    assert "enable-timer" in [s.id for s in plan.steps] and not _new_lines(plan, "/var/spool/cron/root")


def test_two_pins_on_one_line_are_both_removed(tmp_path):
    tree = HostTree(str(tmp_path))
    lego_host(tmp_path)
    tree.file("/usr/bin/dehydrated", "#!/bin/bash\nVERSION=0.7.0\n", mode=0o755)
    tree.file("/etc/cron.d/lego", f"0 3 * * * root /usr/bin/dehydrated -c --ca {V1} && "
                                  f"/usr/bin/lego -s {V1} --path /etc/lego renew\n")
    _diagnosis, plan = _plan(tmp_path)
    line, = _new_lines(plan, "/etc/cron.d/lego")
    assert line == "0 3 * * * root /usr/bin/dehydrated -c && /usr/bin/lego --path /etc/lego renew"


def _admin_unit(tree, program):
    tree.file("/etc/systemd/system/acme-renew.service", f"[Unit]\nDescription=renew\n[Service]\nType=oneshot\n"
                                                         f"ExecStart={program} renew -q\n")
    tree.file("/etc/systemd/system/acme-renew.timer", "[Timer]\nOnCalendar=daily\n")
    tree.link("/etc/systemd/system/timers.target.wants/acme-renew.timer", "/etc/systemd/system/acme-renew.timer")


def test_an_admins_own_unit_moves_to_the_new_client(tmp_path):
    tree = _centos7_certbot_auto(tmp_path)
    _admin_unit(tree, "/usr/local/bin/certbot-auto")
    _diagnosis, plan = _plan(tmp_path)
    move = plan.step("move-schedule")
    assert _new_lines(plan, "/etc/systemd/system/acme-renew.service") == [f"ExecStart={plan.choice.client_path} renew -q"]
    assert ["systemctl", "daemon-reload"] in [a.argv for a in move.actions]
    assert "enable-timer" not in [s.id for s in plan.steps]         # one scheduler: the admin's unit


def test_a_job_whose_program_is_gone_renews_nothing(tmp_path):
    tree = HostTree(str(tmp_path))
    tree.rhel_release("CentOS Linux release 7.9.2009 (Core)")
    tree.renewal_conf("www.example.jp", version="1.11.0", server=V1.replace("v01", "v02"))
    _admin_unit(tree, "/usr/local/bin/certbot-auto")          # certbot-auto retired, its unit left behind
    diagnosis = diagnose(run_probe(LocalTarget(str(tmp_path))))
    assert next(f for f in diagnosis.findings if f.id == "ACME-014").blocking


def test_the_plan_gives_the_lego_command_that_registers_on_acme_v2(tmp_path):
    lego_host(tmp_path, server=f"-s {V1} ")
    _diagnosis, plan = _plan(tmp_path)
    note, = [n for n in plan.notes if "lego keeps one account per server" in n]
    assert note.endswith("/usr/bin/lego --accept-tos --email admin@example.jp --domains mail.example.jp --http "
                         "--path /etc/lego run")


def test_a_pin_the_plan_cannot_edit_is_left_to_the_admin_by_name(tmp_path):
    tree = HostTree(str(tmp_path))
    lego_host(tmp_path)
    tree.file("/etc/cron.d/lego", f"0 3 * * * root sh -c 'lego -s {V1} --path /etc/lego renew'\n")
    diagnosis, plan = _plan(tmp_path)
    assert diagnosis.verdict == "v1"
    assert any("/etc/cron.d/lego:1 sits where the plan cannot edit it" in n for n in plan.notes)

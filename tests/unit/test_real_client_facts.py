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


def test_a_lego_before_1_0_is_not_replaced_by_certbot(tmp_path):
    from wizard.core.plan.build import build_plan
    from wizard.core.plan.model import Answers
    tree = HostTree(str(tmp_path))
    tree.os_release(id="debian", version_id="9", pretty_name="Debian GNU/Linux 9 (stretch)")
    tree.file("/usr/bin/lego", b"\x7fELF", mode=0o755)
    tree.dpkg_status([("lego", "0.3.1-5")])
    tree.file("/etc/cron.d/lego", LEGO_CRON.format(server=""))
    plan = build_plan(diagnose(run_probe(LocalTarget(str(tmp_path)))), Answers())
    option, = plan.options
    assert option.key == "upgrade-lego" and not option.supported and plan.choice is None and plan.decision_needed

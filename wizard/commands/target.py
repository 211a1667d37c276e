"""The target the admin named on the command line, opened for the length of one command."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from wizard.core.invocation import Invocation
from wizard.core.target.errors import SshError
from wizard.core.target.local import LocalTarget
from wizard.core.target.protocol import Target
from wizard.core.target.ssh import SshTarget
from wizard.i18n import _


def invocation(args: argparse.Namespace) -> Invocation:
    """The target as the admin named it, for the follow-up commands we print."""
    return Invocation(**{field.name: getattr(args, field.name) for field in dataclasses.fields(Invocation)})


@contextmanager
def target_from(args: argparse.Namespace) -> Iterator[tuple[Target, str]]:
    """(target, the label messages give it); a connection or a demo tree is closed afterwards."""
    if args.demo:
        from wizard.demo import demo_host, stand_ins
        with demo_host() as root:
            yield (LocalTarget(root, demo=True, stand_ins=stand_ins.install(root)),
                   _("demo host (CentOS 6, certbot-auto 0.20.0)"))
        return
    if args.host:
        ssh = SshTarget(args.host, args.root, args.config_dir, args.logs_dir, args.ssh_config, args.legacy_ssh)
        try:
            _connect(ssh)
            yield ssh, ssh.describe()
        finally:
            ssh.close()
    else:
        local = LocalTarget(args.root, args.config_dir, args.logs_dir)
        yield local, local.describe()


def _connect(target: SshTarget) -> None:
    """Connect; when only old algorithms would work, offer them (or take them with --legacy-ssh)."""
    try:
        target.connect()
    except SshError as error:
        if not error.legacy_options or target.link.legacy or not sys.stdin.isatty():
            raise
        print(f"acme-wizard: {error}", file=sys.stderr)
        if input(_("Retry with these options? [y/N]: ")).strip().lower() not in ("y", "yes"):
            raise
        target.link.legacy = True
        target.connect()

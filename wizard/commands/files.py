"""Files the admin hands in (answers, the ACMEv1 email, a probe bundle) or asks for (-o FILE):
each read with a size bound, each failure a one-line usage or target error naming the path."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO, TextIO

from wizard.core import textsafe
from wizard.core.errors import TargetError, UsageError
from wizard.core.probe.run import BundleError, read_bundle_file
from wizard.core.probe.snapshot import Snapshot
from wizard.core.readers.email_notice import AcmeV1Email, EmailError
from wizard.core.readers.email_notice import read_email as parse_email
from wizard.i18n import _

if TYPE_CHECKING:
    from wizard.core.plan.model import Answers

MAX_ANSWERS = 65536              # an answers file is a few lines; /dev/zero is not one
MAX_EMAIL = 4 * 1024 * 1024


def read_answers(path: str | None) -> Answers:
    # the plan's machinery, loaded for plan and apply only
    from wizard.core.plan.model import Answers, AnswersError
    if not path:
        return Answers()
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ANSWERS + 1)
        if len(data) > MAX_ANSWERS:
            raise AnswersError(_("larger than {size} bytes", size=MAX_ANSWERS))
        return Answers.from_json(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise UsageError(_("{path}: {reason}", path=path, reason=_("not UTF-8 text"))) from error
    except OSError as error:
        raise UsageError(_("cannot read the answers {path}: {reason}", path=path, reason=error.strerror)) from error
    except AnswersError as error:
        raise UsageError(_("{path}: {reason}", path=path, reason=str(error))) from error


def answers_from(args: argparse.Namespace) -> Answers:
    """The admin's choices: the answers file, then --client and --staging over it (a flag is the later word)."""
    answers = read_answers(args.answers)
    if args.client:
        answers.client = args.client
    if args.staging:
        answers.staging_lineages = args.staging
    return answers


def read_email(path: str | None) -> AcmeV1Email | None:
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_EMAIL)
    except OSError as error:
        raise UsageError(_("cannot read the email {path}: {reason}", path=path, reason=error.strerror)) from error
    try:
        return parse_email(path, data)
    except EmailError as error:
        raise UsageError(_("{path} is not a Let's Encrypt ACMEv1 notice: {reason}", path=path,
                           reason=str(error))) from error


def read_bundle(path: str) -> Snapshot:
    try:
        return read_bundle_file(path)
    except OSError as error:
        raise TargetError(_("cannot read the bundle {path}: {reason}", path=path, reason=error.strerror)) from error
    except BundleError as error:
        raise TargetError(_("cannot read the bundle {path}: {reason}", path=path, reason=error)) from error


def bundle_label(path: str) -> str:
    return _("bundle {path}", path=path)


def _cannot_write(path: str, error: OSError) -> UsageError:
    return UsageError(_("cannot write {path}: {reason}", path=path, reason=error.strerror))


@contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """-o FILE: text, names that are not UTF-8 written as \\xNN."""
    try:
        handle = open(path, "w", encoding="utf-8", errors=textsafe.ERRORS)  # noqa: SIM115 (closed below)
    except OSError as error:
        raise _cannot_write(path, error) from error
    with handle:
        yield handle


@contextmanager
def open_binary_output(path: str) -> Iterator[BinaryIO]:
    """--save-bundle FILE: the probe's output byte for byte."""
    try:
        handle = open(path, "wb")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise _cannot_write(path, error) from error
    with handle:
        yield handle


def write_text(path: str | None, text: str) -> None:
    """To -o FILE when given, else to stdout."""
    write_pieces(path, [text])


def write_pieces(path: str | None, pieces: Iterable[str]) -> None:
    """A text made as it is written (to -o FILE when given, else to stdout)."""
    if path:
        with open_output(path) as handle:
            handle.writelines(pieces)
    else:
        sys.stdout.writelines(pieces)

"""dehydrated's CA setting: the ACME server it renews against (reference facts §6.2, §9).

dehydrated uses an explicit `CA=` exactly as written, in every version: no release reads a v01 CA as
v02. It reads the first `config` of /etc/dehydrated, /usr/local/etc/dehydrated and its own directory,
then CONFIG_D/*.sh in order (dehydrated's load_config); letsencrypt.sh, its old name, read config.sh.
The probe sends only the CA= and CONFIG_D= lines of those files.
"""
from __future__ import annotations

import posixpath
import re

from wizard.core.endpoints import classify_url
from wizard.core.evidence import Evidence
from wizard.core.probe.snapshot import Snapshot
from wizard.core.readers.certbot_config import ServerPin
from wizard.core.shellwords import shell_words

PROGRAM_NAMES = ("dehydrated", "letsencrypt.sh")
FIXED_CONFIGS = ("/etc/dehydrated/config", "/usr/local/etc/dehydrated/config", "/etc/letsencrypt.sh/config",
                 "/etc/letsencrypt.sh/config.sh", "/usr/local/etc/letsencrypt.sh/config.sh")
_CONF_D = re.compile(r"^/(usr/local/)?etc/dehydrated/conf\.d/[^/]+\.sh$")
_CA = re.compile(r"^\s*(export\s+)?CA=(.*)$")
_LE_URL = re.compile(r"https?://acme(?:-staging)?(?:-v0[12])?\.api\.letsencrypt\.org(?:/directory)?")
# dehydrated 0.7.0's names for its preset CAs (load_config)
CA_NAMES = {"letsencrypt": "https://acme-v02.api.letsencrypt.org/directory",
            "letsencrypt-test": "https://acme-staging-v02.api.letsencrypt.org/directory"}


def config_paths(snapshot: Snapshot, named: tuple[str, ...] = ()) -> list[str]:
    """The files dehydrated reads its settings from, as far as the probe saw them (named: the ones a
    scheduled line passes with --config/-f)."""
    script_dirs = {posixpath.dirname(p) for p in snapshot.programs if posixpath.basename(p) in PROGRAM_NAMES}
    found = []
    for path in sorted(snapshot.files):
        if path in FIXED_CONFIGS or path in named or _CONF_D.match(path) or (
                posixpath.basename(path) in ("config", "config.sh") and posixpath.dirname(path) in script_dirs):
            found.append(path)
    return found


def read_ca_pins(snapshot: Snapshot, named: tuple[str, ...] = ()) -> list[ServerPin]:
    """The CA each config file leaves set (the last CA= of the file: later lines win in a shell)."""
    pins = []
    for path in config_paths(snapshot, named):
        text_file = snapshot.file(path)
        last: ServerPin | None = None
        for number, line in text_file.numbered() if text_file else []:
            match = _CA.match(line)
            if not match:
                continue
            words = shell_words(match.group(2))
            value = words[0].value if words else ""
            embedded = _LE_URL.search(match.group(2))      # CA="${CA:-https://…}", CA=$(echo https://…)
            if embedded and value not in CA_NAMES and not value.startswith("http"):
                value = embedded.group(0)
            last = ServerPin(CA_NAMES.get(value, value), Evidence(path, number, line.strip()))
        if last is not None:
            pins.append(last)
    return pins


def v2_ca_line(line: str, url: str) -> str:
    """The CA= line with its ACMEv1 URL swapped for `url`; every other byte (quotes, `export`, other
    assignments and commands on the line, a comment) is kept."""
    for found in _LE_URL.finditer(line):
        if classify_url(found.group(0)) in ("v1", "v1-staging"):
            return line[:found.start()] + url + line[found.end():]
    return line

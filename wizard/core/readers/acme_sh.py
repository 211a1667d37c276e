"""acme.sh's per-certificate confs: the Le_API each one renews against (reference facts §6.1).

Only acme.sh 2.8.1–2.8.9 and 3.0.1–3.0.4 read a v01 Le_API as the v2 URL when renewing; every other
version renews against Le_API exactly as written (versions.acme_sh_reads_v1_as_v2).
"""
from __future__ import annotations

import re

from wizard.core.evidence import Evidence
from wizard.core.probe.snapshot import Snapshot
from wizard.core.readers.certbot_config import ServerPin

_CONF = re.compile(r"^/(?:root|home/[^/]+)/\.acme\.sh/[^/]+/[^/]+\.conf$")


def read_le_api_pins(snapshot: Snapshot) -> list[ServerPin]:
    pins = []
    for path, text_file in sorted(snapshot.files.items()):
        if not _CONF.match(path) or text_file.binary:
            continue
        for number, line in text_file.numbered():
            if line.startswith("Le_API="):
                value = line.split("=", 1)[1].strip().strip("'\"")
                pins.append(ServerPin(value, Evidence(path, number, line.strip())))
    return pins

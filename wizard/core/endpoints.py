"""Let's Encrypt's ACME endpoints and how to tell v1 from v2 (reference facts §1.5)."""
from __future__ import annotations

import functools
import re

V1_URL = "https://acme-v01.api.letsencrypt.org/directory"
V1_STAGING_URL = "https://acme-staging.api.letsencrypt.org/directory"
V2_URL = "https://acme-v02.api.letsencrypt.org/directory"
V2_STAGING_URL = "https://acme-staging-v02.api.letsencrypt.org/directory"

_HOST_API = {
    "acme-v01.api.letsencrypt.org": "v1",
    "acme-staging.api.letsencrypt.org": "v1-staging",
    "acme-v02.api.letsencrypt.org": "v2",
    "acme-staging-v02.api.letsencrypt.org": "v2-staging",
}
V1_APIS = {"v1", "v1-staging"}
V2_APIS = {"v2", "v2-staging"}


_PORT = re.compile(r":\d+$")
_URL_HOST = re.compile(r"^\s*https?://([^/\s'\"]+)", re.IGNORECASE)


@functools.lru_cache(maxsize=256)      # a log names the same few hosts thousands of times
def classify_host(host: str) -> str:
    host = host.strip().lower().strip("[]")
    host = _PORT.sub("", host)
    return _HOST_API.get(host, "other")


def classify_url(url: str) -> str:
    match = _URL_HOST.match(url)
    return classify_host(match.group(1)) if match else "other"

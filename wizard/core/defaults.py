"""Where things live on a target unless the admin says otherwise: one definition each."""
from __future__ import annotations

CONFIG_DIR = "/etc/letsencrypt"          # certbot's --config-dir
LOGS_DIR = "/var/log/letsencrypt"        # certbot's --logs-dir
STATE_DIR = "/var/lib/acme-wizard"       # this tool's runs: backups, journal, lock

# The version of every JSON document this tool writes (check, plan, verify, report): one number,
# bumped when any of them changes incompatibly (docs/CONTRACT.md).
FORMAT_VERSION = 1


def certbot_dir_options(config_dir: str, logs_dir: str) -> list[str]:
    """The --config-dir/--logs-dir words a certbot command needs to act on these dirs (none for the defaults)."""
    words: list[str] = []
    if config_dir != CONFIG_DIR:
        words += ["--config-dir", config_dir]
    if logs_dir != LOGS_DIR:
        words += ["--logs-dir", logs_dir]
    return words

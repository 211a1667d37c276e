#!/usr/bin/env bash
# The full test suite, from a clean machine: installs what the tests need, then runs them.
#
# System-wide (Debian/Ubuntu packages, through sudo when not root), only those missing:
#   certbot + pebble (real ACME end to end; Debian's certbot also enables its certbot.timer),
#   shellcheck and dash (the probe's portability), util-linux (unshare, setpriv), iproute2,
#   openssl, gzip, tmux (the TUI in a terminal), chromium + poppler-utils (the HTML report printed
#   to PDF and read back), openssh-server (its package starts sshd on port 22; the tests run their
#   own sshd on 127.0.0.1), openssh-client, sudo (a non-root SSH user), fonts-noto-cjk (the Japanese
#   report printed to PDF), python3-venv (where python3 cannot make a venv yet), dehydrated and lego (real
#   non-certbot clients).
# In the project, nothing system-wide: a virtual environment in .venv (ACME_WIZARD_TEST_VENV to
# put it elsewhere) with this project (editable) and its [test] extra.
# Extra arguments go to pytest (e.g. tests/run.sh -k logs).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "tests/run.sh: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  say "installing $*"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
for pair in certbot:certbot pebble:pebble shellcheck:shellcheck dash:dash unshare:util-linux \
            setpriv:util-linux openssl:openssl gzip:gzip ip:iproute2 tmux:tmux \
            chromium:chromium pdftotext:poppler-utils sshd:openssh-server ssh:openssh-client \
            sudo:sudo dehydrated:dehydrated lego:lego; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || missing+=("${pair#*:}")
done
# Japanese glyphs for the printed report (pdftotext must find the Japanese headings).
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

venv=${ACME_WIZARD_TEST_VENV:-.venv}
if [ ! -x "$venv/bin/python" ]; then
  probe_dir=$(mktemp -d)
  if ! python3 -m venv "$probe_dir/v" >/dev/null 2>&1; then    # Debian's python3 needs python3-venv
    apt_install python3-venv
  fi
  rm -rf "$probe_dir"
  say "creating the virtual environment $venv"
  python3 -m venv "$venv" || { say "FAILED: python3 -m venv $venv"; exit 1; }
fi
say "installing the project and its test extras into $venv"
log="$venv/pip-install.log"
if ! "$venv/bin/python" -m pip install --disable-pip-version-check -e '.[test]' >"$log" 2>&1; then
  cat "$log" >&2
  say "FAILED: pip install -e '.[test]' into $venv (its output is above and in $log)"
  exit 1
fi
exec "$venv/bin/python" -m pytest -q "$@"

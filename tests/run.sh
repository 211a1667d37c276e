#!/usr/bin/env bash
# The full test suite, from a clean machine: installs what the tests need, then runs them.
#   system packages (Debian): certbot + pebble (real ACME end to end), shellcheck and dash (the
#   probe's portability), util-linux (unshare, setpriv), openssl, gzip, tmux (the TUI in a terminal),
#   chromium + poppler-utils (the HTML report printed to PDF and read back), openssh-server and
#   openssh-client (remote mode against a real sshd on 127.0.0.1), sudo (a non-root SSH user),
#   fonts-noto-cjk (the Japanese report printed to PDF)
#   Python: this project with its [test] extra
# Extra arguments go to pytest (e.g. tests/run.sh -k logs).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for pair in certbot:certbot pebble:pebble shellcheck:shellcheck dash:dash unshare:util-linux \
            setpriv:util-linux openssl:openssl gzip:gzip ip:iproute2 tmux:tmux \
            chromium:chromium pdftotext:poppler-utils sshd:openssh-server ssh:openssh-client \
            sudo:sudo; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || missing+=("${pair#*:}")
done
# Japanese glyphs for the printed report (pdftotext must find the Japanese headings).
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m pip install -q -e '.[test]' 2>&1 | grep -v -e '^WARNING: Running pip as' -e 'file:///opt' || true
exec python3 -m pytest -q "$@"

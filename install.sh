#!/bin/sh
# Install acme-wizard from this checkout into a virtual environment of its own, then link the
# command. Works with what Debian 12 / Ubuntu 24.04 ship (python3; python3-venv is installed
# through apt when missing), never touches the system Python's packages (PEP 668).
#
#   sh install.sh              install (or upgrade) and print where the command is
#   sh install.sh ARGS...      install, then run `acme-wizard ARGS...` (e.g. sh install.sh --demo)
#
# As root: /opt/acme-wizard and /usr/local/bin/acme-wizard (so `sudo acme-wizard` finds it).
# Otherwise: ~/.local/share/acme-wizard and ~/.local/bin/acme-wizard.
# ACME_WIZARD_HOME and ACME_WIZARD_BIN choose other places. pipx or uv work too:
# `pipx install .` or `uv tool install .`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
say() { printf 'install.sh: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

if [ "$(id -u)" = 0 ]; then
  home=${ACME_WIZARD_HOME:-/opt/acme-wizard}
  bin=${ACME_WIZARD_BIN:-/usr/local/bin}
else
  home=${ACME_WIZARD_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/acme-wizard}
  bin=${ACME_WIZARD_BIN:-$HOME/.local/bin}
fi

python=$(command -v python3 || true)
[ -n "$python" ] || fail "python3 not found; install it first (apt-get install python3)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
  || fail "$("$python" -V 2>&1) is too old: acme-wizard needs Python 3.9 or newer on the workstation"

# Debian and Ubuntu split venv (and its bundled pip) into python3-venv.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! "$python" -m venv "$scratch/v" >/dev/null 2>&1; then
  say "python3 cannot make a virtual environment yet: installing python3-venv with apt-get"
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y python3-venv >&2 || { apt-get update >&2 && apt-get install -y python3-venv >&2; } \
      || fail "apt-get install python3-venv"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get install -y python3-venv >&2 || { sudo apt-get update >&2 && sudo apt-get install -y python3-venv >&2; } \
      || fail "sudo apt-get install python3-venv"
  else
    fail "python3-venv is missing and there is no sudo: as root, run apt-get install python3-venv"
  fi
fi

if [ ! -x "$home/venv/bin/python" ]; then
  say "creating $home/venv"
  mkdir -p "$home" || fail "mkdir $home"
  "$python" -m venv "$home/venv" || fail "$python -m venv $home/venv"
fi
say "installing acme-wizard from $here into $home/venv"
"$home/venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade "$here" \
  || fail "pip install $here (see the error above)"
mkdir -p "$bin" || fail "mkdir $bin"
ln -sfn "$home/venv/bin/acme-wizard" "$bin/acme-wizard" || fail "ln -s $home/venv/bin/acme-wizard $bin/acme-wizard"
say "installed: $bin/acme-wizard ($("$bin/acme-wizard" --version))"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) if [ "$bin" = "$HOME/.local/bin" ]; then
       say "note: $bin is not on your PATH yet; run $bin/acme-wizard, or log in again (Debian's ~/.profile adds it)"
     else
       say "note: $bin is not on your PATH; run $bin/acme-wizard or add $bin to PATH"
     fi ;;
esac
if [ $# -gt 0 ]; then
  trap - EXIT
  rm -rf "$scratch"
  exec "$bin/acme-wizard" "$@"
fi

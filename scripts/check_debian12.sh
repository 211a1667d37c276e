#!/usr/bin/env bash
# Proves the README's two set-up commands on a stock Debian 12 with Debian's own python3.
#
# A throwaway bookworm chroot made with debootstrap from Debian's packages, plus python3 and
# ca-certificates as a standard install has them (no python3-venv, pip, pipx or sudo), then:
#   1. as root:                       sh install.sh --demo   (tmux 80x24: the overview must appear)
#   2. as a new user (no sudo):       sh install.sh --demo   (into ~/.local)
#   3. with --suite, as root:         bash tests/run.sh      (the whole suite inside the chroot)
# The committed HEAD of this checkout is what gets installed. Needs root, network to Debian's mirror
# and PyPI. The host's extra CA certificates (a TLS-intercepting proxy, if any) are trusted in the
# chroot too, or pip could not reach PyPI. Usage: scripts/check_debian12.sh [--suite] [CHROOT_DIR]
set -euo pipefail
suite=no
if [ "${1:-}" = --suite ]; then suite=yes; shift; fi
repo=$(cd "$(dirname "$0")/.." && pwd)
C=${1:-/var/tmp/acme-wizard-bookworm}
tmux_socket="acme-wizard-deb12-$$"
say() { printf '\n=== %s\n' "$*"; }
in_chroot() { chroot "$C" /usr/bin/env -i HOME=/root TERM=xterm LANG=C.UTF-8 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
if [ ! -x "$C/usr/bin/apt-get" ]; then
  say "debootstrap bookworm $C"
  debootstrap bookworm "$C" http://deb.debian.org/debian >/dev/null
fi
cleanup() {
  tmux -L "$tmux_socket" kill-server 2>/dev/null || true
  umount -R "$C" 2>/dev/null || true
}
trap cleanup EXIT
umount -R "$C" 2>/dev/null || true
# The chroot's / must be a mount point, as on a real system: the e2e tests' `unshare -m` changes
# its propagation.
mount --bind "$C" "$C"
mountpoint -q "$C/proc" || mount -t proc proc "$C/proc"
mountpoint -q "$C/dev" || mount --rbind /dev "$C/dev"
mountpoint -q "$C/sys" || mount -t sysfs sysfs "$C/sys"      # chromium (the printed report) reads it
cp /etc/resolv.conf "$C/etc/resolv.conf"
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$C/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$C/usr/local/share/ca-certificates/"
fi

say "a standard Debian 12: python3 and ca-certificates; no python3-venv, pip, pipx, sudo"
in_chroot sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 ca-certificates >/dev/null
  for p in python3-venv python3.11-venv python3-pip pipx sudo; do
    DEBIAN_FRONTEND=noninteractive SUDO_FORCE_REMOVE=yes apt-get purge -y -qq "$p" >/dev/null 2>&1 || true
  done
  update-ca-certificates >/dev/null 2>&1
  rm -rf /opt/acme-wizard /usr/local/bin/acme-wizard /root/src /tmp/*
  id admin >/dev/null 2>&1 && userdel -r admin 2>/dev/null; true'
in_chroot sh -c 'cat /etc/debian_version; command -v python3; python3 -V
  python3 -m venv /tmp/probe-venv >/dev/null 2>&1 && echo "venv: yes" || echo "venv: no (python3-venv missing)"
  for t in pip3 pipx sudo; do command -v $t >/dev/null && echo "$t: yes" || echo "$t: no"; done
  ls /usr/lib/python3*/EXTERNALLY-MANAGED'
git clone -q "$repo" "$C/root/src"
echo "source: $(git -C "$C/root/src" log -1 --format='%h %s')"

run_demo() {    # $1: label, $2: the shell command (inside the chroot)
  local exit_file="/tmp/exit-$1"
  tmux -L "$tmux_socket" new-session -d -s "$1" -x 80 -y 24 \
    "chroot $C /usr/bin/env -i HOME=/root TERM=xterm LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c '$2; echo EXIT=\$? > $exit_file; sleep 600'"
  local deadline=$((SECONDS + 600)) screen=
  while [ $SECONDS -lt $deadline ]; do
    screen=$(tmux -L "$tmux_socket" capture-pane -t "$1" -p)
    case $screen in *Verdict*) break ;; esac
    [ -e "$C$exit_file" ] && break
    sleep 1
  done
  echo "--- the screen (80x24) ---"; printf '%s\n' "$screen"
  tmux -L "$tmux_socket" send-keys -t "$1" q
  deadline=$((SECONDS + 30))
  while [ ! -e "$C$exit_file" ] && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
  echo "--- after q ---"; tmux -L "$tmux_socket" capture-pane -t "$1" -p | grep -v '^$' || true
  grep -q '^EXIT=0$' "$C$exit_file" && case $screen in *Verdict*) return 0 ;; esac
  return 1
}

say "1. as root: cd src && sh install.sh --demo"
run_demo root 'cd /root/src && sh install.sh --demo'
say "2. as a user without sudo: cd src && sh install.sh --demo"
in_chroot sh -c 'useradd -m -s /bin/sh admin && cp -r /root/src /home/admin/src && chown -R admin: /home/admin/src'
run_demo user 'su - admin -c "cd src && sh install.sh --demo"'
in_chroot su - admin -c 'ls -l ~/.local/bin/acme-wizard'
if [ "$suite" = yes ]; then
  say "3. as root: cd src && bash tests/run.sh"
  in_chroot sh -c 'cd /root/src && bash tests/run.sh' 2>&1 | tail -15
fi
say "done"

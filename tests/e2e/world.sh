#!/usr/bin/env bash
# A server's disk for real clients. COMMAND runs in private mount and PID namespaces where the tree
# ROOT stands over this machine's /etc, /opt, /usr, /var and /root/.local: whatever it writes there
# lands in ROOT, and nothing outside ROOT changes. The ACME, cron and /opt directories are ROOT's
# alone. When world.sh is killed (a test's timeout), everything started inside dies with it.
# With --offline WORK the namespace gets its own network too, only loopback: pebble answers on
# Let's Encrypt's v2 names, and acme-v01 does not resolve, as in production since June 2021.
# With --le WORK the namespace keeps this machine's network (pip reaches PyPI) and only its
# /etc/hosts sends Let's Encrypt's v2 names to a pebble on 127.0.0.1 (its ports must be free) and
# the v1 names to 127.0.0.2, where nothing answers: the real Let's Encrypt is never contacted.
# Usage: world.sh [--offline WORK | --le WORK] ROOT COMMAND [ARGS...]
set -euo pipefail
inside=""
if [[ $1 == --inside-world ]]; then      # world.sh's own re-run inside the namespaces, never a caller's
  inside=1
  shift
fi
work="" network=""
if [[ $1 == --offline || $1 == --le ]]; then
  network=$1
  work=$(realpath -m "$2")
  shift 2
fi
root=$(realpath -m "$1")
shift
here=$(dirname "$(realpath "$0")")
if [[ -z $inside ]]; then
  private_network=()
  [[ $network == --offline ]] && private_network=(--net)
  exec unshare --mount --pid --fork --kill-child --mount-proc "${private_network[@]}" \
    bash "$0" --inside-world ${network:+"$network" "$work"} "$root" "$@"
fi
mount --make-rprivate /
# pip's cache is this machine's own (kept between runs): set aside before /root is overlaid.
pip_cache=${PIP_CACHE_DIR:-/root/.cache/pip}
layers=$root.layers          # overlay work dirs: same filesystem as ROOT, outside the tree
mkdir -p "$pip_cache" "$layers/pip-cache"
mount --bind "$pip_cache" "$layers/pip-cache"
# Overlays keep this machine's files unchanged: what a client writes under them lands in ROOT.
for dir in etc usr var root; do
  mkdir -p "$root/$dir" "$layers/$dir"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$root/$dir,workdir=$layers/$dir" "/$dir"
done
mkdir -p "$pip_cache"
mount --bind "$layers/pip-cache" "$pip_cache"
# The places both the clients and the wizard (reading and writing ROOT through --root) touch are
# ROOT's own directories, bound in place: one file, one inode, whoever writes it (an overlay's upper
# directory must not be changed behind its back). They show nothing of this machine's. A bind holds
# the directory, not its name: one the wizard replaces (a rollback restores /etc/letsencrypt whole)
# shows as it is now in the next world.sh, not in this one.
[[ -d /opt ]] || { echo "world.sh: this machine has no /opt to stand the tree's over" >&2; exit 1; }
for dir in opt usr/local/bin etc/letsencrypt var/lib/letsencrypt var/log/letsencrypt etc/cron.d var/spool/cron \
           etc/dehydrated var/lib/dehydrated; do
  mkdir -p "$root/$dir" "/$dir"       # /$dir is inside an overlay (or /opt, checked above)
  mount --bind "$root/$dir" "/$dir"
done
if [[ -n $network ]]; then
  v1_names=()
  [[ $network == --le ]] && v1_names=(acme-v01.api.letsencrypt.org acme-staging.api.letsencrypt.org)
  # shellcheck source=tests/e2e/le_network.sh disable=SC1091
  LE_V1_NAMES="${v1_names[*]}" source "$here/le_network.sh" "$work" acme-v02.api.letsencrypt.org \
    acme-staging-v02.api.letsencrypt.org
fi
status=0
"$@" || status=$?
exit "$status"

#!/usr/bin/env bash
# A server's disk for real clients. COMMAND runs in a private mount namespace where the tree ROOT
# stands over this machine's /etc, /opt, /usr, /var and /root/.local: whatever it writes there lands
# in ROOT, and nothing outside ROOT changes. The ACME, cron and /opt directories are ROOT's alone.
# With --offline WORK the namespace gets its own network too, only loopback: pebble answers on
# Let's Encrypt's v2 names, and acme-v01 does not resolve, as in production since June 2021.
# With --le WORK the namespace keeps this machine's network (pip reaches PyPI) and only its
# /etc/hosts sends Let's Encrypt's v2 names to a pebble on 127.0.0.1 (its ports must be free).
# Usage: world.sh [--offline WORK | --le WORK] ROOT COMMAND [ARGS...]
set -euo pipefail
work="" network=""
if [[ $1 == --offline || $1 == --le ]]; then
  network=$1
  work=$(realpath -m "$2")
  shift 2
fi
root=$(realpath -m "$1")
shift
here=$(dirname "$(realpath "$0")")
if [[ -z ${ACME_WIZARD_IN_WORLD:-} ]]; then
  private_network=()
  [[ $network == --offline ]] && private_network=(-n)
  exec unshare -m "${private_network[@]}" env ACME_WIZARD_IN_WORLD=1 bash "$0" ${network:+"$network" "$work"} \
    "$root" "$@"
fi
mount --make-rprivate /
# Overlays keep this machine's files unchanged: what a client writes under them lands in ROOT.
layers=$root.layers          # overlay work dirs: same filesystem as ROOT, outside the tree
for dir in etc usr var root/.local; do
  mkdir -p "$root/$dir" "$layers/$dir"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$root/$dir,workdir=$layers/$dir" "/$dir"
done
# The places both the clients and the wizard (reading and writing ROOT through --root) touch are
# ROOT's own directories, bound in place: one file, one inode, whoever writes it (an overlay's upper
# directory must not be changed behind its back). They show nothing of this machine's. A bind holds
# the directory, not its name: one the wizard replaces (a rollback restores /etc/letsencrypt whole)
# shows as it is now in the next world.sh, not in this one.
for dir in opt usr/local/bin etc/letsencrypt var/lib/letsencrypt var/log/letsencrypt etc/cron.d var/spool/cron \
           etc/dehydrated var/lib/dehydrated; do
  mkdir -p "$root/$dir" "/$dir"
  mount --bind "$root/$dir" "/$dir"
done
if [[ -n $network ]]; then
  # shellcheck source=tests/e2e/le_network.sh disable=SC1091
  source "$here/le_network.sh" "$work" acme-v02.api.letsencrypt.org acme-staging-v02.api.letsencrypt.org
fi
status=0
"$@" || status=$?
exit "$status"

#!/usr/bin/env bash
# A server's disk for real clients. COMMAND runs in a private mount namespace where the tree ROOT
# lies over this machine's /etc, /opt, /usr, /var and /root/.local as overlays: whatever it writes
# there lands in ROOT, and nothing outside ROOT changes. The ACME and cron directories start as
# ROOT has them (empty at first), never as this machine has them.
# With --offline WORK the namespace gets its own network too, only loopback: pebble answers on
# Let's Encrypt's v2 names, and acme-v01 does not resolve, as in production since June 2021.
# Usage: world.sh [--offline WORK] ROOT COMMAND [ARGS...]
set -euo pipefail
offline=""
if [[ $1 == --offline ]]; then
  offline=$(realpath -m "$2")
  shift 2
fi
root=$(realpath -m "$1")
shift
here=$(dirname "$(realpath "$0")")
if [[ -z ${ACME_WIZARD_IN_WORLD:-} ]]; then
  exec unshare -m ${offline:+-n} env ACME_WIZARD_IN_WORLD=1 bash "$0" ${offline:+--offline "$offline"} "$root" "$@"
fi
mount --make-rprivate /
layers=$root.layers          # overlay work dirs: same filesystem as ROOT, outside the tree
for dir in etc/letsencrypt var/lib/letsencrypt var/log/letsencrypt etc/cron.d var/spool/cron \
           etc/dehydrated var/lib/dehydrated; do
  mkdir -p "$root/$dir"
  python3 -c 'import os, sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' "$root/$dir"
done
for dir in etc opt usr var root/.local; do
  mkdir -p "$root/$dir" "$layers/$dir"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$root/$dir,workdir=$layers/$dir" "/$dir"
done
if [[ -n $offline ]]; then
  # shellcheck source=tests/e2e/le_network.sh disable=SC1091
  source "$here/le_network.sh" "$offline" acme-v02.api.letsencrypt.org acme-staging-v02.api.letsencrypt.org
  export CURL_CA_BUNDLE=$REQUESTS_CA_BUNDLE SSL_CERT_FILE=$REQUESTS_CA_BUNDLE
fi
status=0
"$@" || status=$?
exit "$status"

#!/usr/bin/env bash
# Real certbot against a real pebble, on Let's Encrypt's real URLs, inside world.sh --offline:
# private mount, PID and network namespaces with only loopback (nothing leaves this machine), and
# this machine's /etc, /usr, /var and /root overlaid, so that what the wizard's steps do there (the
# package step's apt-get, a cron file) lands in ROOT, never on this machine.
#
# Usage: prod_urls.sh WORK ROOT [COMMAND ARGS...]
#   WORK  scratch dir (CA, pebble config and log under WORK/net, certbot work dir)
#   ROOT  the host tree certbot writes: ROOT/etc/letsencrypt and ROOT/var/log/letsencrypt
#   COMMAND  run instead of steps 3-4, inside the namespace with pebble up, after step 2
#            (environment: REQUESTS_CA_BUNDLE, E2E_WORK, E2E_ROOT); its exit code is returned
# Steps:
#   1. certbot certonly for legacy.example.com (default server: acme-v02, answered by pebble)
#   2. make the lineage legacy: renewal conf server = acme-v01, account moved under the v01 path;
#      a copy of ROOT at this point is left in WORK/legacy-root
#   3. certbot renew --force-renewal: certbot reads v01 as v02, renews, rewrites the conf
#   4. certbot renew --dry-run (the staging v02 URL, also answered by pebble)
set -euo pipefail
inside=""
if [[ $1 == --inside-world ]]; then      # prod_urls.sh's own re-run inside world.sh, never a caller's
  inside=1
  shift
fi
work=$(realpath -m "$1")
root=$(realpath -m "$2")
here=$(dirname "$(realpath "$0")")
if [[ -z $inside ]]; then
  shift 2
  mkdir -p "$work"
  exec bash "$here/world.sh" --offline "$work/net" "$root" bash "$0" --inside-world "$work" "$root" "$@"
fi
V1=https://acme-v01.api.letsencrypt.org/directory
step() { printf '[prod-urls %s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*"; }
step "pebble and the front are up"

dirs=(--config-dir "$root/etc/letsencrypt" --work-dir "$work/certbot-work" --logs-dir "$root/var/log/letsencrypt"
      --max-log-backups 1000)
cb() { certbot "$@" "${dirs[@]}" >"$work/certbot.out" 2>&1 || { cat "$work/certbot.out"; exit 1; }; step "certbot $*"; }
cb certonly --non-interactive --standalone --http-01-address 127.0.0.1 --http-01-port 5002 \
   --agree-tos --register-unsafely-without-email -d legacy.example.com -d www.legacy.example.com

conf=$root/etc/letsencrypt/renewal/legacy.example.com.conf
accounts=$root/etc/letsencrypt/accounts
sed -i "s#^server = .*#server = $V1#" "$conf"
mkdir -p "$accounts/acme-v01.api.letsencrypt.org"
mv "$accounts/acme-v02.api.letsencrypt.org/directory" "$accounts/acme-v01.api.letsencrypt.org/directory"
rmdir "$accounts/acme-v02.api.letsencrypt.org"
rm -rf "$work/legacy-root"
cp -a "$root" "$work/legacy-root"
step "lineage made legacy (server = acme-v01, account under the v01 path)"

shift 2
if [[ $# -gt 0 ]]; then
  status=0
  E2E_WORK=$work E2E_ROOT=$root "$@" || status=$?
  step "command exited $status"
  exit "$status"
fi

cb renew --non-interactive --no-random-sleep-on-renew --force-renewal
cb renew --non-interactive --no-random-sleep-on-renew --dry-run
step "done"

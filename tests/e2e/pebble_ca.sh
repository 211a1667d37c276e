#!/usr/bin/env bash
# Make a throwaway TLS CA and certificates for pebble's listener (Debian's pebble ships none)
# and for the front that answers on Let's Encrypt's names inside a private network namespace.
# Usage: pebble_ca.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout ca.key -out ca.pem \
  -subj "/CN=acme-wizard test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
issue() {  # issue NAME SUBJECT_ALT_NAMES
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' "$2" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
issue localhost "DNS:localhost,IP:127.0.0.1"
issue front "DNS:acme-v02.api.letsencrypt.org,DNS:acme-staging-v02.api.letsencrypt.org,DNS:acme-v01.api.letsencrypt.org,DNS:acme-staging.api.letsencrypt.org"

# shellcheck shell=bash
# Sourced, inside a private mount namespace (and usually a private network one): loopback up, the
# given Let's Encrypt names sent to 127.0.0.1, a real pebble behind a TLS front that answers on them.
# Usage: source le_network.sh WORK NAME...   (stops pebble and the front on EXIT)
# LE_CERT_SECONDS, when set, is how long pebble's certificates last (pebble's default is five years).
# LE_V1_NAMES, when set, are sent to 127.0.0.2, where nothing answers (on this machine's network the
# real names would otherwise resolve through its DNS).
# REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and SSL_CERT_FILE name the system's CAs plus the test CA, so the
# same process trusts pebble on those names and PyPI alike; no proxy is used for those names.
le_work=$1
shift
le_here=$(dirname "${BASH_SOURCE[0]}")
mkdir -p "$le_work"
ip link set lo up
{ printf '127.0.0.1 localhost %s\n' "$*"; [[ -n ${LE_V1_NAMES:-} ]] && printf '127.0.0.2 %s\n' "$LE_V1_NAMES"; } \
  >"$le_work/hosts"
mount --bind "$le_work/hosts" /etc/hosts
read -r -a le_v1 <<<"${LE_V1_NAMES:-}"
le_names=$(printf '%s,' "$@" "${le_v1[@]}")
export NO_PROXY="${NO_PROXY:+$NO_PROXY,}${le_names}localhost,127.0.0.1" no_proxy="${no_proxy:+$no_proxy,}${le_names}localhost,127.0.0.1"
python3 - <<'PY' || exit 1
import socket, sys
for port in (443, 14000, 15000):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"le_network.sh: 127.0.0.1:{port} is already taken (another pebble?): pebble cannot start")
PY
bash "$le_here/pebble_ca.sh" "$le_work/ca"
cat >"$le_work/pebble-config.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
  "certificate": "$le_work/ca/localhost.pem", "privateKey": "$le_work/ca/localhost.key",
  "httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "", "externalAccountBindingRequired": false
  ${LE_CERT_SECONDS:+, \"certificateValidityPeriod\": $LE_CERT_SECONDS}}}
JSON
le_pids=()
le_stop() { for pid in "${le_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap le_stop EXIT
PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
  pebble -config "$le_work/pebble-config.json" >"$le_work/pebble.log" 2>&1 </dev/null &
le_pids+=($!)
python3 "$le_here/acme_front.py" 127.0.0.1:443 "$le_work/ca/front.pem" "$le_work/ca/front.key" "$le_work/ca/ca.pem" \
  14000 2>"$le_work/front.log" &
le_pids+=($!)
cat /etc/ssl/certs/ca-certificates.crt "$le_work/ca/ca.pem" >"$le_work/ca/bundle.pem"
export REQUESTS_CA_BUNDLE=$le_work/ca/bundle.pem CURL_CA_BUNDLE=$le_work/ca/bundle.pem SSL_CERT_FILE=$le_work/ca/bundle.pem
if ! python3 - "$le_work/ca/ca.pem" <<'PY'
import ssl, sys, time, urllib.request
context = ssl.create_default_context(cafile=sys.argv[1])
for _ in range(100):
    try:
        urllib.request.urlopen("https://acme-v02.api.letsencrypt.org/directory", context=context, timeout=2)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("pebble or the front did not come up")
PY
then
  tail -n 5 "$le_work/pebble.log" "$le_work/front.log" >&2
  exit 1
fi

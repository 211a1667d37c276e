#!/usr/bin/env bash
# The remediation story on a real certbot tree, run where pebble answers on Let's Encrypt's names
# (prod_urls.sh's or world.sh's namespace): check -> plan -> apply -> check -> verify -> rollback.
# Environment: E2E_WORK (outputs), E2E_ROOT (the tree certbot made), and optionally
#   E2E_TARGET   the wizard's target options (default: the live system as world.sh shows it, with
#                --config-dir/--logs-dir pointing at the tree, so the package step really runs apt-get
#                against Debian's certbot, and what it writes lands in the tree's overlays)
#   E2E_CLIENT   the client option to answer (default os-package)
#   E2E_CERT     the lineage to renew for real (default legacy.example.com)
#   E2E_PYTHON   the Python that runs the wizard (default python3)
# Writes each command's output and a transcript with exit codes and timings into E2E_WORK.
set -u
work=$E2E_WORK
root=$E2E_ROOT
read -r -a target <<<"${E2E_TARGET:---config-dir $root/etc/letsencrypt --logs-dir $root/var/log/letsencrypt}"
state=(--state-dir "$work/state")
printf '{"client": "%s"}\n' "${E2E_CLIENT:-os-package}" >"$work/answers.json"
cp -a "$root/etc/letsencrypt" "$work/original-config"
transcript=$work/transcript.txt
: >"$transcript"
run() {   # run NAME ARGS...: one wizard command, its output kept in WORK/NAME.out
  local name=$1 start end status
  shift
  start=$(date +%s%N)
  "${E2E_PYTHON:-python3}" -m wizard "$@" >"$work/$name.out" 2>"$work/$name.err"
  status=$?
  end=$(date +%s%N)
  printf '%-13s exit %-3s %6d ms  acme-wizard %s\n' "$name" "$status" "$(((end - start) / 1000000))" "$*" >>"$transcript"
}
run check-before check "${target[@]}" --json
run plan plan "${target[@]}" --answers "$work/answers.json"
run apply apply "${target[@]}" "${state[@]}" --answers "$work/answers.json" --yes
run check-after check "${target[@]}" --json
run verify verify "${target[@]}" "${state[@]}"
run verify-real verify "${target[@]}" "${state[@]}" --real-renewal "${E2E_CERT:-legacy.example.com}"
run rollback rollback "${target[@]}" "${state[@]}" --yes
exit 0

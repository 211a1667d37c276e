#!/usr/bin/env bash
# The remediation story on a real certbot tree, run inside prod_urls.sh's namespace (pebble
# answers on Let's Encrypt's names): check -> apply -> check -> verify -> rollback.
# The wizard targets this live system (/) with --config-dir/--logs-dir pointing at the tree
# certbot made, so the package step really runs apt-get against the installed Debian certbot.
# Writes each command's output and a transcript with exit codes and timings into E2E_WORK.
set -u
work=$E2E_WORK
root=$E2E_ROOT
dirs=(--config-dir "$root/etc/letsencrypt" --logs-dir "$root/var/log/letsencrypt")
state=(--state-dir "$work/state")
printf '{"client": "os-package"}\n' >"$work/answers.json"
cp -a "$root/etc/letsencrypt" "$work/original-config"
transcript=$work/transcript.txt
: >"$transcript"
run() {   # run NAME ARGS...: one wizard command, its output kept in WORK/NAME.out
  local name=$1 start end status
  shift
  start=$(date +%s%N)
  python3 -m wizard "$@" >"$work/$name.out" 2>"$work/$name.err"
  status=$?
  end=$(date +%s%N)
  printf '%-13s exit %-3s %6d ms  acme-wizard %s\n' "$name" "$status" "$(((end - start) / 1000000))" "$*" >>"$transcript"
}
run check-before check "${dirs[@]}" --json
run apply apply "${dirs[@]}" "${state[@]}" --answers "$work/answers.json" --yes
run check-after check "${dirs[@]}" --json
run verify verify "${dirs[@]}" "${state[@]}"
run verify-real verify "${dirs[@]}" "${state[@]}" --real-renewal legacy.example.com
run rollback rollback "${dirs[@]}" "${state[@]}" --yes
exit 0

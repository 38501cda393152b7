#!/usr/bin/env bash
# make bench: release rebootd against release bcc-sim with instant reboots, batch 500,
# requestsPerSecond 2000. Prints figures; asserts nothing (shared, noisy machines).
# Usage: scripts/bench.sh [SIZES...]   (default: 5000 100000)
set -euo pipefail
BIN=${BIN:-$(swift build -c release --show-bin-path)}
. "$(dirname "$0")/sim_env.sh"
SIZES=${*:-5000 100000}
RUNS=${RUNS:-1}
RPS=2000 BURST=100 BATCH=500
for N in $SIZES; do
 for RUN in $(seq "$RUNS"); do
  WORK=$(mktemp -d /tmp/rebootd-bench.XXXXXX)
  start_sim "$WORK" --instances "$N" --seed 7 --reboot-min 0 --reboot-max 0
  SIM=$SIM_PID
  write_config "$WORK" "rateLimit: { requestsPerSecond: $RPS, burst: $BURST }
maxConcurrentRequests: 16
pollInterval: 1s
requestTimeout: 10s
logLevel: warning"
  curl -s "http://127.0.0.1:$PORT/_admin/state" | python3 -c "
import json, sys
ids = [i['id'] for i in json.load(sys.stdin)['instances']]
print('name: bench\nbatchSize: $BATCH\nrebootTimeout: 10m\ninstances:')
print('\n'.join('  - ' + i for i in ids))" > "$WORK/bench.yaml"
  "$BIN/rebootd" --config "$WORK/rebootd.yaml" 2> "$WORK/rebootd.log" &
  DAEMON=$!
  wait_spool "$WORK"
  T0=$(date +%s.%N)
  "$BIN/rebootctl" submit --config "$WORK/rebootd.yaml" "$WORK/bench.yaml" > /dev/null
  PEAK=0
  while :; do
    STATE=$("$BIN/rebootctl" status --config "$WORK/rebootd.yaml" --json 2>/dev/null | sed -n 's/.*"state" : "\([a-z-]*\)".*/\1/p' | head -1)
    RSS=$(awk '/VmHWM/ {print $2}' "/proc/$DAEMON/status" 2>/dev/null || echo 0)
    [ "${RSS:-0}" -gt "$PEAK" ] && PEAK=$RSS
    case "$STATE" in succeeded|failed|cancelled) break ;; esac
    sleep 2   # rebootctl itself costs CPU on this 2-core machine: poll gently
  done
  T1=$(date +%s.%N)
  read -r UT ST < <(awk '{print $14, $15}' "/proc/$DAEMON/stat")
  TICKS=$(getconf CLK_TCK)
  kill -TERM $DAEMON; wait $DAEMON 2>/dev/null || true
  kill -TERM $SIM; wait $SIM 2>/dev/null || true
  python3 scripts/bench_report.py "$WORK/sim.jsonl" "$N" "$RPS" "$BATCH" "$STATE" "$T0" "$T1" "$UT" "$ST" "$TICKS" "$PEAK"
  rm -rf "$WORK"
 done
done

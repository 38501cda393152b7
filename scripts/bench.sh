#!/usr/bin/env bash
# make bench: release rebootd against release bcc-sim. Prints figures; asserts nothing (these
# machines are shared and noisy: compare medians and ratios, never single runs).
# Usage: scripts/bench.sh [CASES...]   (default: rated instant big restart tick)
#   rated    400 instances, batch 50, reboots 4-6 s, 20 rps, poll 1 s (issue 10's rated case)
#   instant  5,000 instances, batch 500, instant reboots, 2,000 rps
#   big      100,000 instances, batch 5,000, instant reboots, 1,000 rps
#   restart  the big case, its daemon stopped after 25 s and started again (peak RSS: the second's)
#   tick     one status/metrics write with 0 and 10,000 finished plans in the journal
# RUNS=N repeats each plan case (the report prints each run; quote the median).
# KEEP=FILE keeps the simulator's request log of the last run, KEEPLOG=FILE the daemon's log.
set -euo pipefail
BIN=${BIN:-$(swift build -c release --show-bin-path)}
. "$(dirname "$0")/sim_env.sh"
CASES=${*:-rated instant big restart tick}
RUNS=${RUNS:-1}

# wakeups PID: voluntary context switches summed over the daemon's threads (a thread blocks,
# and is woken, once per voluntary switch).
wakeups() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}'; }
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# plan_case NAME N BATCH RPS BURST POLL REBOOT_MIN REBOOT_MAX [RESTART_AFTER]
# With RESTART_AFTER, the daemon gets SIGTERM that many seconds after the submit and is started
# again on the same journal: CPU and wakeups are both daemons', the peak RSS the second one's.
plan_case() {
  local name=$1 n=$2 batch=$3 rps=$4 burst=$5 poll=$6 rmin=$7 rmax=$8 restart_after=${9:-0}
  local work sim daemon t0 t1 c0 c1 w0 w1 peak rss state
  work=$(mktemp -d /tmp/rebootd-bench.XXXXXX)
  start_sim "$work" --instances "$n" --seed 7 --reboot-min "$rmin" --reboot-max "$rmax"
  sim=$SIM_PID
  write_config "$work" "rateLimit: { requestsPerSecond: $rps, burst: $burst }
maxConcurrentRequests: 16
pollInterval: $poll
requestTimeout: 10s
logLevel: warning"
  curl -s "http://127.0.0.1:$PORT/_admin/state" | python3 -c "
import json, sys
ids = [i['id'] for i in json.load(sys.stdin)['instances']]
print('name: bench\nbatchSize: $batch\nrebootTimeout: 10m\ninstances:')
print('\n'.join('  - ' + i for i in ids))" > "$work/bench.yaml"
  "$BIN/rebootd" --config "$work/rebootd.yaml" 2> "$work/rebootd.log" &
  daemon=$!
  wait_spool "$work"
  sleep 1   # let start-up settle: the figures are the plan's
  c0=$(cputicks $daemon); w0=$(wakeups $daemon)
  t0=$(date +%s.%N)
  "$BIN/rebootctl" submit --config "$work/rebootd.yaml" "$work/bench.yaml" > /dev/null
  if [ "$restart_after" -gt 0 ]; then
    sleep "$restart_after"
    c1=$(cputicks $daemon); w1=$(wakeups $daemon)
    kill -TERM $daemon; wait $daemon 2>/dev/null || true
    "$BIN/rebootd" --config "$work/rebootd.yaml" 2>> "$work/rebootd.log" &
    daemon=$!
    c0=$((c0 - c1)); w0=$((w0 - w1))   # the second daemon counts from 0
  fi
  peak=0
  while :; do
    state=$(sqlite3 -readonly "$work/journal.sqlite" "SELECT state FROM plans LIMIT 1" 2>/dev/null || true)
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$daemon/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    case "$state" in succeeded|failed|cancelled) break ;; esac
    sleep 1
  done
  t1=$(date +%s.%N)
  c1=$(cputicks $daemon); w1=$(wakeups $daemon)
  kill -TERM $daemon; wait $daemon 2>/dev/null || true
  kill -TERM $sim; wait $sim 2>/dev/null || true
  python3 "$(dirname "$0")/bench_report.py" --case "$name" --log "$work/sim.jsonl" --instances "$n" \
    --rps "$rps" --batch "$batch" --reboot-min "$rmin" --reboot-max "$rmax" --poll "${poll%s}" --state "$state" \
    --t0 "$t0" --t1 "$t1" --cpu-ticks $((c1 - c0)) --clk-tck "$(getconf CLK_TCK)" \
    --wakeups $((w1 - w0)) --peak-kb "$peak"
  [ -n "${KEEP:-}" ] && cp "$work/sim.jsonl" "$KEEP"; [ -n "${KEEPLOG:-}" ] && cp "$work/rebootd.log" "$KEEPLOG"; rm -rf "$work"
}

for CASE in $CASES; do
  for _ in $(seq "$RUNS"); do
    case $CASE in
      rated)   plan_case rated 400 50 20 20 1s 4 6 ;;
      instant) plan_case instant 5000 500 2000 100 1s 0 0 ;;
      big)     plan_case big 100000 5000 1000 100 1s 0 0 ;;
      restart) plan_case restart 100000 5000 1000 100 1s 0 0 25 ;;
      tick)    "$BIN/TickBench" ;;
      *) echo "unknown bench case $CASE (rated, instant, big, restart, tick)" >&2; exit 2 ;;
    esac
  done
done

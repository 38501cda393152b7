#!/usr/bin/env bash
# make bench: release rebootd against release bcc-sim. Prints figures; asserts nothing (these
# machines are shared and noisy: compare medians and ratios, never single runs).
# Usage: scripts/bench.sh [CASES...]   (default: rated sdk instant big restart tick)
#   rated    400 instances, batch 50, reboots 4-6 s, 20 rps, poll 1 s (issue 10's rated case)
#   select   the rated case, its plan a `select` of bcc-sim's three zones (all 400): the
#            listing's calls count (issue 26)
#   zones    the select case rolled `zones: one-at-a-time` (a batch more: each zone ends one)
#   sdk      the rated case done by scripts/sdk_rolling_reboot.py with Baidu's Python SDK
#            (SDK_PYTHON: a python with bce-python-sdk; `make bench` sets up its venv)
#   instant  5,000 instances, batch 500, instant reboots, 2,000 rps
#   big      100,000 instances, batch 5,000, instant reboots, 1,000 rps
#   restart  the big case, its daemon stopped after 25 s and started again (peak RSS: the second's)
#   tick     one status/metrics write with 0 and 10,000 finished plans in the journal
# RUNS=N repeats each plan case (the report prints each run; quote the median).
# KEEP=FILE keeps the simulator's request log of the last run, KEEPLOG=FILE the daemon's log.
set -euo pipefail
BIN=${BIN:-$(swift build -c release --show-bin-path)}
. "$(dirname "$0")/sim_env.sh"
CASES=${*:-rated select zones sdk instant big restart tick}
RUNS=${RUNS:-1}

# wakeups PID: voluntary context switches summed over the daemon's threads (a thread blocks,
# and is woken, once per voluntary switch).
wakeups() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}'; }
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# loopns PID: CPU nanoseconds of the HTTP client's event-loop threads (they live as long as the
# daemon, so their schedstat counts all of it).
loopns() {
  local t s=0
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in NIO-ELT-*) s=$((s + $(awk '{print $1}' "$t/schedstat" 2>/dev/null || echo 0))) ;; esac
  done
  echo $s
}

# plan_case NAME N BATCH RPS BURST POLL REBOOT_MIN REBOOT_MAX [RESTART_AFTER]
# With RESTART_AFTER, the daemon gets SIGTERM that many seconds after the submit and is started
# again on the same journal: CPU and wakeups are both daemons' (the first one's shutdown after
# SIGTERM left out), the peak RSS the second one's.
plan_case() {
  local name=$1 n=$2 batch=$3 rps=$4 burst=$5 poll=$6 rmin=$7 rmax=$8 restart_after=${9:-0} select=${10:-}
  local work sim daemon t0 t1 c0 c1 w0 w1 l0 l1 peak rss state
  work=$(mktemp -d /tmp/rebootd-bench.XXXXXX)
  start_sim "$work" --instances "$n" --seed 7 --reboot-min "$rmin" --reboot-max "$rmax"
  sim=$SIM_PID
  write_config "$work" "rateLimit: { requestsPerSecond: $rps, burst: $burst }
maxConcurrentRequests: 16
pollInterval: $poll
requestTimeout: 10s
logLevel: warning"
  if [ -n "$select" ]; then
    printf 'name: bench\nbatchSize: %s\nrebootTimeout: 10m\nselect: { zones: [cn-bj-a, cn-bj-b, cn-bj-c] }\n%s' "$batch" \
      "$([ "$select" = zones ] && echo 'zones: one-at-a-time')" > "$work/bench.yaml"
  else
    curl -s "http://127.0.0.1:$PORT/_admin/state" | python3 -c "
import json, sys
ids = [i['id'] for i in json.load(sys.stdin)['instances']]
print('name: bench\nbatchSize: $batch\nrebootTimeout: 10m\ninstances:')
print('\n'.join('  - ' + i for i in ids))" > "$work/bench.yaml"
  fi
  "$BIN/rebootd" --config "$work/rebootd.yaml" 2> "$work/rebootd.log" &
  daemon=$!
  wait_spool "$work"
  sleep 1   # let start-up settle: the figures are the plan's
  c0=$(cputicks $daemon); w0=$(wakeups $daemon); l0=$(loopns $daemon)
  t0=$(date +%s.%N)
  "$BIN/rebootctl" submit --config "$work/rebootd.yaml" "$work/bench.yaml" > /dev/null
  if [ "$restart_after" -gt 0 ]; then
    sleep "$restart_after"
    c1=$(cputicks $daemon); w1=$(wakeups $daemon); l1=$(loopns $daemon)
    kill -TERM $daemon; wait $daemon 2>/dev/null || true
    "$BIN/rebootd" --config "$work/rebootd.yaml" 2>> "$work/rebootd.log" &
    daemon=$!
    c0=$((c0 - c1)); w0=$((w0 - w1)); l0=$((l0 - l1))   # the second daemon counts from 0
  fi
  peak=0
  while :; do
    state=$(sqlite3 -readonly "$work/journal.sqlite" "SELECT state FROM plans LIMIT 1" 2>/dev/null || true)
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$daemon/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    case "$state" in succeeded|failed|cancelled) break ;; esac
    kill -0 $daemon 2>/dev/null || { echo "rebootd exited before the plan ended" >&2; state=exited; break; }
    sleep 1
  done
  t1=$(date +%s.%N)
  c1=$(cputicks $daemon 2>/dev/null || echo "$c0"); w1=$(wakeups $daemon); l1=$(loopns $daemon)
  kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null || true
  kill -TERM $sim; wait $sim 2>/dev/null || true
  python3 "$(dirname "$0")/bench_report.py" --case "$name" --log "$work/sim.jsonl" --instances "$n" \
    --rps "$rps" --batch "$batch" --reboot-min "$rmin" --reboot-max "$rmax" --poll "${poll%s}" --state "$state" \
    --t0 "$t0" --t1 "$t1" --cpu-ticks $((c1 - c0)) --clk-tck "$(getconf CLK_TCK)" \
    --wakeups $((w1 - w0)) --peak-kb "$peak" --loop-ns $((l1 - l0))
  [ -n "${KEEP:-}" ] && cp "$work/sim.jsonl" "$KEEP"; [ -n "${KEEPLOG:-}" ] && cp "$work/rebootd.log" "$KEEPLOG"; rm -rf "$work"
}

# sdk_case: the rated case by the operator's SDK script; its figures are the script's own.
sdk_case() {
  local work t0 t1 out rc=0
  work=$(mktemp -d /tmp/rebootd-bench.XXXXXX)
  start_sim "$work" --instances 400 --seed 7 --reboot-min 4 --reboot-max 6 \
    --access-key-id sdk-ak --secret-access-key sdk-secret-key
  curl -s "http://127.0.0.1:$PORT/_admin/state" | python3 -c "
import json, sys
print('\n'.join(i['id'] for i in json.load(sys.stdin)['instances']))" > "$work/ids.txt"
  t0=$(date +%s.%N)
  out=$("${SDK_PYTHON:-python3}" "$(dirname "$0")/sdk_rolling_reboot.py" "http://127.0.0.1:$PORT" sdk-ak sdk-secret-key \
    20 1 50 "$work/ids.txt") || rc=$?
  t1=$(date +%s.%N)
  kill -TERM $SIM_PID; wait $SIM_PID 2>/dev/null || true
  # A missing SDK or a failed script skips this case; the other cases still run.
  [ $rc -eq 0 ] || { echo "the SDK script failed ($rc): sdk case skipped" >&2; rm -rf "$work"; return 0; }
  python3 "$(dirname "$0")/bench_report.py" --case "sdk-script" --log "$work/sim.jsonl" --instances 400 \
    --rps 20 --batch 50 --reboot-min 4 --reboot-max 6 --poll 1 --state "done" --t0 "$t0" --t1 "$t1" \
    --cpu-ticks "$(python3 -c "import json, sys; print(round(json.loads(sys.argv[1])['cpu'] * $(getconf CLK_TCK)))" "$out")" \
    --clk-tck "$(getconf CLK_TCK)" \
    --wakeups "$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['wakeups'])" "$out")" \
    --peak-kb "$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['peak_kb'])" "$out")"
  rm -rf "$work"
}

for CASE in $CASES; do
  for _ in $(seq "$RUNS"); do
    case $CASE in
      rated)   plan_case rated 400 50 20 20 1s 4 6 ;;
      select)  plan_case select 400 50 20 20 1s 4 6 0 select ;;
      zones)   plan_case zones 400 50 20 20 1s 4 6 0 zones ;;
      sdk)     sdk_case ;;
      instant) plan_case instant 5000 500 2000 100 1s 0 0 ;;
      big)     plan_case big 100000 5000 1000 100 1s 0 0 ;;
      restart) plan_case restart 100000 5000 1000 100 1s 0 0 25 ;;
      tick)    "$BIN/TickBench" ;;
      *) echo "unknown bench case $CASE (rated, select, zones, sdk, instant, big, restart, tick)" >&2; exit 2 ;;
    esac
  done
done

#!/usr/bin/env bash
# make bench: release rebootd against release bcc-sim. Prints figures; asserts nothing (these
# machines are shared and noisy: compare medians and ratios, never single runs).
# Usage: scripts/bench.sh [CASES...]   (default: rated pg select zones sdk instant big restart tick)
#   rated    400 instances, batch 50, reboots 4-6 s, 20 rps, poll 1 s (issue 10's rated case)
#   pg       the rated case with its journal on PostgreSQL 15 (issue 27): a throwaway server in a
#            temporary directory (PGBIN: its programs, default /usr/lib/postgresql/15/bin), run
#            as the postgres user when the bench runs as root. It also prints the server's
#            transactions and WAL syncs during the plan and, with the rated case among CASES,
#            `pg/rated wall ratio` (medians of the RUNS; issue 27's target is 1.1 or under)
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
CASES=${*:-rated pg select zones sdk instant big restart tick}
RUNS=${RUNS:-1}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# Each plan case's wall times (first call to last answer), a line a run: WALLS/NAME.
WALLS=$(mktemp -d /tmp/rebootd-bench-walls.XXXXXX)
PG_DIR= PG_PORT= PG_DB=
cleanup() { stop_pg; rm -rf "$WALLS"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# as_pg CMD...: runs CMD as the postgres user when we are root (PostgreSQL refuses root).
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# pg_sql DB SQL: one statement's result, unaligned, through the server's loopback port.
pg_sql() { "$PGBIN/psql" -X -A -t -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -c "$2"; }

# start_pg: a throwaway PostgreSQL 15 for the pg case (once per bench; each run gets a new
# database), like the tests' TestPostgres: initdb with trust authentication for the postgres
# role, listening on 127.0.0.1 at a free port, its socket in its directory (under /tmp, owned
# by postgres when we are root). Unlike the tests' server it keeps PostgreSQL's durable
# defaults (fsync, synchronous_commit, full_page_writes all on): the case is compared with the
# rated case's SQLite journal, which commits with synchronous=FULL, so both pay their fsyncs.
# (initdb's --no-sync only skips syncing the files initdb itself writes.)
start_pg() {
  [ -z "$PG_DIR" ] || return 0
  [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 is not installed ($PGBIN/initdb is missing): run make bootstrap-test" >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/rebootd-bench-pg.XXXXXX)
  [ "$(id -u)" -ne 0 ] || chown postgres: "$PG_DIR"
  as_pg "$PGBIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync > "$PG_DIR/initdb.log"
  printf "\n# rebootd bench: a throwaway server, durable defaults\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" \
    "$PG_DIR" >> "$PG_DIR/data/postgresql.conf"
  PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 -o "-p $PG_PORT" start > /dev/null \
    || { tail -20 "$PG_DIR/server.log" >&2; return 1; }
}
stop_pg() {
  [ -n "$PG_DIR" ] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$PG_DIR"; PG_DIR=
}
# pg_counters: the bench database's committed transactions and the server's WAL syncs, records
# and bytes (read from the postgres database, so the reading itself is not counted).
pg_counters() {
  pg_sql postgres "SELECT d.xact_commit, w.wal_sync, w.wal_records, w.wal_bytes FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = '$PG_DB'"
}

# plan_state WORK: the bench plan's state, from the case's journal (empty until it is there).
plan_state() {
  if [ -n "$PG_DB" ]; then
    pg_sql "$PG_DB" "SELECT state FROM plans LIMIT 1" 2>/dev/null || true
  else
    sqlite3 -readonly "$1/journal.sqlite" "SELECT state FROM plans LIMIT 1" 2>/dev/null || true
  fi
}

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
  local work sim daemon t0 t1 c0 c1 w0 w1 l0 l1 peak rss state journal="" reads=0 x0 x1
  work=$(mktemp -d /tmp/rebootd-bench.XXXXXX)
  start_sim "$work" --instances "$n" --seed 7 --reboot-min "$rmin" --reboot-max "$rmax"
  sim=$SIM_PID
  if [ -n "$PG_DB" ]; then
    pg_sql postgres "DROP DATABASE IF EXISTS $PG_DB" > /dev/null 2>&1
    "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
    journal="postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DB?sslmode=disable"
  fi
  write_config "$work" "rateLimit: { requestsPerSecond: $rps, burst: $burst }
maxConcurrentRequests: 16
pollInterval: $poll
requestTimeout: 10s
logLevel: warning" "$journal"
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
  if [ -n "$PG_DB" ]; then   # the daemon runs plans once it leads (it logs that below warning)
    for _ in $(seq 150); do
      [ "$(pg_sql "$PG_DB" "SELECT count(*) FROM lease WHERE holder <> '' AND expires_at > now()" 2>/dev/null)" = 1 ] && break
      sleep 0.1
    done
  fi
  sleep 1   # let start-up settle: the figures are the plan's
  [ -z "$PG_DB" ] || x0=$(pg_counters)
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
    state=$(plan_state "$work"); reads=$((reads + 1))
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
    --wakeups $((w1 - w0)) --peak-kb "$peak" --loop-ns $((l1 - l0)) | tee "$work/report.txt"
  sed -n 's/^  wall (first call to last answer) *\([0-9.]*\) s.*/\1/p' "$work/report.txt" >> "$WALLS/$name"
  if [ -n "$PG_DB" ]; then
    # Read after the daemon ended: its connections' last statistics are sent as they close.
    sleep 1; x1=$(pg_counters)
    python3 - "$x0" "$x1" "$reads" "$work/sim.jsonl" <<'PY'
import sys
a, b = ([int(v) for v in s.split("|")] for s in sys.argv[1:3])
reads = int(sys.argv[3])
calls = sum(1 for _ in open(sys.argv[4]))
xacts = b[0] - a[0] - 2 * reads   # each of the bench's state reads is two: psql's login and its query
print(f"  PostgreSQL: {xacts} transactions committed in the bench database ({xacts / max(calls, 1):.2f} per API call;"
      f" the bench's {reads} state reads left out), {b[1] - a[1]} WAL syncs, {b[2] - a[2]} WAL records,"
      f" {(b[3] - a[3]) / 1048576:.1f} MiB of WAL")
PY
  fi
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
      pg)      start_pg; PG_DB=bench plan_case pg 400 50 20 20 1s 4 6 ;;
      select)  plan_case select 400 50 20 20 1s 4 6 0 select ;;
      zones)   plan_case zones 400 50 20 20 1s 4 6 0 zones ;;
      sdk)     sdk_case ;;
      instant) plan_case instant 5000 500 2000 100 1s 0 0 ;;
      big)     plan_case big 100000 5000 1000 100 1s 0 0 ;;
      restart) plan_case restart 100000 5000 1000 100 1s 0 0 25 ;;
      tick)    "$BIN/TickBench" ;;
      *) echo "unknown bench case $CASE (rated, pg, select, zones, sdk, instant, big, restart, tick)" >&2; exit 2 ;;
    esac
  done
done
if [ -s "$WALLS/rated" ] && [ -s "$WALLS/pg" ]; then
  python3 - "$WALLS/rated" "$WALLS/pg" <<'PY'
import statistics, sys
rated, pg = ([float(v) for v in open(p)] for p in sys.argv[1:3])
r, p = statistics.median(rated), statistics.median(pg)
print(f"pg/rated wall ratio: {p / r:.2f}   (median wall: pg {p:.2f} s of {len(pg)} runs,"
      f" rated {r:.2f} s of {len(rated)} runs; issue 27's target: 1.10 or under)")
PY
fi

#!/usr/bin/env bash
# make demo: a full rolling reboot of a simulated 200-instance fleet, with live progress.
# bcc-sim (reboots take 2-6 s, ~5% of instances start in Starting so 409s happen, 2% of calls
# fail with 500) + rebootd with a throwaway config, spool and journal + rebootctl watch.
set -euo pipefail
BIN=${BIN:-$(swift build --show-bin-path)}
WORK=$(mktemp -d /tmp/rebootd-demo.XXXXXX)
SIM_PID="" DAEMON_PID=""
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "== starting bcc-sim: 200 instances, reboots 2-6 s, 5% initially Starting, 2% errors"
"$BIN/bcc-sim" --instances 200 --seed 42 --reboot-min 2 --reboot-max 6 \
  --initially-starting 0.05 --starting-for 30 --error-rate 0.02 --log "$WORK/sim.jsonl" > "$WORK/sim.out" &
SIM_PID=$!
for _ in $(seq 50); do [ -s "$WORK/sim.out" ] && break; sleep 0.1; done
PORT=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' "$WORK/sim.out")
[ -n "$PORT" ] || { echo "bcc-sim did not start"; exit 1; }

printf 'accessKeyId: sim-access-key-id\nsecretAccessKey: sim-secret-access-key\n' > "$WORK/credentials.yaml"
chmod 600 "$WORK/credentials.yaml"
cat > "$WORK/rebootd.yaml" <<CONF
endpoint: http://127.0.0.1:$PORT
credentialsFile: $WORK/credentials.yaml
spoolDir: $WORK/spool
journal: $WORK/journal.sqlite
rateLimit: { requestsPerSecond: 20, burst: 10 }
pollInterval: 1s
inDoubtGrace: 10s
requestTimeout: 5s
shutdownGrace: 5s
metricsFile: $WORK/rebootd.prom
CONF

echo "== starting rebootd (log: $WORK/rebootd.log)"
"$BIN/rebootd" --config "$WORK/rebootd.yaml" 2> "$WORK/rebootd.log" &
DAEMON_PID=$!
for _ in $(seq 50); do [ -d "$WORK/spool/incoming" ] && break; sleep 0.1; done

echo "== rebootctl validate config/plans/demo.yaml"
"$BIN/rebootctl" validate --config "$WORK/rebootd.yaml" config/plans/demo.yaml
echo "== rebootctl submit --watch"
status=0
"$BIN/rebootctl" submit --config "$WORK/rebootd.yaml" config/plans/demo.yaml --watch || status=$?
PLAN=$("$BIN/rebootctl" status --config "$WORK/rebootd.yaml" --json | sed -n 's/.*"id" : "\(.*\)".*/\1/p' | head -1)
echo "== rebootctl status"
"$BIN/rebootctl" status --config "$WORK/rebootd.yaml"
echo "== what the simulator saw"
python3 - "$WORK/sim.jsonl" "http://127.0.0.1:$PORT/_admin/state" <<'PY'
import json, sys, urllib.request
from collections import Counter
log = [json.loads(l) for l in open(sys.argv[1])]
state = json.load(urllib.request.urlopen(sys.argv[2]))["instances"]
calls = Counter((e["call"], e["status"]) for e in log)
print("  requests:", ", ".join("%s %d: %d" % (c, s, n) for (c, s), n in sorted(calls.items())))
reboots = Counter(i["reboots"] for i in state)
print("  instances by accepted reboots:", dict(sorted(reboots.items())))
PY
exit $status

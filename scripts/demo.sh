#!/usr/bin/env bash
# make demo: a full rolling reboot of a simulated 200-instance fleet, with live progress.
# bcc-sim (reboots take 2-6 s, ~5% of instances start in Starting and are waited out after the
# batch's status read, 5 instances turn busy just as their reboot arrives so 409s happen, 2% of
# calls fail with 500) + rebootd with a throwaway config, spool and journal + rebootctl watch.
set -euo pipefail
BIN=${BIN:-$(swift build --show-bin-path)}
. "$(dirname "$0")/sim_env.sh"
WORK=$(mktemp -d /tmp/rebootd-demo.XXXXXX)
SIM_PID="" DAEMON_PID=""
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "== starting bcc-sim: 200 instances, reboots 2-6 s, 5% initially Starting, 5 busy at their call, 2% errors"
start_sim "$WORK" --instances 200 --seed 42 --reboot-min 2 --reboot-max 6 \
  --initially-starting 0.05 --starting-for 30 --error-rate 0.02
write_config "$WORK" "rateLimit: { requestsPerSecond: 20, burst: 10 }
pollInterval: 1s
minRebootTime: 2s
requestTimeout: 5s
shutdownGrace: 5s
metricsFile: $WORK/rebootd.prom"

# Five reboot calls find their instance busy (another operation began after the batch's read): 409.
curl -fsS -X POST -d '{"call": "reboot", "kind": "busy", "seconds": 8, "count": 5}' "http://127.0.0.1:$PORT/_admin/faults" > /dev/null

echo "== starting rebootd (log: $WORK/rebootd.log)"
"$BIN/rebootd" --config "$WORK/rebootd.yaml" 2> "$WORK/rebootd.log" &
DAEMON_PID=$!
wait_spool "$WORK"

echo "== rebootctl validate config/plans/demo.yaml"
"$BIN/rebootctl" validate --config "$WORK/rebootd.yaml" config/plans/demo.yaml
echo "== rebootctl submit --watch"
status=0
"$BIN/rebootctl" submit --config "$WORK/rebootd.yaml" config/plans/demo.yaml --watch || status=$?
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
echo "== rebootctl report"
REPORT=${REPORT:-$PWD/.build/demo-report.html}
mkdir -p "$(dirname "$REPORT")"
PLAN=$("$BIN/rebootctl" status --config "$WORK/rebootd.yaml" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["plans"][0]["id"])')
"$BIN/rebootctl" report --config "$WORK/rebootd.yaml" "$PLAN" --html "$REPORT"
echo "   open it in a browser: $REPORT"
exit $status

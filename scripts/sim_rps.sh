#!/usr/bin/env bash
# Measures bcc-sim's requests per second on loopback: wrk replays one signed describe call
# (a bce-auth-v1 signature stays valid 30 minutes) for 5 s, RUNS times; prints each and the median.
# Needs wrk (apt-get install wrk) and the interop venv (make interop) for the SDK signer.
set -euo pipefail
BIN=${BIN:-$(swift build -c release --show-bin-path)}
RUNS=${RUNS:-3}
WORK=$(mktemp -d /tmp/rebootd-simrps.XXXXXX)
trap 'kill $SIM 2>/dev/null; rm -rf "$WORK"' EXIT
"$BIN/bcc-sim" --instances 1000 --seed 1 > "$WORK/sim.out" 2>/dev/null &
SIM=$!
for _ in $(seq 100); do [ -s "$WORK/sim.out" ] && break; sleep 0.1; done
PORT=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' "$WORK/sim.out")
ID=$(curl -s "http://127.0.0.1:$PORT/_admin/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["id"])')
read -r DATE AUTH < <(.build/interop-venv/bin/python - "$PORT" "$ID" <<'PY'
import sys, time
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials
from baidubce import utils
port, iid = sys.argv[1], sys.argv[2]
now = int(time.time())
date = utils.get_canonical_time(now).decode()
headers = {b"host": ("127.0.0.1:%s" % port).encode(), b"x-bce-date": date.encode()}
auth = bce_v1_signer.sign(BceCredentials("sim-access-key-id", "sim-secret-access-key"), b"GET",
                          ("/v2/instance/%s" % iid).encode(), headers, {}, timestamp=now,
                          headers_to_sign={b"host", b"x-bce-date"})
print(date, auth.decode() if isinstance(auth, bytes) else auth)
PY
)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "x-bce-date: $DATE" -H "Authorization: $AUTH" "http://127.0.0.1:$PORT/v2/instance/$ID")
[ "$code" = 200 ] || { echo "the replayed request is refused ($code): the measurement would count errors"; exit 1; }
results=()
for run in $(seq "$RUNS"); do
  rps=$(wrk -t2 -c16 -d5s -H "x-bce-date: $DATE" -H "Authorization: $AUTH" "http://127.0.0.1:$PORT/v2/instance/$ID" \
        | awk '/Requests\/sec/ {print $2}')
  echo "run $run: $rps requests/s"
  results+=("$rps")
done
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " requests/s (describe, signed, 16 connections)"}'

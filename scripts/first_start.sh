#!/usr/bin/env bash
# The first start after `make install DESTDIR=DEST` (SPEC §9), run as the unit runs it:
# systemd-sysusers and systemd-tmpfiles on DEST; the installed rebootd as user rebootd with the
# unit's groups (Group=rebootd-submit; initgroups adds only groups listing rebootd as a member,
# which is rebootd-submit again), UMask=0027, no
# capabilities, NoNewPrivileges, CREDENTIALS_DIRECTORY as LoadCredential=bce: makes it, against
# bcc-sim. The key pair stays root:root 0600. Then an operator who is in rebootd-submit only
# submits a plan with the installed rebootctl, watches it succeed and reads its history, also
# after the daemon has stopped. Judged from what bcc-sim saw. Usage: first_start.sh DEST
# (first_start.sh --cleanup DEST stops what it started).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --cleanup ]; then
  for f in "$2"/first-start/*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
  exit 0
fi
DEST=$1
P=$DEST/${PREFIX_DIR:-usr/local}   # where the binaries are: make install PREFIX, or usr for the package
W=$DEST/first-start
BIN=${BIN:?set BIN to the build whose bcc-sim serves the first start}
mkdir -p "$W" "$DEST/etc"
chmod 0755 "$DEST" "$W"   # mktemp -d makes 0700; the service user and the operator traverse it
fail() { echo "     first start: $*" >&2; echo "     --- rebootd log:" >&2; tail -5 "$W/rebootd.log" >&2 || true; exit 1; }
stop_all() { for f in "$W"/*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; rm -f "$f"; done; return 0; }
trap stop_all EXIT

systemd-sysusers --root "$DEST" >/dev/null 2>&1 || fail "systemd-sysusers --root failed"
systemd-tmpfiles --create --root "$DEST" >/dev/null 2>&1 || fail "systemd-tmpfiles --create --root failed"
id_of() { awk -F: -v n="$2" '$1 == n { print $3 }' "$DEST/etc/$1"; }
RUID=$(id_of passwd rebootd) RGID=$(id_of group rebootd) SGID=$(id_of group rebootd-submit)
[ -n "$RUID" ] && [ -n "$RGID" ] && [ -n "$SGID" ] || fail "sysusers made no rebootd user or groups"
OPUID=4242   # an operator: in rebootd-submit only
SANDBOX=(--inh-caps=-all --bounding-set=-all --no-new-privs)

. scripts/sim_env.sh
start_sim "$W" --instances 6 --seed 11 --reboot-min 0.2 --reboot-max 0.5
echo "$SIM_PID" > "$W/sim.pid"

# The key pair as an operator installs it; LoadCredential= gives the service a private copy.
install -m 0600 -o root -g root /dev/null "$DEST/etc/rebootd/credentials.yaml"
printf 'accessKeyId: sim-access-key-id\nsecretAccessKey: sim-secret-access-key\n' > "$DEST/etc/rebootd/credentials.yaml"
install -d -m 0500 -o "$RUID" -g "$RGID" "$W/credentials"
install -m 0400 -o "$RUID" -g "$RGID" "$DEST/etc/rebootd/credentials.yaml" "$W/credentials/bce"
# The node-exporter textfile directory, writable by rebootd (operations.md says how).
install -d -m 0755 -o "$RUID" -g root "$DEST/var/lib/prometheus/node-exporter"

# The installed config, pointed at DEST and at the simulator.
CFG=$DEST/etc/rebootd/rebootd.yaml
sed -i -e "s|^endpoint: .*|endpoint: http://127.0.0.1:$PORT|" \
  -e "s|^credentialsFile: /etc/|credentialsFile: $DEST/etc/|" \
  -e "s|^spoolDir: /var/|spoolDir: $DEST/var/|" -e "s|^journal: /var/|journal: $DEST/var/|" \
  -e "s|^pollInterval: .*|pollInterval: 300ms|" \
  -e "s|^# metricsFile: /var/|metricsFile: $DEST/var/|" "$CFG"
grep -q "^metricsFile: $DEST/" "$CFG" || fail "the installed config has no metricsFile line to enable"

( umask 0027
  exec env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$W/credentials" \
    setpriv --reuid="$RUID" --regid="$SGID" --groups="$SGID" "${SANDBOX[@]}" \
    "$P/bin/rebootd" --config "$CFG" ) > /dev/null 2> "$W/rebootd.log" &
DAEMON_PID=$!
echo "$DAEMON_PID" > "$W/rebootd.pid"
for _ in $(seq 100); do grep -q "rebootd ready" "$W/rebootd.log" 2>/dev/null && break; kill -0 $DAEMON_PID 2>/dev/null || break; sleep 0.1; done
grep -q "rebootd ready" "$W/rebootd.log" || fail "rebootd did not start as user rebootd"

as_operator() { setpriv --reuid=$OPUID --regid=$OPUID --groups="$SGID" "${SANDBOX[@]}" "$@"; }
as_operator cat "$DEST/etc/rebootd/credentials.yaml" >/dev/null 2>&1 && fail "an operator can read the key pair"
ids=$(python3 -c 'import json,sys,urllib.request; print(" ".join(i["id"] for i in json.load(urllib.request.urlopen(sys.argv[1]))["instances"]))' "http://127.0.0.1:$PORT/_admin/state")
{ echo "name: first-start"; echo "batchSize: 2"; echo "instances:"; for i in $ids; do echo "  - $i"; done; } > "$W/plan.yaml"
chmod 0644 "$W/plan.yaml"
as_operator "$P/bin/rebootctl" submit --config "$CFG" "$W/plan.yaml" --watch > "$W/watch.out" 2>&1 || { cat "$W/watch.out" >&2; fail "the operator's submit --watch did not succeed"; }
plan=$(as_operator "$P/bin/rebootctl" status --config "$CFG" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d if isinstance(d, list) else d["plans"])[0]["id"])')
first=${ids%% *}
history=$(as_operator "$P/bin/rebootctl" history --json --config "$CFG" "$first" 2>&1) || true
grep -q "$plan" <<< "$history" || fail "the operator cannot read the history of $first: $history"

python3 - "$W/sim.jsonl" $ids <<'PY' || fail "the simulator did not see one accepted reboot per instance"
import collections, json, sys
seen = collections.Counter(i for e in map(json.loads, open(sys.argv[1])) if e["call"] == "reboot" and e["status"] == 200 for i in e["ids"])
ids = sys.argv[2:]
assert all(seen[i] == 1 for i in ids) and sum(seen.values()) == len(ids), seen
PY
mode() { stat -c '%a %g' "$1"; }
[ "$(mode "$DEST/var/lib/rebootd/journal.sqlite")" = "640 $SGID" ] || fail "journal is $(mode "$DEST/var/lib/rebootd/journal.sqlite"), want 640 rebootd-submit"
prom=$DEST/var/lib/prometheus/node-exporter/rebootd.prom
for _ in $(seq 120); do [ -f "$prom" ] && break; sleep 0.1; done
[ "$(stat -c %a "$prom" 2>/dev/null)" = 644 ] || fail "metrics file missing or not 0644"
lint=$(promtool check metrics < "$prom" 2>&1) || fail "promtool check metrics refuses the metrics file: $lint"

kill -TERM $DAEMON_PID
rc=0; wait $DAEMON_PID || rc=$?
[ $rc = 0 ] || fail "rebootd exited $rc on SIGTERM"
history=$(as_operator "$P/bin/rebootctl" history --json --config "$CFG" "$first" 2>&1) || true
grep -q "$plan" <<< "$history" || fail "the operator cannot read the history once rebootd has stopped: $history"
grep -q "sim-secret-access-key" "$W/rebootd.log" "$W/watch.out" "$DEST/var/lib/rebootd/journal.sqlite" && fail "the secret reached a log or the journal"
rm -f "$W/rebootd.pid"
echo "     first start: rebootd ran as uid $RUID (group rebootd-submit) with LoadCredential=; operator uid $OPUID submitted, watched, read history; $(echo $ids | wc -w) reboots, one each"

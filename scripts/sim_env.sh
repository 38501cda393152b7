# Shared by demo.sh and bench.sh: start bcc-sim and write a throwaway rebootd config for it.
# Source it; needs BIN (the directory holding bcc-sim).

# start_sim WORK ARGS...: starts bcc-sim logging to WORK/sim.jsonl; sets SIM_PID and PORT.
start_sim() {
  local work=$1; shift
  "$BIN/bcc-sim" "$@" --log "$work/sim.jsonl" > "$work/sim.out" 2>/dev/null &
  SIM_PID=$!
  for _ in $(seq 100); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
  PORT=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' "$work/sim.out")
  [ -n "$PORT" ] || { echo "bcc-sim did not start" >&2; return 1; }
}

# write_config WORK EXTRA [JOURNAL]: the demo credentials (mode 0600) and WORK/rebootd.yaml for
# the simulator; the journal is WORK/journal.sqlite unless JOURNAL (a path or a postgresql:// URL).
write_config() {
  local work=$1 extra=$2 journal=${3:-$1/journal.sqlite}
  printf 'accessKeyId: sim-access-key-id\nsecretAccessKey: sim-secret-access-key\n' > "$work/credentials.yaml"
  chmod 600 "$work/credentials.yaml"
  printf 'endpoint: http://127.0.0.1:%s\ncredentialsFile: %s/credentials.yaml\nspoolDir: %s/spool\njournal: %s\n%s\n' \
    "$PORT" "$work" "$work" "$journal" "$extra" > "$work/rebootd.yaml"
}

# wait_spool WORK: until the daemon has created its spool.
wait_spool() {
  for _ in $(seq 100); do [ -d "$1/spool/incoming" ] && break; sleep 0.1; done
}

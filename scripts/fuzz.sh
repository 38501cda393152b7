#!/usr/bin/env bash
# make fuzz: libFuzzer over plan loading (YAML and JSON, Fuzz/PlanFuzzer), seeded with the valid,
# malformed and regression fixtures, for FUZZ_SECONDS (default 300) on every core.
#
# Each input must neither crash nor take over 1 s (-timeout=1). An input that does is copied
# into Tests/RebootCoreTests/Fixtures/fuzz-regressions/, which FuzzRegressionTests replays in
# `make test`; commit it with the fix. The working corpus grows in .build/fuzz-corpus. Swift's own
# backtracer is off, so that libFuzzer's crash handler writes the input.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${FUZZ_SECONDS:-300}"
JOBS="${FUZZ_JOBS:-$(nproc)}"
FUZZER="$1"
FIXTURES=Tests/RebootCoreTests/Fixtures
REGRESSIONS="$FIXTURES/fuzz-regressions"
CORPUS=.build/fuzz-corpus
ARTIFACTS=.build/fuzz-artifacts
mkdir -p "$CORPUS" "$ARTIFACTS"
cp -n "$FIXTURES"/valid-plans/* "$FIXTURES"/bad-plans/* "$REGRESSIONS"/* "$CORPUS"/ 2>/dev/null || true
rm -f "$ARTIFACTS"/crash-* "$ARTIFACTS"/timeout-* "$ARTIFACTS"/oom-* "$ARTIFACTS"/slow-unit-*

LOG=.build/fuzz.log
echo "fuzzing plan loading for ${SECONDS_TO_RUN}s on ${JOBS} job(s); log: $LOG"
status=0
SWIFT_BACKTRACE=enable=no "$FUZZER" "$CORPUS" -fork="$JOBS" -max_total_time="$SECONDS_TO_RUN" -timeout=1 -rss_limit_mb=2048 \
  -max_len=4096 -dict=Fuzz/plan.dict -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 >"$LOG" 2>&1 || status=$?

executions=$(grep -oE '^#[0-9]+' "$LOG" | tail -1 | tr -d '#')
speed=$(grep -oE 'exec/s: [0-9]+' "$LOG" | tail -1 | grep -oE '[0-9]+' || echo 0)
found=$(find "$ARTIFACTS" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
echo "executions: ${executions:-0} in ${SECONDS_TO_RUN}s (last rate ${speed}/s), corpus $(ls "$CORPUS" | wc -l) inputs"
if [ -n "$found" ] || [ "$status" -ne 0 ]; then
  for f in $found; do
    cp "$f" "$REGRESSIONS/"
    echo "FOUND: $(basename "$f") -> $REGRESSIONS/ (replayed by FuzzRegressionTests)"
  done
  grep -E 'ERROR|SUMMARY|Test unit written' "$LOG" | head -20 || true
  echo "fuzz: failed (exit $status); fix the cause, then commit the new regression input"
  exit 1
fi
echo "fuzz: no crash, no input over 1 s"

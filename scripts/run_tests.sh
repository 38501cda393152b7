#!/usr/bin/env bash
# Runs the whole XCTest suite on the debug build `swift build --build-tests` made (make test):
# first every test but the timing-tight ones, in parallel on cores + 1 workers; then those
# (systemd notify and watchdog, lifecycle, process spacing) alone, one at a time, so a busy core
# cannot stretch the intervals they measure. Ends with the slowest tests and the totals, read
# from the xUnit files swift test writes. Exits non-zero when any test failed.
# SERIAL_TESTS (a regex over Suite/test names) and TEST_WORKERS override the defaults.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
SERIAL=${SERIAL_TESTS:-'SystemdEndToEndTests|WatchdogTests|SystemdNotifierTests|DaemonLifecycleTests'}
WORKERS=${TEST_WORKERS:-$(($(nproc) + 1))}
OUT=.build/test-results
rm -rf "$OUT"
mkdir -p "$OUT"
started=$(date +%s)

echo "== tests in parallel ($WORKERS workers), all but: $SERIAL"
"$SWIFT" test --skip-build --disable-swift-testing --parallel --num-workers "$WORKERS" --skip "$SERIAL" --xunit-output "$OUT/parallel.xml"
parallel_rc=$?

echo "== timing-tight tests, one at a time: $SERIAL"
"$SWIFT" test --skip-build --disable-swift-testing --parallel --num-workers 1 --filter "$SERIAL" --xunit-output "$OUT/serial.xml"
serial_rc=$?

python3 scripts/test_report.py --wall $(($(date +%s) - started)) "$OUT/parallel.xml" "$OUT/serial.xml"
report_rc=$?
[ "$parallel_rc" = 0 ] && [ "$serial_rc" = 0 ] && [ "$report_rc" = 0 ]

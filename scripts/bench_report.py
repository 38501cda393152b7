#!/usr/bin/env python3
"""Prints one bench run's figures from bcc-sim's request log and the daemon's /proc counters."""
import json
import statistics
import sys
from collections import Counter

log_path, n, rps, batch, state, t0, t1, ut, st, ticks, peak_kb = sys.argv[1:12]
n, rps, batch, ticks, peak_kb = int(n), float(rps), int(batch), int(ticks), int(peak_kb)
entries = [json.loads(line) for line in open(log_path)]
calls = Counter(e["call"] for e in entries)
starts = sorted(e["start"] for e in entries)
head, most = 0, 0
for i, t in enumerate(starts):
    while starts[head] <= t - 1:
        head += 1
    most = max(most, i - head + 1)
polls = [e["end"] - e["start"] for e in entries if e["call"] == "describeMany"]
poll_rtt = statistics.median(polls) if polls else 0
batches = (n + batch - 1) // batch
wall = starts and (max(e["end"] for e in entries) - starts[0]) or 0
bound = n / rps + batches * poll_rtt
cpu = (int(ut) + int(st)) / ticks
accepted = sum(1 for e in entries if e["call"] == "reboot" and e["status"] == 200)
print(f"== {n} instances, batch {batch}, {int(rps)} rps: plan {state}")
print(f"  wall (first call to last answer) {wall:7.2f} s   lower bound {bound:6.2f} s   ratio {wall / bound if bound else 0:5.2f}")
print(f"  submit to end (incl. intake)      {float(t1) - float(t0):7.2f} s")
print(f"  daemon CPU {cpu:6.2f} s = {cpu / n * 1000:5.3f} s per 1,000 instances   peak RSS {peak_kb / 1024:6.1f} MB")
print(f"  calls per rebooted instance: {len(entries) / max(accepted, 1):5.3f} "
      + "(" + ", ".join(f"{k} {v / max(accepted, 1):.3f}" for k, v in sorted(calls.items())) + ")")
print(f"  accepted reboots {accepted}/{n}   most calls in any 1-s window {most} (limit {int(rps)} + burst)")
print(f"  median describe-many service time {poll_rtt * 1000:.2f} ms")

#!/usr/bin/env python3
"""Prints one bench run's figures from bcc-sim's request log and the daemon's /proc counters."""
import argparse
import json
import statistics
from collections import Counter

p = argparse.ArgumentParser()
for name in ("case", "log", "state"):
    p.add_argument("--" + name, required=True)
for name in ("instances", "batch", "clk-tck", "cpu-ticks", "wakeups", "peak-kb"):
    p.add_argument("--" + name, type=int, required=True)
for name in ("rps", "reboot-min", "reboot-max", "poll", "t0", "t1"):
    p.add_argument("--" + name, type=float, required=True)
# The HTTP client's event-loop threads' CPU (nanoseconds, from their schedstat), when known.
p.add_argument("--loop-ns", type=int)
a = p.parse_args()

entries = [json.loads(line) for line in open(a.log)]
calls = Counter(e["call"] for e in entries)
starts = sorted(e["start"] for e in entries)
head, most = 0, 0
for i, t in enumerate(starts):
    while starts[head] <= t - 1:
        head += 1
    most = max(most, i - head + 1)
polls = [e["end"] - e["start"] for e in entries if e["call"] == "describeMany"]
poll_rtt = statistics.median(polls) if polls else 0
n = a.instances
batches = (n + a.batch - 1) // a.batch
wall = starts and (max(e["end"] for e in entries) - starts[0]) or 0
# The lower bound: every reboot call at the rate limit, and per batch the shortest reboot
# plus one poll's round trip (a batch can't end before its slowest instance is seen Running).
per_batch = (a.batch - 1) / a.rps + a.reboot_min + poll_rtt
bound = max(n / a.rps, batches * per_batch) if a.reboot_min > 0 else n / a.rps + batches * poll_rtt
cpu = a.cpu_ticks / a.clk_tck
elapsed = a.t1 - a.t0
accepted = sum(1 for e in entries if e["call"] == "reboot" and e["status"] == 200)
calls_per_s = len(entries) / elapsed if elapsed else 0
wake_per_s = a.wakeups / elapsed if elapsed else 0
print(f"== {a.case}: {n} instances, batch {a.batch}, reboots {a.reboot_min:g}-{a.reboot_max:g} s, "
      f"{a.rps:g} rps, poll {a.poll:g} s: plan {a.state}")
print(f"  wall (first call to last answer) {wall:8.2f} s   lower bound {bound:7.2f} s   ratio {wall / bound if bound else 0:5.2f}")
print(f"  submit to end (incl. intake)      {elapsed:8.2f} s")
print(f"  CPU {cpu:7.2f} s = {cpu / max(len(entries), 1) * 1000:6.3f} ms per API call "
      f"= {cpu / n * 1000:6.3f} s per 1,000 instances")
if a.loop_ns is not None:
    print(f"    of which the HTTP client's event loop {a.loop_ns / 1e6 / max(len(entries), 1):6.3f} ms per API call")
print(f"  wakeups {wake_per_s:7.1f}/s for {calls_per_s:7.1f} calls/s "
      f"(target <= 2 x calls/s + 2 = {2 * calls_per_s + 2:.1f})")
print(f"  peak RSS {a.peak_kb / 1024:6.1f} MiB")
print(f"  calls per rebooted instance: {len(entries) / max(accepted, 1):5.3f} "
      + "(" + ", ".join(f"{k} {v / max(accepted, 1):.3f}" for k, v in sorted(calls.items())) + ")")
twice = sum(1 for v in Counter(e["ids"][0] for e in entries if e["call"] == "reboot" and e["status"] == 200).values() if v > 1)
print(f"  accepted reboots {accepted}/{n}, instances rebooted twice {twice}   "
      f"most calls in any 1-s window {most} (limit {a.rps:g} + burst)")
print(f"  median describe-many service time {poll_rtt * 1000:.2f} ms")

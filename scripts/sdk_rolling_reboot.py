#!/usr/bin/env python3
"""The rolling reboot an operator writes with Baidu's Python SDK (bce-python-sdk): the baseline
issue 10 compares rebootd with, run by `make bench` (case `sdk`) on the rated case.

Usage: sdk_rolling_reboot.py ENDPOINT AK SK RPS POLL BATCH IDS_FILE

For each batch of BATCH instances: reboot each one, then every POLL seconds read each instance
not yet back with get_instance until it reads Running. A 409 is tried again once the instance
reads Running. Every call is paced to RPS. The SDK's own retries (its default policy) are
left as an operator would leave them; the simulator injects no faults in this case. Prints one JSON line: the process's CPU seconds,
voluntary context switches and peak RSS (KiB), counted from the first call.
"""
import json
import resource
import sys
import time

from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.exception import BceHttpClientError, BceServerError
from baidubce.services.bcc.bcc_client import BccClient


def usage():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_nvcsw, r.ru_maxrss


def main() -> int:
    endpoint, ak, sk, rps, poll, batch, ids_file = sys.argv[1:8]
    rps, poll, batch = float(rps), float(poll), int(batch)
    ids = [line.strip() for line in open(ids_file) if line.strip()]
    client = BccClient(BceClientConfiguration(credentials=BceCredentials(ak, sk), endpoint=endpoint))
    next_slot = [time.monotonic()]

    def paced(fn, *args, **kwargs):
        wait = next_slot[0] - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        next_slot[0] = max(next_slot[0], time.monotonic()) + 1 / rps
        return fn(*args, **kwargs)

    def reboot(instance_id):
        """True when accepted, False on a 409 (not Running yet)."""
        try:
            paced(client.reboot_instance, instance_id, force_stop=False)
            return True
        except (BceServerError, BceHttpClientError) as e:
            inner = e.last_error if isinstance(e, BceHttpClientError) else e
            if getattr(inner, "status_code", None) == 409:
                return False
            raise

    cpu0, csw0, _ = usage()
    for start in range(0, len(ids), batch):
        waiting = [i for i in ids[start:start + batch] if not reboot(i)]
        rebooting = [i for i in ids[start:start + batch] if i not in waiting]
        while rebooting or waiting:
            time.sleep(poll)
            for i in list(rebooting) + list(waiting):
                if paced(client.get_instance, i).instance.status != "Running":
                    continue
                if i in rebooting:
                    rebooting.remove(i)
                else:
                    waiting.remove(i)
                    if reboot(i):
                        rebooting.append(i)
                    else:
                        waiting.append(i)
    cpu1, csw1, peak = usage()
    print(json.dumps({"cpu": cpu1 - cpu0, "wakeups": csw1 - csw0, "peak_kb": peak}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Interop check: Baidu's official Python SDK (bce-python-sdk) against a running bcc-sim.

Usage: interop.py PATH/TO/bcc-sim

Starts bcc-sim on an ephemeral loopback port, drives it with BccClient, and checks that the
SDK's requests verify and that the simulator's answers parse as the SDK expects. Prints one
line per check and a closing 'N passed, N failed' line; exits non-zero on any failure.
"""
import json
import subprocess
import sys
import time

from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.exception import BceHttpClientError, BceServerError
from baidubce.services.bcc.bcc_client import BccClient

AK, SK = "interop-ak", "interop-secret-key"
FLEET = ["i-Interop1", "i-Interop2", "i-Interop3", "i-Interop4"]


def server_error(e):
    """The SDK wraps the server's answer in BceHttpClientError once it gives up retrying."""
    inner = e.last_error if isinstance(e, BceHttpClientError) else e
    assert isinstance(inner, BceServerError), "expected a BceServerError, got %r" % (inner,)
    return inner


def main() -> int:
    sim_path = sys.argv[1]
    fleet_file = "/tmp/rebootd-interop-fleet.txt"
    with open(fleet_file, "w") as f:
        f.write("\n".join(FLEET[:3]) + "\n" + FLEET[3] + " Starting\n")
    sim = subprocess.Popen(
        [sim_path, "--fleet", fleet_file, "--access-key-id", AK, "--secret-access-key", SK,
         "--reboot-min", "30", "--reboot-max", "30", "--starting-for", "600"],
        stdout=subprocess.PIPE, text=True)
    passed, failed = 0, 0
    try:
        port = json.loads(sim.stdout.readline())["port"]
        endpoint = "http://127.0.0.1:%d" % port

        def client(secret=SK):
            return BccClient(BceClientConfiguration(credentials=BceCredentials(AK, secret), endpoint=endpoint))

        def check(name, fn):
            nonlocal passed, failed
            try:
                fn()
                print("ok   " + name)
                passed += 1
            except Exception as e:  # noqa: BLE001 - report every failure and go on
                print("FAIL %s: %r" % (name, e))
                failed += 1

        c = client()

        def get_instance():
            r = c.get_instance(FLEET[0])
            assert r.instance.id == FLEET[0], r.instance.id
            assert r.instance.status == "Running", r.instance.status

        def reboot_instance():
            c.reboot_instance(FLEET[0], force_stop=False)
            assert c.get_instance(FLEET[0]).instance.status == "Starting"

        def list_instances():
            r = c.list_instances(instance_ids=",".join(FLEET[:3]), max_keys=100)
            got = {i.id: i.status for i in r.instances}
            assert got == {FLEET[0]: "Starting", FLEET[1]: "Running", FLEET[2]: "Running"}, got
            full = c.list_instances(max_keys=2)
            assert len(full.instances) == 2 and full.is_truncated and full.next_marker == FLEET[2], full.next_marker

        def batch_reboot():
            r = c.batch_reboot_instance(instance_ids=[FLEET[1], FLEET[3]], force_stop=True)
            assert list(r.failed_instance_id_list) == [FLEET[3]], r.failed_instance_id_list
            assert c.get_instance(FLEET[1]).instance.status == "Starting"

        def conflict():
            try:
                c.reboot_instance(FLEET[3])
            except (BceServerError, BceHttpClientError) as e:
                e = server_error(e)
                assert e.status_code == 409, e.status_code
                assert e.code == "Instance.RebootInstanceOperationForbidden", e.code
                return
            raise AssertionError("rebooting a Starting instance was accepted")

        def wrong_secret():
            try:
                client("not-the-secret").get_instance(FLEET[2])
            except (BceServerError, BceHttpClientError) as e:
                e = server_error(e)
                assert e.status_code == 400 and e.code == "SignatureDoesNotMatch", (e.status_code, e.code)
                return
            raise AssertionError("a wrong secret key was accepted")

        for name, fn in [("get_instance", get_instance), ("reboot_instance", reboot_instance),
                         ("list_instances", list_instances), ("batch_reboot_instance", batch_reboot),
                         ("409 on a Starting instance", conflict), ("wrong secret refused", wrong_secret)]:
            check(name, fn)
    finally:
        sim.terminate()
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()
    print("interop: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

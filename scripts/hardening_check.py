#!/usr/bin/python3
"""Runs the real rebootd through a rolling reboot under the seccomp and privilege restrictions
that the unit's hardening options impose, to show the Swift runtime lives with them:

- MemoryDenyWriteExecute=yes: mmap(PROT_WRITE|PROT_EXEC), mprotect/pkey_mprotect(PROT_EXEC)
  and shmat(SHM_EXEC) fail with EPERM, as systemd's filter does;
- RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6: socket() of any other family fails;
- NoNewPrivileges=yes and CapabilityBoundingSet= (empty): set before exec;
- SystemCallFilter=@system-service, then ~@privileged @resources, SystemCallErrorNumber=EPERM:
  every system call systemd knows (@known) outside that set fails with EPERM. The sets come from
  this machine's systemd (`systemd-analyze syscall-filter`), expanded as systemd expands them.

Usage: hardening_check.py BIN_DIR. Needs Debian's python3-seccomp, so it runs with
/usr/bin/python3.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import seccomp

PROT_WRITE, PROT_EXEC, SHM_EXEC = 0x2, 0x4, 0o100000
ALLOWED_FAMILIES = {1, 2, 10}  # AF_UNIX, AF_INET, AF_INET6


def syscall_set(name, seen=None):
    """A systemd syscall group, expanded (nested @groups included)."""
    seen = set() if seen is None else seen
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True, check=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if word.startswith("@"):
            if word not in seen:
                seen.add(word)
                calls |= syscall_set(word, seen)
        else:
            calls.add(word)
    return calls


ALLOWED_CALLS = syscall_set("@system-service") - syscall_set("@privileged") - syscall_set("@resources")
DENIED_CALLS = sorted(syscall_set("@known") - ALLOWED_CALLS)


def restrict():
    """Runs in the child between fork and exec."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 38, 24
    for cap in range(0, 64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    assert libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    eperm = seccomp.ERRNO(1)
    both = PROT_WRITE | PROT_EXEC
    f.add_rule(eperm, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, both, both))
    f.add_rule(eperm, "mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
    f.add_rule(eperm, "pkey_mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
    f.add_rule(eperm, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, SHM_EXEC, SHM_EXEC))
    for family in range(0, 46):
        if family not in ALLOWED_FAMILIES:
            f.add_rule(seccomp.ERRNO(97), "socket", seccomp.Arg(0, seccomp.EQ, family))
    for call in DENIED_CALLS:
        try:
            f.add_rule(eperm, call)
        except (RuntimeError, ValueError):
            pass  # not a system call on this architecture
    f.load()


PROBE = """
import mmap, socket, sys
bad = []
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE | mmap.PROT_EXEC)
    bad.append("mmap W+X allowed")
except OSError:
    pass
try:
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)
    bad.append("AF_NETLINK allowed")
except OSError:
    pass
import os
try:
    os.setpriority(os.PRIO_PROCESS, 0, 5)   # setpriority is in @resources
    bad.append("setpriority allowed")
except OSError:
    pass
print(",".join(bad) or "restricted")
"""


def filter_bites():
    """The filter must actually refuse what systemd would refuse, or this check proves nothing."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, preexec_fn=restrict).stdout.strip()
    return out == "restricted", out


def main():
    bin_dir = sys.argv[1]
    bites, detail = filter_bites()
    print(("ok   " if bites else "FAIL ") + "the emulated filter refuses W+X memory, other address families and @resources (%s; %d calls denied)" % (detail, len(DENIED_CALLS)))
    if not bites:
        print("hardening: 0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="rebootd-hardening.")
    sim = subprocess.Popen([bin_dir + "/bcc-sim", "--instances", "12", "--reboot-min", "0.3", "--reboot-max", "0.6",
                            "--initially-starting", "0.2", "--starting-for", "1"], stdout=subprocess.PIPE, text=True)
    passed, failed = 1, 0
    daemon = None
    try:
        port = json.loads(sim.stdout.readline())["port"]
        with open(work + "/c.yaml", "w") as f:
            f.write("accessKeyId: sim-access-key-id\nsecretAccessKey: sim-secret-access-key\n")
        os.chmod(work + "/c.yaml", 0o600)
        with open(work + "/rebootd.yaml", "w") as f:
            f.write("endpoint: http://127.0.0.1:%d\ncredentialsFile: %s/c.yaml\nspoolDir: %s/spool\n"
                    "journal: %s/journal.sqlite\npollInterval: 300ms\nmetricsFile: %s/m.prom\n" % (port, work, work, work, work))
        ids = [i["id"] for i in json.load(urllib.request.urlopen("http://127.0.0.1:%d/_admin/state" % port))["instances"]]
        log = open(work + "/rebootd.log", "w")
        daemon = subprocess.Popen([bin_dir + "/rebootd", "--config", work + "/rebootd.yaml"], stdout=log, stderr=log,
                                  preexec_fn=restrict)
        for _ in range(50):
            if os.path.isdir(work + "/spool/incoming"):
                break
            time.sleep(0.1)
        with open(work + "/spool/incoming/.h.yaml.tmp", "w") as f:
            f.write("name: hardened\nbatchSize: 4\ninstances:\n" + "".join("  - %s\n" % i for i in ids))
        os.rename(work + "/spool/incoming/.h.yaml.tmp", work + "/spool/incoming/h.yaml")
        state = ""
        for _ in range(300):
            out = subprocess.run([bin_dir + "/rebootctl", "status", "--config", work + "/rebootd.yaml", "--json"],
                                 capture_output=True, text=True).stdout
            plans = json.loads(out)["plans"] if out.strip() else []
            state = plans[0]["state"] if plans else ""
            if state in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.2)
        for name, ok in [("rebootd serves under MemoryDenyWriteExecute, RestrictAddressFamilies, SystemCallFilter, NoNewPrivileges, no capabilities",
                          daemon.poll() is None),
                         ("a plan succeeds under those restrictions", state == "succeeded")]:
            print(("ok   " if ok else "FAIL ") + name)
            passed, failed = passed + ok, failed + (not ok)
        daemon.terminate()
        code = daemon.wait(timeout=15)
        print(("ok   " if code == 0 else "FAIL ") + "clean exit under the restrictions (%d)" % code)
        passed, failed = passed + (code == 0), failed + (code != 0)
        if failed:
            print(open(work + "/rebootd.log").read()[-3000:])
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
        sim.terminate()
        sim.wait(timeout=10)
        subprocess.run(["rm", "-rf", work])
    print("hardening: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Summarises the xUnit files `swift test --xunit-output` wrote: the slowest tests, the time
the suite took, and a closing 'tests: N passed, N failed' line. Exits 1 when a test failed, a
file is missing, or no test ran at all (an empty run must not look green).

Usage: test_report.py [--wall SECONDS] [--slowest N] FILE.xml...
"""
import argparse
import sys
import xml.etree.ElementTree as ET


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wall", type=int, help="the suite's wall-clock seconds, to print beside the test time")
    parser.add_argument("--slowest", type=int, default=10)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    cases, problems = [], []
    for path in args.files:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as error:
            problems.append(f"{path}: {error}")
            continue
        for case in root.iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            skipped = case.find("skipped") is not None
            name = f"{case.get('classname', '?')}.{case.get('name', '?')}"
            cases.append((float(case.get("time", "0") or 0), name, failed, skipped))

    cases.sort(reverse=True)
    print(f"== the {min(args.slowest, len(cases))} slowest tests")
    for seconds, name, failed, _ in cases[: args.slowest]:
        print(f"  {seconds:7.1f} s  {name}{'  (FAILED)' if failed else ''}")
    failed = [name for _, name, f, _ in cases if f]
    skipped = [name for _, name, _, s in cases if s]
    total = sum(seconds for seconds, *_ in cases)
    wall = f", {args.wall} s of wall clock" if args.wall is not None else ""
    print(f"== {len(cases)} tests took {total:.0f} s of test time{wall}")
    for name in failed:
        print(f"FAILED {name}")
    for name in skipped:
        print(f"SKIPPED {name}")
    for problem in problems:
        print(f"MISSING {problem}")
    if not cases:
        problems.append("no test ran")
    print(f"tests: {len(cases) - len(failed) - len(skipped)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())

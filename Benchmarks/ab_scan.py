#!/usr/bin/env python3
"""A/B: CPU seconds (user + system) and wall-clock seconds of `vigil scan --bank BANK CLIP` for two
vigil binaries, interleaved (A, B, A, B, ...) so machine load affects both alike; prints every run,
the medians and the B/A ratios, and checks both binaries give the same verdict line.

Usage: Benchmarks/ab_scan.py OLD_VIGIL NEW_VIGIL CLIP BANK [RUNS]
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def run(binary, clip, bank):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run([binary, "scan", clip, "--bank", bank], capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 1):
        sys.exit(f"{binary} failed: {out.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, out.stdout.strip().splitlines()[-1]


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    old, new, clip, bank = sys.argv[1:5]
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    results = {"A": [], "B": []}
    verdicts = {}
    for _ in range(runs):
        for label, binary in (("A", old), ("B", new)):
            cpu, wall, verdict = run(binary, clip, bank)
            results[label].append((cpu, wall))
            verdicts[label] = verdict
    for label in ("A", "B"):
        print(f"{label} runs (cpu s, wall s): " + ", ".join(f"{c:.3f}/{w:.3f}" for c, w in results[label]))
        print(f"{label} verdict: {verdicts[label]}")
    cpu = {k: statistics.median(c for c, _ in v) for k, v in results.items()}
    wall = {k: statistics.median(w for _, w in v) for k, v in results.items()}
    print(f"median CPU A {cpu['A']:.3f} s, B {cpu['B']:.3f} s, B/A {cpu['B'] / cpu['A']:.3f}; "
          f"median wall A {wall['A']:.3f} s, B {wall['B']:.3f} s, B/A {wall['B'] / wall['A']:.3f}")


if __name__ == "__main__":
    main()

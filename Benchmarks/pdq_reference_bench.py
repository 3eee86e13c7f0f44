#!/usr/bin/env python3
"""Times Meta's C++ PDQ through the `pdqhash` binding on the same raw RGB24 frames as vigil-bench,
printing the same CSV columns: width,height,iterations,ns_per_hash,hash.

Usage: pdq_reference_bench.py [--min-seconds S] WIDTHxHEIGHT:FILE.rgb...
"""
import sys
import time

import numpy as np
import pdqhash


def to_hex(bits):
    return format(int("".join(str(int(b)) for b in bits), 2), "064x")


def main(argv):
    min_seconds = 2.0
    if argv[:1] == ["--min-seconds"]:
        min_seconds = float(argv[1])
        argv = argv[2:]
    print("width,height,iterations,ns_per_hash,hash")
    for spec in argv:
        size, path = spec.split(":", 1)
        width, height = (int(v) for v in size.split("x"))
        image = np.fromfile(path, dtype=np.uint8).reshape((height, width, 3))
        bits, _ = pdqhash.compute(image)
        iterations = 0
        start = time.perf_counter_ns()
        deadline = start + int(min_seconds * 1e9)
        while True:
            bits, _ = pdqhash.compute(image)
            iterations += 1
            now = time.perf_counter_ns()
            if now >= deadline and iterations >= 5:
                break
        print(f"{width},{height},{iterations},{(now - start) // iterations},{to_hex(bits)}")


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/env python3
"""Bank loading and `vigil match`, timed as a user runs them, side by side with faiss.

For 1M and 10M-line PDQ lists (random hashes, seeded) and 10,000 queries (half bank hashes with
0-39 bits flipped, half random), in one run:

- `vigil bank check LIST` on one core (`taskset -c 0`) and on all cores: wall-clock time of the
  whole command (process start, reading, parsing, merging duplicates, index build) and the load
  and index times it prints;
- `vigil match --bank LIST < QUERIES` (load included) against faiss IndexBinaryFlat's
  `range_search` on the same hashes (query time alone, bank already in memory), with the
  (query, hash) pairs both find compared.

Usage: load_match.py [--sizes 1000000,10000000] [--vigil .build/release/vigil]
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "bench-output", "banks")
RADIUS = 31


def write_list(path, count, seed):
    if os.path.exists(path):
        return
    rng = random.Random(seed)
    with open(path + ".tmp", "w") as out:
        for start in range(0, count, 100_000):
            out.write("".join("%064x\n" % rng.getrandbits(256) for _ in range(min(100_000, count - start))))
    os.rename(path + ".tmp", path)


def write_queries(path, bank_path, count, seed):
    rng = random.Random(seed)
    with open(bank_path) as bank:
        picked = [next(bank).strip() for _ in range(count // 2)]
    with open(path, "w") as out:
        for line in picked:
            value = int(line, 16)
            for bit in rng.sample(range(256), rng.randrange(0, 40)):
                value ^= 1 << bit
            out.write("%064x\n" % value)
        for _ in range(count - len(picked)):
            out.write("%064x\n" % rng.getrandbits(256))


def timed(command, stdin=None):
    start = time.perf_counter()
    with open(stdin) if stdin else open(os.devnull) as source:
        result = subprocess.run(command, stdin=source, capture_output=True, text=True)
    return time.perf_counter() - start, result


def bank_check(vigil, path, one_core):
    command = (["taskset", "-c", "0"] if one_core else []) + [vigil, "bank", "check", path]
    wall, result = timed(command)
    if result.returncode != 0:
        sys.exit(f"bank check failed: {result.stderr}")
    load, index, layout, mib, per_hash = re.search(
        r"load: ([\d.]+) s; index: (.+?), built in ([\d.]+) s, ([\d.]+) MiB \(([\d.]+) bytes per hash\)",
        result.stdout).group(1, 3, 2, 4, 5)
    return wall, float(load), float(index), layout, float(per_hash)


def load_binary(path):
    with open(path) as source:
        return np.frombuffer(bytes.fromhex("".join(line.strip() for line in source if line.strip())),
                             dtype=np.uint8).reshape(-1, 32)


def faiss_pairs(bank_path, queries_path):
    import faiss
    bank = load_binary(bank_path)
    queries = load_binary(queries_path)
    index = faiss.IndexBinaryFlat(256)
    index.add(bank)
    start = time.perf_counter()
    lims, distances, ids = index.range_search(queries, RADIUS + 1)  # faiss keeps distances < radius
    seconds = time.perf_counter() - start
    hexes = [bytes(row).hex() for row in queries]
    bank_hex = lambda i: bytes(bank[i]).hex()
    pairs = {(hexes[q], bank_hex(int(i))) for q in range(len(queries)) for i in ids[lims[q]:lims[q + 1]]}
    return seconds, pairs, faiss.omp_get_max_threads()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        bank = os.path.join(OUT, f"random-{size}.txt")
        write_list(bank, size, seed=size)
        for one_core in (True, False):
            wall, load, index, layout, per_hash = bank_check(args.vigil, bank, one_core)
            rows.append(f"| `vigil bank check`, {'one core' if one_core else 'two cores'} | {size:,} | "
                        f"{wall:.2f} | {load:.2f} | {index:.2f} | {layout} | {per_hash:.1f} |")
            print(rows[-1], flush=True)
        if size > 1_000_000:
            continue
        queries = os.path.join(OUT, f"queries-{size}.txt")
        write_queries(queries, bank, 10_000, seed=7)
        wall, result = timed([args.vigil, "match", "--bank", bank], stdin=queries)
        if result.returncode not in (0, 1):
            sys.exit(f"vigil match failed: {result.stderr}")
        vigil_pairs = {tuple(line.split(",")[i] for i in (0, 3)) for line in result.stdout.splitlines()}
        faiss_seconds, pairs, threads = faiss_pairs(bank, queries)
        same = "yes" if pairs == vigil_pairs else f"NO ({len(pairs)} vs {len(vigil_pairs)})"
        print(f"\nvigil match, 10,000 queries against {size:,}, load included: {wall:.2f} s wall")
        print(f"faiss IndexBinaryFlat range_search ({threads} threads), query time alone: {faiss_seconds:.2f} s")
        print(f"ratio: {faiss_seconds / wall:.1f}x; pairs found: {len(vigil_pairs)}; identical: {same}")


if __name__ == "__main__":
    main()

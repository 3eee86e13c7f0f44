#!/usr/bin/env python3
"""Hash-index benchmark: Vigil's HashIndex against faiss (IndexBinaryFlat, IndexBinaryMultiHash) on
the same banks and queries, one thread each, radius 31, checking that results are identical.

Banks: uniformly random hashes, and clustered ones (near-duplicate groups, as video frames give).
Queries: half are bank hashes with 0-40 bits flipped, half random.

Usage: index_benchmark.py [--sizes 1000000,10000000] [--queries 200]
"""
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench-output")
VIGIL_BENCH = os.path.join(ROOT, ".build", "release", "vigil-bench")
RADIUS = 31


def perturb(hashes, max_flips, rng, chunk=250_000):
    """Flips each bit of row r with probability p_r, p_r uniform in [0, max_flips/256): in chunks,
    since a bit matrix of 10M rows would not fit in memory."""
    out = np.empty_like(hashes)
    for start in range(0, len(hashes), chunk):
        part = hashes[start:start + chunk]
        bits = np.unpackbits(part, axis=1)
        flips = rng.random(bits.shape, dtype=np.float32) < rng.uniform(0, max_flips / 256, size=(len(part), 1))
        out[start:start + chunk] = np.packbits(bits ^ flips, axis=1)
    return out


def make_bank(count, clustered, rng):
    if not clustered:
        return rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
    centres = rng.integers(0, 256, size=(count // 50 + 1, 32), dtype=np.uint8)
    return perturb(np.repeat(centres, 50, axis=0)[:count], 40, rng)


def make_queries(bank, count, rng):
    near = perturb(bank[rng.integers(0, len(bank), size=count // 2)], 40, rng)
    far = rng.integers(0, 256, size=(count - len(near), 32), dtype=np.uint8)
    return np.concatenate([near, far])


def checksum(lims, ids):
    total = 0
    for query in range(len(lims) - 1):
        for entry in ids[lims[query]:lims[query + 1]]:
            total = (total + query * 1_000_003 + int(entry)) % (1 << 64)
    return total


def time_faiss(index, queries):
    import faiss
    timings, all_lims, all_ids = [], [0], []
    for q in queries:
        start = time.perf_counter()
        lims, _, ids = index.range_search(q.reshape(1, 32), RADIUS + 1)  # faiss: distance < radius
        timings.append((time.perf_counter() - start) * 1e6)
        all_ids.extend(sorted(ids.tolist()))
        all_lims.append(all_lims[-1] + len(ids))
    timings.sort()
    return timings, all_lims, all_ids


def row(name, count, build, bytes_per_entry, timings, matches, same, flat_mean):
    p50 = timings[len(timings) // 2]
    p99 = timings[min(len(timings) - 1, len(timings) * 99 // 100)]
    mean = statistics.mean(timings)
    return (f"| {name} | {count:,} | {build:.1f} | {bytes_per_entry:.1f} | {p50:,.1f} | {p99:,.1f} | "
            f"{flat_mean / mean:,.1f}x | {matches} | {same} |")


def main():
    import faiss
    faiss.omp_set_num_threads(1)
    sizes = [1_000_000, 10_000_000]
    query_count = 200
    args = sys.argv[1:]
    if "--sizes" in args:
        sizes = [int(v) for v in args[args.index("--sizes") + 1].split(",")]
    if "--queries" in args:
        query_count = int(args[args.index("--queries") + 1])
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261122)
    batches = []
    lines = ["| index | bank | build s | bytes/entry | p50 µs | p99 µs | speed-up vs flat (mean) | matches | same results |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |"]
    for clustered in (False, True):
        for count in sizes:
            kind = "clustered" if clustered else "random"
            bank = make_bank(count, clustered, rng)
            queries = make_queries(bank, query_count, rng)
            bank_path = os.path.join(OUT, f"bank-{kind}-{count}.bin")
            query_path = os.path.join(OUT, f"queries-{kind}-{count}.bin")
            bank.tofile(bank_path)
            queries.tofile(query_path)

            flat = faiss.IndexBinaryFlat(256)
            start = time.perf_counter()
            flat.add(bank)
            flat_build = time.perf_counter() - start
            flat_times, lims, ids = time_faiss(flat, queries)
            start = time.perf_counter()
            flat.range_search(queries, RADIUS + 1)
            flat_batch = time.perf_counter() - start
            reference = checksum(lims, ids)
            flat_mean = statistics.mean(flat_times)
            label = f"{kind}"
            lines.append(row(f"faiss IndexBinaryFlat ({label})", count, flat_build, 32, flat_times, len(ids), "ref", flat_mean))
            del flat

            multi = faiss.IndexBinaryMultiHash(256, 8, 32)
            multi.nflip = RADIUS // 8  # exact at radius 31 by the pigeonhole principle
            start = time.perf_counter()
            multi.add(bank)
            multi_build = time.perf_counter() - start
            multi_times, lims, ids = time_faiss(multi, queries)
            same = "yes" if checksum(lims, ids) == reference else "NO"
            # faiss keeps 8 tables of (32-bit key, 64-bit id) beside its flat copy of the vectors.
            lines.append(row(f"faiss IndexBinaryMultiHash 8x32 ({label})", count, multi_build, 32 + 8 * 12,
                             multi_times, len(ids), same, flat_mean))
            del multi

            output = subprocess.run([VIGIL_BENCH, "index", "--hashes", bank_path, "--queries", query_path,
                                     "--radius", str(RADIUS)], check=True, capture_output=True, text=True)
            fields = output.stdout.strip().splitlines()[-1].split(",")
            layout, _, build, bytes_per_entry, p50, p99, mean, matches, digest, batch_wall, batch_cpu = fields
            same = "yes" if int(digest) == reference else "NO"
            speedup = flat_mean / float(mean)
            lines.append(f"| Vigil HashIndex, {layout} ({label}) | {count:,} | {float(build):.1f} | {float(bytes_per_entry):.1f} | "
                         f"{float(p50):,.1f} | {float(p99):,.1f} | {speedup:,.1f}x | {matches} | {same} |")
            batches.append(f"| {label} | {count:,} | {float(mean):,.1f} | {float(batch_wall):,.1f} | {float(batch_cpu):,.1f} | "
                           f"{flat_batch * 1e6 / len(queries):,.1f} |")
            os.remove(bank_path)
            os.remove(query_path)
            print("\n".join(lines[-3:]), flush=True)
    lines += ["", "Batches (all queries in one call; both use every core). Per query, µs:", "",
              "| bank | hashes | Vigil one at a time (mean) | Vigil batch, wall | Vigil batch, CPU | faiss IndexBinaryFlat batch, wall |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"] + batches
    text = "\n".join(lines)
    with open(os.path.join(OUT, "index-results.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()

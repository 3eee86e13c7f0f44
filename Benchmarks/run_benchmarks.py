#!/usr/bin/env python3
"""Vigil's benchmarks, each run side by side with Meta's reference in the same session.

1. PDQ per frame, single thread: Vigil (`vigil-bench pdq`) against Meta's C++ through the `pdqhash`
   binding, on the same RGB frames, checking that both give the same hash.
2. Hashing a 60 s 1080p H.264 clip (2 s GOP): `vigil hash --keyframes` against
   `vpdq.computeHash(file, seconds_per_hash=1)`, wall-clock.
3. Scan jobs (`POST /v1/scans` on `vigil serve`): 720p clips checked per second of wall-clock
   against vpdq on the same files, sequential and in parallel (Benchmarks/scans/throughput.py),
   and the live sampling lag of 4 live streams before and during a burst of jobs
   (Benchmarks/scans/live_priority.py). 5 minutes or more; `--no-scans` leaves them out.

Results print as Markdown (also written to bench-output/results.md). Ratios are what to compare
across machines; absolute times move with the machine and its load.

Usage: python Benchmarks/run_benchmarks.py [--quick] [--no-scans]
"""
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import pdqhash

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench-output")
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")
VIGIL_BENCH = os.path.join(ROOT, ".build", "release", "vigil-bench")
QUICK = "--quick" in sys.argv
SCANS = "--no-scans" not in sys.argv
REPEATS = 1 if QUICK else 3


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def to_hex(bits):
    return format(int("".join(str(int(b)) for b in bits), 2), "064x")


def reference_pdq(path, width, height, min_seconds):
    image = np.fromfile(path, dtype=np.uint8).reshape((height, width, 3))
    bits, _ = pdqhash.compute(image)
    iterations = 0
    start = time.perf_counter_ns()
    while True:
        bits, _ = pdqhash.compute(image)
        iterations += 1
        now = time.perf_counter_ns()
        if now - start >= min_seconds * 1e9 and iterations >= 5:
            break
    return (now - start) / iterations, to_hex(bits)


def vigil_pdq(path, width, height, min_seconds, precision):
    output = subprocess.run(
        [VIGIL_BENCH, "pdq", "--precision", precision, "--min-seconds", str(min_seconds), f"{width}x{height}:{path}"],
        check=True, capture_output=True, text=True).stdout.strip().splitlines()
    fields = output[-1].split(",")
    return float(fields[3]), fields[4]


def pdq_benchmark():
    sizes = [(64, 64), (512, 512), (1280, 720), (1920, 1080)]
    min_seconds = 0.5 if QUICK else 2.0
    rows = []
    for width, height in sizes:
        path = os.path.join(OUT, f"frame-{width}x{height}.rgb")
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={width}x{height}", "-frames:v", "1",
               "-f", "rawvideo", "-pix_fmt", "rgb24", path)
        reference, vigil, vigil_single = [], [], []
        for _ in range(REPEATS):
            ns, reference_hash = reference_pdq(path, width, height, min_seconds)
            reference.append(ns)
            ns, vigil_hash = vigil_pdq(path, width, height, min_seconds, "double")
            vigil.append(ns)
            ns, _ = vigil_pdq(path, width, height, min_seconds, "single")
            vigil_single.append(ns)
        same = "yes" if vigil_hash == reference_hash else "NO"
        r, v, s = statistics.median(reference), statistics.median(vigil), statistics.median(vigil_single)
        rows.append(f"| {width}x{height} | {r / 1e6:.3f} | {v / 1e6:.3f} | {r / v:.2f}x | {s / 1e6:.3f} | {same} |")
    return "\n".join([
        "| frame | pdqhash (Meta C++) ms | Vigil ms | speed-up | Vigil single-precision luma ms | same hash |",
        "| --- | ---: | ---: | ---: | ---: | :---: |",
        *rows,
    ])


def video_benchmark():
    import vpdq

    clip = os.path.join(OUT, "clip-1080p-60s-gop2s.mp4")
    if not os.path.exists(clip):
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "60",
               "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60",
               "-sc_threshold", "0", "-pix_fmt", "yuv420p", clip)
    rows = []
    reference_times, reference_count = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        features = vpdq.computeHash(clip, seconds_per_hash=1)
        reference_times.append(time.perf_counter() - start)
        reference_count = len(features)
    reference = statistics.median(reference_times)
    rows.append(f"| `vpdq.computeHash(seconds_per_hash=1)` (reference) | {reference:.2f} | {reference_count} | 1.00x |")
    for label, args in [("`vigil hash --keyframes`", ["--keyframes"]),
                        ("`vigil hash --seconds-per-hash 1`", ["--seconds-per-hash", "1"])]:
        times, count = [], 0
        for _ in range(REPEATS):
            start = time.perf_counter()
            result = subprocess.run([VIGIL, "hash", *args, clip], check=True, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            count = len(result.stdout.strip().splitlines())
        elapsed = statistics.median(times)
        rows.append(f"| {label} | {elapsed:.2f} | {count} | {reference / elapsed:.1f}x |")
    return "\n".join([
        "| command (60 s 1080p H.264, 2 s GOP) | wall-clock s | hashes | speed-up vs reference |",
        "| --- | ---: | ---: | ---: |",
        *rows,
    ])


def scan_benchmarks():
    """Runs the two scan-job scripts against the release binary and returns their Markdown."""
    clips = os.path.join(OUT, "scan-clips")
    scripts = os.path.join(ROOT, "Benchmarks", "scans")
    if QUICK:
        throughput = ["--clips", "2", "--seconds", "20"]
        priority = ["--phase-a", "20", "--phase-b-max", "30", "--jobs", "8", "--job-clips", "2", "--job-seconds", "20"]
    else:
        throughput = ["--clips", "4", "--seconds", "60"]
        priority = ["--phase-a", "40", "--phase-b-max", "60", "--jobs", "20", "--job-clips", "4", "--job-seconds", "60"]
    sections = []
    for title, script, args in [("Scan-job throughput (720p)", "throughput.py", throughput),
                                ("Live sampling lag during a burst of scan jobs", "live_priority.py", priority)]:
        result = subprocess.run([sys.executable, os.path.join(scripts, script), "--vigil", VIGIL, "--clips-dir", clips,
                                 *args], capture_output=True, text=True)
        body = result.stdout.strip() if result.returncode == 0 else (
            f"Failed (exit {result.returncode}):\n\n```\n{(result.stdout + result.stderr).strip()[-3000:]}\n```")
        sections += [f"### {title}", "", body, ""]
    return sections


def main():
    os.makedirs(OUT, exist_ok=True)
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    header = (f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
              f"median of {REPEATS} run(s).")
    sections = [header, "", "### PDQ per frame, single thread", "", pdq_benchmark(), "",
                "### Hashing a video file", "", video_benchmark(), ""]
    if SCANS:
        sections += scan_benchmarks()
    text = "\n".join(sections)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()

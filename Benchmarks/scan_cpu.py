#!/usr/bin/env python3
"""CPU seconds (user + system) of `vigil scan CLIP --bank BANK` with default settings against bare
key-frame decoding, `ffmpeg -threads 1 -skip_frame nokey -i CLIP -f null -`, in one run: the two
commands alternate (ffmpeg, vigil, ffmpeg, ...) so machine load affects both alike. Prints every
run, the medians and the ratio vigil / ffmpeg (the efficiency target is at most 1.15).

The clip defaults to a 60 s 1080p H.264 test pattern with a 2 s GOP, made on first use in
bench-output/scan-cpu/ (benign: ffmpeg's testsrc2).

Usage: Benchmarks/scan_cpu.py [--vigil PATH] [--clip PATH] [--bank PATH] [--runs N]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_of(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # vigil scan exits 1 when something matched; anything else is a failure.
    if result.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def default_clip():
    path = os.path.join(ROOT, "bench-output", "scan-cpu", "testsrc2-1080p-60s-gop2s.mp4")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25",
             "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50",
             "-sc_threshold", "0", "-pix_fmt", "yuv420p", path], check=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    parser.add_argument("--clip")
    parser.add_argument("--bank", default=os.path.join(ROOT, "Samples", "banks"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    clip = args.clip or default_clip()
    ffmpeg = ["ffmpeg", "-loglevel", "error", "-threads", "1", "-skip_frame", "nokey", "-i", clip, "-f", "null", "-"]
    vigil = [args.vigil, "scan", clip, "--bank", args.bank]
    cpu_of(ffmpeg), cpu_of(vigil)  # warm the page cache
    bare, scan = [], []
    for run in range(args.runs):
        bare.append(cpu_of(ffmpeg))
        scan.append(cpu_of(vigil))
        print(f"run {run + 1}: ffmpeg {bare[-1]:.3f} s, vigil scan {scan[-1]:.3f} s", flush=True)
    a, b = statistics.median(bare), statistics.median(scan)
    print(f"median CPU: ffmpeg key frames {a:.3f} s, vigil scan {b:.3f} s, ratio {b / a:.2f}x")


if __name__ == "__main__":
    main()

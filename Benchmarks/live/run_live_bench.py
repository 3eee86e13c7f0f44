#!/usr/bin/env python3
"""Live-ingest benchmarks; prints Markdown tables (also written to bench-output/live-results.md).

1. CPU time per sampled key frame on a 64 s 1080p H.264 clip (2 s GOP): decoding, converting to RGB
   and hashing with PDQ, against bare key-frame decoding by `ffmpeg -skip_frame nokey` of the same
   clip. CPU time is user + system of the process, best of three.
2. Concurrent live 1080p streams (2 s GOP), served as HLS from pre-encoded segments by
   hls_server.py: the largest count this machine keeps with a sampling lag of at most 1 s (95th
   percentile, every key frame sampled). Lag is the time from a segment's publication to its key
   frame reaching the consumer hashed; the server answers playlist reloads as soon as a segment
   exists, so polling adds nothing.
3. Resident memory per stream, from the same runs.

The driver (LiveBench.swift) is built in a scratch package from copies of Sources/VigilMedia,
Sources/VigilHash and Sources/CFFmpeg, so nothing beyond the system FFmpeg is needed.

Usage: python3 Benchmarks/live/run_live_bench.py [--quick] [--streams 1,2,4,...] [--seconds 30]
Environment: VIGIL_BINARY=path/to/vigil adds `vigil hash --keyframes` to table 1.
"""
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.environ.get("VIGIL_LIVE_BENCH_DIR", "/tmp/vigil-live-bench")
OUT = os.path.join(ROOT, "bench-output")
QUICK = "--quick" in sys.argv
SEGMENT_SECONDS = 2.0


def argument(name, default):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


def cpu_seconds(command):
    """User + system CPU time of `command` (and its children), in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def build_driver():
    package = os.path.join(WORK, "pkg")
    sources = os.path.join(package, "Sources")
    shutil.rmtree(sources, ignore_errors=True)
    for target in ["CFFmpeg", "VigilHash", "VigilMedia"]:
        shutil.copytree(os.path.join(ROOT, "Sources", target), os.path.join(sources, target))
    os.makedirs(os.path.join(sources, "live-bench"))
    shutil.copy(os.path.join(HERE, "LiveBench.swift"), os.path.join(sources, "live-bench", "LiveBench.swift"))
    with open(os.path.join(package, "Package.swift"), "w") as f:
        f.write("""// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "LiveBench",
    platforms: [.macOS(.v15)],
    targets: [
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libswscale libavutil"),
        .target(name: "VigilHash"),
        .target(name: "VigilMedia", dependencies: ["CFFmpeg"]),
        .executableTarget(name: "live-bench", dependencies: ["VigilHash", "VigilMedia"]),
    ]
)
""")
    run(["swift", "build", "-c", "release", "--package-path", package], stdout=subprocess.DEVNULL)
    return os.path.join(package, ".build", "release", "live-bench")


def make_media():
    media = os.path.join(WORK, "media")
    clip = os.path.join(media, "clip-1080p.mp4")
    segments = os.path.join(media, "segments")
    if not os.path.exists(clip):
        os.makedirs(media, exist_ok=True)
        run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25", "-t", "64",
             "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
             "-pix_fmt", "yuv420p", clip + ".tmp.mp4"])
        os.rename(clip + ".tmp.mp4", clip)
    if not os.path.isdir(segments):
        os.makedirs(segments + ".tmp", exist_ok=True)
        run(["ffmpeg", "-v", "error", "-y", "-i", clip, "-c", "copy", "-f", "hls", "-hls_time", "2",
             "-hls_playlist_type", "vod", "-hls_segment_filename", os.path.join(segments + ".tmp", "seg%d.ts"),
             os.path.join(segments + ".tmp", "list.m3u8")])
        os.rename(segments + ".tmp", segments)
    return clip, segments


def keyframe_count(clip):
    output = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-skip_frame", "nokey",
                             "-show_entries", "frame=pts_time", "-of", "csv=p=0", clip],
                            check=True, stdout=subprocess.PIPE, text=True).stdout
    return len([line for line in output.splitlines() if line.strip()])


def cpu_table(driver, clip):
    keyframes = keyframe_count(clip)
    repeats = 1 if QUICK else 3
    bare = ["ffmpeg", "-v", "error", "-threads", "1", "-skip_frame", "nokey", "-i", clip,
            "-fps_mode", "passthrough", "-f", "null", "-"]
    rows = [
        ("`ffmpeg -threads 1 -skip_frame nokey -i clip -f null -` (bare key-frame decode)", bare),
        ("`ffmpeg -skip_frame nokey -i clip -f null -` (FFmpeg's default threads)",
         [a for a in bare if a not in ("-threads", "1")]),
        ("Vigil: decode + RGB (MediaReader, 1 thread)", [driver, "file", clip, "--no-hash"]),
        ("Vigil: decode + RGB + PDQ (MediaReader, as `vigil hash --keyframes`)", [driver, "file", clip]),
        ("Vigil live path: decode + RGB + PDQ (StreamSession)", [driver, "file", clip, "--session"]),
        ("Vigil live path, pictures shrunk to 512 px while converting, + PDQ",
         [driver, "file", clip, "--session", "--max-dim", "512"]),
    ]
    vigil = os.environ.get("VIGIL_BINARY") or os.path.join(ROOT, ".build", "release", "vigil")
    if os.path.exists(vigil):
        rows.append(("`vigil hash --keyframes` (the CLI)", [vigil, "hash", "--keyframes", clip]))
    results = []
    for label, command in rows:
        best = min(cpu_seconds(command) for _ in range(repeats))
        results.append((label, best))
    base = results[0][1]
    lines = [f"Clip: 64 s of 1920x1080 testsrc2, H.264 (x264 veryfast), 25 fps, 2 s GOP: {keyframes} key frames. "
             f"CPU = user + system, best of {repeats}.", "",
             "| Pipeline | CPU s | CPU ms per key frame | vs bare decode |", "|---|---:|---:|---:|"]
    for label, seconds in results:
        lines.append(f"| {label} | {seconds:.2f} | {1000 * seconds / keyframes:.1f} | {seconds / base:.2f}x |")
    return "\n".join(lines)


def phase(stream):
    """Offset of stream `stream`'s segment boundaries, as hls_server.py staggers them."""
    return (stream * 0.6180339887498949 % 1.0) * SEGMENT_SECONDS


def read_port(path, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if os.path.exists(path):
            return int(open(path).read())
        time.sleep(0.05)
    raise RuntimeError("hls_server.py did not start")


def one_run(driver, segments, count, seconds, max_dim=None):
    run_dir = os.path.join(WORK, f"run-{count}-{int(time.time() * 1000)}")
    os.makedirs(run_dir)
    port_file, t0_file, log_file = (os.path.join(run_dir, n) for n in ("port", "t0", "served.log"))
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "hls_server.py"), segments, str(SEGMENT_SECONDS),
                               port_file, t0_file, log_file])
    try:
        port = read_port(port_file)
        t0 = float(open(t0_file).read())
        command = [driver, "streams", f"http://127.0.0.1:{port}", str(count), str(seconds)]
        if max_dim:
            command += ["--max-dim", str(max_dim)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, timeout=seconds + 60).stdout
        wall = time.time() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        server.kill()
        server.wait()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(os.path.join(run_dir, "frames.jsonl"), "w") as f:
        f.write(output)
    first_segment = {}
    for line in open(log_file) if os.path.exists(log_file) else []:
        stream, index, _ = line.split()
        first_segment.setdefault(int(stream), int(index))
    frames, summary, errors = [], {}, []
    for line in output.splitlines():
        record = json.loads(line)
        if record.get("summary"):
            summary = record
        elif "error" in record:
            errors.append(record["error"])
        elif not record["crop"]:
            frames.append(record)
    # Key frames open each segment: segment = first segment fetched + pts / duration.
    warm_up = t0 + 10
    end = started + seconds - 1
    lags = []
    for frame in frames:
        stream = frame["s"]
        if stream not in first_segment:
            continue
        segment = first_segment[stream] + round(frame["pts"] / SEGMENT_SECONDS)
        published = t0 + phase(stream) + (segment + 1) * SEGMENT_SECONDS
        if warm_up <= published <= end:
            lags.append(frame["recv"] - published)
    expected = sum(len([i for i in range(1000) if warm_up <= t0 + phase(k) + (i + 1) * SEGMENT_SECONDS <= end])
                   for k in range(count))
    lags.sort()
    percentile = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("inf")
    return {
        "count": count, "p50": percentile(0.5), "p95": percentile(0.95), "max": lags[-1] if lags else float("inf"),
        "completeness": len(lags) / expected if expected else 0, "cores": cpu / wall,
        "rss_per_stream": (summary.get("rss_mid", 0) - summary.get("rss_start", 0)) / count,
        "rss_mid": summary.get("rss_mid", 0), "reconnects": summary.get("reconnects", 0),
        "dropped": summary.get("dropped", 0), "errors": errors[:3],
    }


def concurrency_table(driver, segments):
    counts = [int(c) for c in argument("--streams", "1,4,8,16,24,32,48,64,96,128").split(",")]
    seconds = float(argument("--seconds", "20" if QUICK else "30"))
    lines = ["| Streams | Lag p50 s | Lag p95 s | Lag max s | Key frames sampled | CPU cores used | RSS MiB | RSS per stream MiB | Kept? |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    best = 0
    for count in counts:
        result = one_run(driver, segments, count, seconds)
        kept = result["p95"] <= 1.0 and result["completeness"] >= 0.95 and not result["errors"]
        if kept:
            best = count
        lines.append(
            f"| {count} | {result['p50']:.2f} | {result['p95']:.2f} | {result['max']:.2f} | "
            f"{100 * result['completeness']:.0f}% | {result['cores']:.2f} | {result['rss_mid'] / 2**20:.0f} | "
            f"{result['rss_per_stream'] / 2**20:.1f} | {'yes' if kept else 'no'} |")
        print(lines[-1], file=sys.stderr)
        if not kept:
            break
    header = (f"Each stream: 1920x1080, 25 fps, 2 s GOP, 2 s segments, key-frame sampling, every sampled "
              f"frame hashed with PDQ; {seconds:.0f} s per run, the first 10 s excluded. "
              f"Largest count kept: **{best}**.")
    return header + "\n\n" + "\n".join(lines)


def main():
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    driver = build_driver()
    clip, segments = make_media()
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start"
    report = ["## Live ingest", "", f"Machine: {machine}.", "", "### CPU per sampled key frame", "",
              cpu_table(driver, clip), "", "### Concurrent live 1080p HLS streams", "",
              concurrency_table(driver, segments), ""]
    text = "\n".join(report)
    with open(os.path.join(OUT, "live-results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How many live 1080p streams `vigil serve` keeps up with, as a platform would run it.

Each stream is served as live HLS from pre-encoded 1080p segments (25 fps, 2 s GOP, 2 s
segments) by Benchmarks/live/hls_server.py: a segment is published when a live encoder would have
finished it, boundaries staggered across streams. The daemon runs from its own config with a bank
of 1,000,000 seeded random PDQ hashes (so every sampled picture is searched against it), the API
and /metrics, alerts to a JSONL file, and ingest isolation as configured (default: a `vigil
ingest` process per stream, the daemon's default).

Per run (one stream count), after a warm-up:
- sampling lag: the daemon's own `vigil_sample_lag_seconds` histogram over the measured window
  (a picture's data received -> its hash matched against the banks); p95 read from the buckets;
- key frames sampled: pictures hashed in the window against the key frames the server published
  in it (one per segment);
- memory: resident (RSS) and proportional (PSS, which splits shared library pages between the
  processes that map them) of the daemon and its ingest children, per stream; and, against a first
  run of the same daemon with no streams (its bank, program and API: what does not grow with the
  streams), what each stream adds;
- CPU: cores used by the daemon and its children over the window.

    python3 Benchmarks/serve/capacity.py --vigil .build/release/vigil --streams 50,100,150,200

Everything runs on 127.0.0.1 and stops by itself. Prints a Markdown table.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks", "live"))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks", "scans"))
import run_live_bench  # noqa: E402  (segments shared with the media-layer benchmark)
from common import free_port, process_tree  # noqa: E402  (shared with the scan-job benchmarks)

SEGMENT_SECONDS = run_live_bench.SEGMENT_SECONDS
TICKS = os.sysconf("SC_CLK_TCK")


def api(port, token, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def make_bank(path, count):
    if os.path.exists(path):
        return
    generator = random.Random(20261203)
    with open(path + ".tmp", "w") as out:
        for _ in range(count):
            out.write(f"{generator.getrandbits(256):064x}\n")
    os.rename(path + ".tmp", path)


def memory_kib(pid):
    """(RSS, PSS) of one process in KiB."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except OSError:
            pass
    return total


def histogram(metrics, name):
    """Cumulative bucket counts {upper bound: count} of a histogram without labels."""
    buckets = {}
    for match in re.finditer(name + r'_bucket\{le="([^"]+)"\} ([0-9.e+]+)', metrics):
        bound = float("inf") if match.group(1) == "+Inf" else float(match.group(1))
        buckets[bound] = float(match.group(2))
    return buckets


def counter(metrics, name):
    match = re.search("^" + name + r" ([0-9.e+]+)$", metrics, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def quantile(before, after, q):
    """Upper bound of the bucket holding quantile q of the observations between two scrapes."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0) for b in bounds]
    total = counts[-1] if counts else 0
    if total <= 0:
        return float("nan"), 0
    for bound, count in zip(bounds, counts):
        if count >= q * total:
            return bound, int(total)
    return float("inf"), int(total)


def published_between(streams, t0, start, end):
    """Segments (one key frame each) hls_server.py publishes in [start, end)."""
    total = 0
    for stream in range(streams):
        phase = (stream * 0.6180339887498949 % 1.0) * SEGMENT_SECONDS
        first = t0 + phase + SEGMENT_SECONDS
        total += len([i for i in range(100000) if start <= first + i * SEGMENT_SECONDS < end])
    return total


def one_run(args, segments, bank, count):
    work = tempfile.mkdtemp(prefix=f"vigil-capacity-{count}-")
    port_file, t0_file = os.path.join(work, "port"), os.path.join(work, "t0")
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "Benchmarks", "live", "hls_server.py"), segments,
                               str(SEGMENT_SECONDS), port_file, t0_file])
    daemon = None
    try:
        http_port = run_live_bench.read_port(port_file)
        t0 = float(open(t0_file).read())
        api_port = free_port()
        token = "capacity-token-0123456789abcdef"
        config = os.path.join(work, "vigil.yml")
        with open(config, "w") as out:
            out.write(f"listen: 127.0.0.1:{api_port}\napi_token: {token}\nstate_dir: {work}/state\n"
                      f"log: {{format: json, level: warning}}\n"
                      f"ingest: {{isolation: {args.isolation}}}\n"
                      + (f"limits: {{memory: {args.limits_memory}}}\n" if args.limits_memory else "")
                      + 
                      f"banks:\n  - {{name: big, path: {bank}}}\n"
                      f"alerts:\n  jsonl: {work}/alerts.jsonl\nstreams:{'' if count else ' []'}\n")
            for index in range(count):
                out.write(f"  - {{id: s{index:03d}, url: 'http://127.0.0.1:{http_port}/s{index}/live.m3u8'}}\n")
        log = open(os.path.join(work, "vigil.log"), "w")
        started = time.time()
        daemon = subprocess.Popen([args.vigil, "serve", "--config", config], stdout=log, stderr=log)
        while True:
            if daemon.poll() is not None:
                raise SystemExit(f"vigil exited with {daemon.returncode}; see {work}/vigil.log")
            try:
                api(api_port, token, "/healthz")
                break
            except Exception:
                time.sleep(0.2)
        ready = time.time() - started
        time.sleep(args.warm_up)
        window_start = time.time()
        before = api(api_port, token, "/metrics")
        cpu_before = cpu_seconds(process_tree(daemon.pid))
        memory = []
        while time.time() - window_start < args.seconds:
            time.sleep(5)
            tree = process_tree(daemon.pid)
            rss, pss = map(sum, zip(*(memory_kib(pid) for pid in tree)))
            memory.append((rss, pss, len(tree)))
        after = api(api_port, token, "/metrics")
        window_end = time.time()
        cpu_after = cpu_seconds(process_tree(daemon.pid))
        streams = json.loads(api(api_port, token, "/v1/streams"))["streams"]
        lag_before = histogram(before, "vigil_sample_lag_seconds")
        lag_after = histogram(after, "vigil_sample_lag_seconds")
        p50, _ = quantile(lag_before, lag_after, 0.50)
        p95, observed = quantile(lag_before, lag_after, 0.95)
        p99, _ = quantile(lag_before, lag_after, 0.99)
        hashed = counter(after, "vigil_hashing_frames_total") - counter(before, "vigil_hashing_frames_total")
        drops = sum(float(m.group(1)) for m in re.finditer(r'vigil_hashing_drops_total\{[^}]*\} ([0-9.e+]+)', after))
        expected = published_between(count, t0, window_start, window_end)
        peak_rss = max(m[0] for m in memory)
        peak_pss = max(m[1] for m in memory)
        return {
            "streams": count, "ready_s": ready, "p50": p50, "p95": p95, "p99": p99, "observed": observed,
            "sampled": hashed / expected if expected else 0, "drops": drops,
            "live": sum(1 for s in streams if s["state"] == "live"),
            "cores": (cpu_after - cpu_before) / (window_end - window_start),
            "rss_mib": peak_rss / 1024, "pss_mib": peak_pss / 1024, "processes": memory[-1][2],
        }
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
        server.kill()
        server.wait()
        if os.environ.get("KEEP_CAPACITY") is None:
            shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    parser.add_argument("--streams", default="50,100,150,200")
    parser.add_argument("--seconds", type=float, default=60, help="measured window per run")
    parser.add_argument("--warm-up", type=float, default=20, help="seconds after the daemon is ready, not measured")
    parser.add_argument("--bank-size", type=int, default=1_000_000)
    parser.add_argument("--isolation", choices=["process", "none"], default="process")
    parser.add_argument("--limits-memory", help="the daemon's `limits.memory` (default: the daemon's own, half the "
                        "machine's memory); its per-stream estimate for 1080p is far above what a stream uses")
    args = parser.parse_args()

    os.makedirs(run_live_bench.WORK, exist_ok=True)
    _, segments = run_live_bench.make_media()
    bank = os.path.join(run_live_bench.WORK, f"bank-{args.bank_size}.txt")
    make_bank(bank, args.bank_size)

    idle = one_run(argparse.Namespace(**{**vars(args), "warm_up": 5, "seconds": 10}), segments, bank, 0)
    budget = f"`limits.memory: {args.limits_memory}`" if args.limits_memory else "default `limits.memory`"
    print(f"`vigil serve`, ingest isolation `{args.isolation}`, {budget}, bank of {args.bank_size:,} hashes; "
          f"{args.warm_up:.0f} s warm-up, {args.seconds:.0f} s measured; {os.cpu_count()} cores. With no streams: "
          f"{idle['rss_mib']:.0f} MiB RSS, {idle['pss_mib']:.0f} MiB PSS.\n")
    print("| streams | lag p50 | lag p95 | lag p99 | key frames hashed | hashing drops | live | cores used "
          "| RSS total MiB | PSS total MiB | processes | RSS / stream MiB | PSS / stream MiB "
          "| RSS added / stream MiB | PSS added / stream MiB | kept |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for count in [int(c) for c in args.streams.split(",")]:
        r = one_run(args, segments, bank, count)
        kept = r["p95"] <= 1.0 and r["sampled"] >= 0.95 and r["live"] == count
        print(f"| {count} | ≤{r['p50']:.2f} s | ≤{r['p95']:.2f} s | ≤{r['p99']:.2f} s | {100 * r['sampled']:.0f}% "
              f"| {r['drops']:.0f} | {r['live']} | {r['cores']:.2f} | {r['rss_mib']:.0f} | {r['pss_mib']:.0f} "
              f"| {r['processes']} | {r['rss_mib'] / count:.1f} | {r['pss_mib'] / count:.1f} "
              f"| {(r['rss_mib'] - idle['rss_mib']) / count:.1f} | {(r['pss_mib'] - idle['pss_mib']) / count:.1f} "
              f"| {'yes' if kept else 'no'} |",
              flush=True)


if __name__ == "__main__":
    main()

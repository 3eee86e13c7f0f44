#!/usr/bin/env python3
"""What ingest isolation costs: `vigil serve` with live streams read in child processes
(`ingest.isolation: process`, the default) against the same streams read inside the daemon
(`ingest.isolation: none`), in one run, on the same senders.

Each stream is an ffmpeg process playing a 1080p H.264 clip (2 s GOP) in real time to a UDP port on
127.0.0.1. For each mode the script starts the daemon, lets the streams settle, then over a window
of `--duration` seconds sums the CPU time (user + system) of the daemon and all its child
processes and the key frames sampled (from /v1/streams), and at the end the proportional set size
(PSS, which splits shared library pages fairly) of the daemon and its children.

    python3 Benchmarks/serve/isolation.py --vigil .build/release/vigil --streams 8 --duration 60
"""
import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TICKS = os.sysconf("SC_CLK_TCK")


def descendants(pid):
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        kids = []
        # A child belongs to the thread that started it: read every thread's list.
        try:
            threads = os.listdir(f"/proc/{parent}/task")
        except OSError:
            threads = []
        for thread in threads:
            try:
                with open(f"/proc/{parent}/task/{thread}/children") as children:
                    kids += [int(k) for k in children.read().split()]
            except OSError:
                pass
        found += kids
        frontier += kids
    return found


def cpu_seconds(pid):
    total = 0.0
    for process in descendants(pid):
        try:
            with open(f"/proc/{process}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except OSError:
            pass
    return total


def memory_kib(pid, key):
    total = 0
    for process in descendants(pid):
        try:
            with open(f"/proc/{process}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def sampled(port, token):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/streams", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        streams = json.loads(response.read())["streams"]
    return sum(stream["frames_sampled"] for stream in streams), streams


def run_mode(args, mode, clip, work, index):
    token = "isolation-bench-token-0123456789"
    api_port = args.api_port + index
    ports = [args.udp_port + 10 * index + n for n in range(args.streams)]
    config = os.path.join(work, f"{mode}.yml")
    with open(config, "w") as file:
        file.write(f"listen: 127.0.0.1:{api_port}\napi_token: {token}\nstate_dir: {work}/state-{mode}\n")
        file.write(f"log: {{level: warning}}\ningest: {{isolation: {mode}}}\nstreams:\n")
        for n, port in enumerate(ports):
            file.write(f"  - {{id: s{n}, url: \"udp://127.0.0.1:{port}\"}}\n")
    daemon = subprocess.Popen([args.vigil, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    senders = [subprocess.Popen(
        ["ffmpeg", "-v", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "mpegts",
         f"udp://127.0.0.1:{port}?pkt_size=1316"]) for port in ports]
    try:
        time.sleep(args.settle)
        cpu0, frames0 = cpu_seconds(daemon.pid), sampled(api_port, token)[0]
        time.sleep(args.duration)
        cpu1, (frames1, streams) = cpu_seconds(daemon.pid), sampled(api_port, token)
        pss, rss = memory_kib(daemon.pid, "Pss"), memory_kib(daemon.pid, "Rss")
        processes = len(descendants(daemon.pid))
    finally:
        for sender in senders:
            sender.kill()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    keyframes = frames1 - frames0
    return {
        "mode": mode, "streams": args.streams, "processes": processes, "keyframes": keyframes,
        "cpu_s": round(cpu1 - cpu0, 2), "cpu_ms_per_keyframe": round(1000 * (cpu1 - cpu0) / max(1, keyframes), 2),
        "pss_mib": round(pss / 1024, 1), "pss_mib_per_stream": round(pss / 1024 / args.streams, 1),
        "rss_mib": round(rss / 1024, 1), "reconnects": sum(s["reconnects"] for s in streams),
        "dropped": sum(s["frames_dropped"] for s in streams),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    parser.add_argument("--streams", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--settle", type=float, default=8)
    parser.add_argument("--api-port", type=int, default=8501)
    parser.add_argument("--udp-port", type=int, default=18500)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vigil-isolation-")
    clip = os.path.join(work, "clip-1080p.ts")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "20",
                    "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
                    "-pix_fmt", "yuv420p", clip], check=True)
    rows = [run_mode(args, mode, clip, work, index) for index, mode in enumerate(["none", "process"])]
    for row in rows:
        print(json.dumps(row))
    base, isolated = rows
    print(json.dumps({
        "cpu_per_keyframe_ratio": round(isolated["cpu_ms_per_keyframe"] / max(0.001, base["cpu_ms_per_keyframe"]), 3),
        "extra_pss_mib_per_stream": round(isolated["pss_mib_per_stream"] - base["pss_mib_per_stream"], 1),
    }))


if __name__ == "__main__":
    main()

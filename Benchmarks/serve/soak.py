#!/usr/bin/env python3
"""Soak test for `vigil serve`: many cheap live HLS streams at once, everything on 127.0.0.1.

Each stream is an ffmpeg process copying a looped sample clip into a live HLS folder (2 s segments,
one key frame each); a small HTTP server serves the folders and counts the segments each stream
fetched. The daemon watches every stream with key-frame sampling. Every few seconds the script
samples the daemon's resident memory; at the end it compares the daemon's per-stream frame counts
(/v1/streams and /metrics) with the segments served, and prints a JSON summary.

    python3 Benchmarks/serve/soak.py --vigil .build/release/vigil --streams 50 --duration 300
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIPS = [os.path.join(ROOT, "Samples", "mandelbrot-zoom.mp4"), os.path.join(ROOT, "Samples", "game-of-life.mp4")]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def api(port, token, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds of watching")
    parser.add_argument("--http-port", type=int, default=8400)
    parser.add_argument("--api-port", type=int, default=8401)
    parser.add_argument("--sample-every", type=float, default=5)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="vigil-soak-")
    children = []
    served = Counter()
    lock = threading.Lock()

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path.endswith(".ts"):
                with lock:
                    served[self.path.split("/")[1]] += 1
            super().do_GET()

        def log_message(self, *_):
            pass

    try:
        hls = os.path.join(work, "hls")
        for index in range(args.streams):
            folder = os.path.join(hls, f"s{index:03d}")
            os.makedirs(folder)
            children.append(subprocess.Popen(
                ["ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", CLIPS[index % 2], "-c", "copy", "-f", "hls",
                 "-hls_time", "2", "-hls_list_size", "6", "-hls_flags", "delete_segments+omit_endlist",
                 os.path.join(folder, "index.m3u8")]))
        server = ThreadingHTTPServer(("127.0.0.1", args.http_port), partial(Handler, directory=hls))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        time.sleep(5)

        token = "soak-token-0123456789abcdef"
        config = os.path.join(work, "vigil.yml")
        with open(config, "w") as out:
            out.write(f"listen: 127.0.0.1:{args.api_port}\napi_token: {token}\nstate_dir: {work}/state\n"
                      f"log: {{format: json, level: warning}}\n"
                      f"banks:\n  - {{name: known, path: {ROOT}/Samples/banks/known}}\n"
                      f"alerts:\n  jsonl: {work}/alerts.jsonl\nstreams:\n")
            for index in range(args.streams):
                out.write(f"  - {{id: s{index:03d}, url: 'http://127.0.0.1:{args.http_port}/s{index:03d}/index.m3u8'}}\n")
        log = open(os.path.join(work, "vigil.log"), "w")
        daemon = subprocess.Popen([args.vigil, "serve", "--config", config], stdout=log, stderr=log)
        children.append(daemon)

        samples = []
        started = time.time()
        while time.time() - started < args.duration:
            time.sleep(args.sample_every)
            if daemon.poll() is not None:
                raise SystemExit(f"vigil exited with {daemon.returncode}; see {work}/vigil.log")
            samples.append((round(time.time() - started, 1), rss_kib(daemon.pid)))
            print(f"t={samples[-1][0]:6.1f}s rss={samples[-1][1] / 1024:7.1f} MiB", file=sys.stderr, flush=True)

        streams = json.loads(api(args.api_port, token, "/v1/streams"))["streams"]
        metrics = api(args.api_port, token, "/metrics")
        with lock:
            fetched = dict(served)
        metric_frames = {m.group(1): int(float(m.group(2)))
                         for m in re.finditer(r'vigil_stream_frames_in_total\{stream="([^"]+)"\} ([0-9.e+]+)', metrics)}
        rows = []
        for stream in streams:
            rows.append({"id": stream["id"], "state": stream["state"], "frames_in": stream["frames_in"],
                         "frames_in_metric": metric_frames.get(stream["id"]), "frames_sampled": stream["frames_sampled"],
                         "frames_dropped": stream["frames_dropped"], "segments_served": fetched.get(stream["id"], 0),
                         "reconnects": stream["reconnects"], "stalls": stream["stalls"]})
        daemon.send_signal(signal.SIGTERM)
        drain_started = time.time()
        daemon.wait(timeout=30)
        alerts = sum(1 for _ in open(os.path.join(work, "alerts.jsonl"))) if os.path.exists(os.path.join(work, "alerts.jsonl")) else 0
        warm = [rss for t, rss in samples if t >= 60] or [rss for _, rss in samples]
        summary = {
            "streams": args.streams, "duration_s": args.duration,
            "rss_mib": {"first": round(samples[0][1] / 1024, 1), "at_60s": round(warm[0] / 1024, 1),
                        "min_after_60s": round(min(warm) / 1024, 1), "max_after_60s": round(max(warm) / 1024, 1),
                        "last": round(samples[-1][1] / 1024, 1)},
            "frames_in_total": sum(r["frames_in"] for r in rows),
            "segments_served_total": sum(r["segments_served"] for r in rows),
            "min_frames_in": min(r["frames_in"] for r in rows), "max_frames_in": max(r["frames_in"] for r in rows),
            "streams_not_live": [r["id"] for r in rows if r["state"] != "live"],
            "metrics_match_api": all(r["frames_in"] == r["frames_in_metric"] for r in rows),
            "max_abs(frames_in - segments_served)": max(abs(r["frames_in"] - r["segments_served"]) for r in rows),
            "frames_dropped_total": sum(r["frames_dropped"] for r in rows),
            "reconnects_total": sum(r["reconnects"] for r in rows), "stalls_total": sum(r["stalls"] for r in rows),
            "alert_lines": alerts, "drain_seconds": round(time.time() - drain_started, 2), "exit_status": daemon.returncode,
            "rss_samples": samples,
        }
        print(json.dumps(summary, indent=1))
        with open(os.path.join(work, "streams.json"), "w") as out:
            json.dump(rows, out, indent=1)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        for child in children:
            try:
                child.wait(timeout=10)
            except Exception:
                pass
        if os.environ.get("KEEP_SOAK") is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

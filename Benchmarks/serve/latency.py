#!/usr/bin/env python3
"""Latency of `vigil serve`, from a key frame being served to its alert reaching a webhook.

A small live server on 127.0.0.1 plays the known sample clip (looped) as MPEG-TS over HTTP in real
time: the clip is cut into one chunk per GOP, and chunk i is written at t0 + i * GOP, where t0 is
when the daemon connected; the server records when it wrote each chunk, i.e. when that chunk's key
frame was served. The daemon runs with `alerts.window: 0s`, so every matching key frame raises an
alert; a local receiver records when each alert arrives. Latency = arrival - serve time of the key
frame the alert names (by its pts). Prints p50/p90/p99/max and a JSON summary.

    python3 Benchmarks/serve/latency.py --vigil .build/release/vigil --streams 4 --loops 10
"""
import argparse
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOP = 2.0


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--loops", type=int, default=10, help="times the 12 s clip is played per stream")
    parser.add_argument("--port", type=int, default=8500)
    parser.add_argument("--sampling", default="keyframes", choices=["keyframes", "interval"],
                        help="interval: decode every frame, hash the first of each 2 s (no decoder reorder delay)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vigil-latency-")
    children = []
    served = {}  # stream -> list of serve times per chunk
    arrivals = []
    try:
        subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", str(args.loops - 1), "-i",
                        os.path.join(ROOT, "Samples", "mandelbrot-zoom.mp4"), "-c", "copy", "-f", "mpegts",
                        os.path.join(work, "long.ts")], check=True)
        subprocess.run(["ffmpeg", "-v", "error", "-i", os.path.join(work, "long.ts"), "-c", "copy", "-f", "segment",
                        "-segment_time", str(GOP), "-reset_timestamps", "0", "-segment_format", "mpegts",
                        os.path.join(work, "chunk%04d.ts")], check=True)
        chunks = [open(path, "rb").read() for path in sorted(glob.glob(os.path.join(work, "chunk*.ts")))]

        class Live(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                stream = self.path.strip("/").split("/")[0]
                if stream in served:
                    # One pass per stream: a reconnection after the end would restart the clock.
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "video/mp2t")
                self.end_headers()
                times = served.setdefault(stream, [])
                start = time.time()
                try:
                    for index, chunk in enumerate(chunks):
                        delay = start + index * GOP - time.time()
                        if delay > 0:
                            time.sleep(delay)
                        times.append(time.time())
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self):
                received = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                arrivals.append((received, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", args.port), Live)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        token = "latency-token-0123456789abcdef"
        config = os.path.join(work, "vigil.yml")
        with open(config, "w") as out:
            out.write(f"listen: 127.0.0.1:{args.port + 1}\napi_token: {token}\nstate_dir: {work}/state\n"
                      f"log: {{format: json, level: warning}}\n"
                      f"banks:\n  - {{name: known, path: {ROOT}/Samples/banks/known}}\n"
                      f"alerts:\n  window: 0s\n  webhooks:\n"
                      f"    - {{name: bench, url: 'http://127.0.0.1:{args.port}/hook', secret: bench-secret}}\n"
                      f"streams:\n")
            for index in range(args.streams):
                sampling = "keyframes" if args.sampling == "keyframes" else f"interval, interval: {GOP}s"
                out.write(f"  - {{id: live{index}, url: 'http://127.0.0.1:{args.port}/live{index}/live.ts', sampling: {sampling}}}\n")
        log = open(os.path.join(work, "vigil.log"), "w")
        daemon = subprocess.Popen([args.vigil, "serve", "--config", config], stdout=log, stderr=log)
        children.append(daemon)
        time.sleep(args.loops * 12 + 8)
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)

        latencies = []
        for received, alert in arrivals:
            times = served.get(alert["stream"], [])
            index = int(round(alert["frame"]["pts_seconds"] / GOP))
            if index < len(times):
                latencies.append(received - times[index])
        if not latencies:
            raise SystemExit(f"no alerts; see {work}/vigil.log")
        expected = args.streams * len(chunks)
        summary = {
            "streams": args.streams, "sampling": args.sampling, "keyframes_served": sum(len(t) for t in served.values()), "alerts": len(arrivals),
            "expected_alerts": expected,
            "latency_ms": {name: round(value * 1000, 1) for name, value in [
                ("p50", percentile(latencies, 0.50)), ("p90", percentile(latencies, 0.90)),
                ("p99", percentile(latencies, 0.99)), ("max", max(latencies)), ("min", min(latencies)),
                ("mean", statistics.mean(latencies))]},
        }
        print(json.dumps(summary, indent=1))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        if os.environ.get("KEEP_LATENCY") is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

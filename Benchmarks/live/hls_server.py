#!/usr/bin/env python3
"""Serves any number of identical live HLS streams from pre-encoded segments, on 127.0.0.1.

Segment i of stream k is "published" at T0 + phase(k) + (i + 1) * DURATION, when a live encoder
would have finished it; phase(k) = frac(k * 0.618034) * DURATION spreads the streams' segment
boundaries evenly, as independent encoders would be. /s<k>/live.m3u8 lists the last three published segments and the next two to come
(like LL-HLS preload hints); a request for a segment not yet published is held until the moment it
is. The segments play in a loop, with a discontinuity at each wrap (timestamps start over), so a
run may last as long as it needs. Clients therefore get every segment the moment it exists, whatever their playlist polling
rhythm, and the measured lag is Vigil's, not the polling interval's. Serving costs almost
nothing: the segments are read once into memory.

Usage: hls_server.py SEGMENT_DIR SEGMENT_SECONDS PORT_FILE T0_FILE [LOG_FILE]
"""
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

segment_dir, duration, port_file, t0_file = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
log_file = sys.argv[5] if len(sys.argv) > 5 else None
names = sorted((n for n in os.listdir(segment_dir) if re.fullmatch(r"seg\d+\.ts", n)), key=lambda n: int(n[3:-3]))
segments = [open(os.path.join(segment_dir, n), "rb").read() for n in names]
T0 = time.time()
log_lock = threading.Lock()


def phase(stream):
    return (stream * 0.6180339887498949 % 1.0) * duration


def published(stream, now):
    return max(0, int((now - T0 - phase(stream)) // duration))


def log(line):
    if log_file:
        with log_lock, open(log_file, "a") as f:
            f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, body, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        match = re.fullmatch(r"/s(\d+)/(live\.m3u8|seg(\d+)\.ts)", self.path)
        if not match:
            self.send_error(404)
            return
        stream = int(match.group(1))
        if match.group(3) is not None:
            index = int(match.group(3))
            due = T0 + phase(stream) + (index + 1) * duration
            if due - time.time() > 3 * duration:
                self.send_error(404)
                return
            while time.time() < due:
                time.sleep(min(0.005, max(0.0, due - time.time())))
            log(f"{stream} {index} {time.time()}")
            self.send(segments[index % len(segments)], "video/mp2t")
            return
        count = published(stream, time.time())
        first = max(0, count - 3)
        last = count + 2
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{int(round(duration))}",
                 f"#EXT-X-MEDIA-SEQUENCE:{first}", f"#EXT-X-DISCONTINUITY-SEQUENCE:{first // len(segments)}"]
        for index in range(first, last):
            if index > first and index % len(segments) == 0:
                lines.append("#EXT-X-DISCONTINUITY")
            lines += [f"#EXTINF:{duration:.3f},", f"seg{index}.ts"]
        self.send(("\n".join(lines) + "\n").encode(), "application/vnd.apple.mpegurl")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients hang up mid-segment when a run ends; that is not worth a traceback.
        pass


server = Server(("127.0.0.1", 0), Handler)
with open(t0_file, "w") as f:
    f.write(repr(T0))
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()

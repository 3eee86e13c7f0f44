"""Shared by the scan-job benchmarks (throughput.py, live_priority.py): test clips, a `vigil serve`
run on 127.0.0.1 with its own state directory, the scan API, /metrics parsing and CPU time.

Everything a run starts is stopped in `Daemon.stop` / `stop_processes`, also when the run fails
or is interrupted (SIGINT and SIGTERM end the run through the callers' try/finally).
"""
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BANK = os.path.join(ROOT, "Samples", "banks", "known")
SAMPLES = [os.path.join(ROOT, "Samples", "mandelbrot-zoom.mp4"), os.path.join(ROOT, "Samples", "game-of-life.mp4")]
TICKS = os.sysconf("SC_CLK_TCK")
TOKEN = "scan-bench-token-0123456789abcdef"


def exit_on_sigterm():
    """SIGTERM (and SIGHUP) end the run like Ctrl-C, so every finally block runs."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


# MARK: Clips

# Benign synthetic content only: lavfi test sources and the repository's own sample clips.
CLIP_SOURCES = [
    ("testsrc2", ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"]),
    ("mandelbrot-zoom", ["-stream_loop", "-1", "-i", SAMPLES[0]]),
    ("life", ["-f", "lavfi", "-i", "life=size=1280x720:rate=30:mold=10:ratio=0.1:death_color=#C83232:life_color=#00ff00"]),
    ("game-of-life", ["-stream_loop", "-1", "-i", SAMPLES[1]]),
]


def make_clips(directory, count, seconds):
    """`count` 720p H.264 clips of `seconds` each (30 fps, 2 s GOP, no scene-cut key frames), one
    source after another from CLIP_SOURCES. A clip already in `directory` is reused."""
    os.makedirs(directory, exist_ok=True)
    clips = []
    for index in range(count):
        name, inputs = CLIP_SOURCES[index % len(CLIP_SOURCES)]
        path = os.path.join(directory, f"clip{index:02d}-{name}-720p-{seconds:g}s-gop2s.mp4")
        if not os.path.exists(path):
            subprocess.run(
                ["ffmpeg", "-v", "error", "-nostdin", "-y", *inputs, "-t", f"{seconds:g}",
                 "-vf", "scale=1280:720,setsar=1,fps=30", "-an",
                 "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
                 "-pix_fmt", "yuv420p", "-movflags", "+faststart", path + ".part.mp4"], check=True)
            os.rename(path + ".part.mp4", path)
        clips.append(path)
    return clips


def media_seconds(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip())


# MARK: Ports and processes

def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_tree(pid):
    """`pid` and every process below it."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                pass
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children.get(current, [])
    return tree


def cpu_seconds(pids):
    """User + system CPU seconds of the processes (all their threads) and of the children they
    have reaped (scan jobs' ingest processes that ended), from /proc/<pid>/stat."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += sum(int(field) for field in fields[11:15]) / TICKS
        except OSError:
            pass
    return total


def stop_processes(processes, timeout=10):
    """SIGTERM, then SIGKILL after `timeout`, to processes this run started."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.time() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Daemon:
    """`vigil serve` from a config written into `work`, logging to `work`/vigil.log. It runs in a
    process group of its own, so that whatever it leaves behind can be ended by that group's id."""

    def __init__(self, vigil, work, config_text):
        self.work = work
        self.port = free_port()
        self.config = os.path.join(work, "vigil.yml")
        with open(self.config, "w") as out:
            out.write(f"listen: 127.0.0.1:{self.port}\napi_token: {TOKEN}\nstate_dir: {work}/state\n"
                      f"log: {{level: info}}\nalerts:\n  jsonl: {work}/alerts.jsonl\n"
                      f"banks:\n  - {{name: known, path: {BANK}}}\n" + config_text)
        self.log_path = os.path.join(work, "vigil.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([vigil, "serve", "--config", self.config], stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.process.pid

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vigil serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.get("/healthz")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise RuntimeError(f"vigil serve not ready after {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return ""

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Authorization": f"Bearer {TOKEN}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path):
        status, text = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {text}")
        return text

    def submit(self, source, job_id):
        status, text = self.request("POST", "/v1/scans", {"source": source, "id": job_id})
        if status != 202:
            raise RuntimeError(f"POST /v1/scans {job_id}: {status} {text}")
        return json.loads(text)

    def jobs(self):
        """Every job the daemon lists, by id (a fresh state directory holds only this run's)."""
        return {job["id"]: job for job in json.loads(self.get("/v1/scans?limit=1000"))["scans"]}

    def job(self, job_id):
        return json.loads(self.get(f"/v1/scans/{job_id}"))

    def metrics(self):
        return parse_metrics(self.get("/metrics"))

    def cpu(self):
        """CPU seconds of the daemon and any child it runs (ingest processes)."""
        return cpu_seconds(process_tree(self.pid))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Anything of the daemon's still alive (its group is its own, started above).
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()


def wait_for_jobs(daemon, ids, deadline=None, interval=0.25):
    """Polls GET /v1/scans until every job in `ids` has ended or `deadline` (time.time()) passes;
    then reads each ended job with GET /v1/scans/{id}. Returns ({id: job}, time the last ended
    job was first seen ended)."""
    pending, last_seen = set(ids), None
    while pending:
        listed = daemon.jobs()
        ended = {i for i in pending if listed.get(i, {}).get("state") in ("done", "failed")}
        if ended:
            last_seen = time.time()
            pending -= ended
        if pending:
            if deadline is not None and time.time() >= deadline:
                break
            if daemon.process.poll() is not None:
                raise RuntimeError(f"vigil serve exited with {daemon.process.returncode}:\n{daemon.log_tail()}")
            time.sleep(interval)
    return {i: daemon.job(i) for i in ids}, last_seen


def timestamp(text):
    """A date of the API (UTC, milliseconds) as seconds since the epoch."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# MARK: Metrics

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text exposition → [(name, {label: value}, value)]."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if match:
            labels = dict(LABEL.findall(match.group(3) or ""))
            samples.append((match.group(1), labels, float(match.group(4))))
    return samples


def metric_sum(samples, name):
    """Sum of every series of `name` (all label sets)."""
    return sum(value for sample, _, value in samples if sample == name)


def histogram(samples, name):
    """Cumulative bucket counts {upper bound: count} of a histogram without other labels."""
    buckets = {}
    for sample, labels, value in samples:
        if sample == name + "_bucket" and "le" in labels:
            bound = math.inf if labels["le"] == "+Inf" else float(labels["le"])
            buckets[bound] = buckets.get(bound, 0.0) + value
    return buckets


def quantile(before, after, q):
    """Quantile q of the observations between two scrapes of a histogram, from the bucket deltas:
    (upper bound of the bucket holding it, linear interpolation inside that bucket as
    Prometheus's histogram_quantile does, observations). In the +Inf bucket both are the largest
    finite bound, marked by the caller as a floor. NaN when nothing was observed."""
    bounds = sorted(after)
    cumulative = [after[b] - before.get(b, 0.0) for b in bounds]
    total = cumulative[-1] if cumulative else 0.0
    if total <= 0:
        return math.nan, math.nan, 0
    rank = q * total
    previous_bound, previous_count = 0.0, 0.0
    for bound, count in zip(bounds, cumulative):
        if count >= rank:
            if math.isinf(bound):
                return math.inf, previous_bound, int(total)
            inside = count - previous_count
            fraction = (rank - previous_count) / inside if inside > 0 else 1.0
            return bound, previous_bound + (bound - previous_bound) * fraction, int(total)
        previous_bound, previous_count = bound, count
    return math.inf, previous_bound, int(total)


def remove(path, keep):
    if keep:
        print(f"kept: {path}")
    else:
        shutil.rmtree(path, ignore_errors=True)

#!/usr/bin/env python3
"""Do scan jobs slow live watching? `vigil serve` with live streams, then a burst of scan jobs.

Live streams: each is an ffmpeg process playing a sample clip (Samples/mandelbrot-zoom.mp4 and
Samples/game-of-life.mp4 in turn; 2 s GOP) in real time and in a loop as MPEG-TS to a UDP port on
127.0.0.1 (`-re -stream_loop -1 -c copy`). The daemon watches them with its defaults (key frames,
ingest in child processes) and the sample bank, and has `scans: {file_roots: [the clips' folder],
concurrency: C}`.

- Phase A (`--phase-a` s): live streams only.
- Phase B: `--jobs` scan jobs (720p H.264 clips of `--job-seconds` s, 2 s GOP, made before the
  daemon starts) submitted at once; measured until every job has ended or `--phase-b-max` s.

Each phase is read from /metrics at its start and end: the live sampling lag histogram
`vigil_sample_lag_seconds` (a sampled picture's data received → its detection step done) gives
p50/p95/p99 from the bucket deltas, both as the bucket's upper bound and interpolated linearly
inside the bucket; `vigil_hashing_drops_total` (frames the hashing queue dropped) and
`vigil_stream_frames_dropped_total` (frames a stream's reader dropped) give the drops. The CPU
time of the daemon and its ingest children gives the cores used. Target: the p99 rises by at
most 0.2 s from phase A to phase B.

    python3 Benchmarks/scans/live_priority.py --vigil .build/release/vigil --streams 4 --jobs 20

Everything runs on 127.0.0.1 and stops by itself; prints a Markdown table.
"""
import argparse
import json
import math
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TARGET = 0.2


def snapshot(daemon):
    return {"time": time.time(), "metrics": daemon.metrics(), "cpu": daemon.cpu()}


def phase(name, start, end, jobs_done=None, jobs=None):
    lag_before = common.histogram(start["metrics"], "vigil_sample_lag_seconds")
    lag_after = common.histogram(end["metrics"], "vigil_sample_lag_seconds")
    result = {"name": name, "seconds": end["time"] - start["time"], "jobs_done": jobs_done, "jobs": jobs}
    for label, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        bound, interpolated, observed = common.quantile(lag_before, lag_after, q)
        result[label] = (bound, interpolated)
        result["samples"] = observed

    def delta(metric):
        return common.metric_sum(end["metrics"], metric) - common.metric_sum(start["metrics"], metric)

    result["hashing_drops"] = delta("vigil_hashing_drops_total")
    result["reader_drops"] = delta("vigil_stream_frames_dropped_total")
    result["sampled"] = delta("vigil_stream_frames_sampled_total")
    result["cores"] = (end["cpu"] - start["cpu"]) / result["seconds"]
    return result


def shown(value):
    bound, interpolated = value
    if math.isnan(bound):
        return "–"
    if math.isinf(bound):
        return f">{interpolated:.2f} s"
    return f"≤{bound:.3f} s ({interpolated:.3f})"


def wait_live(daemon, count, timeout):
    deadline = time.time() + timeout
    while True:
        streams = json.loads(daemon.get("/v1/streams"))["streams"]
        live = [s for s in streams if s.get("state") == "live" and s.get("frames_sampled", 0) > 0]
        if len(live) == count:
            return
        if time.time() >= deadline:
            states = {s["id"]: s.get("state") for s in streams}
            raise RuntimeError(f"streams not all live after {timeout} s: {states}\n{daemon.log_tail()}")
        time.sleep(0.5)


def main():
    common.exit_on_sigterm()
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.path.join(common.ROOT, ".build", "release", "vigil"))
    parser.add_argument("--streams", type=int, default=4, help="live streams (default 4)")
    parser.add_argument("--stream-clips", default=",".join(os.path.relpath(p, common.ROOT) for p in common.SAMPLES),
                        help="comma-separated clips the live senders play, in turn (2 s GOP)")
    parser.add_argument("--phase-a", type=float, default=40, help="seconds of live only (default 40)")
    parser.add_argument("--phase-b-max", type=float, default=60, help="longest phase B in seconds (default 60)")
    parser.add_argument("--settle", type=float, default=10, help="seconds after every stream is live, not measured")
    parser.add_argument("--jobs", type=int, default=20, help="scan jobs submitted at once in phase B (default 20)")
    parser.add_argument("--job-clips", type=int, default=4, help="distinct 720p clips the jobs read, in turn")
    parser.add_argument("--job-seconds", type=float, default=60, help="length of each job clip (default 60)")
    parser.add_argument("--concurrency", type=int, default=max(1, cores // 2), help="scans.concurrency (default cores/2)")
    parser.add_argument("--clips-dir", help="make (or reuse) the job clips here and keep them (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (config, log, state)")
    args = parser.parse_args()
    args.vigil = os.path.abspath(args.vigil)
    if not os.access(args.vigil, os.X_OK):
        raise SystemExit(f"{args.vigil}: not an executable (build it with `make release`, or pass --vigil)")
    stream_clips = [os.path.join(common.ROOT, c) if not os.path.isabs(c) else c for c in args.stream_clips.split(",")]

    work = tempfile.mkdtemp(prefix="vigil-scan-priority-")
    senders, daemon = [], None
    try:
        clip_dir = os.path.realpath(args.clips_dir or os.path.join(work, "clips"))
        clips = common.make_clips(clip_dir, args.job_clips, args.job_seconds)
        ports = [common.free_port(socket.SOCK_DGRAM) for _ in range(args.streams)]
        streams = "".join(f"  - {{id: s{n}, url: \"udp://127.0.0.1:{port}\"}}\n" for n, port in enumerate(ports))
        daemon_work = os.path.join(work, "daemon")
        os.makedirs(daemon_work)
        daemon = common.Daemon(args.vigil, daemon_work,
                               f"scans:\n  concurrency: {args.concurrency}\n  queue: {max(100, args.jobs)}\n"
                               f"  file_roots: [{clip_dir}]\n  max_duration: 4h\nstreams:\n{streams}")
        daemon.wait_ready()
        for n, port in enumerate(ports):
            senders.append(subprocess.Popen(
                ["ffmpeg", "-v", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", stream_clips[n % len(stream_clips)],
                 "-c", "copy", "-f", "mpegts", f"udp://127.0.0.1:{port}?pkt_size=1316"],
                stdin=subprocess.DEVNULL, start_new_session=True))
        wait_live(daemon, args.streams, timeout=60)
        time.sleep(args.settle)

        a_start = snapshot(daemon)
        time.sleep(args.phase_a)
        b_start = snapshot(daemon)
        ids = [f"burst-{index:03d}" for index in range(args.jobs)]
        for index, job_id in enumerate(ids):
            daemon.submit(clips[index % len(clips)], job_id)
        jobs, _ = common.wait_for_jobs(daemon, ids, deadline=b_start["time"] + args.phase_b_max, interval=1.0)
        b_end = snapshot(daemon)
        lost = [s for s in senders if s.poll() is not None]
        if lost:
            raise RuntimeError(f"{len(lost)} sender(s) stopped during the run")
        final_streams = json.loads(daemon.get("/v1/streams"))["streams"]
    finally:
        common.stop_processes(senders)
        if daemon is not None:
            daemon.stop()
        tail = daemon.log_tail() if daemon is not None else ""
        common.remove(work, args.keep)

    failed = {i: j.get("error") for i, j in jobs.items() if j["state"] == "failed"}
    done = sum(1 for j in jobs.values() if j["state"] == "done")
    a = phase("A: live only", a_start, b_start)
    b = phase(f"B: live + {args.jobs} scan jobs", b_start, b_end, jobs_done=done, jobs=args.jobs)

    build = "debug" if "/debug/" in args.vigil else "release" if "/release/" in args.vigil else "given"
    print(f"`vigil serve` ({build} build: {args.vigil}), {args.streams} live UDP MPEG-TS streams "
          f"({', '.join(os.path.basename(c) for c in stream_clips)} looped in real time, key-frame sampling), "
          f"`scans.concurrency: {args.concurrency}`; phase B: {args.jobs} jobs over {len(clips)} 720p clips "
          f"of {args.job_seconds:g} s (2 s GOP); {cores} cores.\n")
    print("| phase | s | live samples | lag p50 | lag p95 | lag p99 | hashing drops | reader drops | cores used | jobs done |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for p in (a, b):
        jobs_text = "–" if p["jobs"] is None else f"{p['jobs_done']} of {p['jobs']}"
        print(f"| {p['name']} | {p['seconds']:.1f} | {p['samples']} | {shown(p['p50'])} | {shown(p['p95'])} "
              f"| {shown(p['p99'])} | {p['hashing_drops']:.0f} | {p['reader_drops']:.0f} | {p['cores']:.2f} | {jobs_text} |")
    print()
    (a_bound, a_interp), (b_bound, b_interp) = a["p99"], b["p99"]
    if any(math.isnan(v) for v in (a_bound, b_bound)):
        print("p99 increase: not measurable (a phase observed no live sample).")
        verdict_ok = False
    else:
        rise_bound, rise_interp = b_bound - a_bound, b_interp - a_interp
        verdict_ok = rise_interp <= TARGET and not math.isinf(b_bound)
        print(f"p99 increase A → B: {rise_interp:+.3f} s interpolated, {rise_bound:+.3f} s by bucket upper bounds "
              f"(≤{a_bound:.3f} → ≤{b_bound:.3f} s); target ≤ {TARGET} s: {'met' if verdict_ok else 'NOT met'}.")
    few = [p["name"] for p in (a, b) if p["samples"] < 100]
    if few:
        print(f"Few live samples in {', '.join(few)} (under 100): there the p99 is close to the largest lag seen.")
    print("Lag quantiles: the upper bound of the bucket holding the quantile, and in brackets the linear "
          "interpolation inside that bucket (as Prometheus's histogram_quantile).")
    if failed:
        print(f"Failed jobs: {failed}")
    if done < args.jobs:
        print(f"Phase B ended at {args.phase_b_max:g} s with {args.jobs - done - len(failed)} job(s) not finished.")
    print("Streams at the end: " + ", ".join(f"{s['id']} {s.get('state')} (reconnects {s.get('reconnects', 0)})"
                                              for s in final_streams))
    command = ["python3", "Benchmarks/scans/live_priority.py", "--vigil", os.path.relpath(args.vigil, common.ROOT),
               "--streams", str(args.streams), "--phase-a", f"{args.phase_a:g}", "--phase-b-max", f"{args.phase_b_max:g}",
               "--jobs", str(args.jobs), "--job-clips", str(args.job_clips), "--job-seconds", f"{args.job_seconds:g}",
               "--concurrency", str(args.concurrency)]
    print(f"\nReproduce (from the repository root): `{shlex.join(command)}`")
    if failed:
        print(tail, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

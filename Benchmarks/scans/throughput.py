#!/usr/bin/env python3
"""Scan-job throughput: how many seconds of 720p video `vigil serve` checks per second of
wall-clock through `POST /v1/scans`, against Meta's vpdq reading the same files.

1. Makes N 720p H.264 clips (30 fps, 2 s GOP; lavfi test sources and the repository's sample
   clips scaled and looped to 1280x720) in a temporary folder (or --clips-dir, kept and reused).
2. Starts `vigil serve` with the sample bank (Samples/banks/known), no live streams, and
   `scans: {file_roots: [the clips' folder], concurrency: C}`; submits every clip as a job at once;
   polls GET /v1/scans until all are done. Wall-clock runs from the first job's `submitted_at` to
   the last job's `finished_at` (the daemon's own millisecond timestamps); the daemon's CPU time
   (user + system, /proc/<pid>/stat of it, its running children and those it reaped: each job's
   input is read by an ingest child) is read before the first submit and
   after the last job ended.
3. Times `vpdq.computeHash(path, seconds_per_hash=1)` on the same files: one file after another
   (one worker process), then with C worker processes at once (multiprocessing), C being the
   daemon's concurrency (not when C is 1: that run would repeat the first). CPU time is the
   workers' user + system time.

Prints a Markdown table (media seconds per wall-clock second, CPU seconds per media second) and
the command that reproduces it. Needs the bench venv (vpdq), see Benchmarks/run.sh:

    .bench-venv/bin/python Benchmarks/scans/throughput.py --vigil .build/release/vigil --clips 4 --seconds 60
"""
import argparse
import multiprocessing
import os
import shlex
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def vpdq_hash(path, threads):
    import vpdq
    return len(vpdq.computeHash(path, seconds_per_hash=1, thread_count=threads))


def run_daemon(args, clips, clip_dir, work):
    daemon = common.Daemon(args.vigil, work, f"scans:\n  concurrency: {args.concurrency}\n  queue: {max(100, len(clips))}\n"
                                             f"  file_roots: [{clip_dir}]\n  max_duration: 4h\n")
    try:
        daemon.wait_ready()
        before = daemon.metrics()
        cpu_before = daemon.cpu()
        submit_start = time.time()
        ids = [f"throughput-{index:02d}" for index in range(len(clips))]
        for job_id, clip in zip(ids, clips):
            daemon.submit(clip, job_id)
        jobs, last_seen = common.wait_for_jobs(daemon, ids)
        cpu_after = daemon.cpu()
        after = daemon.metrics()
    finally:
        daemon.stop()
    failed = {i: job.get("error") for i, job in jobs.items() if job["state"] != "done"}
    if failed:
        raise RuntimeError(f"scan jobs failed: {failed}\n{daemon.log_tail()}")
    first_submit = min(common.timestamp(job["submitted_at"]) for job in jobs.values())
    last_done = max(common.timestamp(job["finished_at"]) for job in jobs.values())
    return {
        "wall": last_done - first_submit,
        "client_wall": last_seen - submit_start,
        "cpu": cpu_after - cpu_before,
        "hashes": sum(job["verdict"]["frames_hashed"] for job in jobs.values()),
        "matched": sum(1 for job in jobs.values() if job["verdict"]["matched"]),
        "metric_media": common.metric_sum(after, "vigil_scan_media_seconds_total")
        - common.metric_sum(before, "vigil_scan_media_seconds_total"),
        "job_seconds": [common.timestamp(j["finished_at"]) - common.timestamp(j["started_at"]) for j in jobs.values()],
    }


def ignore_signals():
    """In a vpdq worker: die at once on the SIGTERM Pool.terminate sends (the parent's handler
    would wait for computeHash to return), and leave Ctrl-C to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_vpdq(clips, threads, processes):
    """computeHash on every clip in `processes` fresh worker processes (1: one file after
    another). CPU is the workers' user + system time, added to this process's children's once
    they are reaped (joined)."""
    before = os.times()
    start = time.perf_counter()
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=ignore_signals)
    try:
        hashes = sum(pool.starmap(vpdq_hash, [(clip, threads) for clip in clips], chunksize=1))
        wall = time.perf_counter() - start
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    after = os.times()
    cpu = after.children_user + after.children_system - before.children_user - before.children_system
    return {"wall": wall, "cpu": cpu, "hashes": hashes}


def main():
    common.exit_on_sigterm()
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.path.join(common.ROOT, ".build", "release", "vigil"))
    parser.add_argument("--clips", type=int, default=4, help="clips, one job each (default 4)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each clip (default 60)")
    parser.add_argument("--concurrency", type=int, default=max(1, cores // 2),
                        help="the daemon's scans.concurrency and vpdq's parallel processes (default cores/2)")
    parser.add_argument("--vpdq-threads", type=int, default=0,
                        help="vpdq's thread_count per computeHash (default 0: the library chooses)")
    parser.add_argument("--clips-dir", help="make (or reuse) the clips here and keep them (default: a temporary folder)")
    parser.add_argument("--skip-vpdq", action="store_true", help="time the daemon only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (config, log, state)")
    args = parser.parse_args()
    args.vigil = os.path.abspath(args.vigil)
    if not os.access(args.vigil, os.X_OK):
        raise SystemExit(f"{args.vigil}: not an executable (build it with `make release`, or pass --vigil)")
    if not args.skip_vpdq:
        import vpdq  # noqa: F401  (fail before the clips are made, not after the daemon ran)

    work = tempfile.mkdtemp(prefix="vigil-scan-throughput-")
    try:
        clip_dir = os.path.realpath(args.clips_dir or os.path.join(work, "clips"))
        clips = common.make_clips(clip_dir, args.clips, args.seconds)
        media = sum(common.media_seconds(clip) for clip in clips)
        daemon_work = os.path.join(work, "daemon")
        os.makedirs(daemon_work)
        vigil = run_daemon(args, clips, clip_dir, daemon_work)
        sequential = parallel = None
        if not args.skip_vpdq:
            sequential = run_vpdq(clips, args.vpdq_threads, 1)
            # At concurrency 1 the parallel run would repeat the sequential one.
            parallel = run_vpdq(clips, args.vpdq_threads, args.concurrency) if args.concurrency > 1 else None
    finally:
        common.remove(work, args.keep)

    build = "debug" if "/debug/" in args.vigil else "release" if "/release/" in args.vigil else "given"
    print(f"{len(clips)} clips of {args.seconds:g} s, 1280x720 H.264, 30 fps, 2 s GOP ({media:.1f} media s); "
          f"{cores} cores; `vigil serve` ({build} build: {args.vigil}) with `scans.concurrency: {args.concurrency}`, "
          f"no live streams, bank Samples/banks/known.\n")
    print("| reader | at once | wall-clock s | media s per wall s | CPU s | CPU s per media s | hashes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")

    def row(label, at_once, result):
        print(f"| {label} | {at_once} | {result['wall']:.2f} | {media / result['wall']:.1f} | {result['cpu']:.1f} "
              f"| {result['cpu'] / media:.3f} | {result['hashes']} |")

    row("`vigil serve` scan jobs (`POST /v1/scans`)", args.concurrency, vigil)
    threads = f"thread_count={args.vpdq_threads}"
    if sequential:
        row(f"`vpdq.computeHash(seconds_per_hash=1, {threads})`, one file after another", 1, sequential)
        if parallel:
            row(f"`vpdq.computeHash(seconds_per_hash=1, {threads})`, {args.concurrency} processes", args.concurrency, parallel)
    print()
    print(f"Daemon: wall-clock from the first `submitted_at` to the last `finished_at` (as polled: "
          f"{vigil['client_wall']:.2f} s); each job started→finished "
          f"{min(vigil['job_seconds']):.2f}–{max(vigil['job_seconds']):.2f} s; "
          f"`vigil_scan_media_seconds_total` +{vigil['metric_media']:.1f} s; jobs matched: {vigil['matched']} "
          f"(the sample-clip ones are known material). CPU: the daemon's user + system time from /proc.")
    if sequential:
        versus = f"{sequential['wall'] / vigil['wall']:.2f}x (one file after another)"
        if parallel:
            versus += f", {parallel['wall'] / vigil['wall']:.2f}x ({args.concurrency} processes)"
        else:
            versus += " (the daemon's concurrency is 1: no parallel vpdq run)"
        print(f"Speed-up of the daemon's media s per wall s over vpdq: {versus}.")
    python = sys.executable
    if python.startswith(common.ROOT + os.sep):
        python = os.path.relpath(python, common.ROOT)
    command = [python, "Benchmarks/scans/throughput.py", "--vigil", os.path.relpath(args.vigil, common.ROOT),
               "--clips", str(args.clips), "--seconds", f"{args.seconds:g}", "--concurrency", str(args.concurrency)]
    if args.vpdq_threads:
        command += ["--vpdq-threads", str(args.vpdq_threads)]
    if args.skip_vpdq:
        command.append("--skip-vpdq")
    print(f"\nReproduce (from the repository root): `{shlex.join(command)}`")


if __name__ == "__main__":
    main()

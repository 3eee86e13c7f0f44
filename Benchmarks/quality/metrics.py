"""Scores: recall, time to first match, false alerts, distances, threshold sweep.

Two sources, kept apart on purpose:
- Vigil's own output (`vigil scan --json`: verdicts and match lines) gives every headline number
  at the settings it ran with.
- The sweep and the histograms need distances the scan does not print (frames beyond the
  threshold). They come from `vigil hash --dihedral --json` on the same clips with the same
  sampling, matched here by brute force with the vPDQ rule. At threshold 31 that recomputation is
  checked against the scan verdicts (the report prints the agreement).
"""
import numpy as np

VARIANTS = ["original", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1"]
MIN_QUALITY = 50
QUERY_PCT = 80.0
THRESHOLDS = list(range(0, 65))


def to_words(hexes):
    """Hex hashes -> (n, 4) uint64."""
    if not hexes:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = np.frombuffer(b"".join(bytes.fromhex(h) for h in hexes), dtype=">u8").reshape(-1, 4)
    return raw.astype(np.uint64)


def min_distances(queries, bank, chunk=2048):
    """For each query hash, the smallest Hamming distance to any bank hash (257 when the bank is empty)."""
    out = np.full(len(queries), 257, dtype=np.int32)
    if len(bank) == 0 or len(queries) == 0:
        return out
    for start in range(0, len(queries), chunk):
        q = queries[start:start + chunk]
        d = np.bitwise_count(q[:, None, :] ^ bank[None, :, :]).sum(axis=2)
        out[start:start + chunk] = d.min(axis=1)
    return out


class BankHashes:
    """Per original: all frame hashes (frame-level matching) and the distinct good-quality ones
    (the video rule)."""

    def __init__(self, rows_by_original, min_quality=MIN_QUALITY):
        self.min_quality = min_quality
        self.rows = rows_by_original
        self.names = sorted(rows_by_original)
        self.all = {}
        self.good = {}
        for name, rows in rows_by_original.items():
            self.all[name] = to_words([h for h, q in rows])
            self.good[name] = to_words(sorted({h for h, q in rows if q >= min_quality}))


def read_vpdq_file(path):
    rows = []
    for line in open(path):
        parts = line.strip().split(",")
        if len(parts) >= 3 and not line.startswith("#"):
            rows.append((parts[2], int(parts[1])))
    return rows


class FrameTable:
    """Sampled frames of one clip with, per variant and original, the nearest distances."""

    def __init__(self, frames, bank, variants=VARIANTS):
        # frames: list of (pts, quality, {variant: hex}); queries below the bank's minimum
        # quality are not matched, as in Vigil.
        self.min_quality = bank.min_quality
        self.pts = np.array([f[0] for f in frames], dtype=float)
        self.quality = np.array([f[1] for f in frames], dtype=int)
        self.variants = variants
        self.hexes = {v: [f[2][v] for f in frames] for v in variants}
        self.d_all = {}   # (original, variant) -> per-frame min distance to any of its frames
        self.d_good = {}  # (original, variant) -> per-frame min distance to its good distinct frames
        for v in variants:
            words = to_words(self.hexes[v])
            for name in bank.names:
                self.d_all[name, v] = min_distances(words, bank.all[name])
                self.d_good[name, v] = min_distances(words, bank.good[name])

    def __len__(self):
        return len(self.pts)

    def in_range(self, segment):
        start, end = segment
        return (self.pts >= start - 1e-6) & (self.pts < end - 1e-6)

    def query_pct(self, name, variant, threshold, mask=None):
        """vPDQ's query share against one original for one variant: distinct good hashes within
        the threshold over distinct good hashes. Returns (percent, matched count)."""
        good = self.quality >= self.min_quality
        if mask is not None:
            good = good & mask
        seen = {}
        hexes = self.hexes[variant]
        dist = self.d_good[name, variant]
        for i in np.nonzero(good)[0]:
            seen.setdefault(hexes[i], dist[i])
        if not seen:
            return 0.0, 0
        d = np.fromiter(seen.values(), dtype=np.int32)
        matched = int((d <= threshold).sum())
        return 100.0 * matched / len(d), matched

    def video_match(self, name, variants, threshold, mask=None):
        best = max((self.query_pct(name, v, threshold, mask) for v in variants), key=lambda r: r[0])
        return best[1] > 0 and best[0] >= QUERY_PCT

    def frame_min(self, name, variants):
        """Per frame, min distance to `name` over the variants."""
        return np.min(np.stack([self.d_all[name, v] for v in variants]), axis=0)

    def frame_min_good(self, name, variants):
        """Per frame, min distance to the good-quality frames of `name` over the variants."""
        return np.min(np.stack([self.d_good[name, v] for v in variants]), axis=0)


def longest_run(flags):
    """Length of the longest run of true values."""
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def sweep_video(table, variants, names, thresholds, window=0, sustained=0):
    """For each threshold, the set of originals the clip matches at video level.

    window = 0: vPDQ's rule on the whole query. window = N > 0: Vigil's best-window rule as well
    (`VideoMatchRule.evaluateBestWindow`): the query share may also be that of the best run of N
    consecutive good-quality frames (in presentation order, repeats kept) when the query has more
    than N of them. sustained = S > 0: a run of S consecutive good frames all within the threshold
    matches whatever the share (`VideoMatchRule.sustainedFrames`).
    """
    good = np.nonzero(table.quality >= table.min_quality)[0]
    result = {t: set() for t in thresholds}
    for name in names:
        for v in variants:
            dist = table.d_good[name, v]
            seen = {}
            for i in good:
                seen.setdefault(table.hexes[v][i], dist[i])
            if not seen:
                continue
            d = np.sort(np.fromiter(seen.values(), dtype=np.int32))
            ordered = dist[good]
            for t in thresholds:
                matched = np.searchsorted(d, t, side="right")
                share = 100.0 * matched / len(d)
                hit = matched > 0
                if window and len(ordered) > window:
                    near = np.concatenate(([0], np.cumsum(ordered <= t)))
                    best = int((near[window:] - near[:-window]).max())
                    share = max(share, 100.0 * best / window)
                    hit = best > 0
                if hit and sustained and longest_run(ordered <= t) >= sustained:
                    share = max(share, QUERY_PCT)
                if hit and share >= QUERY_PCT:
                    result[t].add(name)
    return result


def windowed_match(table, name, variants, threshold, window, min_frames):
    """Sliding-window vPDQ rule: some window of `window` seconds holding at least `min_frames`
    good frames has >= 80% of them within the threshold of `name`."""
    good = table.quality >= table.min_quality
    for start in table.pts[good]:
        mask = (table.pts >= start - 1e-6) & (table.pts < start + window - 1e-6) & good
        if mask.sum() < min_frames:
            continue
        if table.video_match(name, variants, threshold, mask):
            return True
    return False


def run_match(table, name, variants, threshold, run):
    """`run` consecutive good-quality sampled frames all within the threshold of `name` (low-quality
    frames in between neither break nor extend the run)."""
    good = table.quality >= table.min_quality
    near = table.frame_min(name, variants) <= threshold
    length = 0
    for g, n in zip(good, near):
        if not g:
            continue
        length = length + 1 if n else 0
        if length >= run:
            return True
    return False


def median(values):
    values = [v for v in values if v is not None]
    return float(np.median(values)) if values else None

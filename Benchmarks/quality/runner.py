"""Runs Vigil (`vigil hash`, `vigil scan --json`) and Meta's vpdq over the corpus, with caching.

Results live under a folder named after the digest of the vigil binary (and vpdq's version), so a
rebuilt binary is measured afresh while the corpus is reused.
"""
import hashlib
import json
import os
import subprocess

# Scan modes: name -> extra `vigil scan` arguments. `default` and `dihedral` are what the issue
# asks for; `dihedral-1s` measures a CLI setting (dense sampling) and `crop-bank` a bank-side
# change (the bank also holds centred crops of each original) as candidate improvements.
# `sparse` and `sparse-dihedral` scan against banks as exchanges share them: made by Meta's vpdq
# at one hash per second.
SCAN_MODES = {
    "default": [],
    "dihedral": ["--dihedral"],
    "dihedral-1s": ["--dihedral", "--seconds-per-hash", "1"],
    "crop-bank": [],
    "sparse": [],
    "sparse-dihedral": ["--dihedral"],
}
MODE_BANK = {"crop-bank": "crops", "sparse": "sparse", "sparse-dihedral": "sparse"}  # the others: the plain bank
# Modes whose frames the harness can recompute from `vigil hash` output (sweep, histograms).
PLAIN_MODES = ["default", "dihedral", "dihedral-1s"]
# `vigil hash --dihedral --json` per sampling: every sampled frame with its 8 variants, for the
# threshold sweep, the distance histograms and the frame counts inside a time range.
HASH_SAMPLINGS = {"keyframes": [], "1s": ["--seconds-per-hash", "1"]}
MODE_SAMPLING = {"default": "keyframes", "dihedral": "keyframes", "dihedral-1s": "1s", "crop-bank": "keyframes",
                 "sparse": "keyframes", "sparse-dihedral": "keyframes"}
# Image modes: the still copies and the negatives against an image list (one PDQ hash per still
# picture, made by Meta's `pdqhash`), with the default sampling. Scored apart from the modes above.
IMAGE_MODES = {
    "image": [],
    "image-dihedral": ["--dihedral"],
}


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def atomic_write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


class Vigil:
    def __init__(self, binary, results_dir):
        self.binary = binary
        self.digest = file_digest(binary)
        self.dir = os.path.join(results_dir, f"vigil-{self.digest}")

    def bank(self, originals, name="originals"):
        """One vPDQ file per original (`vigil hash --every-frame`), in a folder that is the bank.
        `originals` are (video name, path) pairs."""
        folder = os.path.join(self.dir, "bank", name)
        for video, source in originals:
            path = os.path.join(folder, video + ".txt")
            if not os.path.exists(path):
                out = subprocess.run([self.binary, "hash", "--every-frame", "--jobs", "1", source],
                                     check=True, capture_output=True, text=True).stdout
                atomic_write(path, out)
        return folder

    def scan(self, clip, mode, bank, bank_key=None):
        """`vigil scan --json` of the clip in a mode, cached. `bank_key` (a digest of the bank's
        content) goes into the cache folder for banks that the harness writes itself."""
        folder = mode if bank_key is None else f"{mode}-{bank_key}"
        path = os.path.join(self.dir, "scan", folder, f"{clip.clip_id}.{clip.key}.jsonl")
        if not os.path.exists(path):
            args = {**SCAN_MODES, **IMAGE_MODES}[mode]
            command = [self.binary, "scan", "--json", "--jobs", "1", *args, clip.path, "--bank", bank]
            proc = subprocess.run(command, capture_output=True, text=True)
            if proc.returncode not in (0, 1):
                raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {proc.stderr.strip()}")
            atomic_write(path, proc.stdout)
        return [json.loads(line) for line in open(path) if line.strip()]

    def hashes(self, clip, sampling):
        path = os.path.join(self.dir, "hash", sampling, f"{clip.clip_id}.{clip.key}.jsonl")
        if not os.path.exists(path):
            command = [self.binary, "hash", "--json", "--dihedral", "--jobs", "1", *HASH_SAMPLINGS[sampling], clip.path]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            atomic_write(path, out)
        return [json.loads(line) for line in open(path) if line.strip()]


class Vpdq:
    """Meta's vPDQ through the `vpdq` package: the bank every frame, queries one hash per second."""

    def __init__(self, results_dir):
        import vpdq  # noqa: F401  (fail early if missing)
        from importlib.metadata import version
        self.version = version("vpdq")
        self.dir = os.path.join(results_dir, f"vpdq-{self.version}")

    def features(self, path, key, seconds_per_hash):
        out = os.path.join(self.dir, f"sph{seconds_per_hash}", f"{key}.json")
        if not os.path.exists(out):
            import vpdq
            features = vpdq.computeHash(path, seconds_per_hash=seconds_per_hash, thread_count=1)
            rows = [{"hash": f.hex, "quality": f.quality, "frame": f.frame_number, "pts": f.timestamp}
                    for f in features]
            atomic_write(out, json.dumps(rows))
        return json.load(open(out))


    def bank(self, originals, seconds_per_hash, name):
        """A bank folder of vPDQ files, one per (video name, path) pair, made by vpdq itself."""
        folder = os.path.join(self.dir, "bank", name)
        for video, source in originals:
            path = os.path.join(folder, video + ".txt")
            if not os.path.exists(path):
                rows = self.features(source, f"bank/{video}", seconds_per_hash)
                atomic_write(path, "".join(f"{r['frame']},{r['quality']},{r['hash']},{r['pts']:.3f}\n" for r in rows))
        return folder


class PdqImages:
    """Meta's PDQ of still pictures through the `pdqhash` package (the reference C++ hasher, as
    python-threatexchange's PDQ signal uses it): the hashes an exchange shares in an image list."""

    def __init__(self, results_dir):
        import pdqhash  # noqa: F401  (fail early if missing)
        from importlib.metadata import version
        self.version = version("pdqhash")
        self.dir = os.path.join(results_dir, f"pdqhash-{self.version}")

    @staticmethod
    def hash(path):
        """(hex, quality) of a picture file; the first of pdqhash's 256 bits is the hex's first."""
        import numpy as np
        import pdqhash
        from PIL import Image
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"))
        bits, quality = pdqhash.compute(pixels)
        return f"{int(''.join(str(int(b)) for b in bits), 2):064x}", int(quality)

    def bank(self, pictures, name="images"):
        """An image list as CSV (`hash,id,label,quality`, which `vigil scan --bank` reads as still-image
        entries) from (id, label, path) triples. Returns the file, a digest of its content and the
        rows (id, hash, quality)."""
        rows = [(entry_id, label) + self.hash(path) for entry_id, label, path in pictures]
        text = "hash,id,label,quality\n" + "".join(f"{h},{i},{l},{q}\n" for i, l, h, q in rows)
        path = os.path.join(self.dir, "bank", name + ".csv")
        if not os.path.exists(path) or open(path).read() != text:
            atomic_write(path, text)
        return path, hashlib.sha256(text.encode()).hexdigest()[:12], [(i, h, q) for i, l, h, q in rows]


def keyframes(clip, results_dir, keyframe_times):
    path = os.path.join(results_dir, "keyframes", f"{clip.clip_id}.{clip.key}.json")
    if not os.path.exists(path):
        atomic_write(path, json.dumps(keyframe_times(clip.path)))
    return json.load(open(path))

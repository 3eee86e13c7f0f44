#!/usr/bin/env bash
# The demo: hash the bundled samples, then replay edited copies of a known clip (and an unrelated
# clip) through the matching pipeline against the sample bank in Samples/banks/known.
set -euo pipefail
vigil="${1:-.build/release/vigil}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "vigil hash Samples/mandelbrot-still.png   (hash,quality,path)"
"$vigil" hash Samples/mandelbrot-still.png

step "vigil hash Samples/mandelbrot-zoom.mp4   (key frames; frameNumber,quality,hash,timestamp)"
"$vigil" hash Samples/mandelbrot-zoom.mp4

step "vigil bank check Samples/banks/known"
"$vigil" bank check Samples/banks/known

step "making edited copies of the known clip with ffmpeg (half size + low quality; mirrored)"
ffmpeg -v error -y -i Samples/mandelbrot-zoom.mp4 -vf scale=320:-2 -c:v libx264 -crf 38 -g 30 "$work/reupload.mp4"
ffmpeg -v error -y -i Samples/mandelbrot-zoom.mp4 -vf hflip -c:v libx264 -g 50 "$work/mirrored.mp4"
echo "done"

step "vigil scan --dihedral reupload.mp4 mirrored.mp4 game-of-life.mp4 --bank Samples/banks/known"
status=0
"$vigil" scan --dihedral "$work/reupload.mp4" "$work/mirrored.mp4" Samples/game-of-life.mp4 \
    --bank Samples/banks/known || status=$?
echo "exit status $status (0 no match, 1 match, 2 error)"
[ "$status" -eq 1 ]

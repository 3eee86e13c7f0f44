#!/usr/bin/env bash
# Detection-quality benchmark: builds the corpus, scans it with vigil and Meta's vpdq, and writes
# bench-output/quality/{report.md,quality.png,results.json}. See README.md beside this script.
# Options go to quality.py: --quick (small subset), --jobs N, --gop S, --transforms a,b, --vigil PATH.
# VIGIL=/path/to/vigil picks the binary; otherwise .build/release/vigil, built if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=""
command -v ffmpeg >/dev/null || need="$need ffmpeg"
# vpdq builds against FFmpeg's development headers.
for package in libavdevice-dev libavfilter-dev; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need="$need $package"
done
if [ -n "$need" ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need
fi

venv=.bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# pdqhash: Meta's PDQ for the image list (the hasher exchanges use for pictures).
"$venv/bin/pip" install -q --disable-pip-version-check -r Benchmarks/quality/requirements.txt

if [ -z "${VIGIL:-}" ]; then
    VIGIL=.build/release/vigil
    [ -x "$VIGIL" ] || swift build -c release --product vigil >/dev/null
fi
export VIGIL
exec "$venv/bin/python" Benchmarks/quality/quality.py "$@"

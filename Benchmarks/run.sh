#!/usr/bin/env bash
# Runs Vigil's benchmarks side by side with Meta's references (see run_benchmarks.py).
# Expects `make release` to have built .build/release/{vigil,vigil-bench}.
# Arguments go to run_benchmarks.py: --quick (shorter runs), --no-scans (leave out the scan-job
# benchmarks in Benchmarks/scans/, which start `vigil serve` and take 5 minutes or more).
set -euo pipefail
cd "$(dirname "$0")/.."

# vpdq builds against FFmpeg's development headers, including these two.
for package in libavdevice-dev libavfilter-dev; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="${missing:-} $package"
    fi
done
if [ -n "${missing:-}" ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

venv=.bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r Benchmarks/requirements.txt
swift build -c release --product vigil-bench >/dev/null
"$venv/bin/python" Benchmarks/run_benchmarks.py "$@"

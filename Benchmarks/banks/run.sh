#!/usr/bin/env bash
# Bank loading and `vigil match` against faiss (see load_match.py). Needs about 3 GiB of memory
# and 1 GB of disk in bench-output/ for the 10M-line list.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check numpy faiss-cpu
swift build -c release --product vigil >/dev/null
"$venv/bin/python" Benchmarks/banks/load_match.py "$@"

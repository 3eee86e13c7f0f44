#!/usr/bin/env bash
# Hash-index benchmark against faiss (see index_benchmark.py). Needs about 6 GiB of memory at 10M.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check numpy faiss-cpu
swift build -c release --product vigil-bench >/dev/null
"$venv/bin/python" Benchmarks/index_benchmark.py "$@"

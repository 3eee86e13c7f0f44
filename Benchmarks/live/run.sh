#!/usr/bin/env bash
# Live-ingest benchmarks (see run_live_bench.py): CPU per key frame against bare FFmpeg decoding,
# concurrent 1080p HLS streams within 1 s of lag, memory per stream. Arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 Benchmarks/live/run_live_bench.py "$@"

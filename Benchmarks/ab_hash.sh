#!/usr/bin/env bash
# A/B: `vigil hash --keyframes` wall-clock for two vigil binaries on the same clip, interleaved
# (A, B, A, B, ...) so machine load affects both alike; prints each run and the medians.
# Usage: Benchmarks/ab_hash.sh OLD_VIGIL NEW_VIGIL CLIP [RUNS]
set -euo pipefail
old="$1"; new="$2"; clip="$3"; runs="${4:-5}"
time_one() {
    local start end
    start=$(date +%s.%N)
    "$1" hash --keyframes "$clip" > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
declare -a a b
for _ in $(seq "$runs"); do
    a+=("$(time_one "$old")")
    b+=("$(time_one "$new")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "A runs: ${a[*]}"
echo "B runs: ${b[*]}"
ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
echo "median A ${ma} s, B ${mb} s, B/A $(echo "scale=3; $mb / $ma" | bc)"

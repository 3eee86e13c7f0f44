#!/usr/bin/env bash
# Runs each libFuzzer target of vigil-fuzz for SECONDS, starting from its seeds in
# Tests/Fixtures/fuzz/TARGET. Inputs the run finds interesting go to a scratch corpus, never into
# the repository. A crash stops the script, naming the input: keep it as a regression by copying it
# to Tests/Fixtures/fuzz/TARGET/crashes/ (the corpus tests replay that folder on every test run).
#
#   bash scripts/fuzz.sh BINARY SECONDS [TARGET...]
set -euo pipefail
binary=$1
seconds=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(bank hex config api-stream api-bank api-scan discovery); fi
work=$(mktemp -d /tmp/vigil-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
for target in "${targets[@]}"; do
    mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
    echo "fuzz: $target for ${seconds}s"
    if ! "$binary" "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$work/$target/artifacts/" \
        "$work/$target/corpus" "Tests/Fixtures/fuzz/$target" > "$work/$target/log" 2>&1; then
        tail -n 40 "$work/$target/log"
        mkdir -p .build/fuzz-crashes
        cp "$work/$target/artifacts/"* .build/fuzz-crashes/ 2>/dev/null || true
        echo "fuzz: $target crashed; the input is in .build/fuzz-crashes (copy it to Tests/Fixtures/fuzz/$target/crashes/)" >&2
        exit 1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/$target/log" | sed "s/^/fuzz: $target /"
done

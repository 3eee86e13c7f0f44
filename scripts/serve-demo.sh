#!/usr/bin/env bash
# The daemon demo: two sample clips play as live HLS streams on 127.0.0.1, `vigil serve` watches
# both with Samples/vigil.yml (its bank holds the Mandelbrot clip), and a local webhook receiver
# prints the signed alert as it arrives. Everything listens on loopback and stops on exit.
set -euo pipefail
vigil="${1:-.build/release/vigil}"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

export VIGIL_API_TOKEN="demo-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export VIGIL_WEBHOOK_SECRET="demo-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export VIGIL_STATE_DIR="$work/state"

step "live HLS: ffmpeg plays the sample clips in real time into $work/hls, served on 127.0.0.1:8200"
for name in known unrelated; do
    clip=Samples/mandelbrot-zoom.mp4
    [ "$name" = unrelated ] && clip=Samples/game-of-life.mp4
    mkdir -p "$work/hls/$name"
    ffmpeg -v error -re -stream_loop -1 -i "$clip" -c copy -f hls -hls_time 2 -hls_list_size 6 \
        -hls_flags delete_segments+omit_endlist "$work/hls/$name/index.m3u8" &
    pids+=($!)
done
python3 -m http.server 8200 --bind 127.0.0.1 --directory "$work/hls" >/dev/null 2>&1 &
pids+=($!)

step "webhook receiver on 127.0.0.1:8300 (checks the HMAC signature)"
python3 scripts/webhook_receiver.py --port 8300 --secret "$VIGIL_WEBHOOK_SECRET" --record "$work/received.jsonl" &
pids+=($!)

step "$vigil serve --check-config"
"$vigil" serve --config Samples/vigil.yml --check-config

step "$vigil serve --config Samples/vigil.yml"
sleep 3   # let the first HLS segments appear
"$vigil" serve --config Samples/vigil.yml &
pids+=($!)

for _ in $(seq 120); do
    [ -s "$work/received.jsonl" ] && break
    sleep 0.5
done
[ -s "$work/received.jsonl" ] || { echo "no alert arrived within 60 s" >&2; exit 1; }
sleep 1
step "GET /v1/alerts (delivery state per sink)"
curl -s -H "Authorization: Bearer $VIGIL_API_TOKEN" http://127.0.0.1:8089/v1/alerts | python3 -m json.tool
step "GET /v1/streams"
curl -s -H "Authorization: Bearer $VIGIL_API_TOKEN" http://127.0.0.1:8089/v1/streams | python3 -m json.tool
echo
grep -q '"stream": "unrelated-clip"' "$work/received.jsonl" && { echo "unexpected alert for the unrelated clip" >&2; exit 1; }
echo "demo OK: the known clip raised an alert; the unrelated clip raised none"

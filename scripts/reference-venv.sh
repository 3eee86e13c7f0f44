#!/usr/bin/env bash
# Creates .reference-venv with Meta's reference implementations from PyPI (test oracles only).
# A failure is reported loudly but does not stop the build: the tests that need the reference
# then report themselves as skipped, never as passed.
set -uo pipefail

venv=".reference-venv"
requirements="Tests/Oracles/requirements.txt"
stamp="$venv/.installed"

if [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; then
    exit 0
fi

python="$(command -v python3 || true)"
if [ -z "$python" ]; then
    echo "reference-venv: WARNING: no python3; reference tests will be SKIPPED" >&2
    exit 0
fi
if "$python" -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"; then
    cp "$requirements" "$stamp"
    echo "reference-venv: ready ($venv)"
else
    echo "reference-venv: WARNING: could not install $requirements; reference tests will be SKIPPED" >&2
fi
exit 0

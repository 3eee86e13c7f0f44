#!/usr/bin/env bash
# Installs the Debian packages Vigil builds and tests against, skipping those already present.
set -euo pipefail

packages=(
    pkg-config
    libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
    ffmpeg
    python3-venv
    curl  # the daemon demo talks to its API (and the TLS tests, over https)
    openssl  # the TLS tests make a self-signed certificate
    # Live-source tests start real servers on the loopback interface: nginx with the RTMP module,
    # GStreamer's RTSP server (driven from Debian's Python through GObject introspection; x264enc
    # is in plugins-ugly, the RTP payloaders in plugins-good), and python3 for HTTP and
    # misbehaving test servers.
    nginx libnginx-mod-rtmp
    python3 python3-gi gir1.2-gst-rtsp-server-1.0
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
    # Fleet tests start their own PostgreSQL server (initdb in a temporary folder, as the
    # postgres system user); the package's own cluster is never used.
    postgresql
    # systemd-analyze verifies packaging/vigil.service (Debian ships it in the systemd package).
    systemd
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
# Installing nginx must not start a system-wide server on port 80: the tests run their own.
# A policy-rc.d that refuses service starts is the Debian way; only one this script created is removed.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

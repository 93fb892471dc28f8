#!/usr/bin/env bash
# Debian packages the product uses, installed only when missing (idempotent, quiet).
#   app:  audio I/O (libportaudio2), the espeak-ng TTS fallback, sox for audio conversion
#   test: also Chromium for the browser tests and PostgreSQL for the store test
# Without root or apt the features that need them degrade with a clear message instead.
set -uo pipefail
purpose="${1:-app}"
pkgs=(libportaudio2 espeak-ng sox libsndfile1)
if [ "$purpose" = test ]; then
  pkgs+=(chromium postgresql)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "[setup] missing system packages: ${missing[*]} (no root/apt here: voice or browser features may be unavailable)" >&2
  exit 0
fi
echo "[setup] installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/interviewer-apt.log 2>&1; then
  apt-get update -qq >>/tmp/interviewer-apt.log 2>&1 || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/interviewer-apt.log 2>&1 \
    || echo "[setup] apt-get could not install ${missing[*]} (see /tmp/interviewer-apt.log); dependent features will say so" >&2
fi
exit 0

#!/usr/bin/env bash
# Headless Chromium and its matching ChromeDriver for the browser tests, from Debian packages.
set -euo pipefail
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "Installing Chromium and ChromeDriver (Debian packages)..." >&2
  apt-get -o DPkg::Lock::Timeout=300 update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends chromium chromium-driver >&2
fi

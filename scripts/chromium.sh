#!/usr/bin/env bash
# Headless Chromium and its matching ChromeDriver for the browser tests, from Debian packages.
set -euo pipefail
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "Installing Chromium and ChromeDriver (Debian packages)..." >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver >&2
fi

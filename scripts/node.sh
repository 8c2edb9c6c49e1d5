#!/usr/bin/env bash
# Node.js and npm from Debian packages, and the pinned openapi-typescript (tests/typescript) that
# the OpenAPI tests run to see the committed document as a TypeScript client does.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Installing Node.js and npm (Debian packages)..." >&2
  apt-get -o DPkg::Lock::Timeout=300 update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends nodejs npm >&2
fi
# Exactly the versions in package-lock.json, into tests/typescript/node_modules.
npm ci --prefix tests/typescript --no-audit --no-fund >&2

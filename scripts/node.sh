#!/usr/bin/env bash
# Node.js and npm from Debian packages, and the pinned openapi-typescript (tests/typescript) that
# the OpenAPI tests run to see the committed document as a TypeScript client does.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/debian.sh node=nodejs npm=npm
# Exactly the versions in package-lock.json, into tests/typescript/node_modules.
npm ci --prefix tests/typescript --no-audit --no-fund >&2

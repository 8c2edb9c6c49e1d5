#!/usr/bin/env bash
# Node.js and npm from Debian packages, and the pinned npm packages the tests run: openapi-typescript
# (tests/typescript), which the OpenAPI tests use to see the committed document as a TypeScript client
# does, oidc-provider (tests/auth/oidc_provider), the OpenID provider the single sign-on tests sign in at, and
# the TypeScript client's openapi-fetch, openapi-typescript and typescript (clients/typescript).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/debian.sh node=nodejs npm=npm
# Exactly the versions in each package-lock.json, into the folder's node_modules; the three at once,
# as each mostly waits on the registry and the disk.
installs=()
for folder in tests/typescript tests/auth/oidc_provider clients/typescript; do
  npm ci --prefix "$folder" --no-audit --no-fund >&2 &
  installs+=($!)
done
for install in "${installs[@]}"; do
  wait "$install"
done

#!/usr/bin/env bash
# The benchmark suite, with its tools installed from Debian packages if missing: wrk and nginx.
#   scripts/bench.sh [--size N] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/wrk ] || [ ! -x /usr/sbin/nginx ]; then
  echo "Installing wrk and nginx (Debian packages)..." >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk nginx-light >&2
fi
exec .venv/bin/python -m bench.suite "$@"

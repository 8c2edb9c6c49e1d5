#!/usr/bin/env bash
# The benchmark suite, with its tools installed from Debian packages if missing: wrk and nginx.
#   scripts/bench.sh [--size N] [--seconds S] [--postgres] [--varnish] [--desk-apart]
# --postgres serves from a throwaway PostgreSQL cluster with its default durability (installed if
# missing, stopped after the run) instead of a SQLite file. --varnish also reads through Varnish in
# front (scripts/varnish.sh installs it) and times edits until they show through it. --desk-apart
# sends the writes of "reads under writes" to a server of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
arguments=()
postgres=""
for argument in "$@"; do
  if [ "$argument" = --postgres ]; then postgres=1; else arguments+=("$argument"); fi
done
if [ ! -x /usr/bin/wrk ] || [ ! -x /usr/sbin/nginx ]; then
  echo "Installing wrk and nginx (Debian packages)..." >&2
  apt-get -o DPkg::Lock::Timeout=300 update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk nginx-light >&2
fi
for argument in "${arguments[@]}"; do
  if [ "$argument" = --varnish ]; then scripts/varnish.sh install; fi
done
if [ -n "$postgres" ]; then
  eval "$(scripts/postgres.sh start --durable)"
  trap 'scripts/postgres.sh stop "$BYLINE_TEST_PGDATA"' EXIT
  arguments+=(--database-url "$BYLINE_TEST_DATABASE_URL")
fi
.venv/bin/python -m bench.suite "${arguments[@]}"

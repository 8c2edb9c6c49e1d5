#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, installed from Debian packages if missing.
#   scripts/postgres.sh start   prints shell exports: BYLINE_TEST_DATABASE_URL and BYLINE_TEST_PGDATA
#   scripts/postgres.sh start --pgvector   the same from the `pgserver` package's build of PostgreSQL,
#       which ships the pgvector extension (Debian's packages here do not): BYLINE_TEST_PGVECTOR_URL
#       and BYLINE_TEST_PGVECTOR_DATA
#   scripts/postgres.sh start --durable   with PostgreSQL's default durability (fsync, synchronous
#       commit), for benchmarks: test clusters trade it for speed
#   scripts/postgres.sh start --socket   a URL through the cluster's Unix socket rather than loopback
#       TCP: the PostgreSQL tests of one run took a tenth less CPU, client and server together
#   scripts/postgres.sh stop DIR
#   scripts/postgres.sh halt DIR / resume DIR   crash it and bring it back, for fault tests
set -euo pipefail

as_owner() {
  # Debian's server refuses to run as root, so root runs it as the postgres user, from a folder that
  # user may enter (the clone's own may be private: a home folder, a mktemp -d).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# The binaries the cluster in DIR was started with.
cluster_bin() {
  cat "$1/bin"
}

start() {
  local bin dir port prefix
  # Durability is pointless for a database thrown away after the run; speed is not.
  local speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${1:-}" = --durable ]; then
    speed=""
    shift
  fi
  local socket=false
  if [ "${1:-}" = --socket ]; then
    socket=true
    shift
  fi
  dir=$(mktemp -d /tmp/byline-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "${1:-}" = --pgvector ]; then
    # Copied out of the virtual environment, which the postgres user may not be able to enter, keeping
    # the layout its binaries find their libraries by ($ORIGIN/../../../pgserver.libs).
    local package
    package=$(.venv/bin/python -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("pgserver").origin).parent)')
    mkdir -p "$dir/site/pgserver"
    cp -a "$package/pginstall" "$dir/site/pgserver/" && cp -a "$package/../pgserver.libs" "$dir/site/"
    chmod -R a+rX "$dir/site"
    bin="$dir/site/pgserver/pginstall/bin"
    prefix=BYLINE_TEST_PGVECTOR
  else
    if [ -z "$(pg_bin)" ]; then
      echo "Installing PostgreSQL (Debian packages)..." >&2
      apt-get -o DPkg::Lock::Timeout=300 update >&2
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends postgresql >&2
    fi
    bin=$(pg_bin)
    prefix=BYLINE_TEST_DATABASE
  fi
  echo "$bin" >"$dir/bin"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $speed -c max_connections=200" >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres byline_test
  if [ "$socket" = true ]; then
    echo "export ${prefix}_URL='postgresql://postgres@/byline_test?host=$dir&port=$port'"
  else
    echo "export ${prefix}_URL=postgresql://postgres@127.0.0.1:$port/byline_test"
  fi
  if [ "$prefix" = BYLINE_TEST_DATABASE ]; then echo "export BYLINE_TEST_PGDATA=$dir"; else echo "export ${prefix}_DATA=$dir"; fi
}

stop() {
  local dir=$1
  as_owner "$(cluster_bin "$dir")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

# An outage for fault tests: halt as if the server crashed, resume with the options it had.
halt() {
  as_owner "$(cluster_bin "$1")/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null
}

resume() {
  as_owner "$(cluster_bin "$1")/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 restart >/dev/null
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop "${2:?usage: postgres.sh stop DIR}" ;;
  halt) halt "${2:?usage: postgres.sh halt DIR}" ;;
  resume) resume "${2:?usage: postgres.sh resume DIR}" ;;
  *) echo "usage: $0 start [--durable] [--socket] [--pgvector] | stop DIR | halt DIR | resume DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The virtual environment as `make dev` makes it, static checks, then the whole suite on SQLite and on
# a real PostgreSQL server started for the run, with a real headless Chromium for the pages and
# openapi-typescript for the OpenAPI document, and the documentation's strict build beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Bytecode is kept for every module the suite loads, in the checkout and .venv, even where Python is
# told not to write it: the workers, servers and commands the tests start would each compile them
# again, and pytest's test modules with their asserts rewritten (3 s of each worker's start).
unset PYTHONDONTWRITEBYTECODE

# The Debian packages the run needs, each installed only when missing: a real headless Chromium, jq
# for the tour's examples (README and docs, which a test runs in order), Varnish with the xkey vmod
# (tests/deliveries/test_varnish.py), Node and npm.
scripts/chromium.sh
scripts/debian.sh jq=jq
scripts/varnish.sh install
scripts/debian.sh node=nodejs npm=npm
# What needs no virtual environment starts now and runs beside its making: npm's packages and the
# plain PostgreSQL server (each mostly waits on the disk, the registry's cache or initdb).
node_log=$(mktemp)
scripts/node.sh > "$node_log" 2>&1 &
node_install=$!
plain_exports=$(mktemp)
vector_exports=$(mktemp)
starts=()
# Every cluster this run starts is stopped however the run ends, a failed start or install included.
stop_clusters() {
  for start in "${starts[@]}"; do
    wait "$start" 2>/dev/null || true
  done
  if [ -s "$plain_exports" ]; then
    scripts/postgres.sh stop "$(sed -n 's/^export BYLINE_TEST_PGDATA=//p' "$plain_exports")"
  fi
  if [ -s "$vector_exports" ]; then
    scripts/postgres.sh stop "$(sed -n 's/^export BYLINE_TEST_PGVECTOR_DATA=//p' "$vector_exports")"
  fi
  rm -f "$plain_exports" "$vector_exports"
}
trap stop_clusters EXIT
# The plain server is reached through its Unix socket, the pgvector one through loopback TCP: both
# ways of connecting are tested, and most PostgreSQL tests take the cheaper one.
if [ -z "${BYLINE_TEST_DATABASE_URL:-}" ]; then
  scripts/postgres.sh start --socket > "$plain_exports" &
  starts+=($!)
fi
# The virtual environment, as `make dev` makes it (the settings make was given pass on to it).
make --no-print-directory dev
# A second server, with pgvector (from the virtual environment), for the related-article tests that use it.
if [ -z "${BYLINE_TEST_PGVECTOR_URL:-}" ]; then
  scripts/postgres.sh start --pgvector > "$vector_exports" &
  starts+=($!)
fi

echo "ruff: lint and format"
.venv/bin/ruff check app tests bench migrations clients/python
.venv/bin/ruff format --check app tests bench migrations clients/python
# Type and layer checks run beside the suite, whose servers leave a core idle now and then; their
# verdict comes after the suite's.
static_log=$(mktemp)
(
  echo "mypy: app and the Python client" && .venv/bin/mypy \
    && echo "import-linter: dependencies flow one way" && .venv/bin/lint-imports --no-cache
) > "$static_log" 2>&1 &
static_checks=$!
# The documentation builds strictly (a broken link or anchor, a page left out of the nav), beside them,
# into a folder of its own rather than the checkout.
docs_log=$(mktemp)
docs_site=$(mktemp -d)
(
  echo "mkdocs: the documentation builds strictly" \
    && NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$docs_site"
) > "$docs_log" 2>&1 &
docs_build=$!

started=0
for start in "${starts[@]}"; do
  wait "$start" || started=$?
done
[ "$started" -eq 0 ] || exit "$started"
for exports in "$plain_exports" "$vector_exports"; do
  eval "$(cat "$exports")"
done
echo "PostgreSQL for tests: $BYLINE_TEST_DATABASE_URL; with pgvector: $BYLINE_TEST_PGVECTOR_URL"
wait "$node_install" || { cat "$node_log"; exit 1; }
rm -f "$node_log"
# One worker per core and one more, each with PostgreSQL databases of its own (tests/conftest.py):
# tests that wait for a server to start or a deadline to pass leave a core idle, which the extra
# worker fills. Each file runs whole on one worker, so a module's server, browser or files are never
# shared. `-n 0` runs serially.
# Files are handed out in the order tests/conftest.py collects them, the longest first, rather than
# by how many tests each holds (which left the slow files of few tests to the end).
suite=0
.venv/bin/python -m pytest -n "$(( $(nproc) + 1 ))" --dist loadfile --no-loadscope-reorder "$@" || suite=$?
static=0
wait "$static_checks" || static=$?
wait "$docs_build" || static=$?
cat "$static_log" "$docs_log"
rm -rf "$static_log" "$docs_log" "$docs_site"
if [ "$static" -ne 0 ]; then
  echo "Static checks failed (above)." >&2
fi
exit $(( suite != 0 ? suite : static ))

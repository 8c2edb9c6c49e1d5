#!/usr/bin/env bash
# Static checks, then the whole suite on SQLite and on a real PostgreSQL server started for the run,
# with a real headless Chromium for the pages and openapi-typescript for the OpenAPI document, and the
# documentation's strict build beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Bytecode is kept for every module the suite loads, in the checkout and .venv, even where Python is
# told not to write it: the workers, servers and commands the tests start would each compile them
# again, and pytest's test modules with their asserts rewritten (3 s of each worker's start).
unset PYTHONDONTWRITEBYTECODE
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

scripts/chromium.sh
# The tour's examples (README and docs), which a test runs in order, read JSON with jq.
scripts/debian.sh jq=jq
# Varnish with the xkey vmod, for the tests of Varnish in front (tests/deliveries/test_varnish.py).
scripts/varnish.sh install
# Node's packages install beside the PostgreSQL start-up below, once every Debian package is in
# (node.sh then finds nodejs and npm and only runs `npm ci`).
scripts/debian.sh node=nodejs npm=npm
node_log=$(mktemp)
scripts/node.sh > "$node_log" 2>&1 &
node_install=$!
# Every cluster this run starts is stopped however the run ends, a failed start of the next included.
stop_clusters=true
trap 'eval "$stop_clusters"' EXIT
# The two start side by side (each start mostly waits on initdb's files and the server's start-up).
plain_exports=$(mktemp)
vector_exports=$(mktemp)
starts=()
if [ -z "${BYLINE_TEST_DATABASE_URL:-}" ]; then
  scripts/postgres.sh start > "$plain_exports" &
  starts+=($!)
fi
# A second server, with pgvector, for the related-article tests that use it.
if [ -z "${BYLINE_TEST_PGVECTOR_URL:-}" ]; then
  scripts/postgres.sh start --pgvector > "$vector_exports" &
  starts+=($!)
fi
started=0
for start in "${starts[@]}"; do
  wait "$start" || started=$?
done
# Each cluster this run started is stopped, even when the other did not start.
if [ -s "$plain_exports" ]; then
  eval "$(cat "$plain_exports")"
  stop_clusters="$stop_clusters; scripts/postgres.sh stop $BYLINE_TEST_PGDATA"
fi
if [ -s "$vector_exports" ]; then
  eval "$(cat "$vector_exports")"
  stop_clusters="$stop_clusters; scripts/postgres.sh stop $BYLINE_TEST_PGVECTOR_DATA"
fi
rm -f "$plain_exports" "$vector_exports"
[ "$started" -eq 0 ] || exit "$started"
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

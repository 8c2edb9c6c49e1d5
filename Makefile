# The two commands a newcomer needs: `make run` and `make test`.
# The interpreter the venv is made from: the system's own Python 3.11 or newer where there is one
# with pip, else python3 from PATH. Distributions build theirs optimised for speed (profile-guided, linked
# into the executable); one built from source by default is not, and on one 2-core machine the
# suite took 13% more CPU under it (790 s against 688). PYTHON=... chooses another.
SYSTEM_PYTHON := $(shell /usr/bin/python3 -c 'import sys, pip; print(sys.version_info >= (3, 11))' 2>/dev/null)
PYTHON ?= $(if $(filter True,$(SYSTEM_PYTHON)),/usr/bin/python3,python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test soak install dev lock openapi clients docs bench clean

run: install
	$(BIN)/byline db upgrade
	$(BIN)/byline demo load
	$(BIN)/byline serve

# scripts/test.sh makes the virtual environment itself, while the servers the tests need start.
test:
	scripts/test.sh

# wrk against Byline and against nginx serving the same bytes; SIZE=100000 for the large newsroom,
# DATABASE=postgresql to serve from PostgreSQL instead of SQLite, VARNISH=1 to read through Varnish
# in front too and time edits until they show through it.
SIZE ?= 10000
DATABASE ?= sqlite
bench: dev
	scripts/bench.sh --size $(SIZE) $(if $(filter postgresql,$(DATABASE)),--postgres) $(if $(VARNISH),--varnish) $(if $(DESK_APART),--desk-apart)

# The fault tests under a minute of load before each kill, on SQLite and PostgreSQL.
soak: dev
	BYLINE_SOAK_SECONDS=60 scripts/test.sh -n 0 -s tests/test_faults.py tests/db/test_storage_faults.py

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

# Exactly the releases requirements/ names, each file checked against its hash; then Byline itself.
# The venv gets no pip of its own (putting one in took 5 s): the interpreter's pip brings uv into it,
# which installs the rest in seconds rather than a minute. What the app runs on is
# compiled to bytecode here, once: where Python is told not to write it (PYTHONDONTWRITEBYTECODE),
# every process compiled each module it loaded again, and loading the app took 3.9 s of CPU instead
# of 1.8. The development tools are not compiled ahead (every file installed, 30 s of CPU): the
# suite writes the bytecode of what it loads as it goes (scripts/test.sh).
UV_INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python
$(VENV)/.installed: pyproject.toml requirements/runtime.txt requirements/uv.txt
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --require-hashes -r requirements/uv.txt
	$(UV_INSTALL) --compile-bytecode --require-hashes -r requirements/runtime.txt
	$(UV_INSTALL) --no-deps -e .
	$(BIN)/python -m compileall -q -j 0 app
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt
	$(UV_INSTALL) --require-hashes -r requirements/dev.txt
	touch $@

# requirements/ anew from pyproject.toml, for Python 3.11 and later on any platform: each release it
# pins stays while pyproject.toml allows it; UPGRADE=1 takes the newest allowed instead.
COMPILE := $(BIN)/uv pip compile --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade)
lock: dev
	$(COMPILE) pyproject.toml -o requirements/runtime.txt
	$(COMPILE) pyproject.toml --extra dev --constraint requirements/runtime.txt -o requirements/dev.txt
	grep -o '^uv==[^ ]*' requirements/dev.txt | $(COMPILE) - -o requirements/uv.txt

openapi: install
	$(BIN)/byline openapi > openapi/openapi.json

# The clients' generated code (clients/typescript/src/schema.d.ts, clients/python/src/byline_client/models.py)
# anew from openapi/openapi.json, after `make openapi`: a test fails while they differ.
clients: dev
	scripts/node.sh
	scripts/clients.sh

# The reference pages under docs/reference/, written again from the code they describe.
docs: dev
	$(BIN)/byline docs

clean:
	rm -rf $(VENV) byline.db byline.db-wal byline.db-shm

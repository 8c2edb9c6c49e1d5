# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test soak install dev openapi bench clean

run: install
	$(BIN)/byline db upgrade
	$(BIN)/byline demo load
	$(BIN)/byline serve

test: dev
	scripts/test.sh

# wrk against Byline and against nginx serving the same bytes; SIZE=100000 for the large newsroom,
# DATABASE=postgresql to serve from PostgreSQL instead of SQLite.
SIZE ?= 10000
DATABASE ?= sqlite
bench: dev
	scripts/bench.sh --size $(SIZE) $(if $(filter postgresql,$(DATABASE)),--postgres)

# The fault tests under a minute of load before each kill, on SQLite and PostgreSQL.
soak: dev
	BYLINE_SOAK_SECONDS=60 scripts/test.sh -n 0 -s tests/test_faults.py tests/test_storage_faults.py

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

openapi: install
	$(BIN)/byline openapi > openapi/openapi.json

clean:
	rm -rf $(VENV) byline.db byline.db-wal byline.db-shm

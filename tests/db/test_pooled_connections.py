"""A worker opens its read connections before its first request; a pooled PostgreSQL connection the
server ended while it waited in the pool is replaced before a request gets it; one used a moment ago
is handed out as it is."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from app.db import engines
from app.db.engines import build_engine, open_ahead
from app.main import create_app
from tests.app_client import AppClient
from tests.conftest import BACKENDS

postgresql_only = pytest.mark.parametrize(
    "database_url", [backend for backend in BACKENDS if backend == "postgresql"], indirect=True
)


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


@pytest.fixture
def ended_in_the_pool(database_url) -> Iterator[tuple[Engine, int]]:
    """A pool of one connection, used once and then ended by the server while it waits; and the
    server process it had."""
    pooled, other = build_engine(database_url, pool_size=1), build_engine(database_url)
    first = _backend_pid(pooled)
    with other.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar_one()
    other.dispose()
    yield pooled, first
    pooled.dispose()


@postgresql_only
def test_a_connection_ended_while_idle_in_the_pool_is_replaced_before_use(ended_in_the_pool, monkeypatch):
    pooled, first = ended_in_the_pool
    # As if it had waited in the pool longer than a ping is spared for.
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.0)
    # The request's statement runs, on a new connection, with no error.
    assert _backend_pid(pooled) != first


@postgresql_only
def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(ended_in_the_pool, monkeypatch):
    pooled, first = ended_in_the_pool
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 3600.0)
    # Unpinged, the dead connection reaches the statement, which fails; the pool then starts afresh.
    with pytest.raises(OperationalError) as failed:
        _backend_pid(pooled)
    assert failed.value.connection_invalidated
    assert _backend_pid(pooled) != first


def test_a_worker_opens_its_read_connections_before_its_first_request(settings):
    settings = settings.model_copy(update={"database_pool_open_ahead": 4})
    with AppClient(create_app(settings)) as client:
        pool = client.app.state.byline.engines.read.pool
        assert pool.checkedin() + pool.checkedout() >= 4  # the content watch may hold some already


@postgresql_only
def test_connections_opened_ahead_are_server_processes_kept_for_requests(database_url):
    pooled = build_engine(database_url, pool_size=3)
    try:
        open_ahead(pooled, 5)  # no more than the pool keeps
        assert pooled.pool.checkedin() == 3
        # Requests then take turns on those three server processes and start none.
        assert len({_backend_pid(pooled) for _ in range(6)}) == 3 and pooled.pool.checkedin() == 3
    finally:
        pooled.dispose()


def test_a_database_out_of_reach_at_start_leaves_the_connections_to_the_first_requests(caplog):
    unreachable = build_engine("postgresql://byline@127.0.0.1:9/byline", pool_size=2)
    open_ahead(unreachable, 2)
    assert unreachable.pool.checkedin() == 0
    assert "could not open connections to the database ahead" in caplog.text

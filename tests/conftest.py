"""Shared fixtures: a migrated database per test on SQLite and, when configured, PostgreSQL."""

import functools
import gc
import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, make_url, text
from sqlmodel import Session

from app.auth.models import Scope
from app.auth.service import issue_key
from app.core.settings import Settings
from app.db.engines import build_engine, kept_engine, release
from app.main import create_app
from app.models import metadata
from app.wiring import install_write_hooks, upgrade_database
from tests import content_guard
from tests.app_client import AppClient

pytest_plugins = ["tests.browser"]

POSTGRES_URL = os.environ.get("BYLINE_TEST_DATABASE_URL")
# A second server whose build has the pgvector extension, for the tests of what uses it.
PGVECTOR_URL = os.environ.get("BYLINE_TEST_PGVECTOR_URL")
_key_numbers = itertools.count(1)
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
WITH_PGVECTOR = [*BACKENDS, "pgvector"] if PGVECTOR_URL else BACKENDS


# The files that run longest, slowest first. `--dist loadfile` hands whole files to the workers in
# the order they were collected: one of these handed out last keeps a worker busy while the others
# have finished, so they are handed out first and the quick files fill in around them.
LONGEST_FIRST = (
    "test_faults.py",
    "test_cli.py",
    "test_desk_browser.py",
    "test_desk_admin_browser.py",
    "test_desk_tools_browser.py",
    "caching/test_never_stale.py",
    "caching/test_never_stale_across_servers.py",
    "test_frontend_browser.py",
    "web/test_api_fuzz.py",
    "caching/test_http_cache_servers.py",
    "caching/test_stored_answers.py",
    "test_tour.py",
    "related/test_semantic_processes.py",
    "webhooks/test_worker_process.py",
    "deliveries/test_varnish.py",
    "clients/test_clients.py",
    "clients/test_generated.py",
    "search/test_search.py",
    "caching/test_surrogate_keys.py",
    "ingest/test_bulk_upsert.py",
    "readership/test_views_on_shutdown.py",
    "comments/test_workers.py",
)


def pytest_collection_finish(session: pytest.Session) -> None:
    # What the worker loaded to collect stays for the whole run: left out of every collection, and
    # collections made rarer, the collector took 2 s instead of 4.5 in every 100 s of tests.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: each file's tests stay together and in their order.
    tests = Path(__file__).parent
    missing = [name for name in LONGEST_FIRST if not (tests / name).is_file()]
    assert not missing, f"LONGEST_FIRST names files that are gone: {missing}"
    rank = {tests / name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path, len(LONGEST_FIRST)))


@pytest.fixture(scope="session", autouse=True)
def _content_writes_bump_the_version() -> None:
    # As every entry point that writes does; the sessions tests open themselves write content too.
    install_write_hooks()
    content_guard.install()


@pytest.fixture(autouse=True)
def _no_unbumped_content_write() -> Iterator[None]:
    yield
    failures, content_guard.failures[:] = list(content_guard.failures), []
    assert not failures, failures[0]


class FrozenClock:
    """A clock tests move by hand, so publishing schedules are tested without sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    # Migrate once, then copy the file for each test: fast, and every test starts from `upgrade head`.
    path = tmp_path_factory.mktemp("template") / "byline.db"
    upgrade_database(f"sqlite:///{path}")
    return str(path)


def migrated_sqlite(template: str, folder: Path) -> str:
    """The URL of a new database file in `folder` at `upgrade head`: a copy of the migrated template,
    as every test's own database is, for tests that hand a file to processes they start."""
    path = folder / "byline.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    return migrated_sqlite(sqlite_template, tmp_path)


@contextmanager
def _database_of_this_worker(url: str) -> Iterator[str]:
    """The database named in `url`, or, for each worker of a parallel run, a database of its own
    in the same cluster (named after the worker), so workers never empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        yield url
        return
    shared = make_url(url)
    own = shared.set(database=f"{shared.database}_{worker}")
    engine = build_engine(url).execution_options(isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))

    drop()  # left over from an interrupted run
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        drop()
        engine.dispose()


@contextmanager
def _migrated_postgres(url: str) -> Iterator[str]:
    with _database_of_this_worker(url) as own:
        engine = build_engine(own)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        upgrade_database(own)
        yield own


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with _migrated_postgres(POSTGRES_URL) as url:
        yield url


@pytest.fixture(scope="session")
def pgvector_url() -> Iterator[str]:
    with _migrated_postgres(PGVECTOR_URL) as url:
        yield url


# Every table a test may fill, children before parents; the content version stays.
_FILLED_TABLES = ["article_search"] + [
    table.name for table in reversed(metadata.sorted_tables) if table.name != "content_version"
]


@functools.cache
def _cleaning_engine(url: str) -> Engine:
    return build_engine(url)


def _empty_postgres(url: str) -> None:
    """Each table emptied and its ids started again from 1. Rows deleted from small tables: TRUNCATE
    took three times as long, making new files for every table and index."""
    with _cleaning_engine(url).begin() as connection:
        # Triggers, foreign-key checks included, have nothing to check in tables being emptied. One
        # string of statements, one round trip: a statement each took five times as long.
        deletes = "".join(f'DELETE FROM "{table}";' for table in _FILLED_TABLES)  # noqa: S608 - names from the models
        connection.exec_driver_sql(f"SET LOCAL session_replication_role = replica;{deletes}")
        connection.execute(
            text(
                "SELECT setval(sequence.oid, 1, false) FROM pg_class sequence"
                " JOIN pg_depend owned ON owned.objid = sequence.oid AND owned.deptype IN ('a', 'i')"
                " JOIN pg_class owner ON owner.oid = owned.refobjid"
                " WHERE sequence.relkind = 'S' AND owner.relname = ANY(:tables)"
            ),
            {"tables": _FILLED_TABLES},
        )


@pytest.fixture(scope="session")
def _sqlite_of_each_test(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("database") / "byline.db"


def _fresh_sqlite(template: str, path: Path) -> str:
    """The template copied anew to `path`, one name for every test so the process keeps its engines
    (app.db.engines.kept_engine); each test's apps and engines have closed their connections."""
    for leftover in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=BACKENDS)
def database_url(request) -> Iterator[str]:
    if request.param == "sqlite":
        yield _fresh_sqlite(request.getfixturevalue("sqlite_template"), request.getfixturevalue("_sqlite_of_each_test"))
    else:
        url = request.getfixturevalue("pgvector_url" if request.param == "pgvector" else "postgres_url")
        yield url
        _empty_postgres(url)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 6, 1, 12, 0, tzinfo=UTC))


TEST_SECRET = "test-secret-key-for-the-suite-only"
PROXY_ADDRESS = "192.0.2.10"


@pytest.fixture(scope="session")
def suite_settings() -> Settings:
    return Settings(
        _env_file=None,
        public_url="http://testserver",
        secret_key=TEST_SECRET,
        trusted_proxies=[PROXY_ADDRESS],
        # Webhook receivers and feeds of the tests listen on loopback.
        allowed_internal_hosts=["127.0.0.1"],
        # Real Argon2id at the smallest cost it takes: a sign-in costs a millisecond, not a tenth of a second.
        password_time_cost=1,
        password_memory_kib=8,
        password_parallelism=1,
        # A test's app lives for a few requests: connections opened ahead would only be closed again.
        database_pool_open_ahead=0,
    )


@pytest.fixture
def settings(suite_settings, database_url, tmp_path) -> Settings:
    # A copy with this test's database and folder: validating settings anew took a fifth of a short test.
    return suite_settings.model_copy(
        update={"database_url": database_url, "media_dir": str(tmp_path / "media")}, deep=True
    )


@pytest.fixture
def api_key(session, clock):
    """Issue a key with the given scopes; returns request headers carrying it."""

    def issue(*scopes: str, name: str | None = None, expires_at=None) -> dict[str, str]:
        key_name = name or f"key-{'-'.join(scope.replace(':', '-') for scope in scopes)}-{next(_key_numbers)}"
        _, plain = issue_key(
            session,
            secret_key=TEST_SECRET,
            name=key_name,
            scopes=[Scope(scope) for scope in scopes],
            now=clock.now,
            expires_at=expires_at,
        )
        return {"Authorization": f"Bearer {plain}"}

    return issue


@pytest.fixture
def editor(api_key) -> dict[str, str]:
    return api_key("content:write", "content:preview", name="desk-editor")


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    # The app's own write engine, when the test makes an app.
    engine = kept_engine(database_url)
    yield engine
    release(engine)


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(settings, clock) -> Iterator[AppClient]:
    # Requests arrive through a trusted proxy, so tests choose the reader's address with X-Forwarded-For.
    with AppClient(create_app(settings, clock=clock), client=(PROXY_ADDRESS, 50000)) as client:
        yield client


@contextmanager
def counting_queries(engine: Engine) -> Iterator[list[tuple[str, tuple]]]:
    """Every SQL statement (with its parameters) the engine runs inside the block."""
    statements: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, *args) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)

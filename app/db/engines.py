"""Database engines: SQLite pragmas, the PostgreSQL pool, planner statistics."""

import atexit
import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, Engine, Table, event, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlmodel import Session, create_engine

from app.db.outage import Outage, outage_of

log = logging.getLogger("byline.db")

SQLiteSync = Literal["NORMAL", "FULL"]
CONNECT_TIMEOUT_SECONDS = 5
# A pooled PostgreSQL connection unused for longer is pinged before it is used again.
PING_AFTER_IDLE_SECONDS = 1.0
# How long a SQLite writer waits for another's write lock.
BUSY_TIMEOUT_MS = 30_000
# The request threadpool's size (anyio's default), each thread with a read and a write session at most.
SQLITE_POOL_SIZE = 40


def driver_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg 3, the driver Byline ships with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str | URL) -> str:
    """The same PostgreSQL URL as libpq and psycopg's own connections read it, without a driver name."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# Each connection's own page cache. A worker keeps a connection per request thread (up to 40), so
# SQLite's default of 2 MB each grew a worker by about 50 MB under load at 100,000 articles; pages
# it misses come from the operating system's cache, and throughput under load was no lower.
CACHE_KIB = 512
BULK_CACHE_KIB = 32 * 1024
# Pages of write-ahead log (4 KiB each) between checkpoints in bulk jobs: 80 MB.
BULK_CHECKPOINT_PAGES = 20_000


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# Article bodies are JSON documents: orjson encodes and decodes them several times faster.
_JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def build_engine(
    url: str,
    *,
    pool_size: int = 10,
    for_writes: bool = True,
    sqlite_synchronous: SQLiteSync = "NORMAL",
    sqlite_bulk: bool = False,
) -> Engine:
    """`sqlite_bulk=True` is for a process that touches the whole file once (an import, an export,
    an upgrade that rebuilds the search index): it gives SQLite's page cache and the write-ahead log
    room for batches."""
    url = driver_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
            **_JSON_CODEC,
            # Enough kept open for every request thread: a connection opened and closed per request
            # costs more than the request (the file, its pragmas, its map).
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
        )

        def pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            _sqlite_pragmas(dbapi_connection, synchronous=sqlite_synchronous, bulk=sqlite_bulk)

        event.listen(engine, "connect", pragmas)
        # A deferred transaction that later writes can fail with "database is locked"
        # half-way; taking the write lock up front makes concurrent writers queue instead.
        begin = "BEGIN IMMEDIATE" if for_writes else "BEGIN"
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql(begin))
        return engine
    # hide_parameters: error messages must never carry a commenter's email or a key digest into logs.
    engine = create_engine(
        url,
        **_JSON_CODEC,
        pool_size=pool_size,
        max_overflow=pool_size,
        hide_parameters=True,
        # An unreachable server must become a prompt 503, not a request hanging on the network.
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
    )
    _fail_fast_in_outages(engine)
    _ping_when_idle(engine)
    return engine


def reading(engine: Engine) -> Connection:
    """A connection for reads that need no transaction of their own: on PostgreSQL it runs in
    autocommit, without the BEGIN and ROLLBACK around a lone statement (two round trips of three).
    (SQLite's pool keeps its connections out of the driver's own transaction handling: unchanged.)"""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection


def open_ahead(engine: Engine, count: int) -> None:
    """Open up to `count` of the pool's connections now and keep them in the pool. On PostgreSQL each
    is a server process started (4-6 ms), and a server's first seconds under load opened about 30, its
    slowest answers then ten times its usual. A database out of reach leaves them to the first
    requests, which answer 503 until it is back."""
    opened: list[Connection] = []
    try:
        for _ in range(min(count, engine.pool.size())):  # type: ignore[attr-defined]
            opened.append(engine.connect())
    except DBAPIError:
        log.warning("could not open connections to the database ahead; the first requests will")
    finally:
        for connection in opened:
            connection.close()


# An engine is meant to last as long as its process, keeping its pool and the statements it has
# compiled. An app made again in the same process (the tests make one for each test) takes the
# engines of the one before: compiling every statement anew for each app took about a seventh of a
# test's time, and a PostgreSQL connection is a server process started, whose caches of the tables'
# definitions fill again on its first statements. The least recently asked for is disposed once more
# than a few are kept; the rest when the process exits.
ENGINES_KEPT = 8
_kept: OrderedDict[tuple[object, ...], Engine] = OrderedDict()
_kept_lock = threading.Lock()


def kept_engine(
    url: str, *, pool_size: int = 10, for_writes: bool = True, sqlite_synchronous: SQLiteSync = "NORMAL"
) -> Engine:
    """This process's engine for `url` with these options, built on first use."""
    key = (url, pool_size, for_writes, sqlite_synchronous)
    with _kept_lock:
        engine = _kept.get(key)
        if engine is None:
            engine = _kept[key] = build_engine(
                url, pool_size=pool_size, for_writes=for_writes, sqlite_synchronous=sqlite_synchronous
            )
        _kept.move_to_end(key)
        while len(_kept) > ENGINES_KEPT:
            _kept.popitem(last=False)[1].dispose()
        return engine


def release(engine: Engine) -> None:
    """An app is done with `engine`. A SQLite file's connections close now, since the file may be
    copied or replaced next; a PostgreSQL pool stays open for the next app of this process."""
    if engine.dialect.name == "sqlite":
        engine.dispose()


@atexit.register
def _dispose_kept_engines() -> None:
    # Each connection ended by its client, not cut off as the process goes.
    with _kept_lock:
        for engine in _kept.values():
            engine.dispose()


def _ping_when_idle(engine: Engine) -> None:
    """A connection back in the pool a moment ago is alive; one that waited there longer may have been
    cut (a restarted server, a failover, an idle timeout on the way), so it is pinged before use and
    replaced if dead. SQLAlchemy's `pool_pre_ping` pinged at every checkout, a round trip more for
    each, nearly all of them for connections just used (a checkout and one statement: about 100 µs
    more of the worker's CPU)."""

    @event.listens_for(engine, "checkin")
    def returned(_dbapi_connection: object, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: object) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as dead:
            # The pool discards the connection and checks out another, three times at most.
            raise DisconnectionError from dead


def _fail_fast_in_outages(engine: Engine) -> None:
    outage = database_outage(engine.url)
    refused = engine.dialect.loaded_dbapi.OperationalError

    @event.listens_for(engine, "do_connect")
    def connect(dialect: Any, _record: object, cargs: Any, cparams: Any) -> Any:
        if not outage.may_connect():
            raise refused("the database could not be reached a moment ago")
        try:
            connection = dialect.connect(*cargs, **cparams)
        except refused:
            outage.failed()
            raise
        outage.connected()
        return connection


def database_outage(url: str | URL) -> Outage:
    """What this process knows of the database's availability (app.outage)."""
    return outage_of(libpq_url(url), probe_seconds=CONNECT_TIMEOUT_SECONDS)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, *, synchronous: SQLiteSync, bulk: bool) -> None:
    # Let SQLAlchemy, not the driver, open transactions, so BEGIN is ours to choose.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one writer commits; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL: a killed process loses nothing committed; FULL also survives power loss, at a cost per commit.
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # No memory map: the file grows with every few comments, and each connection then maps it
    # again (about a quarter of comment throughput at 100,000 articles), and mapped pages count
    # in every worker's memory. Pages come from the operating system's cache through SQLite's own.
    cursor.execute("PRAGMA mmap_size=0")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    if bulk:
        # A batch inserts into every index of the term vectors at random places: with SQLite's
        # default 2 MB cache and a checkpoint every 4 MB of log, pages were read and written back
        # over and over (about 6% of an import's time).
        cursor.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={BULK_CHECKPOINT_PAGES}")
    cursor.close()


def refresh_planner_statistics(engine: Engine) -> None:
    """Let the query planner know how selective each index is, after migrations and bulk loads.

    Without statistics SQLite guesses, and may walk every published article to count a
    rare tag's few. A full ANALYZE (about 0.25 s per 200,000 articles) is used because
    sampled ones misjudge how unselective `status` is. PostgreSQL's autovacuum keeps its
    own statistics, but a bulk load should not wait for it.
    """
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


class WriteTurns:
    """The writers of one SQLite file, taking its write lock in turn instead of racing for it.

    SQLite's busy handler sleeps between attempts (up to 100 ms at a time), so under a burst of
    comments a waiting writer slept on long after the lock was free and some waited seconds. A
    thread lock queues this process's writers and a lock on a file beside the database queues the
    processes (every worker and command that writes it): the kernel wakes the next writer the
    moment the turn passes. A writer that finds no turn within SQLite's own busy timeout goes on
    without one, meeting SQLite's busy handler as writers outside the turns always do.
    """

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._file = _lock_file(database) if database else None

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self._threads.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            yield
            return
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if self._file is not None:
                    fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _lock_file(database: str) -> int | None:
    # Not the database's own file: closing any descriptor of it would drop the POSIX locks SQLite
    # holds on it. Where none can be made (a read-only folder), this process's threads still queue.
    try:
        return os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as refused:
        log.warning("writers of %s queue only within each process (%s)", database, refused.strerror)
        return None


_write_turns: dict[str, WriteTurns] = {}
# Any constant that no other advisory lock uses.
_WRITE_TURN_LOCK = 0x6279_6C77
_TAKE_WRITE_TURN = select(func.pg_advisory_xact_lock(_WRITE_TURN_LOCK))
_write_turns_made = threading.Lock()


@contextmanager
def write_turn(session: Session) -> Iterator[None]:
    """Run the session's next write transaction in its turn among the database's writers (see
    WriteTurns), for write paths that come in bursts. The block commits; if it raises, the
    transaction is rolled back before the turn passes on, so the next writer finds the lock free.

    On PostgreSQL the turn is a transaction-level advisory lock, shared by every worker and server:
    a batch of comments locks rows (articles' counts, the content version) as each comment needs
    them, and two batches locking them in different orders at once would deadlock. The rate
    limits (app.comments.spam) count in this turn too."""
    url = session.get_bind().engine.url
    if url.get_backend_name() != "sqlite":
        session.connection().execute(_TAKE_WRITE_TURN)
        yield
        return
    database = url.database if url.database not in (None, "", ":memory:") else None
    with _write_turns_made:
        turns = _write_turns.get(database or "")
        if turns is None:
            turns = _write_turns[database or ""] = WriteTurns(database)
    with turns.turn():
        try:
            yield
        except BaseException:
            session.rollback()
            raise


# The table travels as a parameter: one statement for every table, prepared once.
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")


def draw_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """Ids for `count` new rows of `table`, ascending, drawn before the rows are inserted (so a
    bulk insert of them needs no RETURNING, and a row may name another's id): on PostgreSQL from
    the table's sequence, on SQLite after the highest id, as SQLite itself numbers rows. On SQLite
    the caller must hold the write lock (a write engine's transaction, which begins IMMEDIATE), so
    nobody else numbers rows meanwhile."""
    if connection.dialect.name == "postgresql":
        return sorted(connection.execute(_NEXT_IDS, {"table": table.name, "count": count}).scalars())
    highest = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(highest + 1, highest + 1 + count))


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys) at once, straight through the driver: an import
    writes tens of rows per article, and a statement's per-row work in Python would cost more than
    storing them. On PostgreSQL by COPY (an executemany sends a statement per row, about 20 µs
    each). Values go through the columns' own types first, as in any statement."""
    if not rows:
        return
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    values = (
        [row[name] if process is None else process(row[name]) for name, process in zip(names, processors, strict=True)]
        for row in rows
    )
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    into = f"{dialect.identifier_preparer.format_table(table)} ({columns})"
    driver = connection.connection.driver_connection
    try:
        if dialect.name == "postgresql":
            with driver.cursor() as cursor, cursor.copy(f"COPY {into} FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in values:
                    copy.write_row(row)
            return
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(f"INSERT INTO {into} VALUES ({', '.join('?' * len(names))})", values)  # noqa: S608 - table and column names
        finally:
            cursor.close()
    except dialect.loaded_dbapi.Error as refused:
        # The driver's own error, raised past SQLAlchemy: wrapped as any statement's would be, so callers
        # tell a refused row (IntegrityError, DataError) from an outage the same way on both databases.
        raise DBAPIError.instance(f"bulk insert into {into}", None, refused, dialect.loaded_dbapi.Error) from None


def ensure_planner_statistics(engine: Engine) -> None:
    """Statistics for a SQLite database that has none yet, at server start.

    The upgrade, the demo loader and reindexing gather them; a server must start at once however
    large the archive, and serve reads from a database it cannot write, so it only fills a gap."""
    # Gathered once is enough to know: ANALYZE of an empty database leaves the table empty, and
    # gathering again at every start found nothing more (a fifth of a test app's start-up).
    with engine.connect() as connection:
        present = connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
    if present:
        return
    try:
        refresh_planner_statistics(engine)
    except OperationalError as refused:
        log.warning("no planner statistics gathered (%s); run `byline db upgrade` with write access", refused.orig)

"""Database engines and sessions: SQLite pragmas, PostgreSQL pool, read/write session dependencies."""

import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from app.state import EnginesDep

log = logging.getLogger("byline.db")

SQLiteSync = Literal["NORMAL", "FULL"]
CONNECT_TIMEOUT_SECONDS = 5
# How long a SQLite writer waits for another's write lock.
BUSY_TIMEOUT_MS = 30_000
# The request threadpool's size (anyio's default), each thread with a read and a write session at most.
SQLITE_POOL_SIZE = 40
# Set by `byline serve`: the file its workers lock in turn before taking SQLite's write lock.
WRITE_LOCK_FILE = "BYLINE_WRITE_LOCK_FILE"
# An execution option: this connection's transactions skip the write queue (see WriteQueue).
UNQUEUED = "byline_unqueued"


def driver_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg 3, the driver Byline ships with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


MAPPED_BYTES = 4 * 1024**3


def build_engine(
    url: str,
    *,
    pool_size: int = 10,
    for_writes: bool = True,
    sqlite_synchronous: SQLiteSync = "NORMAL",
    sqlite_mapped: bool = True,
) -> Engine:
    """`sqlite_mapped=False` reads through SQLite's own bounded page cache instead of mapping the file:
    for a process that touches the whole file once (an import), whose mapped pages would count
    against its memory."""
    url = driver_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
            # Enough kept open for every request thread: a connection opened and closed per request
            # costs more than the request (the file, its pragmas, its map).
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
        )

        def pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            _sqlite_pragmas(dbapi_connection, synchronous=sqlite_synchronous, mapped=sqlite_mapped)

        event.listen(engine, "connect", pragmas)
        if for_writes:
            _queue_writers(engine, WriteQueue(os.environ.get(WRITE_LOCK_FILE)))
        else:
            event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
        return engine
    # hide_parameters: error messages must never carry a commenter's email or a key digest into logs.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
        # An unreachable server must become a prompt 503, not a request hanging on the network.
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
    )


class WriteQueue:
    """Writers to one SQLite file take its write lock in turn instead of racing for it. SQLite's busy
    handler sleeps between attempts (up to 100 ms at a time), so under load a waiting writer slept on
    long after the lock was free, and a burst of comments waited seconds. A thread lock queues the
    writers of this process, and a lock on BYLINE_WRITE_LOCK_FILE (which `byline serve` shares with
    its workers) queues the processes: the kernel wakes the next writer the moment the lock is free.
    Writers outside the queue (another command, or a connection marked UNQUEUED) still meet SQLite's
    own busy handler."""

    def __init__(self, lock_file: str | None) -> None:
        self._threads = threading.Lock()
        self._file = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600) if lock_file else None

    def enter(self) -> bool:
        """Wait for this writer's turn; False if none came within SQLite's own busy timeout."""
        if not self._threads.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            return False
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_EX)
        return True

    def leave(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


def _queue_writers(engine: Engine, queue: WriteQueue) -> None:
    """Each write transaction waits for its turn, then takes SQLite's write lock up front (a deferred
    transaction that later writes could fail with "database is locked" half-way). The turn passes
    on only once the COMMIT or ROLLBACK is done, or the next writer would meet the lock still held."""
    holding: set[int] = set()
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def begin(connection: Connection) -> None:
        queued = not connection.get_execution_options().get(UNQUEUED) and queue.enter()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if queued:
                queue.leave()
            raise
        if queued:
            holding.add(id(connection.connection))

    def ending(finish: Callable[[Any], None]) -> Callable[[Any], None]:
        def end(dbapi_connection: Any) -> None:
            try:
                finish(dbapi_connection)
            finally:
                if id(dbapi_connection) in holding:
                    holding.discard(id(dbapi_connection))
                    queue.leave()

        return end

    event.listen(engine, "begin", begin)
    dialect.do_commit = ending(commit)  # type: ignore[method-assign,assignment]
    dialect.do_rollback = ending(rollback)  # type: ignore[method-assign,assignment]


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, *, synchronous: SQLiteSync, mapped: bool) -> None:
    # Let SQLAlchemy, not the driver, open transactions, so BEGIN is ours to choose.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one writer commits; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL: a killed process loses nothing committed; FULL also survives power loss, at a cost per commit.
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Reads come straight from the operating system's page cache, shared by every connection and
    # worker, instead of each connection copying pages into its own small cache.
    cursor.execute(f"PRAGMA mmap_size={MAPPED_BYTES if mapped else 0}")
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


def ensure_planner_statistics(engine: Engine) -> None:
    """Statistics for a SQLite database that has none yet, at server start.

    The upgrade, the demo loader and reindexing gather them; a server must start at once however
    large the archive, and serve reads from a database it cannot write, so it only fills a gap."""
    with engine.connect() as connection:
        present = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1' AND EXISTS (SELECT 1 FROM sqlite_stat1)"
        ).first()
    if present:
        return
    try:
        refresh_planner_statistics(engine)
    except OperationalError as refused:
        log.warning("no planner statistics gathered (%s); run `byline db upgrade` with write access", refused.orig)


def _write_session(engines: EnginesDep) -> Iterator[Session]:
    with Session(engines.write, expire_on_commit=False) as session:
        yield session


def _read_session(engines: EnginesDep) -> Iterator[Session]:
    with Session(engines.read, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(_write_session)]
ReadSessionDep = Annotated[Session, Depends(_read_session)]

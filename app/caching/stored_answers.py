"""Rendered answers: the public answer of an article, or of a page of the article list, stored
after an anonymous read built it, so that a read the response cache cannot answer (another worker,
a restart, the cache off) is one indexed row sent as it is, instead of several queries, sanitising
and encoding.

Never stale, by the same contract as CDN purges: every write names the surrogate keys of the
answers it makes stale (app.caching.content_version.bump), and its own transaction deletes the stored
answers sent with any of them. A deep page of the list, which almost any write changes and which
names a hundred keys, is instead stored for the content version it was built under and sent only
while that version is current, both in the lookup's own snapshot and in the state this server
knows: the next write ends it with nothing to delete. Storing a page deletes up to
`STALE_PAGES_DROPPED` pages of older versions, and no more than `DEEP_PAGES_BYTES` of one version
are kept.

A read stores what it built only if no write committed since it began (the content version it saw
first is still current, checked under the version row's lock), and only until the next article goes
live by itself. A stored answer also names the settings, the cursor-sealing secret, the Byline
version and the newest migration it was rendered under, and is skipped when any differs (servers
of an older release, still running during an upgrade, do not read what newer ones store).
"""

import asyncio
import hashlib
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import anyio
import orjson
import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import (
    ARRAY,
    Column,
    ColumnElement,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    PoolProxiedConnection,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Field, Session, col, select
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.caching.content_version import ContentVersion
from app.caching.responses.middleware import PRIVATE_HEADERS
from app.caching.responses.state import ContentState, LiveContent
from app.core.clock import Clock
from app.core.release import byline_version
from app.core.settings import Settings
from app.core.slugs import SLUG_WORDS
from app.db.columns import JSONDocument, Table, UTCDateTime, core_table
from app.db.engines import BUSY_TIMEOUT_MS, CONNECT_TIMEOUT_SECONDS, database_outage, libpq_url
from app.db.migrate import head_revision
from app.db.upserts import conflict_insert

# Every setting a stored answer is derived from: the page head (app.articles.seo, app.articles.links),
# list links, comment threads and related articles.
PAGE_SETTINGS = (
    "public_url",
    "frontend_url",
    "site_name",
    "site_language",
    "publisher_logo_url",
    "article_url",
    "author_url",
    "serve_frontend",
    "comment_gravatar",
    "comment_max_depth",
    "semantic",
)
log = logging.getLogger("byline.rendered")
# A lookup holds its connection for one round trip, so a few serve a whole worker.
LOOKUP_CONNECTIONS = 4
# Longer than a lookup ever waits for one of them; beyond it (the server is down) the route answers.
LOOKUP_WAIT_SECONDS = 0.25
LOOKUP_TIMEOUT_MS = 1000
# Deep pages of one content version, by body size: about 2,500 pages of 20 articles. Beyond it,
# deeper pages are built on every read until the next write.
DEEP_PAGES_BYTES = 64 * 1024 * 1024
# Enough that stale pages go faster than new ones come; few, so a store holds the write lock briefly.
STALE_PAGES_DROPPED = 20
# Answers of one open-ended kind (search results: one per query) kept at once. Beyond it, other
# queries are built on every read until a write purges some.
VARIED_ANSWERS_KEPT = 5_000
# Where a route marks its answer storable, in the request's state, for the middleware to see.
_STORABLE_MARK = "byline.storable"
# Names the answers of an open-ended kind among their keys, to count them; no write purges it.
_KIND_KEY = "stored-kind:"


class RenderedAnswer(Table, table=True):
    """A public answer (an article, a page of the article list), headers and body exactly as sent,
    stored after an anonymous read built it, so later reads send it without rendering."""

    __tablename__ = "rendered_answer"

    path: str = Field(max_length=300, primary_key=True)
    # What it was rendered under: the settings its page head uses, the cursor secret, Byline's version.
    stamp: str = Field(max_length=64)
    # It holds from the last article going live by itself (a clock set back ends it too) until the
    # next: a list shows that article from then.
    valid_from: datetime = Field(sa_type=UTCDateTime, nullable=False)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set for an answer almost any write changes (a deep page of the list): it holds only while this
    # content version is current, so no write has its keys to delete.
    content_version: int | None = Field(default=None, index=True)
    headers: list[list[str]] = Field(sa_type=JSONDocument, nullable=False)
    body: bytes = Field(sa_type=LargeBinary, nullable=False)


class RenderedAnswerKey(Table, table=True):
    """A surrogate key a stored answer was sent with: a write that purges the key deletes the answer."""

    __tablename__ = "rendered_answer_key"

    key: str = Field(max_length=300, primary_key=True)
    path: str = Field(
        sa_column=Column(
            String(300), ForeignKey("rendered_answer.path", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


def stamp(settings: Settings) -> str:
    page = [str(getattr(settings, name)) for name in PAGE_SETTINGS]
    # The secret seals the cursors in list links: a new one makes them stale too.
    sealing = settings.secret_key.get_secret_value()
    release = [byline_version(), head_revision()]
    return hashlib.blake2b(repr([*release, sealing, *page]).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class _Route:
    """What the access log and metrics read of a route: its template."""

    path: str


@dataclass(frozen=True)
class _Storable:
    query: str
    until_next_write: bool
    # An open-ended kind of answer, of which at most VARIED_ANSWERS_KEPT are kept.
    varied: str | None


def storable(request: Request, query: str = "", *, until_next_write: bool = False, varied: str | None = None) -> None:
    """Called by a route whose answer everyone may see and which shows only what purges name (or,
    `until_next_write`, which any write may change). `query` is the canonical form of the only
    parameters the answer depends on: it is stored under that, so spelling variants of one request
    cannot fill the table. `varied` names a kind readers can ask for in endless variety (search
    results, by their words), so only so many of it are kept."""
    request.scope.setdefault("state", {})[_STORABLE_MARK] = _Storable(query, until_next_write, varied)


def stored_paths(*templates: str) -> tuple[tuple[str, str], ...]:
    """Route templates as the middleware takes them: each with the path pattern it matches."""
    return tuple((template.replace("{slug}", SLUG_WORDS), template) for template in templates)


def storable_as_asked(request: Request, *names: str, varied: str | None = None) -> None:
    """`storable`, when the request's query gives only parameters of `names`, each once and in that
    order: the one spelling of it an answer is stored under."""
    query = request.scope["query_string"].decode("latin-1")
    given = [part.partition("=")[0] for part in query.split("&")] if query else []
    if given == [name for name in names if name in given]:
        storable(request, query, varied=varied)


Stored = tuple[list[list[str]], bytes]


def _holds(path: ColumnElement[str], version: ColumnElement[int | None]) -> list[ColumnElement[bool]]:
    """When the answer stored for `path` may be sent, to a reader whose server knows `version`."""
    return [
        col(RenderedAnswer.path) == path,
        col(RenderedAnswer.stamp) == bindparam("stamp"),
        col(RenderedAnswer.valid_from) <= bindparam("now"),
        or_(col(RenderedAnswer.valid_until).is_(None), col(RenderedAnswer.valid_until) > bindparam("now")),
        # The version of the very snapshot the answer is read from, and the one this server's caches
        # know (a replica behind the same address may be another snapshot than the one they read).
        or_(
            col(RenderedAnswer.content_version).is_(None),
            and_(
                col(RenderedAnswer.content_version) == version,
                col(RenderedAnswer.content_version)
                == select(col(ContentVersion.version)).where(col(ContentVersion.id) == 1).scalar_subquery(),
            ),
        ),
    ]


_LOOKUP = select(col(RenderedAnswer.headers), col(RenderedAnswer.body)).where(
    *_holds(bindparam("path"), bindparam("version"))
)
# On PostgreSQL, the lookups asked together in one statement: a statement each, in a pipeline, cost
# a third more of the worker's CPU for eight (binary rows of 19 KB).
_ASKED = (
    func.unnest(bindparam("paths", type_=ARRAY(String)), bindparam("versions", type_=ARRAY(Integer)))
    .table_valued("path", "version")
    .render_derived(with_types=False)
    .alias("asked")
)
_LOOKUPS = (
    select(_ASKED.c.path, _ASKED.c.version, col(RenderedAnswer.headers), col(RenderedAnswer.body))
    .select_from(_ASKED)
    .where(*_holds(_ASKED.c.path, _ASKED.c.version))
)


class StoredAnswers:
    """One app's stored answers: made by the app factory, opened by its lifespan once the engines exist."""

    def __init__(self, settings: Settings) -> None:
        self.stamp = stamp(settings)
        self._reader: _Reader | None = None
        self._write: Engine | None = None

    async def open(self, read: Engine, write: Engine) -> None:
        """Read from `read` and store through `write` from now on."""
        self._reader = _Reader(read, self.stamp)
        self._write = write
        await self._reader.open()

    async def get(self, path: str, now: datetime, version: int | None) -> Stored | None:
        """The answer stored for `path`; answers bound to a content version only if it is `version`."""
        if self._reader is None:
            return None
        return await self._reader.get(path, version, now)

    async def store(
        self, read_version: int, row: dict[str, Any], surrogate_keys: list[str], varied: str | None = None
    ) -> None:
        if self._write is not None:
            await anyio.to_thread.run_sync(_store, self._write, read_version, row, surrogate_keys, varied)

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.close()


# The lookups compiled once for each kind of database and driver, not for every app.
_COMPILED: dict[tuple[int, str, str, str], tuple[str, list[str], dict[str, Any]]] = {}


def _compiled(statement: ClauseElement, dialect: Dialect) -> tuple[str, list[str], dict[str, Any]]:
    kind = (id(statement), dialect.name, dialect.driver, dialect.paramstyle)
    if kind not in _COMPILED:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        _COMPILED[kind] = (compiled.string, compiled.positiontup or [], compiled.params)
    return _COMPILED[kind]


class _Reader:
    """Lookups straight through the driver with the statement compiled once: through SQLAlchemy's
    pool and result objects a read cost five times as much. On SQLite on a connection of its own, on
    the event loop: a local file read costs less than a thread hop. On PostgreSQL on asynchronous
    connections, so a network round trip waits on the loop without blocking it, and without a thread
    hop either; the lookups asked while one is on its way go together in the next statement: one at
    a time, a lookup cost 250-300 µs of the worker's CPU, eight together 80-100 µs each in a pipeline
    of statements, less again in one."""

    def __init__(self, engine: Engine, stamp: str) -> None:
        postgresql = engine.dialect.name != "sqlite"
        self._sql, self._order, constants = _compiled(_LOOKUPS if postgresql else _LOOKUP, engine.dialect)
        self._constants = constants | {"stamp": stamp}
        self._bind_time = UTCDateTime().dialect_impl(engine.dialect).bind_processor(engine.dialect)
        self._own: PoolProxiedConnection | None = None
        self._pool: AsyncConnectionPool | None = None
        self._asked: dict[tuple[str, int | None], list[asyncio.Future[Stored | None]]] = {}
        self._latest: datetime | None = None
        self._sending: asyncio.Task[None] | None = None
        self._outage = database_outage(engine.url) if postgresql else None
        if not postgresql:
            self._own = engine.raw_connection()
        else:
            # Its reconnection attempts in an outage would log a line each; app.web.problems logs one per request.
            logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
            self._pool = AsyncConnectionPool(
                libpq_url(engine.url),
                min_size=1,
                max_size=LOOKUP_CONNECTIONS,
                # A lookup stuck behind a lock (a migration) must not hold its connection for long.
                kwargs={
                    "autocommit": True,
                    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                    "options": f"-c statement_timeout={LOOKUP_TIMEOUT_MS}",
                },
                open=False,
            )

    async def open(self) -> None:
        if self._pool is not None:
            # Connects in the background: a server that is down must not stop the app starting.
            await self._pool.open(wait=False)

    async def get(self, path: str, version: int | None, now: datetime) -> Stored | None:
        if self._outage is not None and self._outage.ongoing:
            # Not LOOKUP_WAIT_SECONDS for a connection that cannot come: the route answers at once.
            raise psycopg.OperationalError("the database could not be reached a moment ago")
        if self._pool is not None:
            answer: asyncio.Future[Stored | None] = asyncio.get_running_loop().create_future()
            # Readers of the same answer asked together share one row.
            self._asked.setdefault((path, version), []).append(answer)
            # The latest moment asked holds for all (each answer is sent after it).
            self._latest = now if self._latest is None else max(self._latest, now)
            if self._sending is None:
                # A task of its own: a request that goes away must not take the others' answers with it.
                self._sending = asyncio.create_task(self._send(self._pool))
            return await answer
        values = self._constants | {"path": path, "version": version, "now": self._bound(now)}
        driver = cast(sqlite3.Connection, cast(PoolProxiedConnection, self._own).driver_connection)
        row = driver.execute(self._sql, [values[name] for name in self._order]).fetchone()
        return None if row is None else (orjson.loads(row[0]), row[1])

    def _bound(self, now: datetime) -> Any:
        return self._bind_time(now) if self._bind_time else now

    async def _send(self, pool: AsyncConnectionPool) -> None:
        """Every lookup asked so far in one statement, then those asked meanwhile."""
        while self._asked:
            asked, self._asked = self._asked, {}
            latest, self._latest = self._latest, None
            values = self._constants | {
                "paths": [path for path, _ in asked],
                "versions": [version for _, version in asked],
                "now": self._bound(cast(datetime, latest)),
            }
            try:
                async with pool.connection(timeout=LOOKUP_WAIT_SECONDS) as connection:
                    # Binary rows: as text, a body comes as hex, twice its size, to be decoded.
                    cursor = await connection.execute(self._sql, values, binary=True)
                    found = {
                        (path, version): (headers, body) for path, version, headers, body in await cursor.fetchall()
                    }
            except Exception as failed:  # each request answers it as it would its own lookup's
                for waiting in asked.values():
                    for answer in waiting:
                        if not answer.done():
                            answer.set_exception(failed)
                continue
            for key, waiting in asked.items():
                for answer in waiting:
                    if not answer.done():  # its request went away
                        answer.set_result(found.get(key))
        self._sending = None

    async def close(self) -> None:
        if self._own is not None:
            self._own.close()
        if self._sending is not None:
            await self._sending
        if self._pool is not None:
            await self._pool.close()


def _store(
    engine: Engine, read_version: int, row: dict[str, Any], surrogate_keys: list[str], varied: str | None = None
) -> None:
    """Keep the answer, unless a write committed since its read began (it may show the older state)."""
    statement = conflict_insert(engine, RenderedAnswer).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=["path"], set_={name: statement.excluded[name] for name in row if name != "path"}
    )
    with engine.connect() as connection, _sqlite_waiting_briefly(connection), Session(bind=connection) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL lock_timeout = '100ms'"))
        # FOR SHARE waits for a writer holding the row (SQLite's BEGIN IMMEDIATE already excludes them).
        current = session.exec(
            select(col(ContentVersion.version)).where(col(ContentVersion.id) == 1).with_for_update(read=True)
        ).one()
        if current != read_version:
            return
        if row["content_version"] is not None:
            # A few at a time, so no read holds the write lock for long; stale pages go faster than new ones come.
            stale = select(col(RenderedAnswer.path)).where(col(RenderedAnswer.content_version) < current)
            session.execute(
                delete(RenderedAnswer).where(col(RenderedAnswer.path).in_(stale.limit(STALE_PAGES_DROPPED)))
            )
            kept = select(func.coalesce(func.sum(func.length(col(RenderedAnswer.body))), 0)).where(
                col(RenderedAnswer.content_version) == current
            )
            if session.execute(kept).scalar_one() >= DEEP_PAGES_BYTES:
                session.commit()
                return
        if varied is not None:
            kind_key = _KIND_KEY + varied
            surrogate_keys = [*surrogate_keys, kind_key]
            kept = select(func.count()).where(col(RenderedAnswerKey.key) == kind_key)
            if session.execute(kept).scalar_one() >= VARIED_ANSWERS_KEPT:
                return
        session.execute(delete(RenderedAnswerKey).where(col(RenderedAnswerKey.path) == row["path"]))
        session.execute(statement)
        if surrogate_keys:
            session.execute(insert(RenderedAnswerKey), [{"key": key, "path": row["path"]} for key in surrogate_keys])
        session.commit()


@contextmanager
def _sqlite_waiting_briefly(connection: Connection) -> Iterator[None]:
    """Storing is worth a short wait at most: behind a busy writer the read gives up, and a later
    read stores. Set outside any transaction, since SQLite waits for the lock at BEGIN IMMEDIATE."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    driver.execute("PRAGMA busy_timeout=100")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


_ANSWERS, _ANSWER_KEYS = core_table(RenderedAnswer), core_table(RenderedAnswerKey)
# Built once and run on the transaction's connection, as every content write runs it.
_FORGET = delete(_ANSWERS).where(
    _ANSWERS.c.path.in_(select(_ANSWER_KEYS.c.path).where(_ANSWER_KEYS.c.key.in_(bindparam("keys", expanding=True))))
)


def forget(session: Session, purged: Iterable[str]) -> None:
    """Delete, in the write's transaction, the stored answers sent with any surrogate key the write
    purges: exactly what a CDN drops for it, whether the entity was changed, renamed or deleted."""
    session.connection().execute(_FORGET, {"keys": sorted(set(purged))})


def forget_all(session: Session) -> None:
    session.execute(delete(RenderedAnswer))


class RenderedAnswerMiddleware:
    """Answers an anonymous GET of a storable path from its stored answer, and stores the answer
    the route built when there was none."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        answers: StoredAnswers,
        content: LiveContent,
        clock: Clock,
        paths: Sequence[tuple[str, str]],
    ) -> None:
        """`paths`: the paths (as regular expressions) whose answers routes may store, with their route templates."""
        self.app = app
        self._answers = answers
        self._content = content
        self._clock = clock
        self._paths = [(re.compile(pattern), template) for pattern, template in paths]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._storable_route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        now = self._clock()
        try:
            # Known before the answer is built, so what is stored is never older than it says.
            content = self._content.current()
            if content is not None and content.behind:
                content = None  # its version is not the database's: read the state itself below
            path = _key(scope["path"], scope["query_string"].decode("latin-1"))
            stored = await self._answers.get(path, now, content.version if content else None)
        except (SQLAlchemyError, sqlite3.Error, psycopg.Error):
            await self.app(scope, receive, send)  # the route answers for itself
            return
        if stored is not None:
            headers, body = stored
            scope["route"] = route
            encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
            encoded.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": encoded})
            await send({"type": "http.response.body", "body": body})
            return
        if content is None:
            # PostgreSQL's watch is still catching up: read the state itself, still before the answer is built.
            content = await self._content.read()
        await self._render_and_store(scope, receive, send, content)

    async def _render_and_store(self, scope: Scope, receive: Receive, send: Send, content: ContentState | None) -> None:
        # Shallow copies of the scope further in share this dict, so the route's mark reaches here.
        request_state = scope.setdefault("state", {})
        status, headers, body = 0, [], b""

        async def keep(message: Message) -> None:
            nonlocal status, headers, body
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                body += message.get("body", b"")
            await send(message)

        await self.app(scope, receive, keep)
        names = {name for name, _ in headers}
        mark = request_state.get(_STORABLE_MARK)
        # Not marked, asked in another spelling than it is stored under (which would store it again on
        # every such request), marked private, someone's own, or built under an unknown state: not stored.
        if (
            not isinstance(mark, _Storable)
            or mark.query != scope["query_string"].decode("latin-1")
            or content is None
            or status != 200
            or b"cache-control" in names
            or b"set-cookie" in names
        ):
            return
        surrogate_keys: list[str] = (
            []
            if mark.until_next_write
            else next((value.decode().split() for name, value in headers if name == b"surrogate-key"), [])
        )
        row = {
            "path": _key(scope["path"], mark.query),
            "stamp": self._answers.stamp,
            "valid_from": content.last_release,
            "valid_until": content.valid_until,
            "content_version": content.version if mark.until_next_write else None,
            "headers": [
                [name.decode("latin-1"), value.decode("latin-1")]
                for name, value in headers
                if name != b"content-length"
            ],
            "body": body,
        }
        try:
            await self._answers.store(content.version, row, surrogate_keys, mark.varied)
        except (SQLAlchemyError, sqlite3.Error, OSError) as failure:
            # The reader already has its answer; a later read stores it.
            log.info("answer for %s not stored: %s", scope["path"], type(failure).__name__)

    def _storable_route(self, scope: Scope) -> _Route | None:
        """The route template of an anonymous GET of a path whose answer may be stored."""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or any(name in PRIVATE_HEADERS for name, _ in scope["headers"])
        ):
            return None
        return next((_Route(template) for pattern, template in self._paths if pattern.fullmatch(scope["path"])), None)


def _key(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path

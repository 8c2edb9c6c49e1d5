"""What cached answers are checked against: the content version, what each version purged, and
the last and next moment an article went or goes live or out of embargo by itself.

A cached answer is served only while no version since the one it was built under purged a key it
names (app.caching.responses.purges), and no release came. Every write bumps the version and logs
its purges in its own transaction; go-lives and embargo lifts move the state at their time, with
no job. The state is read from the engine that answers reads, before the answer is built, so an
entry can hold newer content than its state says, never older.
"""

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol, cast

import anyio.to_thread
import psycopg
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from app.caching.content_version import NOTIFY_CHANNEL, ContentVersion
from app.caching.releases import NOW, Releases
from app.caching.responses.announce import SLOTS, Announcements
from app.caching.responses.purges import Built, Purges
from app.core.clock import Clock
from app.db.engines import libpq_url

log = logging.getLogger("byline.http_cache")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Starts the state a notification tells after the keys it purged: no surrogate key starts so.
TOLD = "@"


@dataclass(frozen=True)
class ContentState:
    version: int
    # The latest article to go live or out of embargo by itself.
    last_release: datetime
    # Latest change readers can see: a write or a release.
    last_modified: datetime
    # When the next article goes live or out of embargo by itself; the state ends then.
    valid_until: datetime | None
    # What the versions up to this one purged, as this worker has read them.
    purges: Purges | None = field(default=None, compare=False)
    # Writes after `version` are known only by their purges, not yet read: answers built now may
    # be newer than `version` says, so nothing is stored against it.
    behind: bool = False

    @property
    def token(self) -> tuple[int, datetime]:
        """What a cached entry must match: a write or a release moves it."""
        return self.version, self.last_release

    def shows(self, built: Built) -> bool:
        """Whether an answer built as `built` shows what readers would see now."""
        if built.last_release != self.last_release:
            return False
        if self.purges is None:
            return built.version == self.version
        return self.purges.untouched(built)

    def current_at(self, now: datetime) -> bool:
        # A clock set back before the last release ends the state too.
        return self.last_release <= now and (self.valid_until is None or now < self.valid_until)


class StateQuery:
    """The state's one row, the statement built once for a watch: built for each read, it cost more
    CPU than the read itself (every worker reads the state again after each write)."""

    def __init__(self, releases: Releases) -> None:
        self._moments = len(releases.moments)
        self._statement = select(
            col(ContentVersion.version), col(ContentVersion.changed_at), *releases.last(NOW), *releases.next(NOW)
        ).where(col(ContentVersion.id) == 1)

    def read(self, engine: Engine, now: datetime, purges: Purges | None = None) -> ContentState:
        """The state now; with `purges`, also what the versions since their last read purged."""
        with engine.connect() as connection:
            state = self._state(connection, now)
            if purges is not None:
                purges.catch_up(connection, state.version)
        return replace(state, purges=purges)

    def tell(self, connection: Connection) -> str:
        """The state a committing transaction makes, as its notification tells it (`told`): it holds
        for every moment from its last release to its next, whatever the clock of who hears it."""
        state = self._state(connection, datetime.now(UTC))
        until = "-" if state.valid_until is None else _micros(state.valid_until)
        return f"{TOLD}{_micros(state.last_release)},{_micros(state.last_modified)},{until}"

    def _state(self, connection: Connection, now: datetime) -> ContentState:
        version, changed_at, *moments = connection.execute(self._statement, {"now": now}).one()
        past, coming = moments[: self._moments], [moment for moment in moments[self._moments :] if moment]
        last_release = max(moment for moment in (*past, EPOCH) if moment is not None)
        return ContentState(
            version=version,
            last_release=last_release,
            last_modified=max(changed_at, last_release),
            valid_until=min(coming) if coming else None,
        )


def told(version: int, token: str, purges: Purges) -> ContentState | None:
    """The state a notification told with `version`, if `token` is one (StateQuery.tell)."""
    if not token.startswith(TOLD):
        return None
    last_release, last_modified, until = token.removeprefix(TOLD).split(",")
    return ContentState(
        version=version,
        last_release=_moment(last_release),
        last_modified=_moment(last_modified),
        valid_until=None if until == "-" else _moment(until),
        purges=purges,
    )


def _micros(moment: datetime) -> str:
    return str((moment - EPOCH) // timedelta(microseconds=1))


def _moment(micros: str) -> datetime:
    return EPOCH + timedelta(microseconds=int(micros))


class ContentWatch(Protocol):
    def current(self, now: datetime) -> ContentState | None:
        """The state now, or None when it cannot be known at once (nothing is served from cache then)."""

    def read(self, now: datetime) -> ContentState:
        """The state as the database has it now, past whatever this watch knows (blocking)."""

    async def caught_up(self, now: datetime, *, seconds: float) -> ContentState | None:
        """The state once this watch knows what the latest writes purged, if it is waiting to hear
        of it: at most `seconds`. None if it did not hear in time, or is not waiting to."""

    async def started(self, *, seconds: float) -> None:
        """Until the state is first known, the database has refused, or `seconds` have passed."""

    async def close(self) -> None: ...


class SQLiteWatch:
    """Every worker reads the same file: `PRAGMA data_version` on a connection of its own changes
    whenever any other connection commits, in this process or another, so the state is re-read
    only then (or when a go-live comes due), and the very next request sees every write."""

    def __init__(self, engine: Engine, releases: Releases) -> None:
        self._engine = engine
        self._state_query = StateQuery(releases)
        self._purges = Purges()
        self._connection = engine.raw_connection()
        self._probe = cast(sqlite3.Connection, self._connection.driver_connection)
        self._data_version: int | None = None
        self._state: ContentState | None = None

    def current(self, now: datetime) -> ContentState:
        data_version = self._probe.execute("PRAGMA data_version").fetchone()[0]
        if self._state is None or data_version != self._data_version or not self._state.current_at(now):
            self._data_version = data_version
            self._state = self._state_query.read(self._engine, now, self._purges)
        return self._state

    def read(self, now: datetime) -> ContentState:
        return self._state_query.read(self._engine, now)

    async def caught_up(self, now: datetime, *, seconds: float) -> ContentState | None:
        return None  # every commit is read at once, from the file

    async def started(self, *, seconds: float) -> None:
        return  # read at the first request, from the file

    async def close(self) -> None:
        self._connection.close()


class PostgresWatch:
    """Learns of writes two ways: the version a sibling worker of this server committed (shared
    memory, before its answer is sent), and the version any writer anywhere announces on commit
    (`NOTIFY`, within milliseconds). The state is then re-read from the read engine until it has
    caught up (a replica may lag), and meanwhile nothing is served from cache; nor while the
    listening connection is down."""

    RETRY_SECONDS = 1.0
    # How long a catch-up waits for the notification that tells the state before reading it: a
    # sibling's commit is known from shared memory a moment before its notification comes.
    NOTICE_SECONDS = 0.1

    def __init__(
        self, read_engine: Engine, write_engine: Engine, clock: Clock, announcements: Announcements, releases: Releases
    ) -> None:
        self._engine = read_engine
        self._state_query = StateQuery(releases)
        self._purges = Purges()
        self._announcements = announcements
        self._database = str(write_engine.url)
        self._listen_url = libpq_url(write_engine.url)
        self._clock = clock
        self._state: ContentState | None = None
        # The state as last read, seen again with the purges heard since: a new object each time
        # more is heard, so cached answers are checked again.
        self._heard: tuple[int, ContentState] | None = None
        self._announced = 0
        # Set when a sibling worker's commit is known only by its version (shared memory), not yet by
        # what it purged; and the moment more is heard or read.
        self._awaiting_keys = False
        self._more_known = asyncio.Event()
        self._refreshing: asyncio.Task[None] | None = None
        # The newest state notifications told, and the newest version they announced, told or not.
        # A told state is taken as read only where reads go to the primary: a replica may lag it.
        self._told: ContentState | None = None
        self._noticed = 0
        self._takes_told = read_engine.url == write_engine.url
        # Set by the first read of the state, or by the first refusal: a server must not wait for a
        # database that is down to start answering.
        self._settled = asyncio.Event()
        self._listening = asyncio.get_running_loop().create_task(self._listen())

    def current(self, now: datetime) -> ContentState | None:
        state = self._state
        wanted = max(self._announced, self._announcements.latest(self._database))
        self._awaiting_keys = False
        if state is None or not state.current_at(now):
            self._refresh(wanted)
            return None
        heard = self._purges.heard_through() or 0
        if state.version < wanted or heard > state.version:
            if heard < wanted:
                heard = self._heard_from_siblings(heard, wanted)
            self._refresh(max(wanted, heard))
            if heard < wanted:
                self._awaiting_keys = True
                return None
            # Every write since the last read is known by the keys it purged: answers that show
            # none of them hold until the read catches up.
            if self._heard is None or self._heard[0] != heard or self._heard[1].version != state.version:
                self._heard = (heard, replace(state, behind=True))
            return self._heard[1]
        return state

    def _heard_from_siblings(self, heard: int, wanted: int) -> int:
        """What the versions after `heard` purged, as far as this server's workers committed them
        (app.caching.responses.announce): the notifications say the same a moment later."""
        for version in range(heard + 1, min(wanted, heard + SLOTS) + 1):
            keys = self._announcements.purged(self._database, version)
            if keys is None:
                break
            self._purges.hear(version, keys.split())
        return self._purges.heard_through() or heard

    def _refresh(self, wanted: int) -> None:
        self._announced = max(self._announced, wanted)
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self._catch_up())

    async def _catch_up(self) -> None:
        while True:
            wanted = self._announced
            if await self._took_told(wanted):
                return
            try:
                state = await asyncio.to_thread(self._state_query.read, self._engine, self._clock(), self._purges)
            except SQLAlchemyError:
                self._settled.set()
                await asyncio.sleep(self.RETRY_SECONDS)
                continue
            if state.version >= wanted:
                self._state = state
                self._settled.set()
                self._known_more()
                return
            await asyncio.sleep(0.01)

    async def _took_told(self, wanted: int) -> bool:
        """Whether the state through `wanted` came told by notifications, and is now this worker's;
        waits NOTICE_SECONDS at most for them. False when it must be read instead: the first state,
        a release come due, a notification that told none."""
        if not self._takes_told:
            return False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.NOTICE_SECONDS
        while (state := self._state) is not None and state.version < wanted and state.current_at(self._clock()):
            told_state = self._told
            if told_state is not None and told_state.version >= wanted:
                # Every version since the last read must be known by what it purged.
                if not told_state.current_at(self._clock()) or not self._purges.settle(told_state.version):
                    return False
                self._state = told_state
                self._known_more()
                return True
            left = deadline - loop.time()
            if self._noticed >= wanted or left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._more_known.wait(), left)
        return False

    def _known_more(self) -> None:
        self._more_known.set()
        self._more_known = asyncio.Event()

    def read(self, now: datetime) -> ContentState:
        return self._state_query.read(self._engine, now)

    async def caught_up(self, now: datetime, *, seconds: float) -> ContentState | None:
        """A sibling's commit is heard of by `NOTIFY` within a millisecond or so of its version, with
        what it purged: waiting that long beats building the answer uncached (as every reader of this
        worker would meanwhile)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while self._awaiting_keys:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._more_known.wait(), left)
            state = self.current(now)
            if state is not None:
                return state
        return None

    async def started(self, *, seconds: float) -> None:
        # A server that answered before its first read would serve its first requests uncached.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), seconds)

    async def _listen(self) -> None:
        while True:
            listening = False
            try:
                async with await psycopg.AsyncConnection.connect(self._listen_url, autocommit=True) as connection:
                    await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    listening = True
                    # Writes made while nobody listened are caught by this first read.
                    self._state = self._told = None
                    self._refresh(0)
                    async for notice in connection.notifies():
                        try:
                            self._heard_notice(notice.payload or "0")
                        except ValueError:
                            # Not a writer's: what changed is unknown, so the state is read again.
                            log.warning("unreadable notification on %s: %r", NOTIFY_CHANNEL, notice.payload[:100])
                            self._state = None
                            self._refresh(0)
            except (psycopg.Error, OSError) as failure:
                self._state = None
                self._settled.set()
                # One line when a working listener is lost, not one per retry during an outage.
                log.log(logging.WARNING if listening else logging.DEBUG, "content listener lost: %r", failure)
                await asyncio.sleep(self.RETRY_SECONDS)

    def _heard_notice(self, payload: str) -> None:
        announced, said, keys = payload.partition(":")
        version = int(announced)
        if said:
            purged = keys.split()
            state = told(version, purged[-1], self._purges) if purged else None
            if state is not None:
                purged.pop()
                if self._told is None or version > self._told.version:
                    self._told = state
            self._purges.hear(version, purged)
        self._noticed = max(self._noticed, version)
        self._known_more()
        self._refresh(version)

    async def close(self) -> None:
        for task in (self._listening, self._refreshing):
            if task is not None:
                task.cancel()


class LiveContent:
    """The content state as the cache middlewares read it. The app factory hands it to them; its
    lifespan gives it the watch once the engines exist, before the first request."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._watch: ContentWatch | None = None

    def watch(self, watch: ContentWatch) -> None:
        self._watch = watch

    def current(self) -> ContentState | None:
        """The state now, or None when it cannot be known (nothing is served from cache then)."""
        if self._watch is None:
            return None
        try:
            return self._watch.current(self._clock())
        except (SQLAlchemyError, sqlite3.Error):
            return None  # the database is down; the route answers for itself

    async def caught_up(self, *, seconds: float) -> ContentState | None:
        """The state, after waiting at most `seconds` for what a sibling's latest write purged, when
        that is all `current` lacks; None otherwise."""
        if self._watch is None:
            return None
        return await self._watch.caught_up(self._clock(), seconds=seconds)

    async def read(self) -> ContentState | None:
        """The state as the database has it now, for when `current` cannot say yet; None if unknown."""
        if self._watch is None:
            return None
        try:
            return await anyio.to_thread.run_sync(self._watch.read, self._clock())
        except SQLAlchemyError:
            return None


def open_watch(
    read_engine: Engine, write_engine: Engine, clock: Clock, announcements: Announcements, releases: Releases
) -> ContentWatch:
    if read_engine.dialect.name == "sqlite":
        return SQLiteWatch(read_engine, releases)
    return PostgresWatch(read_engine, write_engine, clock, announcements, releases)

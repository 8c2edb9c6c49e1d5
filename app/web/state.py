"""What a running application holds (settings, clock, engines, caches), typed, and the dependencies
that hand each part to routes; nothing else reads the request's state."""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar, cast

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.requests import HTTPConnection
from sqlalchemy import Engine
from sqlmodel import Session

from app.caching.counts import ContentCache
from app.caching.responses.state import ContentWatch
from app.caching.stored_answers import StoredAnswers
from app.core.clock import Clock
from app.core.settings import Settings
from app.db.write_batches import WriteBatches

T = TypeVar("T")


class StateKey(Generic[T]):
    """Names, with its type, a part a domain adds to the app's state."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"


@dataclass(frozen=True)
class Engines:
    write: Engine
    # The replica when one is configured, else the primary.
    read: Engine
    # Reads that must not lag behind a write, such as checking an API key revoked a moment ago.
    read_primary: Engine


@dataclass(frozen=True)
class AppState:
    settings: Settings
    clock: Clock
    engines: Engines
    content_cache: ContentCache
    content_watch: ContentWatch
    stored_answers: StoredAnswers
    write_batches: WriteBatches
    # What domains add: the related articles' meaning index when it is on, say.
    added: Mapping[StateKey[Any], object] = field(default_factory=dict)

    def part(self, key: StateKey[T]) -> T | None:
        """The part `key` names, if the app has it."""
        return cast(T | None, self.added.get(key))


def app_state(request: HTTPConnection) -> AppState:
    """The state the lifespan built; also for code that runs outside routes (error handlers)."""
    return cast(AppState, request.app.state.byline)


# Async because they only read state: sync dependencies each cost a threadpool hop.
async def _settings(request: Request) -> Settings:
    return app_state(request).settings


async def _clock(request: Request) -> Clock:
    return app_state(request).clock


async def _content_cache(request: Request) -> ContentCache:
    return app_state(request).content_cache


async def _write_batches(request: Request) -> WriteBatches:
    return app_state(request).write_batches


async def _engines(request: Request) -> Engines:
    return app_state(request).engines


SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
ContentCacheDep = Annotated[ContentCache, Depends(_content_cache)]
EnginesDep = Annotated[Engines, Depends(_engines)]
WriteBatchesDep = Annotated[WriteBatches, Depends(_write_batches)]


# Opening a session touches no database, so a request's sessions open on the event loop instead of
# each costing two trips to a worker thread (one in, one out: a fifth of a comment's time went to
# these trips). Closing one that still holds a transaction rolls it back: on SQLite a local call of
# microseconds, made in place; on PostgreSQL a round trip to the server, made in a thread.


async def _write_session(engines: EnginesDep) -> AsyncIterator[Session]:
    session = Session(engines.write, expire_on_commit=False)
    try:
        yield session
    finally:
        await _close(session)


async def _read_session(engines: EnginesDep) -> AsyncIterator[Session]:
    session = Session(engines.read, expire_on_commit=False)
    try:
        yield session
    finally:
        await _close(session)


async def _close(session: Session) -> None:
    if session.in_transaction() and session.get_bind().dialect.name != "sqlite":
        await run_in_threadpool(session.close)
    else:
        session.close()


SessionDep = Annotated[Session, Depends(_write_session)]
ReadSessionDep = Annotated[Session, Depends(_read_session)]

"""What a running application holds (settings, clock, engines, caches), typed, and the dependencies
that hand each part to routes; nothing else reads the request's state."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, cast

from fastapi import Depends, Request
from sqlalchemy import Engine

from app.caching.counts import ContentCache
from app.core.clock import Clock
from app.core.settings import Settings
from app.related.semantic.neighbours import Neighbours

if TYPE_CHECKING:
    # Read through the app's state; the modules themselves need the state's engines.
    from app.articles.rendered import StoredAnswers
    from app.caching.responses.state import ContentWatch
    from app.db.write_batches import WriteBatches


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
    content_watch: "ContentWatch"
    stored_answers: "StoredAnswers"
    write_batches: "WriteBatches"
    # None without the `semantic` extra or with BYLINE_SEMANTIC=false.
    semantic: Neighbours | None = None


def app_state(request: Request) -> AppState:
    """The state the lifespan built; also for code that runs outside routes (error handlers)."""
    return cast(AppState, request.app.state.byline)


# Async because they only read state: sync dependencies each cost a threadpool hop.
async def _settings(request: Request) -> Settings:
    return app_state(request).settings


async def _clock(request: Request) -> Clock:
    return app_state(request).clock


async def _content_cache(request: Request) -> ContentCache:
    return app_state(request).content_cache


async def _semantic(request: Request) -> Neighbours | None:
    return app_state(request).semantic


async def _write_batches(request: Request) -> "WriteBatches":
    return app_state(request).write_batches


async def _engines(request: Request) -> Engines:
    return app_state(request).engines


SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
ContentCacheDep = Annotated[ContentCache, Depends(_content_cache)]
NeighboursDep = Annotated[Neighbours | None, Depends(_semantic)]
EnginesDep = Annotated[Engines, Depends(_engines)]
WriteBatchesDep = Annotated["WriteBatches", Depends(_write_batches)]

"""Session listeners and article-write subscribers are installed by whoever starts the app, never by
importing it; middlewares get what they use from the app factory."""

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import event, text
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.articles import written
from app.articles.visibility import RELEASES
from app.caching import content_version
from app.caching.responses.announce import Announcements
from app.caching.responses.middleware import HttpCacheMiddleware
from app.caching.responses.state import LiveContent, open_watch
from app.caching.responses.store import ResponseStore
from app.main import create_app
from app.wiring import install_write_hooks
from tests.app_client import AppClient
from tests.factories.newsroom import make_article

IMPORT_ONLY = """
from sqlalchemy.orm import SessionEvents
from sqlmodel import Session

import app.main
import app.cli
from app.articles import written

events = Session().dispatch
installed = [name for name in dir(SessionEvents) if not name.startswith("_") and len(getattr(events, name, ()))]
assert not installed, installed
assert not written._subscribers, written._subscribers
"""


def test_importing_the_app_installs_no_session_listener():
    subprocess.run([sys.executable, "-c", IMPORT_ONLY], check=True, capture_output=True, text=True)


def test_the_app_factory_installs_the_listeners_content_writes_rely_on(settings):
    announcements = Announcements(None)
    app = create_app(settings, announcements=announcements)
    assert event.contains(Session, "before_commit", content_version._record_purges)
    assert not event.contains(Session, "after_commit", announcements.committed)
    with AppClient(app):
        assert event.contains(Session, "after_commit", announcements.committed)
    # Another app in this process publishes to its own announcements; this one has stopped.
    assert not event.contains(Session, "after_commit", announcements.committed)


def test_an_article_written_before_the_wiring_is_refused_not_left_out_of_the_change_feed(session):
    written.subscribe()  # an entry point that forgot install_write_hooks()
    try:
        with pytest.raises(written.NotWired):
            make_article(session)
    finally:
        install_write_hooks()
    session.rollback()
    make_article(session)
    assert session.exec(text("SELECT count(*) FROM article_change")).one()[0] == 1


def _cache_options(prefix: str, content: LiveContent) -> dict:
    """A response cache of its own over `prefix`, as the app factory hands it what it needs."""
    return {
        "prefixes": (prefix,),
        "content": content,
        "store": ResponseStore(max_entries=10, max_bytes=1024 * 1024),
        "cache_control": "public, max-age=0",
        "stale_if_error": 0,
    }


def test_the_response_cache_needs_only_what_the_factory_hands_it(engine, clock):
    """No Byline app state around it: what it checks answers against comes through its constructor."""
    built: list[str] = []

    async def story(request: Request) -> JSONResponse:
        built.append(request.url.path)
        return JSONResponse({"title": "Harbour reopens"})

    content = LiveContent(clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watch = open_watch(engine, engine, clock, Announcements(None), RELEASES)
        await watch.started(seconds=5)
        content.watch(watch)
        yield
        await watch.close()

    app = Starlette(routes=[Route("/api/v1/story", story)], lifespan=lifespan)
    app.add_middleware(HttpCacheMiddleware, **_cache_options("/api/v1", content))
    with AppClient(app) as client:
        outcomes = [client.get("/api/v1/story").headers["x-cache"] for _ in range(2)]
    assert outcomes == ["MISS", "HIT"] and built == ["/api/v1/story"]


def test_an_answer_its_route_stopped_short_of_is_neither_kept_nor_sent(engine, clock):
    """A file whose client went away mid-way ends without its last part; the next reader gets it whole."""
    sent: list[dict] = []
    cut_short = [True]

    async def picture(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]})
        await send({"type": "http.response.body", "body": b"abc", "more_body": True})
        if not cut_short[0]:
            await send({"type": "http.response.body", "body": b"def"})

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    async def reads() -> list[int]:
        content = LiveContent(clock)
        watch = open_watch(engine, engine, clock, Announcements(None), RELEASES)
        await watch.started(seconds=5)
        content.watch(watch)
        cache = HttpCacheMiddleware(picture, **_cache_options("/media", content))
        scope = {"type": "http", "method": "GET", "path": "/media/a/640.webp", "query_string": b"", "headers": []}
        counts = []
        for cut in (True, False, False):
            cut_short[0] = cut
            await cache(dict(scope), receive, send)
            counts.append(len(sent))
        await watch.close()
        return counts

    assert asyncio.run(reads())[0] == 0, "the cut answer was sent"
    bodies = [message["body"] for message in sent if message["type"] == "http.response.body"]
    outcomes = [dict(message["headers"])[b"x-cache"] for message in sent if message["type"] == "http.response.start"]
    assert bodies == [b"abcdef", b"abcdef"] and outcomes == [b"MISS", b"HIT"]

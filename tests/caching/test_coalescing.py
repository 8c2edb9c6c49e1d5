"""Readers who ask for the same answer while a worker builds it (a popular page just purged) wait for
that answer instead of each building it again; nothing else waits on them."""

import asyncio

import pytest

from app.articles.visibility import RELEASES
from app.caching.responses.announce import Announcements
from app.caching.responses.middleware import HttpCacheMiddleware
from app.caching.responses.state import LiveContent, open_watch
from app.caching.responses.store import ResponseStore

READERS = 8
SCOPE = {"type": "http", "method": "GET", "path": "/api/v1/popular", "query_string": b"", "headers": []}


async def _request() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


class Reader:
    """One client's side of a request: what it was sent, and a hold on reading the answer's body."""

    def __init__(self, *, reads: asyncio.Event | None = None) -> None:
        self.messages: list[dict] = []
        self.reads = reads

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.body" and self.reads is not None:
            await self.reads.wait()
        self.messages.append(message)

    @property
    def answer(self) -> tuple[int, dict[bytes, bytes], bytes]:
        start = self.messages[0]
        body = b"".join(message.get("body", b"") for message in self.messages[1:])
        return start["status"], dict(start["headers"]), body


def _served(engine, clock, route) -> tuple[HttpCacheMiddleware, LiveContent]:
    content = LiveContent(clock)
    store = ResponseStore(max_entries=10, max_bytes=1024 * 1024)
    cache = HttpCacheMiddleware(
        route, prefixes=("/api/v1",), content=content, store=store, cache_control="public, max-age=0", stale_if_error=0
    )
    return cache, content


async def _read_at_once(engine, clock, route, readers: list[Reader]) -> None:
    cache, content = _served(engine, clock, route)
    watch = open_watch(engine, engine, clock, Announcements(None), RELEASES)
    await watch.started(seconds=5)
    content.watch(watch)
    try:
        await asyncio.gather(*(cache(dict(SCOPE), _request, reader.send) for reader in readers))
    finally:
        await watch.close()


def _route(built: list[int], *, headers: list[tuple[bytes, bytes]] = (), fails: bool = False):
    async def popular(scope, receive, send) -> None:
        built.append(1)
        await asyncio.sleep(0.05)  # a page that takes a while to build, as a search of the archive does
        if fails:
            raise RuntimeError("the database went away")
        body = b'{"title": "Harbour reopens"}'
        length = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": [*length, *headers]})
        await send({"type": "http.response.body", "body": body})

    return popular


def test_readers_asking_at_once_get_the_one_answer_built_for_the_first(engine, clock):
    built: list[int] = []
    readers = [Reader() for _ in range(READERS)]
    asyncio.run(_read_at_once(engine, clock, _route(built), readers))
    assert len(built) == 1
    assert {reader.answer[2] for reader in readers} == {b'{"title": "Harbour reopens"}'}
    outcomes = sorted(reader.answer[1][b"x-cache"] for reader in readers)
    assert outcomes == [b"HIT"] * (READERS - 1) + [b"MISS"]


def test_an_answer_that_may_not_be_shared_is_built_for_each_reader(engine, clock):
    built: list[int] = []
    readers = [Reader() for _ in range(READERS)]
    route = _route(built, headers=[(b"cache-control", b"private, no-store")])
    asyncio.run(_read_at_once(engine, clock, route, readers))
    assert len(built) == READERS
    assert all(reader.answer[0] == 200 for reader in readers)


def test_readers_waiting_on_a_build_that_fails_build_their_own(engine, clock):
    built: list[int] = []
    readers = [Reader() for _ in range(3)]
    with pytest.raises(RuntimeError):
        asyncio.run(_read_at_once(engine, clock, _route(built, fails=True), readers))
    assert len(built) == 3


def test_nobody_waits_on_a_reader_slow_to_read_an_answer(engine, clock):
    """The first reader reads nothing of what it is sent; the next one is answered all the same, from
    the answer built for the first (kept before it is sent), or alongside a streamed one."""

    async def streamed(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"line\n", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def reads(route) -> tuple[int, dict[bytes, bytes], bytes]:
        cache, content = _served(engine, clock, route)
        watch = open_watch(engine, engine, clock, Announcements(None), RELEASES)
        await watch.started(seconds=5)
        content.watch(watch)
        never_reads, prompt = Reader(reads=asyncio.Event()), Reader()
        stuck = asyncio.create_task(cache(dict(SCOPE), _request, never_reads.send))
        await asyncio.sleep(0.1)
        try:
            await asyncio.wait_for(cache(dict(SCOPE), _request, prompt.send), timeout=5)
        finally:
            stuck.cancel()
            await watch.close()
        return prompt.answer

    built: list[int] = []
    assert asyncio.run(reads(_route(built)))[1][b"x-cache"] == b"HIT" and len(built) == 1
    assert asyncio.run(reads(streamed))[2] == b"line\n"

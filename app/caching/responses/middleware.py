"""HTTP caching for the public API, in front of routing: a response cache that is never stale
while the database answers, validators (ETag, Last-Modified) and 304s, Cache-Control for CDNs and
browsers, compression, HEAD.

An anonymous GET whose answer was built under the current content state is sent from memory,
already encoded, before the framework does any work. When the route fails instead (the database is
down: 500, 502, 503 or 504), the last answer stored for the request is sent if it was built at most
`stale_if_error` seconds ago (RFC 5861), with its `Age` and `X-Cache: STALE`. Anything sent with a
key, a preview token or a cookie is never stored or served from the store.
"""

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache

from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.caching.responses.encoding import compress, compressible, encoded_etag, negotiate, strong_etag, uncoded_etag
from app.caching.responses.purges import Built, named_keys
from app.caching.responses.state import ContentState, LiveContent
from app.caching.responses.store import Entry, ResponseStore
from app.metrics.counters import RESPONSE_CACHE_LOOKUPS
from app.server.http_protocol import prepare_headers

# Headers the middleware sets itself on every answer it sends from an entry.
_OWN_HEADERS = {b"content-length", b"etag", b"cache-control", b"last-modified", b"vary", b"content-encoding"}


@cache
def _looked_up(result: str) -> Counter:
    # Made at first use, not as the module loads: a worker picks where it counts as it starts.
    return RESPONSE_CACHE_LOOKUPS.labels(result)


_CONDITIONAL = (b"if-none-match", b"if-modified-since")
# What a route sends to have its answer shared for N seconds at most.
_LIMITED = re.compile(rb"public, max-age=(\d{1,6})")
# What a route sends for an answer that never changes under its URL (a picture's rendition): kept
# until a write purges a key it names, and sent with the route's own Cache-Control and Last-Modified.
_IMMUTABLE = re.compile(rb"public, max-age=\d+, immutable")
# Failures a stored answer may stand in for (RFC 5861 §4).
_ERRORS = {500, 502, 503, 504}
# How long a read waits to hear what a sibling worker's write purged before it builds its answer
# itself (on PostgreSQL, where that comes by NOTIFY a moment after the write's version).
KEYS_WAIT_SECONDS = 0.05
# Names a client may send that make an answer its own.
PRIVATE_HEADERS = {b"authorization", b"cookie"}


@dataclass
class Asked:
    """What the request's headers say about caching, read in one pass."""

    private: bool = False
    refresh: bool = False
    cross_origin: bool = False
    # A part of the answer: left to the route, which alone sends 206.
    ranged: bool = False
    accept_encoding: bytes = b""
    if_none_match: bytes | None = None
    if_modified_since: bytes | None = None

    @classmethod
    def read(cls, scope: Scope) -> "Asked":
        asked = cls(private=b"preview_token=" in scope["query_string"])
        for name, value in scope["headers"]:
            if name in PRIVATE_HEADERS:
                asked.private = True
            elif name == b"accept-encoding":
                asked.accept_encoding = value
            elif name == b"if-none-match":
                asked.if_none_match = value
            elif name == b"if-modified-since":
                asked.if_modified_since = value
            elif name in (b"cache-control", b"pragma") and (b"no-cache" in value or b"max-age=0" in value):
                asked.refresh = True
            elif name == b"origin":
                asked.cross_origin = True
            elif name == b"range":
                asked.ranged = True
        return asked

    def holds(self, etag: str, last_modified: str | None) -> bool:
        """Whether the client's copy, in any content-coding, is current (RFC 9110 §13.2.2: If-None-Match wins)."""
        if self.if_none_match is not None:
            return any(tag in ("*", etag) for tag in _listed_tags(self.if_none_match))
        if self.if_modified_since is not None and last_modified is not None:
            try:
                return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(self.if_modified_since.decode())
            except (TypeError, ValueError):
                return False
        return False


def _listed_tags(header: bytes) -> list[str]:
    """The tags of an If-None-Match, compared weakly and whatever content-coding they were sent in."""
    return [uncoded_etag(part.strip().removeprefix("W/")) for part in header.decode("latin-1").split(",")]


@dataclass
class _Captured:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        return next((value for key, value in self.headers if key == name), None)


class HttpCacheMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        prefixes: tuple[str, ...],
        content: LiveContent,
        store: ResponseStore | None,
        cache_control: str,
        stale_if_error: int,
    ) -> None:
        self.app = app
        self.prefixes = prefixes
        self.content = content
        self.store = store
        self.cache_control = cache_control.encode()
        self.stale_if_error = stale_if_error
        # Answers being built for a reader, by request: the same request from other readers waits for
        # that answer instead of building it too (after a purge, a popular page is asked for by many
        # at once).
        self._building: dict[Hashable, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(self.prefixes)
        ):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if not head:
            await self._answer(scope, receive, send, Asked.read(scope), head=False)
            return
        # HEAD is answered as GET without the body, so every readable resource answers HEAD. The
        # server's own scope must still say HEAD, so it expects no body.
        as_get = {**scope, "method": "GET"}
        try:
            await self._answer(as_get, receive, send, Asked.read(scope), head=True)
        finally:
            if "route" in as_get:
                scope["route"] = as_get["route"]

    async def _answer(self, scope: Scope, receive: Receive, send: Send, asked: Asked, *, head: bool) -> None:
        state = None if asked.private else self.content.current()
        if state is None and not asked.private:
            state = await self.content.caught_up(seconds=KEYS_WAIT_SECONDS)
        key = (scope["path"], scope["query_string"])
        if await self._sent_hit(scope, send, key, state, asked, head):
            return
        building = None
        if state is not None and self.store is not None:
            if (elsewhere := self._building.get(key)) is not None:
                # Built for another reader of this worker right now: its answer, if it can be shared.
                await elsewhere.wait()
                state = self.content.current()
                if await self._sent_hit(scope, send, key, state, asked, head):
                    return
            else:
                building = self._building[key] = asyncio.Event()

        def built() -> None:
            if building is not None and self._building.get(key) is building:
                del self._building[key]
                building.set()

        async def answer(captured: _Captured, route: object) -> None:
            # As soon as the answer is whole: the layers inside may still be at work after it
            # (storing it), and neither this reader nor those waiting for it need to wait for them.
            if not asked.private and captured.status == 200 and _shareable(captured):
                entry = self._entry(captured, state, route)
                # Kept only if built under a known state; either way it goes out with its validators.
                if self.store is not None and state is not None:
                    self.store.put(key, entry)
                # Before the answer is sent, so that no reader waits on a client that is slow to read.
                built()
                outcome = b"BYPASS" if state is None else b"MISS"
                await send_entry(send, self.store, key, entry, asked, head=head, outcome=outcome)
                return
            built()
            if not await self._sent_stale(send, key, captured, asked, head):
                await self._send_captured(send, captured, asked, head)

        _looked_up("bypass" if state is None else "miss").inc()
        try:
            if asked.private:
                await self._capture(scope, receive, send, head, answer, streamed=built)
                return
            # The route builds the whole answer; whether the client's copy is current is decided here,
            # against the tag of the coding it will be sent in.
            unconditional = {**scope, "headers": [h for h in scope["headers"] if h[0] not in _CONDITIONAL]}
            try:
                await self._capture(unconditional, receive, send, head, answer, streamed=built)
            finally:
                if "route" in unconditional:
                    scope["route"] = unconditional["route"]
        finally:
            built()

    async def _sent_hit(
        self, scope: Scope, send: Send, key: Hashable, state: ContentState | None, asked: Asked, head: bool
    ) -> bool:
        """Whether the answer was sent from the store, as still showing what readers would see."""
        entry = fresh_entry(self.store, key, state, asked)
        if entry is None:
            return False
        scope["route"] = entry.route
        await send_entry(send, self.store, key, entry, asked, head=head, outcome=b"HIT")
        return True

    async def _sent_stale(self, send: Send, key: Hashable, captured: _Captured, asked: Asked, head: bool) -> bool:
        """Whether the stored answer was sent in place of the route's failure."""
        if self.store is None or asked.private or asked.refresh or captured.status not in _ERRORS:
            return False
        entry = self.store.get(key)
        if entry is None:
            return False
        age = int(time.time() - entry.built_at)
        if age > self.stale_if_error:
            return False
        _looked_up("stale").inc()
        await send_entry(
            send, self.store, key, entry, asked, head=head, outcome=b"STALE", extra=((b"age", str(age).encode()),)
        )
        return True

    async def _capture(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        head: bool,
        answer: Callable[[_Captured, object], Awaitable[None]],
        *,
        streamed: Callable[[], None],
    ) -> None:
        """The route's answer, captured whole and handed to `answer` with the route that built it as
        soon as its last part comes. One that streams (no Content-Length) is passed on as it comes
        (`streamed` is called as it starts). One the route stopped short of, as a file's stops when its
        client goes away, is neither: kept, that cut answer went out whole-looking and empty to every
        reader after."""
        captured: _Captured | None = None
        streaming = False

        async def capture(message: Message) -> None:
            nonlocal captured, streaming
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name == b"content-length" for name, _ in headers):
                    streaming = True
                    streamed()  # never kept: nobody waits for it
                    await send(message)
                    return
                captured = _Captured(message["status"], headers, b"")
            elif message["type"] == "http.response.body":
                if streaming:
                    await send({**message, "body": b""} if head else message)
                elif captured is not None:
                    captured.body += message.get("body", b"")
                    if not message.get("more_body", False):
                        whole, captured = captured, None
                        await answer(whole, scope.get("route"))

        await self.app(scope, receive, capture)

    def _entry(self, captured: _Captured, state: ContentState | None, route: object) -> Entry:
        etag = (captured.header(b"etag") or b"").decode() or strong_etag(captured.body)
        last_modified = format_datetime(state.last_modified, usegmt=True) if state is not None else None
        fits = compressible(captured.header(b"content-type") or b"", len(captured.body))
        headers = [(name, value) for name, value in captured.headers if name not in _OWN_HEADERS]
        lifetime = _lifetime(captured)
        own_control = captured.header(b"cache-control") or b""
        immutable = _IMMUTABLE.fullmatch(own_control) is not None
        headers.append((b"cache-control", own_control if lifetime is not None or immutable else self.cache_control))
        if immutable and (own_date := captured.header(b"last-modified")) is not None:
            last_modified = own_date.decode()
        if last_modified is not None:
            headers.append((b"last-modified", last_modified.encode()))
        if vary := _vary(captured.header(b"vary"), by_encoding=fits):
            headers.append((b"vary", vary))
        built = (
            Built(state.version, state.last_release, named_keys(captured.header(b"surrogate-key")))
            if state is not None
            else None
        )
        expires_at = time.time() + lifetime if lifetime is not None else None
        return Entry(built, headers, captured.body, etag, last_modified, fits, route, expires_at=expires_at)

    async def _send_captured(self, send: Send, captured: _Captured, asked: Asked, head: bool) -> None:
        """An answer that is not shared: sent as built, compressed if the client wants it."""
        body, headers = captured.body, captured.headers
        if compressible(captured.header(b"content-type") or b"", len(body)):
            encoding = negotiate(asked.accept_encoding)
            headers = [(name, value) for name, value in headers if name not in (b"content-length", b"vary", b"etag")]
            headers.append((b"vary", _vary(captured.header(b"vary"), by_encoding=True)))
            if (etag := captured.header(b"etag")) is not None:
                headers.append((b"etag", encoded_etag(etag.decode(), encoding).encode()))
            if encoding != "identity":
                body = compress(body, encoding)
                headers.append((b"content-encoding", encoding.encode()))
            headers.append((b"content-length", str(len(body)).encode()))
        await _send(send, captured.status, [*headers, (b"x-cache", b"BYPASS")], body, head=head)


def fresh_entry(store: ResponseStore | None, key: Hashable, state: ContentState | None, asked: Asked) -> Entry | None:
    """The stored answer to send, if it still shows what readers would see (and counted as a hit)."""
    if state is None or store is None or asked.refresh or asked.ranged:
        return None
    entry = store.get(key)
    if entry is None or entry.built is None:
        return None
    if entry.expires_at is not None and time.time() >= entry.expires_at:
        return None
    if entry.shown_under is not state:
        if not state.shows(entry.built):
            return None
        entry.shown_under = state
    _looked_up("hit").inc()
    return entry


async def send_entry(
    send: Send,
    store: ResponseStore | None,
    key: Hashable,
    entry: Entry,
    asked: Asked,
    *,
    head: bool,
    outcome: bytes,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> int:
    """Send a stored answer in the coding the client prefers, or 304 if its copy is current; the status sent."""
    encoding = negotiate(asked.accept_encoding) if entry.compressible else "identity"
    if (asked.if_none_match is not None or asked.if_modified_since is not None) and asked.holds(
        entry.etag, entry.last_modified
    ):
        tag = encoded_etag(entry.etag, encoding).encode()
        await _send(send, 304, [*entry.headers, (b"etag", tag), (b"x-cache", outcome), *extra], b"", head=True)
        return 304
    headers, body = answer_in(store, key, entry, encoding)
    if not head and prepare_headers(send, entry.joined[encoding]):
        # The server reads the length itself; the rest it sends as joined.
        headers = [(b"content-length", str(len(body)).encode())]
    await _send(send, 200, [*headers, (b"x-cache", outcome), *extra], body, head=head)
    return 200


def answer_in(
    store: ResponseStore | None, key: Hashable, entry: Entry, encoding: str
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The entry's headers and body in this content-coding, made and counted in the store on first use."""
    known = len(entry.answers)
    answer = entry.answer(encoding)
    if len(entry.answers) != known and store is not None:
        store.resized(key)
    return answer


def _shareable(captured: _Captured) -> bool:
    # A route marks what must stay private (drafts, previews), or what may be shared only for a
    # while (`public, max-age=N`: it changes without a write), or what never changes (`immutable`);
    # a cookie is someone's own.
    cache_control = captured.header(b"cache-control")
    return (
        cache_control is None
        or _LIMITED.fullmatch(cache_control) is not None
        or _IMMUTABLE.fullmatch(cache_control) is not None
    ) and captured.header(b"set-cookie") is None


def _lifetime(captured: _Captured) -> int | None:
    """The seconds an answer the route shares only for a while may be kept, if it says so."""
    found = _LIMITED.fullmatch(captured.header(b"cache-control") or b"")
    return int(found[1]) if found else None


def _vary(existing: bytes | None, *, by_encoding: bool) -> bytes:
    names = [name.strip() for name in (existing or b"").split(b",") if name.strip()]
    if by_encoding and b"accept-encoding" not in {name.lower() for name in names}:
        names.append(b"Accept-Encoding")
    return b", ".join(names)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, *, head: bool) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})

"""The response cache's hits for plain anonymous GETs, sent before any other layer sees the request.

A hit needs neither the error layers, nor CORS (no Origin was sent), nor the framework's own
layers, and at tens of thousands of answers a second each of them costs a few percent. The access
log and the metrics still record every hit, with its request id. Anything else (HEAD, a request
from another origin, a key, a miss) goes through the whole app, whose cache layer answers the same.
Under `byline serve` an unconditional hit is written as its request arrives (`on_arrival`), before
any ASGI call.
"""

import time
from collections.abc import Hashable
from typing import NamedTuple

from starlette.types import Scope, Send

from app.caching.responses.encoding import negotiate
from app.caching.responses.middleware import Asked, answer_in, fresh_entry, send_entry
from app.caching.responses.state import LiveContent
from app.caching.responses.store import Entry, ResponseStore
from app.core.access_lines import record, request_id
from app.server.http_protocol import Arrival


class _Hit(NamedTuple):
    key: Hashable
    entry: Entry
    asked: Asked
    # When the request arrived (time.perf_counter()), and its id.
    began: float
    request: str


class EarlyHits:
    def __init__(self, store: ResponseStore, prefixes: tuple[str, ...], content: LiveContent) -> None:
        self.store = store
        self.prefixes = prefixes
        self.content = content

    async def answered(self, scope: Scope, send: Send) -> bool:
        """Whether the request was answered from the cache; if not, nothing was sent."""
        hit = self._hit(scope, conditional=True)
        if hit is None:
            return False
        status = 500
        try:
            status = await send_entry(
                send,
                self.store,
                hit.key,
                hit.entry,
                hit.asked,
                head=False,
                outcome=b"HIT",
                extra=((b"x-request-id", hit.request.encode()),),
            )
        finally:
            record(scope, status, hit.began, hit.request)
        return True

    def on_arrival(self, scope: Scope) -> Arrival | None:
        """The same as the request arrives, unless it is conditional (its 304 goes through `answered`)."""
        hit = self._hit(scope, conditional=False)
        if hit is None:
            return None
        encoding = negotiate(hit.asked.accept_encoding) if hit.entry.compressible else "identity"
        _, body = answer_in(self.store, hit.key, hit.entry, encoding)
        lines = b"%sx-cache: HIT\r\nx-request-id: %s\r\n" % (hit.entry.joined[encoding], hit.request.encode())
        record(scope, 200, hit.began, hit.request)
        return Arrival(200, lines, body)

    def _hit(self, scope: Scope, *, conditional: bool) -> _Hit | None:
        """The entry a plain anonymous GET is answered with, counted as a hit."""
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefixes):
            return None
        began = time.perf_counter()
        asked = Asked.read(scope)
        if asked.private or asked.cross_origin:
            return None
        if not conditional and (asked.if_none_match is not None or asked.if_modified_since is not None):
            return None
        key = (scope["path"], scope["query_string"])
        entry = fresh_entry(self.store, key, self.content.current(), asked)
        if entry is None:
            return None
        scope["route"] = entry.route
        return _Hit(key, entry, asked, began, request_id(scope))

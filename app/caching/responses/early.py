"""The response cache's hits for plain anonymous GETs, sent before any other layer sees the request.

A hit needs neither the error layers, nor CORS (no Origin was sent), nor the framework's own
layers, and at tens of thousands of answers a second each of them costs a few percent. The access
log and the metrics still record every hit, with its request id. Anything else (HEAD, a request
from another origin, a key, a miss) goes through the whole app, whose cache layer answers the same.
"""

import time

from starlette.types import Scope, Send

from app.caching.responses.middleware import Asked, fresh_entry, send_entry
from app.caching.responses.state import LiveContent
from app.caching.responses.store import ResponseStore
from app.core.access_lines import record, request_id


class EarlyHits:
    def __init__(self, store: ResponseStore, prefixes: tuple[str, ...], content: LiveContent) -> None:
        self.store = store
        self.prefixes = prefixes
        self.content = content

    async def answered(self, scope: Scope, send: Send) -> bool:
        """Whether the request was answered from the cache; if not, nothing was sent."""
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefixes):
            return False
        began = time.perf_counter()
        asked = Asked.read(scope)
        if asked.private or asked.cross_origin:
            return False
        key = (scope["path"], scope["query_string"])
        entry = fresh_entry(self.store, key, self.content.current(), asked)
        if entry is None:
            return False
        scope["route"] = entry.route
        request = request_id(scope)
        status = 500
        try:
            status = await send_entry(
                send,
                self.store,
                key,
                entry,
                asked,
                head=False,
                outcome=b"HIT",
                extra=((b"x-request-id", request.encode()),),
            )
        finally:
            record(scope, status, began, request)
        return True

"""View beacons answered before any other layer: the whole app costs several times what counting
one view does, and a busy site sends one beacon per page view. Only a beacon this worker can count
from memory is answered here (202); anything else (an article not looked up yet, a 404, a 429)
goes through the whole app, whose route answers the same, with its problem document. Under `byline
serve` a beacon is counted and answered as it arrives (`on_arrival`), before any ASGI call."""

import re
import time
from collections.abc import Coroutine
from typing import Any, cast

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.access_lines import record, request_id
from app.core.errors import ProblemError
from app.core.slugs import SLUG_MAX_LENGTH, SLUG_WORDS
from app.readership import service
from app.readership.service import READERSHIP
from app.server.http_protocol import Arrival
from app.web.middleware.forwarded import ForwardedClientMiddleware

_BEACON = re.compile(f"^/api/v1/articles/({SLUG_WORDS})/views$")
_ANSWERED = "byline.beacon_answered"
_ACCEPTED = {"type": "http.response.start", "status": 202, "headers": [(b"content-length", b"0")]}
_EMPTY = {"type": "http.response.body", "body": b""}


async def _nothing_received() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _nothing_sent(message: Message) -> None:
    return None


class EarlyBeacons:
    def __init__(self, app: FastAPI, *, trusted_proxies: list[str]) -> None:
        self._app = app
        # The reader's address as the app's own layer finds it behind the operator's proxies.
        self._count: ASGIApp = (
            ForwardedClientMiddleware(self._counted, trusted_proxies=trusted_proxies)
            if trusted_proxies
            else self._counted
        )

    async def answered(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Whether the beacon was counted (or ignored) and answered; if not, nothing was sent."""
        early = self._beacon(scope)
        if early is None:
            return False
        await self._count(early, receive, send)
        return bool(early.get(_ANSWERED))

    def on_arrival(self, scope: Scope) -> Arrival | None:
        """The same, as the request arrives: counting waits for nothing, so it runs to its end here."""
        early = self._beacon(scope)
        if early is None:
            return None
        counting = cast(Coroutine[Any, Any, None], self._count(early, _nothing_received, _nothing_sent))
        try:
            counting.send(None)
        except StopIteration:
            return Arrival(202, b"", b"") if early.get(_ANSWERED) else None
        counting.close()
        raise RuntimeError("counting a beacon waited")

    def _beacon(self, scope: Scope) -> dict | None:
        """A copy of a beacon's scope with its slug: the address found from it must not be found
        again from it by the app's own layer."""
        if scope["type"] != "http" or scope["method"] != "POST" or len(scope["path"]) > SLUG_MAX_LENGTH + 30:
            return None
        found = _BEACON.match(scope["path"])
        if found is None or getattr(self._app.state, "byline", None) is None:
            return None
        return dict(scope, slug=found[1])

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        began = time.perf_counter()
        state = self._app.state.byline
        part = state.part(READERSHIP)
        now = state.clock()
        agent = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"user-agent"), None)
        client = scope.get("client")
        try:
            counted = service.beacon(
                part,
                scope["slug"],
                address=client[0] if client else "",
                user_agent=agent,
                now=now,
                state=service.state_token(state, now),
            )
        except ProblemError:
            return
        if counted:
            await send(_ACCEPTED)
            await send(_EMPTY)
            scope[_ANSWERED] = True
            record(scope, 202, began, request_id(scope))

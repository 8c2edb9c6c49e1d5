"""View beacons answered before any other layer: the whole app costs several times what counting
one view does, and a busy site sends one beacon per page view. Only a beacon this worker can count
from memory is answered here (202); anything else (an article not looked up yet, a 404, a 429)
goes through the whole app, whose route answers the same, with its problem document."""

import re
import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.access_lines import record, request_id
from app.core.errors import ProblemError
from app.core.slugs import SLUG_MAX_LENGTH, SLUG_WORDS
from app.readership import service
from app.readership.service import READERSHIP
from app.web.middleware.forwarded import ForwardedClientMiddleware

_BEACON = re.compile(f"^/api/v1/articles/({SLUG_WORDS})/views$")
_ANSWERED = "byline.beacon_answered"
_ACCEPTED = {"type": "http.response.start", "status": 202, "headers": [(b"content-length", b"0")]}
_EMPTY = {"type": "http.response.body", "body": b""}


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
        if scope["type"] != "http" or scope["method"] != "POST" or len(scope["path"]) > SLUG_MAX_LENGTH + 30:
            return False
        found = _BEACON.match(scope["path"])
        if found is None or getattr(self._app.state, "byline", None) is None:
            return False
        # A copy: the address found here must not be found again from it by the app's own layer.
        early = dict(scope, slug=found[1])
        await self._count(early, receive, send)
        return bool(early.get(_ANSWERED))

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

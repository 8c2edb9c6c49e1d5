"""The access log: one line per request, written as its answer ends (app.core.access_lines)."""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import acting
from app.core.access_lines import record, request_id


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500
        request = request_id(scope)
        # What the request writes is recorded with its id (app.audit).
        acting.set_request_id(request)
        # Made here if the server made none, so that inner layers' copies of the scope share it.
        scope.setdefault("state", {})

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # A new list: the one given may be a cached answer's own.
                message = {**message, "headers": [*message.get("headers", ()), (b"x-request-id", request.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            record(scope, status, began, request)

"""Refusing oversized request bodies with 413 before the app reads them into memory, and bodies
trickled in too slowly with 408, so a few slow clients cannot hold every connection.

A request that presents no valid key (checked from its headers, before any of the body is read) may
send only what an anonymous form needs; the larger limits of writing routes are for keyed callers."""

import asyncio
import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import ProblemError
from app.web.problems import render_problem


class BodyLimitMiddleware:
    """Pure ASGI: checks Content-Length up front and counts the bytes of bodies sent without one."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_limit: int,
        limits: dict[str, int],
        anonymous_limit: int,
        authenticated: Callable[[Request], Awaitable[bool]],
        read_timeout: float,
        deadline: float,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.anonymous_limit = anonymous_limit
        self.authenticated = authenticated
        self.read_timeout = read_timeout
        self.deadline = deadline
        self.limits = [(re.compile(pattern), limit) for pattern, limit in limits.items()]

    def _limit_for(self, path: str) -> int:
        return next((limit for pattern, limit in self.limits if pattern.fullmatch(path)), self.default_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        if limit > self.anonymous_limit and not await self.authenticated(Request(scope)):
            limit = self.anonymous_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        # Read the whole body first (it is at most `limit` bytes), so an oversized chunked body is
        # answered with 413 here instead of failing half-way inside the app.
        chunks: list[bytes] = []
        size = 0
        loop = asyncio.get_running_loop()
        # Overall, not per part: a body trickled a byte at a time would restart a per-part wait forever.
        deadline = loop.time() + self.deadline
        while True:
            wait = min(self.read_timeout, deadline - loop.time())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0))
            except TimeoutError:
                if wait < self.read_timeout:
                    problem = RequestTimeout(f"The body did not arrive in full within {self.deadline:g} seconds.")
                else:
                    problem = RequestTimeout(f"No part of the body came for {self.read_timeout:g} seconds.")
                await _respond(scope, send, problem)
                return
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(scope, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(
            scope, _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive), send
        )


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


class ContentTooLarge(ProblemError):
    """The request body is larger than the route accepts."""

    title = "Content Too Large"
    status = 413


class RequestTimeout(ProblemError):
    """The request body arrived too slowly."""

    title = "Request Timeout"
    status = 408


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    await _respond(
        scope, send, ContentTooLarge(f"The request body is larger than {limit} bytes.", limit=limit, unit="bytes")
    )


async def _respond(scope: Scope, send: Send, problem: ProblemError) -> None:
    response = render_problem(Request(scope), problem)
    # The rest of the body is never read, so the connection cannot carry another request.
    response.headers["Connection"] = "close"
    await response(scope, _replay([]), send)

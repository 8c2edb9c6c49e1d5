"""The app served in the test's own process, behind an HTTP client.

Starlette's TestClient crosses from the test's thread to the app's event loop eight times for each
request (events, streams and a cancel scope made one call at a time, then the body read in pieces):
2 ms of CPU for a request the app answered in 0.5. Here each request is one call into the loop,
which runs the app to the end of its answer: the tests read whole answers, and an app that
streams one (an export) still sends all of it."""

import math
from contextlib import ExitStack
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote

import anyio
import anyio.from_thread
import httpx
from starlette.types import ASGIApp, Message


class AppClient(httpx.Client):
    """An httpx client whose requests `app` answers, from the test's address `client`, between the
    app's startup and shutdown: use it as a context manager, as a server runs the app's lifespan.
    An exception the app lets out is raised in the test (`raise_server_exceptions=False`: a 500)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        client: tuple[str, int] = ("testclient", 50000),
        raise_server_exceptions: bool = True,
        base_url: str = "http://testserver",
    ) -> None:
        self.app = app
        self.portal: anyio.from_thread.BlockingPortal | None = None
        self.lifespan_state: dict[str, Any] = {}
        self._exits = ExitStack()
        exchange = _Exchange(self, client, raise_server_exceptions)
        super().__init__(
            base_url=base_url, headers={"user-agent": "testclient"}, transport=exchange, follow_redirects=True
        )

    def __enter__(self) -> Self:
        with ExitStack() as exits:
            self.portal = exits.enter_context(anyio.from_thread.start_blocking_portal())
            exits.callback(_Lifespan(self.app, self.lifespan_state, self.portal).stop)
            self._exits = exits.pop_all()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # The app shut down, the client left open: as a server restarted, it may be entered again.
        try:
            self._exits.close()
        finally:
            self.portal = None


class _Lifespan:
    """The app's startup, then at `stop` its shutdown, as the ASGI lifespan protocol has a server
    tell it; an exception the app raises in either is raised in the test."""

    def __init__(self, app: ASGIApp, state: dict[str, Any], portal: anyio.from_thread.BlockingPortal) -> None:
        self.app = app
        self.state = state
        self.portal = portal
        self.to_app, self.app_inbox = anyio.create_memory_object_stream[Message](math.inf)
        self.app_outbox, self.from_app = anyio.create_memory_object_stream[Message](math.inf)
        self.running = portal.start_task_soon(self._run)
        self._step("startup")

    def stop(self) -> None:
        self._step("shutdown")
        self.running.result()

    async def _run(self) -> None:
        try:
            await self.app(
                {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state},
                self.app_inbox.receive,
                self.app_outbox.send,
            )
        finally:
            await self.app_outbox.send({"type": "lifespan.ended"})

    async def _told(self, step: str) -> Message:
        await self.to_app.send({"type": f"lifespan.{step}"})
        return await self.from_app.receive()

    def _step(self, step: str) -> None:
        answer = self.portal.call(self._told, step)
        if answer["type"] != f"lifespan.{step}.complete":
            self.running.result()  # the app's own exception, if it raised one
            raise RuntimeError(f"the app's {step} failed: {answer.get('message', '')}")


class _Exchange(httpx.BaseTransport):
    def __init__(self, owner: AppClient, client: tuple[str, int], raise_server_exceptions: bool) -> None:
        self.owner = owner
        self.client = client
        self.raise_server_exceptions = raise_server_exceptions

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.owner.portal is None:
            raise RuntimeError("AppClient answers only inside `with`, between the app's startup and shutdown")
        url = request.url
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": unquote(url.path),
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "root_path": "",
            "query_string": url.query,
            "headers": [(name.lower().encode(), value.encode()) for name, value in request.headers.multi_items()],
            "client": self.client,
            "server": (url.host, url.port or {"http": 80, "https": 443}[url.scheme]),
            "state": dict(self.owner.lifespan_state),
        }
        body = [chunk for chunk in request.stream if chunk]
        status, headers, content = self.owner.portal.call(self._answer, scope, body)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content), request=request)

    async def _answer(self, scope: dict[str, Any], body: list[bytes]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """The app run on one request to the end of its answer: status, headers and the whole body."""
        pending = body or [b""]
        answered = anyio.Event()
        start: Message = {}
        content: list[bytes] = []

        async def receive() -> Message:
            if pending:
                chunk = pending.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                content.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered.set()

        try:
            await self.owner.app(scope, receive, send)
        except Exception:
            if self.raise_server_exceptions:
                raise
            if not start:
                return 500, [], b""
        finally:
            answered.set()
        return start["status"], list(start.get("headers", [])), b"".join(content)

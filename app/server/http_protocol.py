"""The HTTP/1.1 protocol `byline serve` runs: uvicorn's, plus a deadline for a request's headers,
problem documents where uvicorn answers by itself (malformed requests, the connection limit), each
answer's head sent with its body, answers the app has at hand written as their requests arrive
(`Arrival`), and a faster check of header values (`install()`, called by each
serving process: importing this module changes nothing in uvicorn).

It relies on uvicorn internals (pyproject.toml bounds the version; tests/upstream/ checks each one)."""

import asyncio
from collections.abc import Callable
from typing import Any, NamedTuple, cast

import orjson
from uvicorn._types import ASGI3Application, ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol, RequestResponseCycle

from app.core.settings import Settings

MALFORMED = "The request line or a header is not valid HTTP/1.1."
OVERLOADED = orjson.dumps(
    {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "This server is at its connection limit; try again shortly.",
    }
)


async def _overloaded(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(OVERLOADED)).encode()),
        (b"retry-after", b"1"),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": OVERLOADED, "more_body": False})


class ControlCharacters:
    """uvicorn's test of every header value it sends (no control characters but tab), made by deleting
    those bytes instead of a regular expression: about five times faster. A list's Surrogate-Key and
    Cache-Tag name every article, author, section and tag on it (6 KB for 20 articles), and checking
    them cost about a sixth of a cached list's time.

    Long values found clean are remembered: a cached answer sends the very same bytes objects every
    time, whose hash Python keeps, so the next check is a set lookup. The memory is bounded."""

    FORBIDDEN = bytes([*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F])
    REMEMBERED_FROM = 256
    REMEMBERED_BYTES = 4 * 1024 * 1024

    def __init__(self) -> None:
        self._clean: set[bytes] = set()
        self._clean_bytes = 0

    def search(self, value: bytes) -> bool:
        if len(value) < self.REMEMBERED_FROM:
            return len(value.translate(None, self.FORBIDDEN)) != len(value)
        if value in self._clean:
            return False
        if len(value.translate(None, self.FORBIDDEN)) != len(value):
            return True
        if self._clean_bytes + len(value) > self.REMEMBERED_BYTES:
            self._clean.clear()
            self._clean_bytes = 0
        self._clean.add(value)
        self._clean_bytes += len(value)
        return False


# The one checker uvicorn and header_lines share, so values they both see are remembered once.
HEADER_VALUES = ControlCharacters()


def install(settings: Settings) -> None:
    """Have uvicorn check the header values of every answer with HEADER_VALUES, and give connections the
    settings' header deadline: in a serving process only, before it serves, so that tests and the other
    commands run uvicorn unchanged."""
    httptools_impl.HEADER_VALUE_RE = HEADER_VALUES  # type: ignore[assignment]  # used only as .search(value)
    DeadlineHttpProtocol.header_timeout_seconds = settings.header_timeout_seconds


class _HeadWithBody:
    """The transport as one response sees it: the status line and headers wait for the body, so a
    small answer leaves in one send and one TCP segment instead of two (half the system calls and
    wake-ups per request)."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None
        self._held = False
        self.prepared: bytes | None = None

    def write(self, data: bytes) -> None:
        if not self._held and data.startswith(b"HTTP/1.1 ") and not data.startswith(b"HTTP/1.1 100 "):
            # Prepared for a 200: never part of the 500 uvicorn sends if the answer fails before its head.
            if self.prepared is not None and data.startswith(b"HTTP/1.1 200 "):
                # Before the blank line that ends the head.
                data, self.prepared = data[:-2] + self.prepared + b"\r\n", None
            self._held, self._head = True, data
            return
        if self._head is not None:
            data, self._head = self._head + data, None
        self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            self._transport.write(self._head)
            self._head = None

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def header_lines(headers: list[tuple[bytes, bytes]]) -> bytes:
    """Headers checked and written as uvicorn writes them, once for every time a cached answer is sent."""
    for name, value in headers:
        if httptools_impl.HEADER_RE.search(name) or HEADER_VALUES.search(value):
            raise ValueError(f"invalid header {name!r}")
    return b"".join(name.lower() + b": " + value + b"\r\n" for name, value in headers)


def prepare_headers(send: Any, lines: bytes) -> bool:
    """Have the response `send` starts carry `lines` (from header_lines) after the headers it is
    sent with, so uvicorn checks and writes only those; whether it can. Only uvicorn's own `send`
    can: the app's layers wrap it, and may add headers that must be checked as usual."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if not isinstance(transport, _HeadWithBody):
        return False
    transport.prepared = lines
    return True


def _send_head_with_body(cycle: RequestResponseCycle) -> None:
    held = _HeadWithBody(cycle.transport)
    answered = cycle.on_response

    def complete() -> None:
        # A HEAD answer or a 304 has no body to carry the head.
        held.flush()
        answered()

    cycle.transport = cast(asyncio.Transport, held)
    cycle.on_response = complete


class Arrival(NamedTuple):
    """A whole answer an app has at hand as its request arrives: the status, its header lines
    (checked and joined by header_lines, without Content-Length) and the body. An app offers them
    through a method `answer_on_arrival(scope) -> Arrival | None`, which must not block."""

    status: int
    lines: bytes
    body: bytes


class DeadlineHttpProtocol(HttpToolsProtocol):
    """A connection must finish each request's headers within BYLINE_HEADER_TIMEOUT_SECONDS of opening
    or of its previous answer, so idle and trickling sockets cannot pile up until new readers are refused."""

    header_deadline: asyncio.TimerHandle | None = None
    # Until `install` gives the settings' own.
    header_timeout_seconds: float = Settings.model_fields["header_timeout_seconds"].default

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows it too
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        before = self.cycle
        super().on_headers_complete()
        if self.cycle is not before:
            _send_head_with_body(self.cycle)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.cycle is not None and self.cycle.response_complete:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: ASGI3Application) -> None:
        # Over BYLINE_MAX_CONNECTIONS uvicorn answers in plain text; a problem document says the same.
        if app is service_unavailable:
            super()._start_asgi_task(cycle, _overloaded)
        elif not self._answered_on_arrival(cycle, app):
            super()._start_asgi_task(cycle, app)

    def _answered_on_arrival(self, cycle: RequestResponseCycle, app: ASGI3Application) -> bool:
        """An answer the app has at hand is written at once, with neither a task nor ASGI messages and
        their checks: 5 to 20% more cached answers a second. A client that is not reading its answers
        gets them through the app, which waits for it."""
        answer_on_arrival: Callable[[Scope], Arrival | None] | None = getattr(app, "answer_on_arrival", None)
        if answer_on_arrival is None or self.flow.write_paused or cycle.waiting_for_100_continue:
            return False
        arrival = answer_on_arrival(cycle.scope)
        if arrival is None:
            return False
        head = [STATUS_LINE[arrival.status]]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [arrival.lines, b"content-length: %d\r\n" % len(arrival.body)]
        if not cycle.keep_alive:
            head.append(b"connection: close\r\n")
        head.append(b"\r\n")
        cycle.response_started = cycle.response_complete = True
        self.transport.write(b"".join(head) + (b"" if cycle.scope["method"] == "HEAD" else arrival.body))
        if not cycle.keep_alive:
            self.transport.close()
        # An answer before it, from the same read, armed the keep-alive timer already.
        self._unset_keepalive_if_required()
        self.on_response_complete()
        return True

    def send_400_response(self, msg: str) -> None:
        problem = orjson.dumps({"type": "about:blank", "title": "Bad Request", "status": 400, "detail": MALFORMED})
        head = b"".join(
            [
                b"HTTP/1.1 400 Bad Request\r\n",
                *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
                b"content-type: application/problem+json\r\n",
                b"content-length: " + str(len(problem)).encode() + b"\r\n",
                b"connection: close\r\n\r\n",
            ]
        )
        self.transport.write(head + problem)
        self.transport.close()

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self.header_deadline = self.loop.call_later(self.header_timeout_seconds, self._headers_overdue)

    def _disarm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_overdue(self) -> None:
        self.header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

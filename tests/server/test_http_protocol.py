"""The server's own HTTP/1.1 protocol: its check of header values refuses exactly what uvicorn's does,
and header lines prepared for a cached answer go into that answer only."""

import asyncio
from typing import Any

import h11
from hypothesis import given
from hypothesis import strategies as st
from uvicorn.protocols.http import httptools_impl

from app.server import http_protocol
from app.server.http_protocol import Arrival, ControlCharacters, DeadlineHttpProtocol
from tests.server import exchange

# The installed uvicorn's own check (no control characters in a header value, but horizontal tab), as
# every test leaves it: only a serving process installs ControlCharacters in its place.
UVICORN_PATTERN = httptools_impl.HEADER_VALUE_RE


def test_every_byte_is_judged_as_uvicorn_judges_it() -> None:
    check = ControlCharacters()
    for byte in range(256):
        value = b"article:one " + bytes([byte]) + b" tag:two"
        assert check.search(value) == (UVICORN_PATTERN.search(value) is not None), byte


@given(st.binary(max_size=300))
def test_any_value_is_judged_as_uvicorn_judges_it(value: bytes) -> None:
    assert ControlCharacters().search(value) == (UVICORN_PATTERN.search(value) is not None)


def test_a_header_value_with_a_line_break_is_still_refused() -> None:
    """Response splitting stays impossible: a value carrying CR LF never reaches the wire."""
    assert ControlCharacters().search(b"public\r\nSet-Cookie: stolen=1")
    assert not ControlCharacters().search(b"public, max-age=30\tstale-while-revalidate=30")


REMEMBERING = ControlCharacters()


@given(st.lists(st.binary(min_size=250, max_size=1200), min_size=1, max_size=5))
def test_long_values_are_judged_the_same_when_checked_again(values: list[bytes]) -> None:
    # One checker for every example: what it remembers must never change an answer.
    for value in values * 2:
        assert REMEMBERING.search(value) == (UVICORN_PATTERN.search(value) is not None)


def test_what_is_remembered_stays_within_its_bound() -> None:
    check = ControlCharacters()
    check.REMEMBERED_BYTES = 10_000
    for n in range(100):
        value = b"article:%d " % n * 100
        assert not check.search(value)
        assert check.search(value + b"\n")
        assert sum(map(len, check._clean)) <= 10_000


def test_header_lines_prepared_for_a_cached_answer_never_reach_an_error_sent_in_its_place() -> None:
    written: list[bytes] = []

    class Transport:
        def write(self, data: bytes) -> None:
            written.append(data)

    class Cycle:
        # What uvicorn's cycle holds once a connection is served by DeadlineHttpProtocol.
        transport = http_protocol._HeadWithBody(Transport())  # type: ignore[arg-type]

        async def send(self, message: dict) -> None:
            raise AssertionError("not sent in this test")

    cycle = Cycle()
    assert http_protocol.prepare_headers(cycle.send, b'etag: "cached"\r\ncache-control: public\r\n')
    assert not http_protocol.prepare_headers(lambda message: None, b"etag: x\r\n")
    # The answer failed before its head left: uvicorn sends its own 500 on the same transport.
    failed = b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ncontent-length: 21\r\n\r\n"
    cycle.transport.write(failed)
    cycle.transport.write(b"Internal Server Error")
    assert written == [failed + b"Internal Server Error"]


class AtHand:
    """An app whose /hit it has at hand as the request arrives; everything else, and /hit whenever the
    protocol asks the app itself, it answers through ASGI."""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        body = b"through the app"
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})

    def answer_on_arrival(self, scope: dict) -> Arrival | None:
        return Arrival(200, b"x-cache: HIT\r\n", b"at hand") if scope["path"] == "/hit" else None


def _answers(requests: list[h11.Request], raw: bytes) -> list[tuple[int, dict[bytes, bytes], bytes]]:
    """What a client that sent `requests` reads in `raw`: the status, headers and body of each answer."""
    client = h11.Connection(h11.CLIENT)
    client.receive_data(raw)
    answers: list[tuple[int, dict[bytes, bytes], bytes]] = []
    for request in requests:
        client.send(request)
        client.send(h11.EndOfMessage())
        head, body = client.next_event(), b""
        while not isinstance(event := client.next_event(), h11.EndOfMessage):
            body += event.data
        answers.append((head.status_code, dict(head.headers), body))
        if client.our_state is h11.MUST_CLOSE:
            break
        client.start_next_cycle()
    return answers


def _request(method: str, path: str, *, close: bool = False) -> h11.Request:
    headers = [("Host", "byline"), *([("Connection", "close")] if close else [])]
    return h11.Request(method=method, target=path, headers=headers)


def _pipelined(requests: list[h11.Request]) -> bytes:
    """The requests written one after the other, as a client that pipelines sends them."""
    return b"".join(
        b"%s %s HTTP/1.1\r\n%s\r\n"
        % (request.method, request.target, b"".join(name + b": " + value + b"\r\n" for name, value in request.headers))
        for request in requests
    )


def test_an_answer_at_hand_leaves_whole_and_in_order_among_pipelined_requests() -> None:
    requests = [
        _request("GET", "/hit"),
        _request("GET", "/other"),
        _request("HEAD", "/hit"),
        _request("GET", "/hit", close=True),
    ]
    answers = _answers(requests, exchange(AtHand(), _pipelined(requests)))
    assert [(status, body) for status, _, body in answers] == [
        (200, b"at hand"),
        (200, b"through the app"),
        (200, b""),
        (200, b"at hand"),
    ]
    first, _, head, last = (headers for _, headers, _ in answers)
    assert first[b"x-cache"] == b"HIT" and first[b"content-length"] == head[b"content-length"] == b"7"
    assert last[b"connection"] == b"close"


def test_answers_at_hand_from_one_read_never_leave_an_earlier_keep_alive_timer_armed() -> None:
    """Each answer arms the idle connection's timer: one left over from an earlier answer of the same
    read would close the connection while it is still in use."""
    armed: list[asyncio.TimerHandle] = []

    class Recording(DeadlineHttpProtocol):
        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.timeout_keep_alive_task is not None:
                armed.append(self.timeout_keep_alive_task)

    requests = [_request("GET", "/hit"), _request("GET", "/hit"), _request("GET", "/hit", close=True)]
    answers = _answers(requests, exchange(AtHand(), _pipelined(requests), protocol=Recording))
    assert [body for _, _, body in answers] == [b"at hand"] * 3
    assert len(armed) == 2 and all(timer.cancelled() for timer in armed)


def test_a_client_that_is_not_reading_is_answered_through_the_app_which_waits_for_it() -> None:
    class Paused(DeadlineHttpProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.pause_writing()
            self.loop.call_later(0.05, self.resume_writing)

    requests = [_request("GET", "/hit", close=True)]
    assert _answers(requests, exchange(AtHand(), _pipelined(requests), protocol=Paused))[0][2] == b"through the app"

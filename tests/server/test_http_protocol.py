"""The server's own HTTP/1.1 protocol: its check of header values refuses exactly what uvicorn's does,
and header lines prepared for a cached answer go into that answer only."""

from hypothesis import given
from hypothesis import strategies as st
from uvicorn.protocols.http import httptools_impl

from app.server import http_protocol
from app.server.http_protocol import ControlCharacters

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

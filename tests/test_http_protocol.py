"""The server's own HTTP/1.1 protocol: its check of header values refuses exactly what uvicorn's does."""

import re

from hypothesis import given
from hypothesis import strategies as st

from app.http_protocol import ControlCharacters

# uvicorn's own pattern: no control characters in a header value, but horizontal tab.
UVICORN_PATTERN = re.compile(b"[\\x00-\\x08\\x0a-\\x1f\\x7f]")


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

"""Validated absolute http(s) URLs, kept as plain strings so they store and serialise as text."""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


WebUrl = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]

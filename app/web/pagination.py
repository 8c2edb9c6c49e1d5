"""Keyset pagination: opaque cursors, the page envelope and its Link header."""

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from typing import Annotated, Generic, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import URL

from app.caching import keys
from app.core.cursors import NOT_ISSUED
from app.core.errors import InvalidParameter
from app.web.state import app_state

T = TypeVar("T")


class PageMeta(BaseModel):
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")
    total: int = Field(description="Number of items matching the filters, across all pages.")


class PageLinks(BaseModel):
    next: str | None = Field(description="Absolute URL of the next page; null on the last page.")


class Page(BaseModel, Generic[T]):
    data: list[T]
    meta: PageMeta
    links: PageLinks


Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]


@cache
def _cipher(secret: str) -> AESSIV:
    # 64 bytes: AES-256-SIV. Its own derivation, so a cursor says nothing about keys or tokens.
    return AESSIV(hashlib.sha512(b"byline cursor\0" + secret.encode()).digest())


def seal_cursor(cursor: str, secret: str) -> str:
    """What clients see: the cursor encrypted and authenticated. Deterministic (the same page always
    names the same next cursor, so answers stay cacheable), and it hides the row ids inside, which
    would tell how many unpublished articles, authors or tags exist and when they were made."""
    sealed = _cipher(secret).encrypt(cursor.encode(), None)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def open_cursor(sealed: str, secret: str, *, parameter: str = "cursor") -> str:
    try:
        return _cipher(secret).decrypt(base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4)), None).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise InvalidParameter(parameter, NOT_ISSUED) from None


def opened_cursor(parameter: str, description: str) -> Callable[..., str | None]:
    """A dependency reading a sealed cursor from the query parameter `parameter`, opened, so only
    cursors this API issued get as far as a service."""

    def opened(
        request: Request,
        sealed: Annotated[
            str | None,
            Query(
                alias=parameter,
                # Room for a 120-character name in any script: UTF-8 JSON, base64, sealed, base64.
                max_length=1500,
                pattern=r"^[A-Za-z0-9_-]+$",
                description=description,
            ),
        ] = None,
    ) -> str | None:
        return None if sealed is None else open_cursor(sealed, _secret(request), parameter=parameter)

    return opened


def _secret(request: Request) -> str:
    return app_state(request).settings.secret_key.get_secret_value()


CursorParam = Annotated[
    str | None, Depends(opened_cursor("cursor", "Opaque cursor from `meta.next_cursor` of the previous page."))
]


def envelope(request: Request, items: list, *, total: int, next_cursor: str | None, path: str | None = None) -> dict:
    """The page envelope. `path` names the list's own endpoint when this first page is embedded in
    another answer, so `links.next` leads there rather than back to the embedding resource."""
    next_url = None
    if next_cursor:
        next_cursor = seal_cursor(next_cursor, _secret(request))
        # Absolute on the public URL, so links work behind proxies and CDNs.
        here = path or request.url.path + "?" + request.url.query
        next_url = str(URL(app_state(request).settings.base_url + here).include_query_params(cursor=next_cursor))
    return {
        "data": items,
        "meta": {"next_cursor": next_cursor, "total": total},
        "links": {"next": next_url},
    }


def page_response(
    request: Request,
    response: Response,
    items: list,
    *,
    total: int,
    next_cursor: str | None,
    kind: str | None = None,
    also: Iterable[str] = (),
) -> dict:
    """The page envelope and its Link header; `kind` (and `also`) name the list for purges (app.caching.keys)."""
    keys.label_list(response, kind, items, *also)
    page = envelope(request, items, total=total, next_cursor=next_cursor)
    if page["links"]["next"]:
        response.headers["Link"] = f'<{page["links"]["next"]}>; rel="next"'
    return page

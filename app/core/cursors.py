"""Keyset cursors: the sort key of a page's last item and its id, as the services encode and read
them. What clients see of one is sealed by the web layer (app.web.pagination)."""

import base64
import binascii
from datetime import UTC, datetime
from typing import TypeVar, cast

import orjson

from app.core.errors import InvalidParameter

NOT_ISSUED = "The cursor is not one this API issued."

SortKey = TypeVar("SortKey", str, datetime, int)
# An int key counts items already shown; more than any database holds is an invented cursor.
MAX_INT_KEY = 2**31 - 1
# Ids are 32-bit integer columns; a larger one cannot name a row, and would overflow the driver.
MAX_ROW_ID = 2**31 - 1


def encode_cursor(key: str | datetime | int, item_id: int) -> str:
    """The sort key of the last item on a page plus its id, which breaks ties."""
    raw = orjson.dumps([key.isoformat() if isinstance(key, datetime) else key, item_id])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _sort_key(raw: object, key_type: type) -> object:
    if key_type is int:
        if type(raw) is not int or not 0 <= raw <= MAX_INT_KEY:
            raise ValueError
        return raw
    # PostgreSQL refuses NUL in text; no name or time holds one.
    if type(raw) is not str or "\x00" in raw:
        raise ValueError
    if key_type is str:
        return raw
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        raise ValueError
    return parsed.astimezone(UTC)


def decode_cursor(cursor: str, key_type: type[SortKey]) -> tuple[SortKey, int]:
    """Inverse of encode_cursor; anything a client altered or invented is a 422 naming `cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        raw_key, item_id = orjson.loads(raw)
        if type(item_id) is not int or not 0 < item_id <= MAX_ROW_ID:
            raise ValueError
        key = _sort_key(raw_key, key_type)
    except (ValueError, TypeError, OverflowError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidParameter("cursor", NOT_ISSUED) from None
    return cast(SortKey, key), item_id

"""What every reader does to finish a record: dates as UTC text, tidy tags and titles, the contract checked."""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError

from app.core.weburl import WebUrl
from app.ingest.readers.source import SourceRecord
from app.ingest.schemas import IngestRecord

# The byline of last resort, when neither the item, its source nor the publication names anyone.
FALLBACK_AUTHOR = "Unknown author"
MAX_TAGS = 50
MAX_TAG_LENGTH = 120
MAX_TITLE_LENGTH = 300

_web_url = TypeAdapter(WebUrl)
_email = TypeAdapter(EmailStr)
_LOOSE_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?)?"
    r"(?:.*?(?P<tz>Z|[+-]\d{2}:?\d{2})\s*$)?",
    re.IGNORECASE,
)


def finish(position: str, record: dict[str, Any]) -> SourceRecord:
    """The record as read, or why it breaks the ingest contract (so one bad item never stops a source)."""
    try:
        IngestRecord.model_validate(record)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in error.errors()[:3]
        )
        return SourceRecord(position=position, record=None, error=problems)
    return SourceRecord(position=position, record=record)


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC; a time without an offset is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def loose_date(value: object) -> datetime | None:
    """Dates as people write them in front matter: `2025-01-29 18:15:32 +0530`, `2014-05-06`, YAML timestamps."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    match = _LOOSE_DATE.match(value.strip())
    if not match:
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k != "tz"}
    try:
        moment = datetime(parts["y"], parts["m"], parts["d"], parts.get("H", 0), parts.get("M", 0), parts.get("S", 0))
    except ValueError:
        return None
    offset = match["tz"]
    if offset and offset.upper() != "Z":
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta >= timedelta(hours=24):
            return None
        return moment.replace(tzinfo=timezone(delta if offset[0] == "+" else -delta))
    return moment.replace(tzinfo=UTC) if offset else moment


def tag_names(names: Iterable[str]) -> list[str]:
    """Tags once each (case aside), trimmed to what the article takes."""
    seen: set[str] = set()
    tags: list[str] = []
    for name in names:
        name = " ".join(name.split())[:MAX_TAG_LENGTH].strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            tags.append(name)
    return tags[:MAX_TAGS]


def clip(text: str, limit: int) -> str:
    """Text cut at a word boundary with an ellipsis when longer than the field takes."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–—") + "…"


def title_from(text: str) -> str:
    """A title for an item that has none: its opening words, as WordPress lists untitled posts."""
    return clip(text, 80) or "Untitled"


def is_web_url(value: str) -> bool:
    return _passes(_web_url, value)


def is_email(value: str) -> bool:
    """Whether the ingest shape takes it as a commenter's address: others are dropped, not the comment."""
    return _passes(_email, value)


def _passes(adapter: TypeAdapter, value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True

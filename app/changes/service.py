"""Reading the change feed: upserts and tombstones since a client's cursor, in an order that never
misses one.

A cursor holds two positions, because readers' view changes two ways:
- writes, walked by (content version, row id). Every write that changes the feed bumps the content
  version and takes its row lock until commit, so versions commit in their order; a reader that sees
  version n has therefore seen every row of every version below n, and a later commit only ever adds
  rows after the cursor. (Rows are rewritten in place, so a slug written again moves to the end.)
- go-lives, walked by (live_at, row id): a scheduled article or a lifted embargo changes what
  readers see at its time with no write. A row already behind the write position is served again
  when its article goes live after the go-live position; a row ahead of it, when the write walk
  reaches it.
Go-lives come first on a page, and the go-live position only passes the latest go-live up to now
once every go-live until then has been served: so no row goes live behind both positions unseen.

Entries state each slug as it is now, not as it was when written, so nothing hidden since shows,
and a client that starts from nothing (no `since`) gets each public article once and no tombstones
of slugs that were gone before it started.
"""

import base64
import binascii
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement
from sqlmodel import Session, and_, col, exists, func, or_, select

from app.articles.models import Article
from app.articles.visibility import visible
from app.changes.models import ArticleChange
from app.changes.schemas import ChangeEntry
from app.core.cursors import MAX_INT_KEY, MAX_ROW_ID, NOT_ISSUED
from app.core.errors import InvalidParameter

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Position:
    """How far a client has read. `fresh_until`: the newest version when it started from nothing;
    tombstones up to it are of slugs gone before the client had any copy."""

    version: int = 0
    row: int = 0
    live: datetime = EPOCH
    live_row: int = 0
    fresh_until: int = 0

    def encode(self) -> str:
        raw = orjson.dumps([self.version, self.row, self.live.isoformat(), self.live_row, self.fresh_until])
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, cursor: str) -> "Position":
        """Inverse of encode; anything else is a 422 naming `since`."""
        try:
            version, row, live, live_row, fresh_until = orjson.loads(
                base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            )
            numbers = (version, row, live_row, fresh_until)
            if any(type(n) is not int or not 0 <= n <= MAX_INT_KEY for n in numbers) or type(live) is not str:
                raise ValueError
            moment = datetime.fromisoformat(live)
            if moment.tzinfo is None:
                raise ValueError
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
            raise InvalidParameter("since", NOT_ISSUED) from None
        return cls(version, row, moment.astimezone(UTC), live_row, fresh_until)


@dataclass
class ChangesRead:
    entries: list[ChangeEntry]
    next: Position
    has_more: bool


def _after(first: Any, second: Any, key: tuple[Any, int]) -> ColumnElement[bool]:
    """Rows after `key` in (first, second) order; a keyset that stays stable under inserts."""
    return and_(first >= key[0], or_(first > key[0], second > key[1]))


def read_changes(session: Session, cursor: str | None, *, now: datetime, limit: int, api_url: str) -> ChangesRead:
    """One page of the feed after `cursor` (opened, not sealed), and where the next page starts."""
    if cursor is None:
        newest = session.exec(select(func.max(ArticleChange.version))).one()
        position = Position(fresh_until=newest or 0)
    else:
        position = Position.decode(cursor)
    version, row_id, live_at = col(ArticleChange.version), col(ArticleChange.id), col(ArticleChange.live_at)
    holder = col(Article.slug) == col(ArticleChange.slug)
    # Read before the go-lives: one going live in between is then still ahead of the position it makes.
    released = session.exec(select(func.max(live_at)).where(live_at <= now)).one()

    golives: list[Any] = []
    if (position.version, position.row) > (0, 0):
        # The slug's holder is looked up per row, so the walk follows the live_at index at any size.
        holder_public = select(Article.id).where(holder, visible(now))
        golives = list(
            session.exec(
                select(ArticleChange, select(Article.updated_at).where(holder).scalar_subquery())
                .where(
                    exists(holder_public),
                    live_at <= now,
                    _after(live_at, row_id, (position.live, position.live_row)),
                    # Rows ahead of the write position come when the write walk reaches them.
                    ~_after(version, row_id, (position.version, position.row)),
                )
                .order_by(live_at, row_id)
                .limit(limit + 1)
            ).all()
        )
    entries = [_upsert(row, updated_at, api_url) for row, updated_at in golives[:limit]]
    if len(golives) > limit:
        last = golives[limit - 1][0]
        return ChangesRead(entries, replace(position, live=last.live_at, live_row=last.id), has_more=True)
    if released is not None and (released, MAX_ROW_ID) > (position.live, position.live_row):
        position = replace(position, live=released, live_row=MAX_ROW_ID)

    room = limit - len(entries)
    shown = and_(col(Article.id).is_not(None), visible(now))
    writes = session.exec(
        select(ArticleChange, Article.updated_at, shown)
        .outerjoin(Article, holder)
        .where(
            _after(version, row_id, (position.version, position.row)),
            or_(col(ArticleChange.was_public), shown),
            or_(shown, version > position.fresh_until),
        )
        .order_by(version, row_id)
        .limit(room + 1)
    ).all()
    for row, updated_at, public in writes[:room]:
        entries.append(_upsert(row, updated_at, api_url) if public else _tombstone(row))
        position = replace(position, version=row.version, row=row.id)
    return ChangesRead(entries, position, has_more=len(writes) > room)


def _upsert(row: ArticleChange, updated_at: datetime, api_url: str) -> ChangeEntry:
    changed_at = max(row.changed_at, row.live_at) if row.live_at is not None else row.changed_at
    return ChangeEntry(
        kind="upsert",
        slug=row.slug,
        former_slug=row.former_slug,
        changed_at=changed_at,
        updated_at=updated_at,
        url=f"{api_url}/articles/{row.slug}",
    )


def _tombstone(row: ArticleChange) -> ChangeEntry:
    return ChangeEntry(
        kind="tombstone", slug=row.slug, former_slug=None, changed_at=row.changed_at, updated_at=None, url=None
    )

"""Cached counts (list totals, articles per author, section or tag), cheap at a million articles.

A count stays true while two things hold: no content was written (the content version is
unchanged) and no article has gone live or out of embargo by itself (the next such times
are unchanged).
One indexed query checks both; the count itself runs only when either moved.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ScalarSelect
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select

from app.articles.models import Article
from app.caching.content_version import ContentVersion
from app.metrics.counters import CACHE_LOOKUPS

T = TypeVar("T")


def _next_change(column: Mapped[datetime | None], now: datetime) -> ScalarSelect[datetime | None]:
    """When the next article goes live or out of embargo by itself."""
    return select(func.min(column)).where(Article.status == "published", column > now).scalar_subquery()


class ContentCache:
    def __init__(self, max_entries: int = 4096) -> None:
        self._entries: OrderedDict[Hashable, tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, session: Session, key: Hashable, compute: Callable[[], T], *, now: datetime) -> T:
        state = tuple(
            session.exec(
                select(
                    ContentVersion.version,
                    _next_change(col(Article.published_at), now),
                    _next_change(col(Article.embargo_until), now),
                ).where(ContentVersion.id == 1)
            ).one()
        )
        with self._lock:
            cached = self._entries.get(key)
            if cached and cached[0] == state:
                self._entries.move_to_end(key)
                CACHE_LOOKUPS.labels("hit").inc()
                return cast(T, cached[1])
        CACHE_LOOKUPS.labels("miss").inc()
        value = compute()
        with self._lock:
            self._entries[key] = (state, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

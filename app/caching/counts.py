"""Cached counts (list totals, articles per author, section or tag) and related-article lists,
computed once per worker for as long as they stay true: cheap at a million articles.

A value stays true while two things hold: no content was written (the content version is
unchanged) and no article has gone live or out of embargo by itself (the next such times
are unchanged).
One indexed query checks both; the value is computed again only when either moved.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlmodel import Session, col

from app.caching.content_version import ContentVersion
from app.caching.releases import NOW, Releases
from app.metrics.counters import CACHE_LOOKUPS

T = TypeVar("T")


class ContentCache:
    def __init__(self, releases: Releases, max_entries: int = 4096) -> None:
        self._state = select(col(ContentVersion.version), *releases.next(NOW)).where(col(ContentVersion.id) == 1)
        self._entries: OrderedDict[Hashable, tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, session: Session, key: Hashable, compute: Callable[[], T], *, now: datetime) -> T:
        state: tuple[Any, ...] = tuple(session.execute(self._state, {"now": now}).one())
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

"""Cached totals for article lists, so `meta.total` stays cheap at a million articles.

A count stays true while two things hold: no content was written (the content version is
unchanged) and no scheduled article has gone live (the next scheduled time is unchanged).
One indexed query checks both; the count itself runs only when either moved.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.articles.models import Article
from app.content_version import ContentVersion


class ListTotals:
    def __init__(self, max_entries: int = 4096) -> None:
        self._entries: OrderedDict[Hashable, tuple[tuple, int]] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def total(self, session: Session, key: Hashable, count: Callable[[], int], *, now: datetime) -> int:
        next_live = (
            select(func.min(Article.published_at))
            .where(Article.status == "published", Article.published_at > now)
            .scalar_subquery()
        )
        state = tuple(session.exec(select(ContentVersion.version, next_live).where(ContentVersion.id == 1)).one())
        with self._lock:
            cached = self._entries.get(key)
            if cached and cached[0] == state:
                self._entries.move_to_end(key)
                return cached[1]
        value = count()
        with self._lock:
            self._entries[key] = (state, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

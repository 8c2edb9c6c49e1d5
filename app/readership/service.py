"""Most read: the visible articles with the most views in a rolling window, and the article a
beacon names, held in each worker's memory while no write or release moves the content state."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.articles import service as articles
from app.articles.errors import ArticleNotFound
from app.articles.models import Article
from app.articles.visibility import visible
from app.core.settings import Settings
from app.readership.counter import WINDOWS, ViewCounter, is_bot, minute_of
from app.readership.models import ArticleViews
from app.readership.schemas import MostRead, MostReadEntry, Window
from app.taxonomy.errors import SectionNotFound
from app.taxonomy.models import Section
from app.web.state import AppState, StateKey


def ranking(
    session: Session, *, now: datetime, window: Window, section: str | None, limit: int
) -> list[tuple[int, int]]:
    """(article id, views) of the most read articles readers may see now, most first."""
    views = func.sum(ArticleViews.views).label("views")
    query = (
        select(ArticleViews.article_id, views)
        .join(Article, col(Article.id) == ArticleViews.article_id)
        .where(col(ArticleViews.minute) >= minute_of(now - WINDOWS[window]), visible(now))
    )
    if section is not None:
        query = query.join(Section, col(Section.id) == Article.section_id).where(Section.slug == section)
    query = query.group_by(col(ArticleViews.article_id)).order_by(views.desc(), col(ArticleViews.article_id))
    return [(article_id, int(total)) for article_id, total in session.exec(query.limit(limit)).all()]


def most_read(
    session: Session, *, now: datetime, window: Window, section: str | None, limit: int, public_counts: bool
) -> MostRead:
    if section is not None and session.exec(select(Section.id).where(Section.slug == section)).first() is None:
        raise SectionNotFound(f"No section has the slug '{section}'.", slug=section)
    ranked = ranking(session, now=now, window=window, section=section, limit=limit)
    views = dict(ranked)
    shown = articles.summaries(session, [article_id for article_id, _ in ranked], now=now)
    ids = dict(session.exec(select(Article.slug, Article.id).where(col(Article.id).in_(views))).all())
    return MostRead(
        window=window,
        section=section,
        data=[
            MostReadEntry(article=summary, views=views[ids[summary.slug]] if public_counts else None)
            for summary in shown
        ],
    )


# What `ShortLived.peek` answers when it holds nothing current.
UNKNOWN = object()


class ShortLived:
    """Values kept for `seconds`, or until the content state they were computed under moves."""

    def __init__(self, seconds: float, max_entries: int = 1024) -> None:
        self._seconds = seconds
        self._max = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Hashable, state: Hashable) -> Any:
        """The value held for `key` if still current under `state`, else UNKNOWN."""
        with self._lock:
            held = self._entries.get(key)
        if held is not None and state is not None and held[1] == state and held[0] > time.monotonic():
            return held[2]
        return UNKNOWN

    def get(self, key: Hashable, state: Hashable, compute: Callable[[], Any]) -> Any:
        value = self.peek(key, state)
        if value is not UNKNOWN:
            return value
        at = time.monotonic()
        value = compute()
        with self._lock:
            self._entries[key] = (at + self._seconds, state, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value


def public_article_id(session: Session, slug: str, now: datetime) -> int | None:
    return session.exec(select(Article.id).where(Article.slug == slug, visible(now))).first()


def state_token(state: AppState, now: datetime) -> Hashable:
    """What the worker's copies are checked against: any write or release moves it; None when unknown."""
    content = state.content_watch.current(now)
    return content.token if content is not None else None


def beacon(
    part: "Readership", slug: str, *, address: str, user_agent: str | None, now: datetime, state: Hashable
) -> bool:
    """Count a beacon from what the worker holds, touching no database: False when the article's
    id is not held under `state` and must be looked up first. A crawler's beacon is ignored; one
    for an article readers cannot see is a 404, too many from the address a 429."""
    if is_bot(user_agent):
        return True
    article_id = part.articles.peek(slug, state)
    if article_id is UNKNOWN:
        return False
    if article_id is None:
        raise ArticleNotFound(f"No published article has the slug '{slug}'.", slug=slug)
    part.counter.view(article_id, address, now)
    return True


@dataclass
class Readership:
    """A worker's part of most read: its counts since the last flush, and what it answers from memory."""

    counter: ViewCounter
    # Article slug -> id of a public article (or None), for beacons.
    articles: ShortLived


def readership(settings: Settings) -> Readership:
    return Readership(ViewCounter(settings), ShortLived(300, 100_000))


READERSHIP: StateKey[Readership] = StateKey("readership")

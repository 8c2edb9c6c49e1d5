"""What a write to articles tells the rest of the newsroom, inside the writing transaction. The
search index, related articles' term vectors and the change feed keep in step by subscribing here
(app.wiring installs them), so the article services import none of them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import orjson
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.articles.models import Article
from app.articles.visibility import is_public


@dataclass(frozen=True)
class Seen:
    """An article as readers saw it before a write: its slug, whether they could read it, and its
    text (what the search index and term vectors are made of)."""

    slug: str
    public: bool
    text: bytes


def text_of(article: Article) -> bytes:
    """The article's title, dek and body as stored: equal before and after a write that left its text alone."""
    return orjson.dumps([article.title, article.subtitle, article.body])


def seen(article: Article, now: datetime) -> Seen:
    return Seen(article.slug, is_public(article, now), text_of(article))


class ArticleWrites(Protocol):
    def written(self, session: Session, article: Article, before: Seen | None, *, now: datetime) -> None:
        """One article was added (`before` is None) or changed; flushed, not committed."""

    def deleted(self, session: Session, article: Article, before: Seen, *, now: datetime) -> None:
        """One article is about to be deleted in this transaction."""

    def created(self, session: Session, articles: list[Article], *, now: datetime) -> None:
        """Many new articles at once (bulk imports), inserted but for what subscribers derive."""

    def touched(self, session: Session, article_ids: SelectOfScalar[int], *, now: datetime) -> None:
        """Something these articles embed changed (a byline, a section, a tag)."""


class NotWired(RuntimeError):
    """An article was written before any entry point installed the subscribers: what they keep
    (search entries, the change feed) would silently fall behind."""


_subscribers: tuple[ArticleWrites, ...] = ()


def subscribe(*subscribers: ArticleWrites) -> None:
    """The same subscribers for every entry point, so subscribing again changes nothing."""
    global _subscribers
    _subscribers = subscribers


def _wired() -> tuple[ArticleWrites, ...]:
    if not _subscribers:
        raise NotWired("call app.wiring.install_write_hooks() before writing articles")
    return _subscribers


def written(session: Session, article: Article, before: Seen | None, *, now: datetime) -> None:
    for subscriber in _wired():
        subscriber.written(session, article, before, now=now)


def deleted(session: Session, article: Article, before: Seen, *, now: datetime) -> None:
    for subscriber in _wired():
        subscriber.deleted(session, article, before, now=now)


def created(session: Session, articles: list[Article], *, now: datetime) -> None:
    for subscriber in _wired():
        subscriber.created(session, articles, now=now)


def touched(session: Session, article_ids: SelectOfScalar[int], *, now: datetime) -> None:
    for subscriber in _wired():
        subscriber.touched(session, article_ids, now=now)

"""Keeping the change feed's rows in step with article writes, inside the writing transaction."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.articles.models import Article
from app.articles.visibility import is_public, live_at, visible
from app.articles.written import Seen, seen
from app.caching import content_version, keys
from app.changes.models import ArticleChange
from app.db.columns import core_table
from app.db.engines import bulk_insert


def _row(session: Session, slug: str) -> ArticleChange | None:
    return session.exec(select(ArticleChange).where(ArticleChange.slug == slug)).first()


def _mark_changed(session: Session, row: ArticleChange, *, now: datetime) -> None:
    """Readers' view of this slug changed in this transaction: it moves to the feed's end."""
    row.version = content_version.bump(session, keys.CHANGES)
    row.changed_at = now
    session.add(row)


def article_written(session: Session, before: Seen | None, article: Article | None, *, now: datetime) -> None:
    """After a write to one article: `before` is how readers saw it (None: it is new), `article` its
    state now (None: deleted). Only what readers could see moves a row in the feed: a draft's edits,
    or a slug nobody ever saw, never show there."""
    after = seen(article, now) if article is not None else None
    if before is not None and (after is None or after.slug != before.slug):
        _left(session, before, now=now)
    if article is not None and after is not None:
        _held(session, article, before, after, now=now)


def articles_created(session: Session, articles: list[Article], *, now: datetime) -> None:
    """`article_written` for many new articles at once (bulk imports): one row each, in one statement
    but for the rare slug that readers once saw under an article since deleted."""
    if not articles:
        return
    known = set(session.exec(select(ArticleChange.slug).where(col(ArticleChange.slug).in_([a.slug for a in articles]))))
    public = {article.id for article in articles if is_public(article, now)}
    # New rows of one write share its version; only public ones are news to the feed's readers.
    version = content_version.bump(session, keys.CHANGES) if public else content_version.bump(session)
    rows = []
    for article in articles:
        if article.slug in known:
            _held(session, article, None, seen(article, now), now=now)
            continue
        rows.append(
            {
                "slug": article.slug,
                "version": version,
                "changed_at": now,
                "was_public": article.id in public,
                "former_slug": None,
                "live_at": live_at(article),
            }
        )
    bulk_insert(session.connection(), core_table(ArticleChange), rows)


def _left(session: Session, before: Seen, *, now: datetime) -> None:
    """The article no longer holds this slug (renamed or deleted)."""
    row = _row(session, before.slug)
    if before.public:
        row = row or ArticleChange(slug=before.slug, version=0, changed_at=now)
        row.was_public, row.former_slug, row.live_at = True, None, None
        _mark_changed(session, row, now=now)
    elif row is not None and row.was_public:
        # Already gone from readers' view; nothing new for them to learn.
        row.live_at = None
    elif row is not None:
        session.delete(row)


def _held(session: Session, article: Article, before: Seen | None, after: Seen, *, now: datetime) -> None:
    row = _row(session, after.slug)
    if row is None:
        # Every slug an article holds has its row, so its go-live needs no write to be found.
        row = ArticleChange(slug=after.slug, version=content_version.bump(session), changed_at=now)
        session.add(row)
    row.live_at = live_at(article)
    if before is None or before.slug != after.slug:
        # The slug changed hands: only a public rename says where readers' copy went.
        row.former_slug = before.slug if before is not None and before.public and after.public else None
    if after.public:
        row.was_public = True
        _mark_changed(session, row, now=now)
    elif before is not None and before.public and before.slug == after.slug:
        _mark_changed(session, row, now=now)


def articles_touched(session: Session, article_ids: SelectOfScalar[int], *, now: datetime) -> None:
    """Something these articles embed changed (a byline, a section, a tag): readers' copies of the
    public ones are stale."""
    public_slugs = select(Article.slug).where(col(Article.id).in_(article_ids), visible(now))
    session.execute(
        update(ArticleChange)
        .where(col(ArticleChange.slug).in_(public_slugs))
        .values(version=content_version.bump(session, keys.CHANGES), changed_at=now, was_public=True)
    )


class ChangeFeed:
    """Keeps the change feed in step with every article write (app.articles.written)."""

    def written(self, session: Session, article: Article, before: Seen | None, *, now: datetime) -> None:
        article_written(session, before, article, now=now)

    def deleted(self, session: Session, article: Article, before: Seen, *, now: datetime) -> None:
        article_written(session, before, None, now=now)

    def created(self, session: Session, articles: list[Article], *, now: datetime) -> None:
        articles_created(session, articles, now=now)

    def touched(self, session: Session, article_ids: SelectOfScalar[int], *, now: datetime) -> None:
        articles_touched(session, article_ids, now=now)

"""Keeping what is derived from an article's text in step with it: its search entry, its term vector, and
the mark that it needs (re)embedding."""

from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.articles.models import Article
from app.articles.text import entry_of
from app.articles.written import Seen, text_of
from app.caching import content_version, keys
from app.related import vectors
from app.related.semantic import pending
from app.search.fulltext import index_for


def index_article(session: Session, article: Article) -> None:
    """Every write path calls this inside its transaction."""
    entry = entry_of(article)
    index_for(session).store(session, [entry])
    vectors.store_vector(session, entry)
    pending.mark(session, entry)


def index_new_articles(session: Session, articles: list[Article]) -> None:
    """index_article for a batch of articles just inserted, in a few statements for them all."""
    entries = [entry_of(article) for article in articles]
    if entries:
        index_for(session).store(session, entries)
        vectors.add_counted_vectors(session, entries)
        pending.mark_new(session, entries)


def unindex_article(session: Session, article_id: int) -> None:
    index_for(session).remove(session, article_id)
    vectors.forget_vector(session, article_id)


class ArticleText:
    """Keeps the derived text in step with every article write (app.articles.written)."""

    def written(self, session: Session, article: Article, before: Seen | None, *, now: datetime) -> None:
        if before is None:
            # Nothing derived from it yet to look up and replace.
            index_new_articles(session, [article])
        elif before.text != text_of(article):
            # An edit of the excerpt, tags or times leaves the text, and so everything made of it, as it was.
            index_article(session, article)

    def deleted(self, session: Session, article: Article, before: Seen, *, now: datetime) -> None:
        unindex_article(session, article.id)

    def created(self, session: Session, articles: list[Article], *, now: datetime) -> None:
        index_new_articles(session, articles)

    def touched(self, session: Session, article_ids: SelectOfScalar[int], *, now: datetime) -> None:
        return  # a byline, section or tag is no part of an article's text


def reindex(session: Session, *, batch: int = 500, related: bool = True) -> int:
    """Rebuild every article's search entry and term vector from nothing, a batch at a time; for
    upgrades and bulk loads. Without `related`, only the search index (term vectors untouched)."""
    index = index_for(session)
    index.clear(session)
    if related:
        vectors.clear_vectors(session)
    ids = list(session.exec(select(Article.id).order_by(col(Article.id))).all())
    for start in range(0, len(ids), batch):
        entries = []
        for article in session.exec(select(Article).where(col(Article.id).in_(ids[start : start + batch]))).all():
            entries.append(entry_of(article))
            session.expunge(article)
        if entries:
            index.store(session, entries)
            if related:
                vectors.add_vectors(session, entries)
    if related:
        vectors.recount_documents(session)
    # Related lists are built from the term vectors.
    content_version.bump(session, keys.ARTICLES)
    return len(ids)

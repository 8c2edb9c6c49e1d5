"""Author queries and changes."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, update
from sqlmodel import Session, and_, col, exists, or_, select

from app import content_version
from app.articles.models import Article, ArticleAuthor
from app.articles.visibility import PUBLIC, Reader, visible
from app.authors.errors import AuthorHasArticles, AuthorNotFound, AuthorSlugTaken
from app.authors.models import Author
from app.authors.schemas import AuthorCreate, AuthorPublic, AuthorUpdate
from app.caching import require_current
from app.content_cache import ContentCache
from app.directories import Directory, DirectoryPage
from app.http_cache import keys

AUTHORS = Directory(Author, not_found=AuthorNotFound, slug_taken=AuthorSlugTaken)


def authors_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, Author]:
    rows = session.exec(select(Author).where(col(Author.slug).in_(set(slugs)))).all()
    return {author.slug: author for author in rows}


def _listed_for(reader: Reader, now: datetime) -> ColumnElement[bool] | None:
    """An author whose every byline is on unpublished articles would give those stories away."""
    if reader.preview:
        return None
    has_bylines = exists().where(col(ArticleAuthor.author_id) == Author.id)
    has_visible = exists().where(
        col(ArticleAuthor.author_id) == Author.id, col(ArticleAuthor.article_id) == Article.id, visible(now, reader)
    )
    return or_(~has_bylines, has_visible)


def get_author(session: Session, slug: str, *, now: datetime, reader: Reader = PUBLIC) -> Author:
    return AUTHORS.get(session, slug, where=_listed_for(reader, now))


def article_counts(session: Session, authors: list[Author], *, now: datetime, cache: ContentCache) -> dict[int, int]:
    """Visible articles per author, for a whole page of authors in one query."""
    author_ids = [author.id for author in authors]

    def count() -> dict[int, int]:
        query = (
            select(ArticleAuthor.author_id, func.count())
            .join(Article, col(Article.id) == ArticleAuthor.article_id)
            .where(col(ArticleAuthor.author_id).in_(author_ids), visible(now))
        )
        return dict(session.exec(query.group_by(col(ArticleAuthor.author_id))).all())

    return cache.get(session, ("author-counts", tuple(author_ids)), count, now=now)


def authors_page(
    session: Session,
    *,
    limit: int,
    cursor: str | None,
    now: datetime,
    cache: ContentCache,
    prefix: str | None = None,
    reader: Reader = PUBLIC,
) -> DirectoryPage[Author]:
    conditions = [
        c for c in (AUTHORS.prefix_condition(prefix) if prefix else None, _listed_for(reader, now)) if c is not None
    ]
    where = and_(*conditions) if conditions else None
    page = AUTHORS.page(
        session, limit=limit, cursor=cursor, now=now, cache=cache, where=where, cache_key=(prefix, reader)
    )
    page.article_counts = article_counts(session, page.entries, now=now, cache=cache)
    return page


def add_author(session: Session, data: AuthorCreate, *, now: datetime) -> Author:
    author = Author(
        slug=AUTHORS.new_slug(session, data.slug, data.name),
        name=data.name,
        role=data.role,
        bio=data.bio,
        avatar_url=data.avatar_url,
        links=[link.model_dump() for link in data.links],
        created_at=now,
        updated_at=now,
    )
    session.add(author)
    session.flush()
    content_version.bump(session, keys.AUTHORS)
    return author


def create_author(session: Session, data: AuthorCreate, *, now: datetime) -> Author:
    author = add_author(session, data, now=now)
    session.commit()
    return author


def _unchanged_since_read(
    session: Session, slug: str, *, now: datetime, cache: ContentCache, if_match: str | None
) -> Author:
    """The author to change, as long as If-Match still names what the caller read."""
    author = AUTHORS.get(session, slug)
    require_current(if_match, AuthorPublic.from_row(author, article_counts(session, [author], now=now, cache=cache)))
    return author


def update_author(
    session: Session, slug: str, data: AuthorUpdate, *, now: datetime, cache: ContentCache, if_match: str | None = None
) -> Author:
    author = _unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
    bylines = select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author.id)
    return AUTHORS.change(session, author, data, articles=bylines, now=now)


def delete_author(
    session: Session,
    slug: str,
    *,
    reassign_to: str | None,
    now: datetime,
    cache: ContentCache,
    if_match: str | None = None,
) -> None:
    """Remove an author; their bylines pass to `reassign_to`, or the deletion is refused."""
    author = _unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
    bylines = select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author.id)

    def hand_over(heir: Author) -> None:
        shared = select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == heir.id)
        # Where both are on the byline, the heir keeps their place; elsewhere they take this author's.
        leaving = col(ArticleAuthor.author_id) == author.id
        session.execute(delete(ArticleAuthor).where(leaving, col(ArticleAuthor.article_id).in_(shared)))
        session.execute(update(ArticleAuthor).where(leaving).values(author_id=heir.id))

    AUTHORS.remove(
        session,
        author,
        reassign_to=reassign_to,
        articles=bylines,
        still_used=AuthorHasArticles,
        hand_over=hand_over,
        now=now,
    )

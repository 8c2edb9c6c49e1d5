"""Author queries and changes."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from app.articles.models import Article, ArticleAuthor
from app.articles.touch import touch_articles
from app.articles.visibility import visible
from app.authors.errors import AuthorHasArticles, AuthorNotFound, AuthorSlugTaken
from app.authors.models import Author
from app.authors.schemas import AuthorCreate, AuthorPublic, AuthorUpdate
from app import content_version
from app.caching import require_current
from app.content_cache import ContentCache
from app.errors import InvalidField
from app.pagination import count_rows, name_prefix_condition, page_by_name
from app.slugs import slugify


def authors_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, Author]:
    rows = session.exec(select(Author).where(Author.slug.in_(set(slugs)))).all()
    return {author.slug: author for author in rows}


def get_author(session: Session, slug: str) -> Author:
    author = session.exec(select(Author).where(Author.slug == slug)).first()
    if author is None:
        raise AuthorNotFound(f"No author has the slug '{slug}'.", slug=slug)
    return author


def _article_counts(session: Session, author_ids: list[int], *, now: datetime, cache: ContentCache) -> dict[int, int]:
    """Visible articles per author, for a whole page of authors in one query."""

    def count() -> dict[int, int]:
        query = (
            select(ArticleAuthor.author_id, func.count())
            .join(Article, Article.id == ArticleAuthor.article_id)
            .where(ArticleAuthor.author_id.in_(author_ids), visible(now))
        )
        return dict(session.exec(query.group_by(ArticleAuthor.author_id)).all())

    return cache.get(session, ("author-counts", tuple(author_ids)), count, now=now)


def authors_page(
    session: Session, *, limit: int, cursor: str | None, now: datetime, cache: ContentCache, prefix: str | None = None
):
    where = name_prefix_condition(Author, prefix) if prefix else None
    page, next_cursor = page_by_name(session, Author, limit=limit, cursor=cursor, where=where)
    total = cache.get(session, ("author-total", prefix), lambda: count_rows(session, Author, where), now=now)
    counts = _article_counts(session, [author.id for author in page], now=now, cache=cache)
    return [AuthorPublic.from_author(author, counts.get(author.id, 0)) for author in page], total, next_cursor


def _free_slug(session: Session, slug: str, *, current: Author | None = None) -> str:
    owner = session.exec(select(Author).where(Author.slug == slug)).first()
    if owner is not None and owner is not current:
        raise AuthorSlugTaken(f"The slug '{slug}' belongs to another author.", slug=slug)
    return slug


def add_author(session: Session, data: AuthorCreate, *, now: datetime) -> Author:
    author = Author(
        slug=_free_slug(session, data.slug or slugify(data.name) or "author"),
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
    content_version.bump(session)
    return author


def create_author(session: Session, data: AuthorCreate, *, now: datetime) -> Author:
    author = add_author(session, data, now=now)
    session.commit()
    return author


def author_public(session: Session, author: Author, *, now: datetime, cache: ContentCache) -> AuthorPublic:
    return AuthorPublic.from_author(author, _article_counts(session, [author.id], now=now, cache=cache).get(author.id, 0))


def update_author(
    session: Session, slug: str, data: AuthorUpdate, *, now: datetime, cache: ContentCache, if_match: str | None = None
) -> Author:
    author = get_author(session, slug)
    require_current(if_match, author_public(session, author, now=now, cache=cache))
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name", "") is None:
        raise InvalidField("#/name", "name cannot be null.")
    if changes.get("slug"):
        _free_slug(session, changes["slug"], current=author)
    if "links" in changes:
        changes["links"] = changes["links"] or []
    author.sqlmodel_update({key: value for key, value in changes.items() if key != "slug" or value})
    author.updated_at = now
    session.add(author)
    touch_articles(session, select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author.id), now=now)
    content_version.bump(session)
    session.commit()
    return author


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
    author = get_author(session, slug)
    require_current(if_match, author_public(session, author, now=now, cache=cache))
    bylines = select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author.id)
    if reassign_to is None:
        if session.exec(bylines.limit(1)).first() is not None:
            raise AuthorHasArticles(
                f"'{slug}' still has articles; pass reassign_to=<author slug> to hand them over.", slug=slug
            )
    else:
        heir = get_author(session, reassign_to)
        if heir.id == author.id:
            raise InvalidField("#/reassign_to", "An author cannot be reassigned to themselves.")
        touch_articles(session, bylines, now=now)
        shared = select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == heir.id)
        # Where both are on the byline, the heir keeps their place; elsewhere they take this author's.
        session.execute(
            delete(ArticleAuthor).where(ArticleAuthor.author_id == author.id, ArticleAuthor.article_id.in_(shared))
        )
        session.execute(update(ArticleAuthor).where(ArticleAuthor.author_id == author.id).values(author_id=heir.id))
    session.delete(author)
    content_version.bump(session)
    session.commit()

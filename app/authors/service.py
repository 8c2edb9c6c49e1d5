"""Author queries and creation."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.articles.models import Article, ArticleAuthor
from app.authors.errors import AuthorNotFound
from app.authors.models import Author
from app.authors.schemas import AuthorCreate
from app.articles.visibility import visible
from app.pagination import page_by_name
from app.slugs import slugify


def authors_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, Author]:
    rows = session.exec(select(Author).where(Author.slug.in_(set(slugs)))).all()
    return {author.slug: author for author in rows}


def get_author(session: Session, slug: str) -> Author:
    author = session.exec(select(Author).where(Author.slug == slug)).first()
    if author is None:
        raise AuthorNotFound(f"No author has the slug '{slug}'.", slug=slug)
    return author


def article_counts(session: Session, author_ids: list[int], *, now: datetime) -> dict[int, int]:
    """Visible articles per author, for a whole page of authors in one query."""
    rows = session.exec(
        select(ArticleAuthor.author_id, func.count())
        .join(Article, Article.id == ArticleAuthor.article_id)
        .where(ArticleAuthor.author_id.in_(author_ids), visible(now))
        .group_by(ArticleAuthor.author_id)
    ).all()
    return dict(rows)


def list_authors(session: Session, *, limit: int, cursor: str | None) -> tuple[list[Author], int, str | None]:
    return page_by_name(session, Author, limit=limit, cursor=cursor)


def add_author(session: Session, data: AuthorCreate, *, now: datetime) -> Author:
    author = Author(
        slug=data.slug or slugify(data.name),
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
    return author

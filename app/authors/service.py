"""Finding authors: the bylines an article names, by slug."""

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.authors.models import Author


def authors_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, Author]:
    rows = session.exec(select(Author).where(col(Author.slug).in_(set(slugs)))).all()
    return {author.slug: author for author in rows}

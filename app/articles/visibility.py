"""Who may read which article, as SQL conditions every listing and count shares."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, or_, true

from app.articles.models import Article


@dataclass(frozen=True)
class Reader:
    """What the caller's key allows beyond the public report."""

    preview: bool = False  # drafts, scheduled and archived articles
    embargoed: bool = False  # articles whose embargo has not lifted


PUBLIC = Reader()
# Editors work on every article, whatever its status or embargo.
EDITOR = Reader(preview=True, embargoed=True)


def visible(now: datetime | ColumnElement[datetime], reader: Reader = PUBLIC) -> ColumnElement[bool]:
    """Readers see published articles whose time has come and whose embargo has lifted;
    both happen by themselves at their time, with no job flipping a flag."""
    if reader.preview:
        return true()
    published = and_(Article.status == "published", col(Article.published_at) <= now)
    if reader.embargoed:
        return published
    return and_(published, or_(col(Article.embargo_until).is_(None), col(Article.embargo_until) <= now))

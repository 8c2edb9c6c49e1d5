"""Who may read which article, as SQL conditions every listing and count shares."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case
from sqlmodel import and_, col, or_, select, true

from app.articles.models import Article
from app.caching.releases import Releases
from app.taxonomy.models import Section


@dataclass(frozen=True)
class Reader:
    """What the caller's key allows beyond the public report."""

    preview: bool = False  # drafts, scheduled and archived articles
    embargoed: bool = False  # articles whose embargo has not lifted
    # Section slugs a section-bound person sees the above in; None for every section.
    sections: frozenset[str] | None = None


PUBLIC = Reader()


def editor(*, embargoed: bool, sections: frozenset[str] | None = None) -> Reader:
    """Editors work on drafts, scheduled and archived articles (of their sections, if bound to some);
    embargoed ones only with `content:embargo`."""
    return Reader(preview=True, embargoed=embargoed, sections=sections)


def visible(now: datetime | ColumnElement[datetime], reader: Reader = PUBLIC) -> ColumnElement[bool]:
    """Readers see published articles whose time has come and whose embargo has lifted;
    both happen by themselves at their time, with no job flipping a flag. An embargo holds for
    every status: only `content:embargo` sees behind it, drafts included."""
    conditions = []
    if not reader.preview:
        conditions.append(and_(Article.status == "published", col(Article.published_at) <= now))
    if not reader.embargoed:
        conditions.append(or_(col(Article.embargo_until).is_(None), col(Article.embargo_until) <= now))
    seen = and_(*conditions) if conditions else true()
    if reader.sections is None or reader == Reader(sections=reader.sections):
        return seen
    # Beyond the public report, a section-bound person sees only their sections' work.
    theirs = col(Article.section_id).in_(select(Section.id).where(col(Section.slug).in_(sorted(reader.sections))))
    return or_(visible(now), and_(seen, theirs))


# Published articles show by themselves at their publication time and when their embargo lifts.
RELEASES = Releases.of(col(Article.status) == "published", col(Article.published_at), col(Article.embargo_until))


def live_at(article: Article) -> datetime | None:
    """When a published article is (or was) first readable by everyone: its time, or its embargo's end if later."""
    if article.status != "published" or article.published_at is None:
        return None
    if article.embargo_until is not None and article.embargo_until > article.published_at:
        return article.embargo_until
    return article.published_at


def changed_for_readers(article: Article) -> datetime:
    """When readers last saw the article change: its last edit, or its going live if that came later
    (a scheduled or embargoed article is written before it appears)."""
    return max(article.updated_at, live_at(article) or article.updated_at)


def changed_for_readers_column() -> ColumnElement[datetime]:
    """`changed_for_readers` in SQL, for articles `visible` selects (published, so with a time)."""
    embargo, published_at, updated = col(Article.embargo_until), col(Article.published_at), col(Article.updated_at)
    live = case((embargo > published_at, embargo), else_=published_at)
    return case((live > updated, live), else_=updated)


def is_public(article: Article, now: datetime) -> bool:
    """`visible(now)` for the public, decided on a loaded article."""
    moment = live_at(article)
    return moment is not None and moment <= now


def published(now: datetime, reader: Reader) -> ColumnElement[bool]:
    """Live articles this reader may see: the public report, plus embargoed ones for `content:embargo`."""
    return visible(now, Reader(embargoed=reader.embargoed, sections=reader.sections))

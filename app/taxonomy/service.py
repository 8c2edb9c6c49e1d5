"""Section and tag queries, and creating tags on the fly from their names."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.articles.models import Article, ArticleTag
from app.articles.visibility import visible
from app.pagination import page_by_name
from app.slugs import slugify
from app.taxonomy.errors import SectionNotFound, TagNotFound
from app.taxonomy.models import Section, Tag


def section_by_slug(session: Session, slug: str) -> Section | None:
    return session.exec(select(Section).where(Section.slug == slug)).first()


def tags_for_names(session: Session, names: Iterable[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones; names that slugify alike are one tag."""
    wanted: dict[str, str] = {}
    for name in names:
        slug = slugify(name)
        if slug:
            wanted.setdefault(slug, " ".join(name.split()))
    if not wanted:
        return []
    existing = {tag.slug: tag for tag in session.exec(select(Tag).where(Tag.slug.in_(wanted))).all()}
    for slug, name in wanted.items():
        if slug not in existing:
            existing[slug] = Tag(slug=slug, name=name)
            session.add(existing[slug])
    session.flush()
    return [existing[slug] for slug in wanted]


def list_sections(session: Session, *, limit: int, cursor: str | None):
    return page_by_name(session, Section, limit=limit, cursor=cursor)


def list_tags(session: Session, *, limit: int, cursor: str | None):
    return page_by_name(session, Tag, limit=limit, cursor=cursor)


def section_article_counts(session: Session, section_ids: list[int], *, now: datetime) -> dict[int, int]:
    rows = session.exec(
        select(Article.section_id, func.count())
        .where(Article.section_id.in_(section_ids), visible(now))
        .group_by(Article.section_id)
    ).all()
    return dict(rows)


def tag_article_counts(session: Session, tag_ids: list[int], *, now: datetime) -> dict[int, int]:
    rows = session.exec(
        select(ArticleTag.tag_id, func.count())
        .join(Article, Article.id == ArticleTag.article_id)
        .where(ArticleTag.tag_id.in_(tag_ids), visible(now))
        .group_by(ArticleTag.tag_id)
    ).all()
    return dict(rows)


def get_section(session: Session, slug: str) -> Section:
    section = section_by_slug(session, slug)
    if section is None:
        raise SectionNotFound(f"No section has the slug '{slug}'.", slug=slug)
    return section


def get_tag(session: Session, slug: str) -> Tag:
    tag = session.exec(select(Tag).where(Tag.slug == slug)).first()
    if tag is None:
        raise TagNotFound(f"No tag has the slug '{slug}'.", slug=slug)
    return tag

"""Sections and tags: directories with article counts, changes, and tags created from names."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, func, update
from sqlmodel import Session, select

from app.articles.models import Article, ArticleTag
from app.articles.touch import touch_articles
from app.articles.visibility import visible
from app import content_version
from app.caching import require_current
from app.content_cache import ContentCache
from app.errors import InvalidField
from app.pagination import count_rows, name_prefix_condition, page_by_name
from app.slugs import SLUG_MAX_LENGTH, slugify
from app.taxonomy.errors import SectionHasArticles, SectionNotFound, TagNotFound, TaxonomySlugTaken
from app.taxonomy.models import Section, Tag
from app.taxonomy.schemas import SectionCreate, SectionPublic, SectionUpdate, TagCreate, TagPublic, TagUpdate


def section_by_slug(session: Session, slug: str) -> Section | None:
    return session.exec(select(Section).where(Section.slug == slug)).first()


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _tag_named(session: Session, name: str) -> Tag:
    """The tag with this name (ignoring case and spacing), created if missing.

    "C" and "C++" share a slug but not a name: the newer one gets a numbered slug."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].rstrip("-") or "tag"
    candidate, n = base, 1
    while (tag := session.exec(select(Tag).where(Tag.slug == candidate)).first()) is not None:
        if _same_name(tag.name, name):
            return tag
        n += 1
        candidate = f"{base}-{n}"
    tag = session.exec(select(Tag).where(Tag.name == name)).first()
    if tag is None:
        tag = Tag(slug=candidate, name=name)
        session.add(tag)
        session.flush()
    return tag


def tags_for_names(session: Session, names: Iterable[str]) -> list[Tag]:
    """The tags with these names, in order, creating the missing ones."""
    tags: dict[int, Tag] = {}
    for name in names:
        name = " ".join(name.split())
        if name:
            tag = _tag_named(session, name)
            tags.setdefault(tag.id, tag)
    return list(tags.values())


def _section_counts(session: Session, ids: list[int], *, now: datetime, cache: ContentCache) -> dict[int, int]:
    def count() -> dict[int, int]:
        query = select(Article.section_id, func.count()).where(Article.section_id.in_(ids), visible(now))
        return dict(session.exec(query.group_by(Article.section_id)).all())

    return cache.get(session, ("section-counts", tuple(ids)), count, now=now)


def _tag_counts(session: Session, ids: list[int], *, now: datetime, cache: ContentCache) -> dict[int, int]:
    def count() -> dict[int, int]:
        query = (
            select(ArticleTag.tag_id, func.count())
            .join(Article, Article.id == ArticleTag.article_id)
            .where(ArticleTag.tag_id.in_(ids), visible(now))
        )
        return dict(session.exec(query.group_by(ArticleTag.tag_id)).all())

    return cache.get(session, ("tag-counts", tuple(ids)), count, now=now)


def _section_public(section: Section, counts: dict[int, int]) -> SectionPublic:
    return SectionPublic(slug=section.slug, name=section.name, description=section.description, article_count=counts.get(section.id, 0))


def _tag_public(tag: Tag, counts: dict[int, int]) -> TagPublic:
    return TagPublic(slug=tag.slug, name=tag.name, article_count=counts.get(tag.id, 0))


def _in_use(now: datetime):
    # A tag made for a draft or an embargoed story would give the story away.
    return exists().where(ArticleTag.tag_id == Tag.id, ArticleTag.article_id == Article.id, visible(now))


def sections_page(session: Session, *, limit: int, cursor: str | None, now: datetime, cache: ContentCache):
    page, next_cursor = page_by_name(session, Section, limit=limit, cursor=cursor)
    total = cache.get(session, ("section-total",), lambda: count_rows(session, Section), now=now)
    counts = _section_counts(session, [section.id for section in page], now=now, cache=cache)
    return [_section_public(section, counts) for section in page], total, next_cursor


def tags_page(
    session: Session, *, limit: int, cursor: str | None, now: datetime, cache: ContentCache, prefix: str | None = None
):
    """Tags that published articles carry, A to Z."""
    where = and_(_in_use(now), name_prefix_condition(Tag, prefix)) if prefix else _in_use(now)
    page, next_cursor = page_by_name(session, Tag, limit=limit, cursor=cursor, where=where)
    total = cache.get(session, ("tag-total", prefix), lambda: count_rows(session, Tag, where), now=now)
    counts = _tag_counts(session, [tag.id for tag in page], now=now, cache=cache)
    return [_tag_public(tag, counts) for tag in page], total, next_cursor


def get_section(session: Session, slug: str) -> Section:
    section = section_by_slug(session, slug)
    if section is None:
        raise SectionNotFound(f"No section has the slug '{slug}'.", slug=slug)
    return section


def section_public(session: Session, section: Section, *, now: datetime, cache: ContentCache) -> SectionPublic:
    return _section_public(section, _section_counts(session, [section.id], now=now, cache=cache))


def get_tag(session: Session, slug: str, *, now: datetime | None = None) -> Tag:
    """A tag by slug; with `now`, only one that a published article carries."""
    query = select(Tag).where(Tag.slug == slug)
    if now is not None:
        query = query.where(_in_use(now))
    tag = session.exec(query).first()
    if tag is None:
        raise TagNotFound(f"No tag has the slug '{slug}'.", slug=slug)
    return tag


def tag_public(session: Session, tag: Tag, *, now: datetime, cache: ContentCache) -> TagPublic:
    return _tag_public(tag, _tag_counts(session, [tag.id], now=now, cache=cache))


def _claim_slug(session: Session, model, slug: str, *, current=None) -> str:
    owner = session.exec(select(model).where(model.slug == slug)).first()
    if owner is not None and owner is not current:
        raise TaxonomySlugTaken(f"The slug '{slug}' is already used.", slug=slug)
    return slug


def _apply(session: Session, row, changes: dict) -> None:
    if "name" in changes and changes["name"] is None:
        raise InvalidField("#/name", "name cannot be null.")
    if changes.get("slug"):
        _claim_slug(session, type(row), changes["slug"], current=row)
    row.sqlmodel_update({key: value for key, value in changes.items() if key != "slug" or value})
    session.add(row)


def add_section(session: Session, data: SectionCreate) -> Section:
    """Stage a new section in the session's transaction; the caller commits."""
    section = Section(
        slug=_claim_slug(session, Section, data.slug or slugify(data.name) or "section"),
        name=data.name,
        description=data.description,
    )
    session.add(section)
    session.flush()
    content_version.bump(session)
    return section


def create_section(session: Session, data: SectionCreate) -> Section:
    section = add_section(session, data)
    session.commit()
    return section


def update_section(
    session: Session, slug: str, data: SectionUpdate, *, now: datetime, cache: ContentCache, if_match: str | None = None
) -> Section:
    section = get_section(session, slug)
    require_current(if_match, section_public(session, section, now=now, cache=cache))
    _apply(session, section, data.model_dump(exclude_unset=True))
    touch_articles(session, select(Article.id).where(Article.section_id == section.id), now=now)
    content_version.bump(session)
    session.commit()
    return section


def delete_section(
    session: Session,
    slug: str,
    *,
    reassign_to: str | None,
    now: datetime,
    cache: ContentCache,
    if_match: str | None = None,
) -> None:
    section = get_section(session, slug)
    require_current(if_match, section_public(session, section, now=now, cache=cache))
    members = select(Article.id).where(Article.section_id == section.id)
    if reassign_to is None:
        if session.exec(members.limit(1)).first() is not None:
            raise SectionHasArticles(f"'{slug}' still has articles; pass reassign_to=<section slug>.", slug=slug)
    else:
        heir = get_section(session, reassign_to)
        if heir.id == section.id:
            raise InvalidField("#/reassign_to", "A section cannot be reassigned to itself.")
        touch_articles(session, members, now=now)
        session.execute(update(Article).where(Article.section_id == section.id).values(section_id=heir.id))
    session.delete(section)
    content_version.bump(session)
    session.commit()


def create_tag(session: Session, data: TagCreate) -> Tag:
    tag = Tag(slug=_claim_slug(session, Tag, data.slug or slugify(data.name) or "tag"), name=" ".join(data.name.split()))
    session.add(tag)
    content_version.bump(session)
    session.commit()
    return tag


def update_tag(
    session: Session, slug: str, data: TagUpdate, *, now: datetime, cache: ContentCache, if_match: str | None = None
) -> Tag:
    tag = get_tag(session, slug)
    require_current(if_match, tag_public(session, tag, now=now, cache=cache))
    _apply(session, tag, data.model_dump(exclude_unset=True))
    touch_articles(session, select(ArticleTag.article_id).where(ArticleTag.tag_id == tag.id), now=now)
    content_version.bump(session)
    session.commit()
    return tag


def delete_tag(session: Session, slug: str, *, now: datetime, cache: ContentCache, if_match: str | None = None) -> None:
    """Remove the tag from every article that carries it, then the tag."""
    tag = get_tag(session, slug)
    require_current(if_match, tag_public(session, tag, now=now, cache=cache))
    touch_articles(session, select(ArticleTag.article_id).where(ArticleTag.tag_id == tag.id), now=now)
    session.delete(tag)
    content_version.bump(session)
    session.commit()

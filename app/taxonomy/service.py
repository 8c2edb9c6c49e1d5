"""Sections and tags: directories with article counts, changes, and tags created from names."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, and_, col, exists, func, or_, select

from app import content_version
from app.articles.models import Article, ArticleTag
from app.articles.touch import touch_articles
from app.articles.visibility import PUBLIC, Reader, visible
from app.caching import require_current
from app.content_cache import ContentCache
from app.directories import Directory, DirectoryPage
from app.http_cache import keys
from app.slugs import SLUG_MAX_LENGTH, slugify
from app.taxonomy.errors import SectionHasArticles, SectionNotFound, TagNotFound, TaxonomySlugTaken
from app.taxonomy.models import Section, Tag
from app.taxonomy.schemas import SectionCreate, SectionPublic, SectionUpdate, TagCreate, TagPublic, TagUpdate

SECTIONS = Directory(Section, not_found=SectionNotFound, slug_taken=TaxonomySlugTaken)
TAGS = Directory(Tag, not_found=TagNotFound, slug_taken=TaxonomySlugTaken)


def section_by_slug(session: Session, slug: str) -> Section | None:
    return session.exec(select(Section).where(Section.slug == slug)).first()


def sections_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, Section]:
    return {section.slug: section for section in session.exec(select(Section).where(col(Section.slug).in_(set(slugs))))}


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _insert_tag_if_free(session: Session, slug: str, name: str) -> None:
    """Race-free get-or-create: a tag another transaction adds at the same moment wins quietly."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Tag).values(slug=slug, name=name).on_conflict_do_nothing(index_elements=["slug"]))


def _tag_named(session: Session, name: str) -> Tag:
    """The tag with this name (ignoring case and spacing), created if missing.

    "C" and "C++" share a slug but not a name: the newer one gets a numbered slug."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].rstrip("-") or "tag"
    candidate, n = base, 1
    while True:
        tag = session.exec(select(Tag).where(Tag.slug == candidate)).first()
        if tag is None:
            renamed = session.exec(select(Tag).where(Tag.name == name)).first()
            if renamed is not None:
                return renamed
            _insert_tag_if_free(session, candidate, name)
            # Ours, or one a concurrent writer committed first under the same slug.
            tag = session.exec(select(Tag).where(Tag.slug == candidate)).one()
        if _same_name(tag.name, name):
            return tag
        n += 1
        candidate = f"{base}-{n}"


def tags_for_names(session: Session, names: Iterable[str]) -> list[Tag]:
    """The tags with these names, in order, creating the missing ones."""
    tags: dict[int, Tag] = {}
    for name in names:
        name = " ".join(name.split())
        if name:
            tag = _tag_named(session, name)
            tags.setdefault(tag.id, tag)
    return list(tags.values())


def tags_by_name(session: Session, names: Iterable[str]) -> dict[str, Tag]:
    """`tags_for_names` for a whole batch: each name's tag (keyed by the name as given), found in one
    query and the missing ones inserted in one statement; a name whose slug another name holds
    ("C" and "C++") goes the slower way, one name at a time."""
    wanted = {name: " ".join(name.split()) for name in names if name.split()}
    bases = {name: slugify(clean)[: SLUG_MAX_LENGTH - 4].rstrip("-") or "tag" for name, clean in wanted.items()}
    known = session.exec(
        select(Tag).where(or_(col(Tag.slug).in_(set(bases.values())), col(Tag.name).in_(set(wanted.values()))))
    ).all()
    by_slug = {tag.slug: tag for tag in known}
    by_name = {tag.name: tag for tag in known}
    found: dict[str, Tag] = {}
    missing: dict[str, str] = {}
    for name, clean in wanted.items():
        tag = by_slug.get(bases[name])
        if tag is not None and _same_name(tag.name, clean):
            found[name] = tag
        elif clean in by_name:
            found[name] = by_name[clean]
        elif tag is None:
            missing.setdefault(bases[name], clean)
    if missing:
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(Tag).on_conflict_do_nothing(index_elements=["slug"]),
            [{"slug": slug, "name": name} for slug, name in missing.items()],
        )
        by_slug.update((tag.slug, tag) for tag in session.exec(select(Tag).where(col(Tag.slug).in_(missing))).all())
    for name, clean in wanted.items():
        if name not in found:
            tag = by_slug.get(bases[name])
            found[name] = tag if tag is not None and _same_name(tag.name, clean) else _tag_named(session, clean)
    return found


def section_article_counts(
    session: Session, sections: list[Section], *, now: datetime, cache: ContentCache
) -> dict[int, int]:
    """Visible articles per section, for a whole page of sections in one query."""
    ids = [section.id for section in sections]

    def count() -> dict[int, int]:
        query = select(Article.section_id, func.count()).where(col(Article.section_id).in_(ids), visible(now))
        rows = session.exec(query.group_by(col(Article.section_id))).all()
        return {section_id: articles for section_id, articles in rows if section_id is not None}

    return cache.get(session, ("section-counts", tuple(ids)), count, now=now)


def tag_article_counts(session: Session, tags: list[Tag], *, now: datetime, cache: ContentCache) -> dict[int, int]:
    """Visible articles per tag, for a whole page of tags in one query."""
    ids = [tag.id for tag in tags]

    def count() -> dict[int, int]:
        query = (
            select(ArticleTag.tag_id, func.count())
            .join(Article, col(Article.id) == ArticleTag.article_id)
            .where(col(ArticleTag.tag_id).in_(ids), visible(now))
        )
        return dict(session.exec(query.group_by(col(ArticleTag.tag_id))).all())

    return cache.get(session, ("tag-counts", tuple(ids)), count, now=now)


def _in_use(now: datetime) -> ColumnElement[bool]:
    # A tag made for a draft or an embargoed story would give the story away.
    return exists().where(col(ArticleTag.tag_id) == Tag.id, col(ArticleTag.article_id) == Article.id, visible(now))


def _section_listed_for(reader: Reader, now: datetime) -> ColumnElement[bool] | None:
    """A section whose every article is unpublished would give those stories away."""
    if reader.preview:
        return None
    has_articles = exists().where(col(Article.section_id) == Section.id)
    has_visible = exists().where(col(Article.section_id) == Section.id, visible(now, reader))
    return or_(~has_articles, has_visible)


def sections_page(
    session: Session, *, limit: int, cursor: str | None, now: datetime, cache: ContentCache, reader: Reader = PUBLIC
) -> DirectoryPage[Section]:
    where = _section_listed_for(reader, now)
    page = SECTIONS.page(session, limit=limit, cursor=cursor, now=now, cache=cache, where=where, cache_key=reader)
    page.article_counts = section_article_counts(session, page.entries, now=now, cache=cache)
    return page


def tags_page(
    session: Session, *, limit: int, cursor: str | None, now: datetime, cache: ContentCache, prefix: str | None = None
) -> DirectoryPage[Tag]:
    """Tags that published articles carry, A to Z."""
    where = and_(_in_use(now), TAGS.prefix_condition(prefix)) if prefix else _in_use(now)
    page = TAGS.page(session, limit=limit, cursor=cursor, now=now, cache=cache, where=where, cache_key=prefix)
    page.article_counts = tag_article_counts(session, page.entries, now=now, cache=cache)
    return page


def get_section(session: Session, slug: str, *, now: datetime, reader: Reader = PUBLIC) -> Section:
    return SECTIONS.get(session, slug, where=_section_listed_for(reader, now))


def get_tag(session: Session, slug: str, *, now: datetime | None = None) -> Tag:
    """A tag by slug; with `now`, only one that a published article carries."""
    return TAGS.get(session, slug, where=_in_use(now) if now is not None else None)


def add_section(session: Session, data: SectionCreate) -> Section:
    """Stage a new section in the session's transaction; the caller commits."""
    section = Section(
        slug=SECTIONS.new_slug(session, data.slug, data.name), name=data.name, description=data.description
    )
    session.add(section)
    session.flush()
    content_version.bump(session, keys.SECTIONS)
    return section


def create_section(session: Session, data: SectionCreate) -> Section:
    section = add_section(session, data)
    session.commit()
    return section


def _section_unchanged_since_read(
    session: Session, slug: str, *, now: datetime, cache: ContentCache, if_match: str | None
) -> Section:
    """The section to change, as long as If-Match still names what the caller read."""
    section = SECTIONS.get(session, slug)
    shown = SectionPublic.from_row(section, section_article_counts(session, [section], now=now, cache=cache))
    require_current(if_match, shown)
    return section


def _tag_unchanged_since_read(
    session: Session, slug: str, *, now: datetime, cache: ContentCache, if_match: str | None
) -> Tag:
    """The tag to change, as long as If-Match still names what the caller read."""
    tag = TAGS.get(session, slug)
    require_current(if_match, TagPublic.from_row(tag, tag_article_counts(session, [tag], now=now, cache=cache)))
    return tag


def update_section(
    session: Session, slug: str, data: SectionUpdate, *, now: datetime, cache: ContentCache, if_match: str | None = None
) -> Section:
    section = _section_unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
    members = select(Article.id).where(Article.section_id == section.id)
    return SECTIONS.change(session, section, data, articles=members, now=now)


def delete_section(
    session: Session,
    slug: str,
    *,
    reassign_to: str | None,
    now: datetime,
    cache: ContentCache,
    if_match: str | None = None,
) -> None:
    """Remove a section; its articles move to `reassign_to`, or the deletion is refused."""
    section = _section_unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
    members = select(Article.id).where(Article.section_id == section.id)

    def hand_over(heir: Section) -> None:
        session.execute(update(Article).where(col(Article.section_id) == section.id).values(section_id=heir.id))

    SECTIONS.remove(
        session,
        section,
        reassign_to=reassign_to,
        articles=members,
        still_used=SectionHasArticles,
        hand_over=hand_over,
        now=now,
    )


def create_tag(session: Session, data: TagCreate) -> Tag:
    tag = Tag(slug=TAGS.new_slug(session, data.slug, data.name), name=" ".join(data.name.split()))
    session.add(tag)
    content_version.bump(session, keys.TAGS)
    session.commit()
    return tag


def update_tag(
    session: Session, slug: str, data: TagUpdate, *, now: datetime, cache: ContentCache, if_match: str | None = None
) -> Tag:
    tag = _tag_unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
    carriers = select(ArticleTag.article_id).where(ArticleTag.tag_id == tag.id)
    return TAGS.change(session, tag, data, articles=carriers, now=now)


def delete_tag(session: Session, slug: str, *, now: datetime, cache: ContentCache, if_match: str | None = None) -> None:
    """Remove the tag from every article that carries it, then the tag."""
    tag = _tag_unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
    touch_articles(session, select(ArticleTag.article_id).where(ArticleTag.tag_id == tag.id), now=now)
    session.delete(tag)
    content_version.bump(session, keys.tag(tag.slug), keys.TAGS, keys.ARTICLES)
    session.commit()

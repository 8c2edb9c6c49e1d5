"""Removing the demo newsroom: exactly what `byline demo load` created, and nothing the newsroom made."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists
from sqlmodel import Session, col, delete, select

from app.articles import editing
from app.articles.models import Article, ArticleAuthor, ArticleRevision, ArticleTag
from app.articles.service import full_loading
from app.authors.models import Author
from app.caching import content_version, keys
from app.core.slugs import slugify
from app.demo.loader import DEMO_ACTOR, DEMO_UPLOADER, demo_content, demo_photo, demo_slugs
from app.media import service as media
from app.media import uses
from app.media.collection import Library
from app.media.images import content_hash
from app.media.models import Media
from app.taxonomy.models import Section, Tag


@dataclass
class Removed:
    articles: int
    authors: int
    sections: int
    tags: int
    photos: int


def _demo_article_query(slugs: Iterable[str]) -> Any:
    # A demo slug alone is not enough: the newsroom may have written an article under it.
    first_by_demo = exists().where(
        col(ArticleRevision.article_id) == Article.id,
        col(ArticleRevision.number) == 1,
        col(ArticleRevision.actor) == DEMO_ACTOR,
    )
    return select(Article).where(col(Article.slug).in_(list(slugs)), first_by_demo)


def demo_article_slugs(session: Session, slugs: Iterable[str]) -> set[str]:
    """Which of these slugs belong to articles the demo loaded."""
    demo = set(demo_slugs()) & set(slugs)
    if not demo:
        return set()
    return {article.slug for article in session.exec(_demo_article_query(demo)).all()}


def _delete_unused(session: Session, model: Any, names: dict[str, str], used: ColumnElement[bool]) -> list[str]:
    """Delete the rows of `model` the demo made (a demo slug still under the demo's name; the newsroom's
    own would differ) that no remaining article uses; their slugs."""
    rows = session.exec(select(model.id, model.slug, model.name).where(col(model.slug).in_(list(names)), ~used))
    demo = {id: slug for id, slug, name in rows.all() if names[slug] == name}
    if demo:
        session.exec(delete(model).where(col(model.id).in_(list(demo))))
    return list(demo.values())


def _unused_demo_photos(session: Session, content: dict[str, Any]) -> list[Media]:
    """The library items the demo added (by the demo, holding one of its photographs) that no article shows."""
    hashes = [content_hash(demo_photo(photo["file"])) for photo in content["photos"]]
    added = session.exec(
        select(Media).where(col(Media.content_hash).in_(hashes), Media.uploaded_by == DEMO_UPLOADER.name)
    ).all()
    return [item for item in added if not uses.using(session, item.id)]


def remove_demo(session: Session, library: Library, *, now: datetime) -> Removed:
    """Delete the demo's articles (with their comments and revisions), then the demo's authors,
    sections, tags and photographs that no other article uses, in one transaction (the photographs'
    files after it). Running it again removes nothing."""
    content = demo_content()
    articles = session.exec(_demo_article_query(demo_slugs()).options(*full_loading())).unique().all()
    for article in articles:
        editing.remove_article(session, article, now=now)
    session.flush()
    authors = _delete_unused(
        session,
        Author,
        {a["slug"]: a["name"] for a in content["authors"]},
        exists().where(col(ArticleAuthor.author_id) == Author.id),
    )
    sections = _delete_unused(
        session,
        Section,
        {s["slug"]: s["name"] for s in content["sections"]},
        exists().where(col(Article.section_id) == Section.id),
    )
    tag_names = {name for article in content["articles"] for name in article["tags"]}
    tags = _delete_unused(
        session,
        Tag,
        {slugify(name): name for name in tag_names},
        exists().where(col(ArticleTag.tag_id) == Tag.id),
    )
    purged = [*map(keys.author, authors), *map(keys.section, sections), *map(keys.tag, tags)]
    if purged:
        content_version.bump(session, *purged, *keys.ARTICLE_LISTS)
    photos = _unused_demo_photos(session, content)
    for photo in photos:
        media.forget_media(session, photo)
    hashes = {photo.content_hash for photo in photos}
    session.commit()
    media.remove_unnamed_files(session, library, hashes)
    return Removed(len(articles), len(authors), len(sections), len(tags), len(photos))

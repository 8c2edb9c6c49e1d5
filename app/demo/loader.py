"""Loading the demo newsroom (newsroom.json) through the same services the API uses."""

import json
from datetime import datetime
from importlib.resources import files
from typing import Any

from sqlmodel import Session, col, select

from app.articles import editing
from app.articles.models import Article, ArticleStatus
from app.articles.schemas import ArticleCreate
from app.authors import service as authors
from app.authors.schemas import AuthorCreate
from app.core.clock import utcnow
from app.core.settings import Settings
from app.core.slugs import slugify
from app.db.engines import build_engine, refresh_planner_statistics
from app.directories.kinds import AUTHORS, SECTIONS
from app.media import service as media
from app.media.collection import Library, open_library
from app.media.images import content_hash
from app.media.schemas import MediaWords
from app.taxonomy.models import Section
from app.taxonomy.schemas import SectionCreate

# The revision author of every demo article: how `byline demo remove` tells them from the newsroom's own.
DEMO_ACTOR = "demo"
# Who added the demo's photographs: `byline demo remove` deletes only those, and only when unused.
DEMO_UPLOADER = media.Uploader(name="byline demo")


def demo_content() -> dict[str, Any]:
    content: dict[str, Any] = json.loads(files("app.demo").joinpath("newsroom.json").read_text(encoding="utf-8"))
    return content


def demo_slugs() -> list[str]:
    return [slugify(article["title"]) for article in demo_content()["articles"]]


def demo_photo(name: str) -> bytes:
    """A photograph of app/demo/photos (their sources and licences are in its SOURCES.md)."""
    return files("app.demo").joinpath("photos", name).read_bytes()


def _with_photos(article: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """The article naming each of its photographs (`photo`: a file name) by its media library id."""

    def image(picture: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in picture.items() if key != "photo"} | {"media_id": ids[picture["photo"]]}

    return article | {
        "featured_image": image(article["featured_image"]),
        "body": [image(block) if "photo" in block else block for block in article["body"]],
    }


def _photo_names(article: dict[str, Any]) -> set[str]:
    return {picture["photo"] for picture in [article["featured_image"], *article["body"]] if "photo" in picture}


def _photo_ids(session: Session, library: Library, names: set[str], *, now: datetime) -> dict[str, int]:
    """The library id of each photograph: the item already holding its bytes, else a new one."""
    ids = {}
    for photo in demo_content()["photos"]:
        if photo["file"] not in names:
            continue
        data = demo_photo(photo["file"])
        known = media.with_hash(session, content_hash(data))
        words = MediaWords.model_validate({key: value for key, value in photo.items() if key != "file"})
        ids[photo["file"]] = (
            known[0].id
            if known
            else media.store_media(
                session, library, data, words, uploader=DEMO_UPLOADER, now=now, filename=photo["file"]
            ).id
        )
    return ids


def _last_told(data: ArticleCreate) -> datetime | None:
    """When the story last changed for readers: its latest correction, else its publication."""
    times = [data.published_at, *(correction.published_at for correction in data.corrections)]
    return max((time for time in times if time is not None), default=None)


def add_demo(session: Session, library: Library) -> int:
    """Stage whatever of the demo is missing, its photographs stored in `library`; returns how many
    articles were added."""
    content = demo_content()
    now = utcnow()
    section_slugs = [section["slug"] for section in content["sections"]]
    known_sections = set(session.exec(select(Section.slug).where(col(Section.slug).in_(section_slugs))).all())
    for section in content["sections"]:
        if section["slug"] not in known_sections:
            SECTIONS.add(session, SectionCreate(**section))
    known_authors = authors.authors_by_slug(session, [a["slug"] for a in content["authors"]])
    for author in content["authors"]:
        if author["slug"] not in known_authors:
            AUTHORS.add(session, AuthorCreate(**author), now=now)
    slugs = demo_slugs()
    known_articles = set(session.exec(select(Article.slug).where(col(Article.slug).in_(slugs))).all())
    missing = [article for slug, article in zip(slugs, content["articles"], strict=True) if slug not in known_articles]
    ids = _photo_ids(session, library, set().union(*map(_photo_names, missing)), now=now)
    for article in missing:
        data = ArticleCreate(status=ArticleStatus.published, **_with_photos(article, ids))
        added = editing.add_article(session, data, now=now, actor=DEMO_ACTOR)
        # Feeds, sitemaps and structured data date the stories as they were told, not as installed.
        added.created_at = data.published_at or now
        added.updated_at = _last_told(data) or now
    return len(missing)


def load_demo(settings: Settings) -> int:
    """Load the demo into the database and media library `settings` name, as `byline demo load` does."""
    engine = build_engine(settings.database_url)
    try:
        with Session(engine) as session:
            added = add_demo(session, open_library(settings))
            session.commit()
        refresh_planner_statistics(engine)
    finally:
        engine.dispose()
    return added

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
from app.core.slugs import slugify
from app.db.engines import build_engine, refresh_planner_statistics
from app.directories.kinds import AUTHORS, SECTIONS
from app.taxonomy.models import Section
from app.taxonomy.schemas import SectionCreate

# The revision author of every demo article: how `byline demo remove` tells them from the newsroom's own.
DEMO_ACTOR = "demo"


def demo_content() -> dict[str, Any]:
    content: dict[str, Any] = json.loads(files("app.demo").joinpath("newsroom.json").read_text(encoding="utf-8"))
    return content


def demo_articles() -> list[ArticleCreate]:
    return [ArticleCreate(status=ArticleStatus.published, **article) for article in demo_content()["articles"]]


def _last_told(data: ArticleCreate) -> datetime | None:
    """When the story last changed for readers: its latest correction, else its publication."""
    times = [data.published_at, *(correction.published_at for correction in data.corrections)]
    return max((time for time in times if time is not None), default=None)


def add_demo(session: Session) -> int:
    """Stage whatever of the demo is missing; returns how many articles were added."""
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
    articles = demo_articles()
    slugs = [slugify(data.title) for data in articles]
    known_articles = set(session.exec(select(Article.slug).where(col(Article.slug).in_(slugs))).all())
    added = 0
    for slug, data in zip(slugs, articles, strict=True):
        if slug not in known_articles:
            article = editing.add_article(session, data, now=now, actor=DEMO_ACTOR)
            # Feeds, sitemaps and structured data date the stories as they were told, not as installed.
            article.created_at = data.published_at or now
            article.updated_at = _last_told(data) or now
            added += 1
    return added


def load_demo(database_url: str) -> int:
    engine = build_engine(database_url)
    try:
        with Session(engine) as session:
            added = add_demo(session)
            session.commit()
        refresh_planner_statistics(engine)
    finally:
        engine.dispose()
    return added

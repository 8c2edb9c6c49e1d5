"""Authors, sections and articles for tests, created through the same services as the API."""

import itertools
from datetime import UTC, datetime

from sqlmodel import Session

from app.articles import editing
from app.articles.models import Article
from app.articles.schemas import ArticleCreate
from app.authors.models import Author
from app.authors.schemas import AuthorCreate
from app.directories.kinds import AUTHORS, SECTIONS
from app.taxonomy.models import Section
from app.taxonomy.schemas import SectionCreate

_numbers = itertools.count(1)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def make_author(session: Session, **overrides) -> Author:
    n = next(_numbers)
    fields = {"name": f"Reporter {n}", "slug": f"reporter-{n}", "role": "Reporter", "bio": "Covers the city."}
    author = AUTHORS.add(session, AuthorCreate(**(fields | overrides)), now=NOW)
    session.commit()
    return author


def make_section(session: Session, **overrides) -> Section:
    n = next(_numbers)
    return SECTIONS.create(session, SectionCreate(**({"slug": f"section-{n}", "name": f"Section {n}"} | overrides)))


def make_article(session: Session, *, now: datetime = NOW, **overrides) -> Article:
    n = next(_numbers)
    if "authors" not in overrides:
        overrides["authors"] = [make_author(session).slug]
    fields = {
        "title": f"Council approves budget {n}",
        "status": "published",
        "published_at": datetime(2025, 5, 1, tzinfo=UTC),
        "body": [{"type": "paragraph", "text": f"The council met on day {n} and approved the budget."}],
    }
    return editing.create_article(session, ArticleCreate(**(fields | overrides)), now=now, actor="tests")

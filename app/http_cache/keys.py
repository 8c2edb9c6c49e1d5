"""Surrogate keys: every public answer names what it shows (`Surrogate-Key` for Fastly and Varnish,
`Cache-Tag` for Cloudflare), and every write names what it changed (the `cache.purge` outbox event),
so a CDN can purge exactly the answers a write made stale.

Keys are `article:<slug>`, `author:<slug>`, `section:<slug>`, `tag:<slug>`, `comments:<article slug>`,
and one per kind of list (`articles`, `authors`, `sections`, `tags`), which a write purges when what
a list holds or counts may have changed.
"""

from collections.abc import Iterable

from fastapi import Response
from pydantic import BaseModel

from app.articles.schemas import ArticleSummary
from app.authors.schemas import AuthorSummary
from app.taxonomy.schemas import SectionPublic, TagPublic

ARTICLES, AUTHORS, SECTIONS, TAGS = "articles", "authors", "sections", "tags"
# Every article write may change lists and the counts in directories.
ARTICLE_LISTS = (ARTICLES, AUTHORS, SECTIONS, TAGS)


def article(slug: str) -> str:
    return f"article:{slug}"


def author(slug: str) -> str:
    return f"author:{slug}"


def section(slug: str) -> str:
    return f"section:{slug}"


def tag(slug: str) -> str:
    return f"tag:{slug}"


def comments(article_slug: str) -> str:
    return f"comments:{article_slug}"


def shown(item: BaseModel) -> set[str]:
    """What one representation embeds."""
    if isinstance(item, ArticleSummary):
        keys = {article(item.slug), *(author(byline.slug) for byline in item.authors)}
        keys.update(tag(term.slug) for term in item.tags)
        if item.section is not None:
            keys.add(section(item.section.slug))
        return keys
    if isinstance(item, AuthorSummary):
        return {author(item.slug), AUTHORS}
    if isinstance(item, SectionPublic):
        return {section(item.slug), SECTIONS}
    if isinstance(item, TagPublic):
        return {tag(item.slug), TAGS}
    return set()


def label(response: Response, keys: Iterable[str]) -> None:
    ordered = sorted(set(keys))
    if ordered:
        response.headers["Surrogate-Key"] = " ".join(ordered)
        response.headers["Cache-Tag"] = ",".join(ordered)


def of_list(kind: str | None, items: Iterable[BaseModel], *also: str) -> set[str]:
    """A page of a list: its kind (an empty page must go too when something joins the list) and its items."""
    keys = ({kind} if kind else set()) | set(also)
    for item in items:
        keys |= shown(item)
    return keys


def label_list(response: Response, kind: str | None, items: Iterable[BaseModel], *also: str) -> None:
    label(response, of_list(kind, items, *also))

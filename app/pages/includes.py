"""`include=` on an article: the parts of its page that have endpoints of their own (related
articles, comments, the author's latest), embedded in the article's answer so a page is one request."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.articles import service as articles
from app.articles.models import Article, ArticleStatus
from app.articles.schemas import ArticleFilters, ArticleSummary, ArticleWithSeo
from app.caching import keys
from app.caching.counts import ContentCache
from app.comments import service as comments
from app.comments.schemas import CommentPublic
from app.core.settings import Settings
from app.related import service as related
from app.related.dependencies import NEIGHBOURS
from app.related.schemas import RelatedList
from app.web.includes import included_parts
from app.web.pagination import Page, envelope
from app.web.state import app_state

# The defaults of the embedded lists' own endpoints, so their cursors continue there.
RELATED_LIMIT = 5
PAGE_LIMIT = 20


class Include(StrEnum):
    related = "related"
    comments = "comments"
    author_articles = "author_articles"


def _absent(value: object) -> bool:
    return value is None


class Included(BaseModel):
    """Each part as its own endpoint answers it: `related` as `GET /articles/{slug}/related`,
    `comments` as the first page of `GET /articles/{slug}/comments`, `author_articles` as the first
    page of `GET /authors/{primary author}/articles`."""

    # Only the parts asked for are sent; a field rule rather than a serializer keeps their schemas.
    related: RelatedList | None = Field(None, exclude_if=_absent)
    comments: Page[CommentPublic] | None = Field(None, exclude_if=_absent)
    author_articles: Page[ArticleSummary] | None = Field(None, exclude_if=_absent)


class ArticlePage(ArticleWithSeo):
    """The article; with `include=`, also the other parts of its page."""

    # Without `include=`, the answer (and its ETag) is the plain article's.
    included: Included | None = Field(
        None, exclude_if=_absent, description="Only with `include=`: the parts asked for."
    )


def _parsed(
    include: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Comma-separated parts of the page to embed under `included`: "
            + ", ".join(part.value for part in Include)
            + ".",
        ),
    ] = None,
) -> frozenset[Include]:
    return included_parts(include, Include)


IncludeParam = Annotated[frozenset[Include], Depends(_parsed)]


def included(
    request: Request,
    session: Session,
    article: Article,
    parts: frozenset[Include],
    *,
    now: datetime,
    settings: Settings,
    cache: ContentCache,
) -> tuple[Included, set[str]]:
    """The parts asked for, and the surrogate keys of everything they show."""
    embedded: dict[str, Any] = {}
    shown: set[str] = set()
    if Include.related in parts:
        # Only a published article has neighbours; a preview shows none rather than failing.
        picks = (
            related.related_articles(
                session,
                article.slug,
                limit=RELATED_LIMIT,
                now=now,
                cache=cache,
                semantic=app_state(request).part(NEIGHBOURS),
            )
            if article.status_at(now) is ArticleStatus.published
            else []
        )
        embedded["related"] = RelatedList(data=picks)
        shown |= keys.of_list(keys.ARTICLES, picks, keys.article(article.slug), keys.MATCHES)
    if Include.comments in parts:
        threads, total, next_cursor = comments.list_threads(
            session, article, limit=PAGE_LIMIT, cursor=None, newest_first=False, settings=settings
        )
        path = f"/api/v1/articles/{article.slug}/comments"
        embedded["comments"] = envelope(request, threads, total=total, next_cursor=next_cursor, path=path)
        shown.add(keys.comments(article.slug))
    if Include.author_articles in parts:
        author = article.authors[0].slug  # every article has a byline
        page = articles.list_summaries(
            session, ArticleFilters(author=[author]), now=now, limit=PAGE_LIMIT, cursor=None, cache=cache
        )
        latest = page.summaries
        path = f"/api/v1/authors/{author}/articles"
        embedded["author_articles"] = envelope(
            request, latest, total=page.total, next_cursor=page.next_cursor, path=path
        )
        shown |= keys.of_list(keys.ARTICLES, latest)
    return Included(**embedded), shown

"""Article read routes."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.articles import service
from app.articles.errors import ArticleNotFound
from app.articles.schemas import ArticleFilters, ArticlePublic, ArticleSummary
from app.clock import ClockDep
from app.db import ReadSessionDep
from app.errors import InvalidParameter, problems
from app.pagination import CursorParam, Limit, Page, page_response
from app.slugs import Slug

router = APIRouter(prefix="/api/v1/articles", tags=["articles"])


@router.get(
    "",
    operation_id="articles-list",
    summary="List published articles, newest first",
    response_model=Page[ArticleSummary],
    responses=problems(InvalidParameter),
)
def list_articles(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    clock: ClockDep,
    filters: Annotated[ArticleFilters, Query()],
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    """Filters combine; following `links.next` walks every matching article exactly once,
    however many there are and however many are published meanwhile."""
    now = clock()
    page, total, next_cursor = service.list_articles(
        session, filters, now=now, limit=limit, cursor=cursor, totals=request.app.state.list_totals
    )
    items = [ArticleSummary.from_article(article, now=now) for article in page]
    return page_response(request, response, items, total=total, next_cursor=next_cursor)


@router.get(
    "/{slug}",
    operation_id="articles-get",
    summary="Get one published article, ready to render",
    response_model=ArticlePublic,
    responses=problems(ArticleNotFound, InvalidParameter),
)
def get_article(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> ArticlePublic:
    now = clock()
    return ArticlePublic.from_full_article(service.get_visible_article(session, slug, now=now), now=now)

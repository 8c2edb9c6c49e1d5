"""Author read routes: the directory, the author box and "More »" (the author's articles)."""

from fastapi import APIRouter, Request, Response

from app.articles import service as articles
from app.articles.schemas import ArticleFilters, ArticleSummary
from app.authors import service
from app.authors.errors import AuthorNotFound
from app.authors.schemas import AuthorPublic
from app.clock import ClockDep
from app.db import ReadSessionDep
from app.errors import InvalidParameter, problems
from app.pagination import CursorParam, Limit, Page, page_response
from app.slugs import Slug

router = APIRouter(prefix="/api/v1/authors", tags=["authors"])


@router.get(
    "",
    operation_id="authors-list",
    summary="List authors by name",
    response_model=Page[AuthorPublic],
    responses=problems(InvalidParameter),
)
def list_authors(
    request: Request, response: Response, session: ReadSessionDep, clock: ClockDep, limit: Limit = 20, cursor: CursorParam = None
) -> dict:
    page, total, next_cursor = service.list_authors(session, limit=limit, cursor=cursor)
    counts = service.article_counts(session, [author.id for author in page], now=clock())
    items = [AuthorPublic.from_author(author, counts.get(author.id, 0)) for author in page]
    return page_response(request, response, items, total=total, next_cursor=next_cursor)


@router.get(
    "/{slug}",
    operation_id="authors-get",
    summary="Get an author's profile",
    response_model=AuthorPublic,
    responses=problems(AuthorNotFound, InvalidParameter),
)
def get_author(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> AuthorPublic:
    author = service.get_author(session, slug)
    return AuthorPublic.from_author(author, service.article_counts(session, [author.id], now=clock()).get(author.id, 0))


@router.get(
    "/{slug}/articles",
    operation_id="authors-articles",
    summary="List an author's published articles, newest first",
    response_model=Page[ArticleSummary],
    responses=problems(AuthorNotFound, InvalidParameter),
)
def list_author_articles(
    request: Request,
    response: Response,
    slug: Slug,
    session: ReadSessionDep,
    clock: ClockDep,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    author = service.get_author(session, slug)
    now = clock()
    page, total, next_cursor = articles.list_articles(
        session,
        ArticleFilters(author=[author.slug]),
        now=now,
        limit=limit,
        cursor=cursor,
        totals=request.app.state.list_totals,
    )
    items = [ArticleSummary.from_article(article, now=now) for article in page]
    return page_response(request, response, items, total=total, next_cursor=next_cursor)

"""Author routes: the directory, the author box and editing, and "More »" (the author's articles)."""

from fastapi import Request, Response

from app.articles import service as articles
from app.articles.dependencies import SummaryFields
from app.articles.schemas import ArticleFilters, ArticleSummary
from app.authors import service
from app.authors.errors import AuthorNotFound
from app.caching.responses import keys
from app.core.errors import InvalidParameter, problems
from app.core.slugs import Slug
from app.directories.router import directory_router
from app.web.fieldsets import sparse_list
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ContentCacheDep, ReadSessionDep

router = directory_router(
    service.AUTHORS,
    summaries={
        "list": "List authors by name",
        "get": "Get an author's profile",
        "create": "Add an author",
        "update": "Change an author's profile",
        "delete": "Remove an author, handing their bylines to another",
    },
    list_description="With `q`, authors a word of whose name starts with it: `q=ver` finds Alok Verma. An author\n"
    "whose bylines are all on unpublished articles is listed only for `content:preview` keys.",
    searchable=True,
    reassign_to="Author who takes over the bylines.",
)


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
    cache: ContentCacheDep,
    fields: SummaryFields,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict | Response:
    now = clock()
    author = service.get_author(session, slug, now=now)
    page = articles.list_summaries(
        session,
        ArticleFilters(author=[author.slug]),
        now=now,
        limit=limit,
        cursor=cursor,
        cache=cache,
    )
    shown = page_response(
        request, response, page.summaries, total=page.total, next_cursor=page.next_cursor, kind=keys.ARTICLES
    )
    return sparse_list(request, response, shown, fields)

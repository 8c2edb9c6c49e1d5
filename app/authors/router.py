"""Author routes: the directory, the author box, "More »" (the author's articles) and editing."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from app.articles import service as articles
from app.articles.dependencies import ReaderDep, SummaryFields
from app.articles.schemas import ArticleFilters, ArticleSummary
from app.articles.visibility import PUBLIC
from app.auth.dependencies import EditorKey
from app.auth.errors import MissingScope, NotAuthenticated
from app.authors import service
from app.authors.errors import AuthorHasArticles, AuthorNotFound, AuthorSlugTaken
from app.authors.models import Author
from app.authors.schemas import AuthorCreate, AuthorPublic, AuthorUpdate
from app.caching import IfMatch, PreconditionFailed, private_if, with_etag, written
from app.content_cache import ContentCache
from app.db import ReadSessionDep, SessionDep
from app.directories import NamePrefix
from app.errors import InvalidParameter, problems
from app.fieldsets import sparse_list
from app.http_cache import keys
from app.pagination import CursorParam, Limit, Page, page_response
from app.slugs import SLUG_PATTERN, Slug
from app.state import ClockDep, ContentCacheDep, SettingsDep

router = APIRouter(prefix="/api/v1/authors", tags=["authors"])


def _shown(session: Session, author: Author, *, now: datetime, cache: ContentCache) -> AuthorPublic:
    return AuthorPublic.from_row(author, service.article_counts(session, [author], now=now, cache=cache))


@router.get(
    "",
    operation_id="authors-list",
    summary="List authors by name",
    response_model=Page[AuthorPublic],
    responses=problems(InvalidParameter),
)
def list_authors(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    reader: ReaderDep,
    q: NamePrefix = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    """With `q`, authors a word of whose name starts with it: `q=ver` finds Alok Verma. An author
    whose bylines are all on unpublished articles is listed only for `content:preview` keys."""
    page = service.authors_page(session, limit=limit, cursor=cursor, now=clock(), cache=cache, prefix=q, reader=reader)
    private_if(response, reader != PUBLIC)
    return page.respond(request, response, AuthorPublic.from_row)


@router.get(
    "/{slug}",
    operation_id="authors-get",
    summary="Get an author's profile",
    response_model=AuthorPublic,
    responses=problems(AuthorNotFound, InvalidParameter),
)
def get_author(
    request: Request,
    response: Response,
    slug: Slug,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    reader: ReaderDep,
) -> AuthorPublic | Response:
    now = clock()
    author = service.get_author(session, slug, now=now, reader=reader)
    private_if(response, reader != PUBLIC)
    return with_etag(request, response, _shown(session, author, now=now, cache=cache))


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


@router.post(
    "",
    status_code=201,
    operation_id="authors-create",
    summary="Add an author",
    response_model=AuthorPublic,
    responses=problems(NotAuthenticated, MissingScope, AuthorSlugTaken),
)
def create_author(
    response: Response,
    body: AuthorCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cache: ContentCacheDep,
    key: EditorKey,
) -> AuthorPublic:
    now = clock()
    author = service.create_author(session, body, now=now)
    response.headers["Location"] = f"{settings.base_url}/api/v1/authors/{author.slug}"
    return written(response, _shown(session, author, now=now, cache=cache))


@router.patch(
    "/{slug}",
    operation_id="authors-update",
    summary="Change an author's profile",
    response_model=AuthorPublic,
    responses=problems(
        NotAuthenticated, MissingScope, AuthorNotFound, AuthorSlugTaken, PreconditionFailed, InvalidParameter
    ),
)
def update_author(
    response: Response,
    slug: Slug,
    body: AuthorUpdate,
    session: SessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    key: EditorKey,
    if_match: IfMatch = None,
) -> AuthorPublic:
    now = clock()
    author = service.update_author(session, slug, body, now=now, cache=cache, if_match=if_match)
    return written(response, _shown(session, author, now=now, cache=cache))


@router.delete(
    "/{slug}",
    status_code=204,
    operation_id="authors-delete",
    summary="Remove an author, handing their bylines to another",
    responses=problems(
        NotAuthenticated, MissingScope, AuthorNotFound, AuthorHasArticles, PreconditionFailed, InvalidParameter
    ),
)
def delete_author(
    slug: Slug,
    session: SessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    key: EditorKey,
    if_match: IfMatch = None,
    reassign_to: Annotated[
        str | None, Query(pattern=SLUG_PATTERN, description="Author who takes over the bylines.")
    ] = None,
) -> Response:
    service.delete_author(session, slug, reassign_to=reassign_to, now=clock(), cache=cache, if_match=if_match)
    return Response(status_code=204)

"""Article read routes: lists for fronts and feeds, and the full article page."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.articles import preview, seo, service
from app.articles.dependencies import ReaderDep
from app.articles.errors import ArticleMoved, ArticleNotFound, InvalidPreviewToken
from app.articles.models import ArticleStatus
from app.articles.schemas import ArticleFilters, ArticlePublic, ArticleSummary, ArticleWithSeo
from app.articles.visibility import PUBLIC
from app.auth.dependencies import OptionalKey, ensure_scope
from app.auth.errors import MissingScope, NotAuthenticated
from app.auth.models import Scope
from app.caching import private_if, with_etag
from app.db import ReadSessionDep
from app.errors import InvalidParameter, problems
from app.http_cache import keys
from app.pagination import CursorParam, Limit, Page, page_response
from app.slugs import Slug
from app.state import ClockDep, ContentCacheDep, SettingsDep

router = APIRouter(prefix="/api/v1/articles", tags=["articles"])

PreviewTokenParam = Annotated[
    str | None, Query(max_length=2000, description="A token from `POST /articles/{slug}/preview-token`.")
]


@router.get(
    "",
    operation_id="articles-list",
    summary="List articles, newest first",
    response_model=Page[ArticleSummary],
    responses=problems(InvalidParameter, NotAuthenticated, MissingScope),
)
def list_articles(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    clock: ClockDep,
    key: OptionalKey,
    reader: ReaderDep,
    cache: ContentCacheDep,
    filters: Annotated[ArticleFilters, Query()],
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    """Published articles for everyone. Filters combine; following `links.next` walks every
    matching article exactly once, however many there are and however many are published meanwhile.
    Drafts, scheduled and archived articles (`status`) need `content:preview`; a key with
    `content:embargo` also sees embargoed ones."""
    if filters.status is not ArticleStatus.published:
        ensure_scope(key, Scope.content_preview)
    now = clock()
    page = service.list_articles(session, filters, now=now, limit=limit, cursor=cursor, cache=cache, reader=reader)
    private_if(response, reader != PUBLIC)
    items = [
        ArticleSummary.from_article(article, now=now, snippet=page.snippets.get(article.id))
        for article in page.articles
    ]
    return page_response(request, response, items, total=page.total, next_cursor=page.next_cursor, kind=keys.ARTICLES)


@router.get(
    "/{slug}",
    operation_id="articles-get",
    summary="Get one article, ready to render",
    response_model=ArticleWithSeo,
    responses=problems(ArticleNotFound, ArticleMoved, InvalidPreviewToken, InvalidParameter),
)
def get_article(
    request: Request,
    response: Response,
    slug: Slug,
    session: ReadSessionDep,
    clock: ClockDep,
    reader: ReaderDep,
    settings: SettingsDep,
    preview_token: PreviewTokenParam = None,
) -> ArticleWithSeo | Response:
    """Published articles for everyone; drafts and scheduled ones with `content:preview` or a
    preview token; embargoed ones with `content:embargo`. A former slug answers 308 to the
    current one. Send `If-None-Match` with the ETag to get 304 when nothing changed."""
    now = clock()
    if preview_token is not None:
        secret = settings.secret_key.get_secret_value()
        article_id = preview.preview_article_id(secret, preview_token, now=now)
        article = service.get_previewable(session, slug, article_id, now=now, reader=reader)
    else:
        article = service.get_article(session, slug, now=now, reader=reader)
    private_if(
        response, preview_token is not None or article.status_at(now) is not ArticleStatus.published or reader != PUBLIC
    )
    shown = ArticlePublic.from_full_article(article, now=now)
    return with_etag(request, response, seo.with_seo(shown, settings))

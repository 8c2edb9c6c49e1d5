"""Article read routes: lists for fronts and feeds, and the full article page."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.articles import preview, seo, service
from app.articles.dependencies import ReaderDep, SummaryFields
from app.articles.errors import ArticleMoved, ArticleNotFound, InvalidPreviewToken
from app.articles.models import ArticleStatus
from app.articles.schemas import ArticleFilters, ArticlePublic, ArticleSummary
from app.articles.visibility import PUBLIC
from app.auth.dependencies import OptionalKey, ensure_scope
from app.auth.errors import MissingScope, NotAuthenticated
from app.auth.models import Scope
from app.caching import keys, stored_answers
from app.core.errors import InvalidParameter, problems
from app.core.slugs import Slug
from app.pages import includes
from app.pages.includes import ArticlePage, IncludeParam
from app.web.conditional import private_if, send_document, with_etag
from app.web.fieldsets import Fieldset, fields_of, sparse_list
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ContentCacheDep, ReadSessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/articles", tags=["articles"])
# The answers whose rendering the app may store (app.caching.stored_answers): the list and each
# article, as path patterns with their route templates.
STORED_PATHS = stored_answers.stored_paths("/api/v1/articles", "/api/v1/articles/{slug}")

ArticleFields = Annotated[Fieldset | None, Depends(fields_of(ArticlePage))]

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
    fields: SummaryFields,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict | Response:
    """Published articles for everyone. Filters combine; following `links.next` walks every
    matching article exactly once, however many there are and however many are published meanwhile.
    Drafts, scheduled and archived articles (`status`) need `content:preview`; a key with
    `content:embargo` also sees embargoed ones."""
    if filters.status is not ArticleStatus.published:
        ensure_scope(key, Scope.content_preview)
    now = clock()
    page = service.list_summaries(session, filters, now=now, limit=limit, cursor=cursor, cache=cache, reader=reader)
    private_if(response, reader != PUBLIC)
    # Any page, spelled as its link spells it: the first purged by any article write, deeper ones
    # (each naming a hundred keys) kept until the next write of any kind.
    if reader == PUBLIC and set(request.query_params) <= {"limit", "cursor"}:
        query = [f"limit={limit}"] if "limit" in request.query_params else []
        if cursor is not None:
            query.append(f"cursor={request.query_params['cursor']}")
        stored_answers.storable(request, "&".join(query), until_next_write=cursor is not None)
    elif reader == PUBLIC and filters.q:
        # A first page of search results, as often as readers ask the same words, in either order.
        stored_answers.storable_as_asked(request, "q", "sort", "limit", varied="search")
    elif reader == PUBLIC and (filters.section or filters.tag or filters.author):
        # A first page of a section's, a tag's or an author's articles: a newsroom's most read lists
        # after the front page, purged by article writes as it is.
        stored_answers.storable_as_asked(request, "section", "tag", "author", "limit", varied="filtered")
    # Chosen by text, search results change with any article's text; by update time, with any write.
    also = [kind for kind, given in ((keys.MATCHES, filters.q), (keys.EDITS, filters.updated_since)) if given]
    shown = page_response(
        request,
        response,
        page.summaries,
        total=page.total,
        next_cursor=page.next_cursor,
        kind=keys.ARTICLES,
        also=also,
    )
    return sparse_list(request, response, shown, fields)


@router.get(
    "/{slug}",
    operation_id="articles-get",
    summary="Get one article, ready to render",
    response_model=ArticlePage,
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
    cache: ContentCacheDep,
    include: IncludeParam,
    fields: ArticleFields,
    preview_token: PreviewTokenParam = None,
) -> ArticlePage | Response:
    """Published articles for everyone; drafts and scheduled ones with `content:preview` or a
    preview token; embargoed ones with `content:embargo`. A former slug answers 308 to the
    current one. Send `If-None-Match` with the ETag to get 304 when nothing changed.

    A whole article page in one request: `include=related,comments,author_articles`. Only what
    the page renders: `fields=slug,title,authors.name` (`included` is always sent whole)."""
    now = clock()
    if preview_token is not None:
        secret = settings.secret_key.get_secret_value()
        article_id = preview.preview_article_id(secret, preview_token, now=now)
        article = service.get_previewable(session, slug, article_id, now=now, reader=reader)
    else:
        article = service.get_article(session, slug, now=now, reader=reader)
    private = preview_token is not None or article.status_at(now) is not ArticleStatus.published or reader != PUBLIC
    private_if(response, private)
    if not private and not include and fields is None:
        stored_answers.storable(request)
    page = ArticlePage(**dict(seo.with_seo(ArticlePublic.from_full_article(article, now=now), settings)))
    embeds: set[str] = set()
    if include:
        page.included, embeds = includes.included(
            request, session, article, include, now=now, settings=settings, cache=cache
        )
    if fields is None:
        return with_etag(request, response, page, also=embeds)
    keys.label(response, keys.shown(page) | embeds)
    # The parts asked for with `include=` are sent whatever the fieldset.
    return send_document(request, response, fields.pick(page.model_dump(mode="json"), always={"included"}))

"""Section and tag routes: directories with article counts for navigation and tag clouds, and their editing."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.articles.dependencies import ReaderDep
from app.articles.visibility import PUBLIC
from app.auth.dependencies import EditorKey
from app.auth.errors import MissingScope, NotAuthenticated
from app.caching import IfMatch, PreconditionFailed, private_if, with_etag, written
from app.db import ReadSessionDep, SessionDep
from app.directories import NamePrefix
from app.errors import InvalidField, InvalidParameter, problems
from app.pagination import CursorParam, Limit, Page
from app.settings import Settings
from app.slugs import SLUG_PATTERN, Slug
from app.state import ClockDep, ContentCacheDep, SettingsDep
from app.taxonomy import service
from app.taxonomy.errors import SectionHasArticles, SectionNotFound, TagNotFound, TaxonomySlugTaken
from app.taxonomy.schemas import SectionCreate, SectionPublic, SectionUpdate, TagCreate, TagPublic, TagUpdate

sections = APIRouter(prefix="/api/v1/sections", tags=["sections"])
tags = APIRouter(prefix="/api/v1/tags", tags=["tags"])

AUTH = (NotAuthenticated, MissingScope)


def _location(settings: Settings, response: Response, kind: str, slug: str) -> None:
    response.headers["Location"] = f"{settings.base_url}/api/v1/{kind}/{slug}"


@sections.get(
    "",
    operation_id="sections-list",
    summary="List sections by name",
    response_model=Page[SectionPublic],
    responses=problems(InvalidParameter),
)
def list_sections(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    reader: ReaderDep,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    """A section whose articles are all unpublished is listed only for `content:preview` keys."""
    page = service.sections_page(session, limit=limit, cursor=cursor, now=clock(), cache=cache, reader=reader)
    private_if(response, reader != PUBLIC)
    return page.respond(request, response, SectionPublic.from_row)


@sections.get(
    "/{slug}",
    operation_id="sections-get",
    summary="Get a section",
    response_model=SectionPublic,
    responses=problems(SectionNotFound, InvalidParameter),
)
def get_section(
    request: Request,
    response: Response,
    slug: Slug,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    reader: ReaderDep,
) -> SectionPublic | Response:
    now = clock()
    section = service.get_section(session, slug, now=now, reader=reader)
    private_if(response, reader != PUBLIC)
    counts = service.section_article_counts(session, [section], now=now, cache=cache)
    return with_etag(request, response, SectionPublic.from_row(section, counts))


@sections.post(
    "",
    status_code=201,
    operation_id="sections-create",
    summary="Add a section",
    response_model=SectionPublic,
    responses=problems(*AUTH, TaxonomySlugTaken),
)
def create_section(
    response: Response,
    body: SectionCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cache: ContentCacheDep,
    key: EditorKey,
) -> SectionPublic:
    section = service.create_section(session, body)
    _location(settings, response, "sections", section.slug)
    return written(
        response,
        SectionPublic.from_row(section, service.section_article_counts(session, [section], now=clock(), cache=cache)),
    )


@sections.patch(
    "/{slug}",
    operation_id="sections-update",
    summary="Change a section",
    response_model=SectionPublic,
    responses=problems(*AUTH, SectionNotFound, TaxonomySlugTaken, PreconditionFailed, InvalidField, InvalidParameter),
)
def update_section(
    response: Response,
    slug: Slug,
    body: SectionUpdate,
    session: SessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    key: EditorKey,
    if_match: IfMatch = None,
) -> SectionPublic:
    now = clock()
    section = service.update_section(session, slug, body, now=now, cache=cache, if_match=if_match)
    return written(
        response,
        SectionPublic.from_row(section, service.section_article_counts(session, [section], now=now, cache=cache)),
    )


@sections.delete(
    "/{slug}",
    status_code=204,
    operation_id="sections-delete",
    summary="Remove a section, moving its articles to another",
    responses=problems(*AUTH, SectionNotFound, SectionHasArticles, PreconditionFailed, InvalidField, InvalidParameter),
)
def delete_section(
    slug: Slug,
    session: SessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    key: EditorKey,
    if_match: IfMatch = None,
    reassign_to: Annotated[
        str | None, Query(pattern=SLUG_PATTERN, description="Section that takes the articles.")
    ] = None,
) -> Response:
    service.delete_section(session, slug, reassign_to=reassign_to, now=clock(), cache=cache, if_match=if_match)
    return Response(status_code=204)


@tags.get(
    "",
    operation_id="tags-list",
    summary="List tags of published articles by name",
    response_model=Page[TagPublic],
    responses=problems(InvalidParameter),
)
def list_tags(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    q: NamePrefix = None,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    """Only tags that at least one published article carries: a tag made for a draft or an
    embargoed story would give the story away. With `q`, tags a word of whose name starts with it."""
    page = service.tags_page(session, limit=limit, cursor=cursor, now=clock(), cache=cache, prefix=q)
    return page.respond(request, response, TagPublic.from_row)


@tags.get(
    "/{slug}",
    operation_id="tags-get",
    summary="Get a tag",
    response_model=TagPublic,
    responses=problems(TagNotFound, InvalidParameter),
)
def get_tag(
    request: Request, response: Response, slug: Slug, session: ReadSessionDep, clock: ClockDep, cache: ContentCacheDep
) -> TagPublic | Response:
    now = clock()
    tag = service.get_tag(session, slug, now=now)
    return with_etag(
        request, response, TagPublic.from_row(tag, service.tag_article_counts(session, [tag], now=now, cache=cache))
    )


@tags.post(
    "",
    status_code=201,
    operation_id="tags-create",
    summary="Add a tag",
    response_model=TagPublic,
    responses=problems(*AUTH, TaxonomySlugTaken),
)
def create_tag(
    response: Response,
    body: TagCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cache: ContentCacheDep,
    key: EditorKey,
) -> TagPublic:
    tag = service.create_tag(session, body)
    _location(settings, response, "tags", tag.slug)
    return written(
        response, TagPublic.from_row(tag, service.tag_article_counts(session, [tag], now=clock(), cache=cache))
    )


@tags.patch(
    "/{slug}",
    operation_id="tags-update",
    summary="Rename a tag",
    response_model=TagPublic,
    responses=problems(*AUTH, TagNotFound, TaxonomySlugTaken, PreconditionFailed, InvalidField, InvalidParameter),
)
def update_tag(
    response: Response,
    slug: Slug,
    body: TagUpdate,
    session: SessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    key: EditorKey,
    if_match: IfMatch = None,
) -> TagPublic:
    now = clock()
    tag = service.update_tag(session, slug, body, now=now, cache=cache, if_match=if_match)
    return written(response, TagPublic.from_row(tag, service.tag_article_counts(session, [tag], now=now, cache=cache)))


@tags.delete(
    "/{slug}",
    status_code=204,
    operation_id="tags-delete",
    summary="Remove a tag from every article and delete it",
    responses=problems(*AUTH, TagNotFound, PreconditionFailed, InvalidParameter),
)
def delete_tag(
    slug: Slug, session: SessionDep, clock: ClockDep, cache: ContentCacheDep, key: EditorKey, if_match: IfMatch = None
) -> Response:
    service.delete_tag(session, slug, now=clock(), cache=cache, if_match=if_match)
    return Response(status_code=204)

"""Section and tag read routes, with article counts for navigation and tag clouds."""

from fastapi import APIRouter, Request, Response

from app.clock import ClockDep
from app.db import ReadSessionDep
from app.errors import InvalidParameter, problems
from app.pagination import CursorParam, Limit, Page, page_response
from app.slugs import Slug
from app.taxonomy import service
from app.taxonomy.errors import SectionNotFound, TagNotFound
from app.taxonomy.schemas import SectionPublic, TagPublic, section_public, tag_public

sections = APIRouter(prefix="/api/v1/sections", tags=["sections"])
tags = APIRouter(prefix="/api/v1/tags", tags=["tags"])


@sections.get(
    "",
    operation_id="sections-list",
    summary="List sections by name",
    response_model=Page[SectionPublic],
    responses=problems(InvalidParameter),
)
def list_sections(
    request: Request, response: Response, session: ReadSessionDep, clock: ClockDep, limit: Limit = 20, cursor: CursorParam = None
) -> dict:
    page, total, next_cursor = service.list_sections(session, limit=limit, cursor=cursor)
    counts = service.section_article_counts(session, [section.id for section in page], now=clock())
    items = [section_public(section, counts.get(section.id, 0)) for section in page]
    return page_response(request, response, items, total=total, next_cursor=next_cursor)


@sections.get(
    "/{slug}",
    operation_id="sections-get",
    summary="Get a section",
    response_model=SectionPublic,
    responses=problems(SectionNotFound, InvalidParameter),
)
def get_section(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> SectionPublic:
    section = service.get_section(session, slug)
    return section_public(section, service.section_article_counts(session, [section.id], now=clock()).get(section.id, 0))


@tags.get(
    "",
    operation_id="tags-list",
    summary="List tags by name",
    response_model=Page[TagPublic],
    responses=problems(InvalidParameter),
)
def list_tags(
    request: Request, response: Response, session: ReadSessionDep, clock: ClockDep, limit: Limit = 20, cursor: CursorParam = None
) -> dict:
    page, total, next_cursor = service.list_tags(session, limit=limit, cursor=cursor)
    counts = service.tag_article_counts(session, [tag.id for tag in page], now=clock())
    items = [tag_public(tag, counts.get(tag.id, 0)) for tag in page]
    return page_response(request, response, items, total=total, next_cursor=next_cursor)


@tags.get(
    "/{slug}",
    operation_id="tags-get",
    summary="Get a tag",
    response_model=TagPublic,
    responses=problems(TagNotFound, InvalidParameter),
)
def get_tag(slug: Slug, session: ReadSessionDep, clock: ClockDep) -> TagPublic:
    tag = service.get_tag(session, slug)
    return tag_public(tag, service.tag_article_counts(session, [tag.id], now=clock()).get(tag.id, 0))

"""Sitemaps, served through the HTTP cache like the API (validators, 304, surrogate keys)."""

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import PlainTextResponse

from app.caching import keys
from app.core.errors import InvalidParameter, problems
from app.sitemaps import service
from app.web.state import ClockDep, ReadSessionDep, SettingsDep

router = APIRouter(tags=["sitemaps"])
XML = "application/xml"
XML_CONTENT = {"description": "The sitemap", "content": {XML: {"schema": {"type": "string"}}}}


def _xml(document: str) -> Response:
    answer = Response(document, media_type=XML)
    keys.label(answer, [keys.ARTICLES, keys.EDITS])
    return answer


@router.get(
    "/sitemap.xml",
    operation_id="sitemaps-index",
    summary="Sitemap index over the pages of article URLs",
    response_class=Response,
    responses={200: XML_CONTENT},
)
def sitemap_index(session: ReadSessionDep, clock: ClockDep, settings: SettingsDep) -> Response:
    return _xml(service.index(session, now=clock(), settings=settings))


@router.get(
    "/sitemaps/articles-{number}.xml",
    operation_id="sitemaps-page",
    summary="One page of article URLs with their last change",
    response_class=Response,
    responses={200: XML_CONTENT, **problems(InvalidParameter)},
)
def sitemap_page(
    number: Annotated[int, Path(ge=1, le=1_000_000)], session: ReadSessionDep, clock: ClockDep, settings: SettingsDep
) -> Response:
    return _xml(service.page(session, number, now=clock(), settings=settings))


@router.get(
    "/sitemap-news.xml",
    operation_id="sitemaps-news",
    summary="Google News sitemap: articles published in the last 48 hours",
    response_class=Response,
    responses={200: XML_CONTENT},
)
def news_sitemap(session: ReadSessionDep, clock: ClockDep, settings: SettingsDep) -> Response:
    return _xml(service.news(session, now=clock(), settings=settings))


@router.get(
    "/robots.txt",
    operation_id="sitemaps-robots",
    summary="Point crawlers at the sitemaps",
    response_class=PlainTextResponse,
    responses={200: {"description": "robots.txt", "content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def robots(settings: SettingsDep) -> PlainTextResponse:
    return PlainTextResponse(
        f"User-agent: *\nAllow: /\n\nSitemap: {settings.base_url}/sitemap.xml\n"
        f"Sitemap: {settings.base_url}/sitemap-news.xml\n"
    )

"""Feeds for readers' feed apps and aggregators. Served through the HTTP cache like the API: ETag,
Last-Modified and 304 for pollers, Cache-Control for CDNs, surrogate keys for purges."""

from datetime import datetime

from fastapi import APIRouter, Response

from app.authors.errors import AuthorNotFound
from app.caching import keys
from app.collections.errors import CollectionNotFound
from app.core.errors import InvalidParameter, problems
from app.core.settings import Settings
from app.core.slugs import Slug
from app.feeds import service
from app.feeds.schemas import JsonFeed
from app.feeds.service import MEDIA_TYPES, Feed, FeedFile, Scope
from app.taxonomy.errors import SectionNotFound, TagNotFound
from app.web.state import ClockDep, ContentCacheDep, ReadSessionDep, SettingsDep

router = APIRouter(prefix="/feeds", tags=["feeds"])

FEED_CONTENT = {
    "description": "The feed, in the format its file name names",
    "content": {
        "application/rss+xml": {"schema": {"type": "string"}},
        "application/atom+xml": {"schema": {"type": "string"}},
        "application/feed+json": {"schema": {"$ref": "#/components/schemas/JsonFeed"}},
    },
}
# Written by hand, not through a response model, so FastAPI cannot see it: app.openapi adds it to the document.
DOCUMENTED_SHAPES = (JsonFeed,)


@router.get(
    "/{file}",
    operation_id="feeds-site",
    summary="Feed of the newest 50 articles (RSS, Atom or JSON Feed)",
    response_class=Response,
    responses={200: FEED_CONTENT, **problems(InvalidParameter)},
)
def site_feed(
    file: FeedFile, session: ReadSessionDep, clock: ClockDep, cache: ContentCacheDep, settings: SettingsDep
) -> Response:
    now = clock()
    return _answer(service.site_feed(session, file=file, now=now, cache=cache, settings=settings), file, now, settings)


@router.get(
    "/{scope}/{slug}/{file}",
    operation_id="feeds-scoped",
    summary="Feed of the newest 50 articles of a section, author or tag, or of a collection",
    response_class=Response,
    responses={
        200: FEED_CONTENT,
        **problems(SectionNotFound, AuthorNotFound, TagNotFound, CollectionNotFound, InvalidParameter),
    },
)
def scoped_feed(
    scope: Scope,
    slug: Slug,
    file: FeedFile,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    settings: SettingsDep,
) -> Response:
    now = clock()
    feed = service.scoped_feed(session, scope, slug, file=file, now=now, cache=cache, settings=settings)
    return _answer(feed, file, now, settings)


def _answer(feed: Feed, file: FeedFile, now: datetime, settings: Settings) -> Response:
    answer = Response(service.render(feed, file, now=now, settings=settings), media_type=MEDIA_TYPES[file])
    keys.label_list(answer, keys.ARTICLES, [public for _, public in feed.entries], *feed.chosen_by)
    return answer

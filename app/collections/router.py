"""Collection routes: list, read, set the order (now or for later), remove, and the orders it had."""

from fastapi import APIRouter, Request, Response

from app.articles.dependencies import EditorReader, ReaderDep
from app.articles.visibility import PUBLIC
from app.auth.dependencies import PublisherKey
from app.auth.errors import CsrfTokenMissing, MissingScope, NotAuthenticated, PublishingForbidden
from app.collections import service
from app.collections.errors import CollectionExists, CollectionInUse, CollectionNotFound, CollectionSlugTaken
from app.collections.schemas import (
    COLLECTIONS,
    CollectionChange,
    CollectionPublic,
    CollectionRevisionPublic,
    CollectionSummary,
    CollectionWrite,
)
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.slugs import Slug
from app.web.conditional import IfMatch, IfNoneMatch, PreconditionFailed, private_if, with_etag, written
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ReadSessionDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/collections", tags=["collections"])

WRITE = (NotAuthenticated, MissingScope, CsrfTokenMissing, PublishingForbidden, PreconditionFailed)


@router.get(
    "",
    operation_id="collections-list",
    summary="List collections by slug",
    response_model=Page[CollectionSummary],
    responses=problems(InvalidParameter),
)
def list_collections(
    request: Request, response: Response, session: ReadSessionDep, limit: Limit = 20, cursor: CursorParam = None
) -> dict:
    rows, total, next_cursor = service.page(session, limit=limit, cursor=cursor)
    shown = [service.summary(session, row) for row in rows]
    return page_response(request, response, shown, total=total, next_cursor=next_cursor, kind=COLLECTIONS)


@router.get(
    "/{slug}",
    operation_id="collections-get",
    summary="Get a collection's articles in the editors' order",
    response_model=CollectionPublic,
    responses=problems(CollectionNotFound, InvalidParameter),
)
def get_collection(
    request: Request, response: Response, slug: Slug, session: ReadSessionDep, clock: ClockDep, reader: ReaderDep
) -> CollectionPublic | Response:
    """Stories readers cannot see yet (drafts, scheduled, embargoed) are left out until they can,
    and the rest move up; free slots take the fallback section's newest. Keys with
    `content:preview` see every pick, and the orders scheduled for later."""
    collection = service.get(session, slug)
    private_if(response, reader != PUBLIC)
    return with_etag(request, response, service.shown(session, collection, now=clock(), reader=reader))


@router.put(
    "/{slug}",
    operation_id="collections-put",
    summary="Create a collection or set its order",
    response_model=CollectionPublic,
    responses={
        **problems(*WRITE, CollectionExists, InvalidField),
        201: {"model": CollectionPublic, "description": "Created"},
    },
)
def put_collection(
    response: Response,
    slug: Slug,
    body: CollectionWrite,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    key: PublisherKey,
    reader: EditorReader,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> CollectionPublic:
    """Send `If-Match` with the ETag of your read (with your key): if someone reordered the
    collection since, the write is refused with 412. Send `If-None-Match: *` to create a new
    collection only: if the slug is taken, 412 `collection-exists`. With `apply_at`, the order
    applies from then on, by itself. Every order is kept (`/revisions`)."""
    now = clock()
    collection, created = service.put(
        session, slug, body, now=now, actor=key.name, reader=reader, if_match=if_match, if_none_match=if_none_match
    )
    if created:
        response.status_code = 201
        response.headers["Location"] = f"{settings.base_url}/api/v1/collections/{slug}"
    return written(response, service.shown(session, collection, now=now, reader=reader))


@router.patch(
    "/{slug}",
    operation_id="collections-patch",
    summary="Rename or retitle a collection",
    response_model=CollectionPublic,
    responses=problems(*WRITE, CollectionNotFound, CollectionSlugTaken),
)
def patch_collection(
    response: Response,
    slug: Slug,
    body: CollectionChange,
    session: SessionDep,
    clock: ClockDep,
    key: PublisherKey,
    reader: EditorReader,
    if_match: IfMatch = None,
) -> CollectionPublic:
    """Sections that name the collection as their editors' picks follow a new slug; the old slug
    then answers 404. Its order, revisions and scheduled orders stay with it."""
    now = clock()
    collection = service.change(session, slug, body, now=now, reader=reader, if_match=if_match)
    return written(response, service.shown(session, collection, now=now, reader=reader))


@router.delete(
    "/{slug}",
    status_code=204,
    operation_id="collections-delete",
    summary="Remove a collection",
    responses=problems(*WRITE, CollectionNotFound, CollectionInUse),
)
def delete_collection(
    slug: Slug, session: SessionDep, clock: ClockDep, key: PublisherKey, reader: EditorReader, if_match: IfMatch = None
) -> Response:
    service.remove(session, slug, now=clock(), reader=reader, if_match=if_match)
    return Response(status_code=204)


@router.get(
    "/{slug}/revisions",
    operation_id="collections-revisions",
    summary="List the orders a collection was given, newest first",
    response_model=list[CollectionRevisionPublic],
    responses=problems(NotAuthenticated, MissingScope, CollectionNotFound),
)
def list_revisions(
    response: Response, slug: Slug, session: ReadSessionDep, key: PublisherKey
) -> list[CollectionRevisionPublic]:
    private_if(response, True)
    return service.revisions(session, service.get(session, slug))

"""The change feed route: anonymous, public, through the HTTP cache like every list."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import URL

from app.caching import keys
from app.changes import service
from app.changes.schemas import ChangePage
from app.core.errors import InvalidParameter, problems
from app.web.pagination import Limit, opened_cursor, seal_cursor
from app.web.state import ClockDep, ReadSessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/changes", tags=["changes"])

SinceParam = Annotated[
    str | None,
    Depends(
        opened_cursor(
            "since", "`meta.next_cursor` of your last read. Omitted: from the beginning, each public article once."
        )
    ),
]


@router.get(
    "",
    operation_id="changes-list",
    summary="List what readers can and can no longer see since a cursor",
    response_model=ChangePage,
    responses=problems(InvalidParameter),
)
def list_changes(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    since: SinceParam = None,
    limit: Limit = 20,
) -> dict:
    """For clients that keep an offline copy of the public articles. An `upsert` names a slug readers
    can see (fetch the article from `url`); a `tombstone` a slug they no longer can (unpublished,
    archived, deleted, renamed away, or taken back behind an embargo or schedule): drop it. Each slug
    appears once per page, in its state now. Drafts and articles not yet live never appear, nor do
    their slugs; a scheduled article or a lifted embargo appears at its time. While `meta.has_more`
    is true, ask again at once with `meta.next_cursor`; after that, poll with it. Comment counts
    move without an entry, as they leave ETags alone."""
    read = service.read_changes(session, since, now=clock(), limit=limit, api_url=f"{settings.base_url}/api/v1")
    keys.label(response, [keys.CHANGES])
    next_cursor = seal_cursor(read.next.encode(), settings.secret_key.get_secret_value())
    here = URL(settings.base_url + request.url.path + "?" + request.url.query)
    next_url = str(here.include_query_params(since=next_cursor))
    if read.has_more:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return {
        "data": read.entries,
        "meta": {"next_cursor": next_cursor, "has_more": read.has_more},
        "links": {"next": next_url},
    }

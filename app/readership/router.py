"""Most read routes: the anonymous view beacon and the ranking it feeds."""

from collections.abc import Hashable
from datetime import datetime
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from app.articles.errors import ArticleNotFound
from app.core.errors import InvalidParameter, problems
from app.core.slugs import SLUG_PATTERN, Slug
from app.readership import service
from app.readership.errors import TooManyViews
from app.readership.schemas import MostRead, Window
from app.readership.service import READERSHIP, Readership
from app.taxonomy.errors import SectionNotFound
from app.web.conditional import with_etag
from app.web.state import ClockDep, ReadSessionDep, app_state

router = APIRouter(tags=["readership"])


def _readership(request: Request) -> Readership:
    part = app_state(request).part(READERSHIP)
    if part is None:
        raise RuntimeError("the app was built without most read")
    return part


def _state_token(request: Request, now: datetime) -> Hashable:
    return service.state_token(app_state(request), now)


@router.post(
    "/api/v1/articles/{slug}/views",
    status_code=202,
    operation_id="readership-view",
    summary="Count one view of an article",
    response_class=Response,
    responses=problems(ArticleNotFound, TooManyViews, InvalidParameter),
)
async def view_article(request: Request, slug: Slug, clock: ClockDep) -> Response:
    """Send once per page view, with no body (`navigator.sendBeacon`). Nothing is stored about the
    reader: views from crawlers and link previews, and an address's repeated views of the article
    within a while, are not counted."""
    now = clock()
    part = _readership(request)
    token = _state_token(request, now)
    address = request.client.host if request.client else ""
    agent = request.headers.get("user-agent")
    if not service.beacon(part, slug, address=address, user_agent=agent, now=now, state=token):
        engine = app_state(request).engines.read

        def find() -> int | None:
            with Session(engine) as session:
                return service.public_article_id(session, slug, now)

        article_id = await anyio.to_thread.run_sync(part.articles.get, slug, token, find)
        if article_id is None:
            raise ArticleNotFound(f"No published article has the slug '{slug}'.", slug=slug)
        part.counter.view(article_id, address, now)
    return Response(status_code=202)


SectionParam = Annotated[str | None, Query(pattern=SLUG_PATTERN, max_length=200, description="Only this section.")]


@router.get(
    "/api/v1/most-read",
    operation_id="readership-most-read",
    summary="List the most read articles",
    response_model=MostRead,
    responses=problems(SectionNotFound, InvalidParameter),
)
def most_read(
    request: Request,
    response: Response,
    session: ReadSessionDep,
    clock: ClockDep,
    section: SectionParam = None,
    window: Window = "24h",
    limit: Annotated[int, Query(ge=1, le=50, description="How many.")] = 10,
) -> MostRead | Response:
    """From rolling counts of the window, kept for a minute (`Cache-Control`) rather than purged by
    every view. The order only: counts are null unless the site publishes them."""
    settings = app_state(request).settings
    answer = service.most_read(
        session,
        now=clock(),
        window=window,
        section=section,
        limit=limit,
        public_counts=settings.most_read_public_counts,
    )
    # Views move it without a write: the response cache and CDNs keep it this long at most.
    response.headers["Cache-Control"] = f"public, max-age={settings.most_read_ttl_seconds}"
    return with_etag(request, response, answer)

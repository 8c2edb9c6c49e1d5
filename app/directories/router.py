"""The routes of a directory: list, get, add, change and remove, the same for every kind."""

import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from app.articles.dependencies import ReaderDep
from app.articles.visibility import PUBLIC
from app.auth.dependencies import EditorKey
from app.auth.errors import MissingScope, NotAuthenticated
from app.core.errors import InvalidParameter, ProblemError, problems
from app.core.slugs import SLUG_PATTERN, Slug
from app.directories.service import Directory
from app.web.conditional import IfMatch, PreconditionFailed, private_if, with_etag, written
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ClockDep, ContentCacheDep, ReadSessionDep, SessionDep, SettingsDep

NamePrefix = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="Autocomplete: names with a word starting with this."),
]
AUTH = (NotAuthenticated, MissingScope)


def _taking(endpoint: Callable[..., Any], **parameters: Any) -> Callable[..., Any]:
    """The endpoint as FastAPI reads it: each parameter named here gets this kind's type, or is left
    out (and keeps its default) when None."""
    signature = inspect.signature(endpoint)
    kept = [
        p.replace(annotation=parameters.get(p.name, p.annotation))
        for p in signature.parameters.values()
        if parameters.get(p.name, p.annotation) is not None
    ]
    endpoint.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    return endpoint


def directory_router(
    directory: Directory[Any],
    *,
    summaries: Mapping[str, str],
    list_description: str,
    searchable: bool = False,
    reassign_to: str | None = None,
    more_problems: Mapping[str, tuple[type[ProblemError], ...]] | None = None,
    page: tuple[Callable[..., Any], type[BaseModel]] | None = None,
) -> APIRouter:
    """`summaries` per action (list, get, create, update, delete); `reassign_to` describes the heir a
    removal names; `more_problems` per action are documented before InvalidParameter; `page`, an
    endpoint and its answer's model that replace the kind's plain get (a section with its picks)."""
    kind, public = directory.list_key, directory.public
    router = APIRouter(prefix=f"/api/v1/{kind}", tags=[kind])
    # Only a kind that lists an entry unless its articles are hidden answers each key differently.
    by_reader = directory.lists_unused
    more = more_problems or {}

    def operation(action: str, *documented: type[ProblemError], **route: Any) -> dict[str, Any]:
        """The route's documentation; the kind's own problems for `action` go before the last one."""
        *first, last = documented
        responses = problems(*first, *more.get(action, ()), last)
        return route | {"operation_id": f"{kind}-{action}", "summary": summaries[action], "responses": responses}

    def list_entries(
        *,
        request: Request,
        response: Response,
        session: ReadSessionDep,
        clock: ClockDep,
        cache: ContentCacheDep,
        reader: ReaderDep = PUBLIC,
        q: NamePrefix = None,
        limit: Limit = 20,
        cursor: CursorParam = None,
    ) -> dict:
        page = directory.page(session, limit=limit, cursor=cursor, now=clock(), cache=cache, prefix=q, reader=reader)
        if by_reader:
            private_if(response, reader != PUBLIC)
        shown = [public.from_row(entry, page.article_counts) for entry in page.entries]
        return page_response(request, response, shown, total=page.total, next_cursor=page.next_cursor, kind=kind)

    def get_entry(
        *,
        request: Request,
        response: Response,
        slug: Slug,
        session: ReadSessionDep,
        clock: ClockDep,
        cache: ContentCacheDep,
        reader: ReaderDep = PUBLIC,
    ) -> Any:
        now = clock()
        entry = directory.get(session, slug, now=now, reader=reader)
        if by_reader:
            private_if(response, reader != PUBLIC)
        return with_etag(request, response, directory.shown(session, entry, now=now, cache=cache))

    def create_entry(
        *,
        response: Response,
        body: Any,
        session: SessionDep,
        clock: ClockDep,
        settings: SettingsDep,
        cache: ContentCacheDep,
        key: EditorKey,
    ) -> Any:
        now = clock()
        entry = directory.create(session, body, now=now)
        response.headers["Location"] = f"{settings.base_url}/api/v1/{kind}/{entry.slug}"
        return written(response, directory.shown(session, entry, now=now, cache=cache))

    def update_entry(
        *,
        response: Response,
        slug: Slug,
        body: Any,
        session: SessionDep,
        clock: ClockDep,
        cache: ContentCacheDep,
        key: EditorKey,
        if_match: IfMatch = None,
    ) -> Any:
        now = clock()
        entry = directory.change(session, slug, body, now=now, cache=cache, if_match=if_match)
        return written(response, directory.shown(session, entry, now=now, cache=cache))

    def delete_entry(
        *,
        slug: Slug,
        session: SessionDep,
        clock: ClockDep,
        cache: ContentCacheDep,
        key: EditorKey,
        if_match: IfMatch = None,
        reassign_to: str | None = None,
    ) -> Response:
        directory.remove(session, slug, reassign_to=reassign_to, now=clock(), cache=cache, if_match=if_match)
        return Response(status_code=204)

    reader = ReaderDep if by_reader else None
    heir = Annotated[str | None, Query(pattern=SLUG_PATTERN, description=reassign_to)] if reassign_to else None
    refused = (directory.still_used,) if directory.still_used else ()
    add = router.add_api_route
    add(
        "",
        _taking(list_entries, reader=reader, q=NamePrefix if searchable else None),
        **operation(
            "list",
            InvalidParameter,
            response_model=Page[public],  # type: ignore[valid-type]
            description=list_description,
        ),
    )
    get_endpoint, get_model = page or (_taking(get_entry, reader=reader), public)
    add("/{slug}", get_endpoint, **operation("get", directory.not_found, InvalidParameter, response_model=get_model))
    add(
        "",
        _taking(create_entry, body=directory.create_body),
        **operation("create", *AUTH, directory.slug_taken, methods=["POST"], status_code=201, response_model=public),
    )
    add(
        "/{slug}",
        _taking(update_entry, body=directory.update_body),
        **operation(
            "update",
            *AUTH,
            directory.not_found,
            directory.slug_taken,
            PreconditionFailed,
            InvalidParameter,
            methods=["PATCH"],
            response_model=public,
        ),
    )
    add(
        "/{slug}",
        _taking(delete_entry, reassign_to=heir),
        **operation(
            "delete",
            *AUTH,
            directory.not_found,
            *refused,
            PreconditionFailed,
            InvalidParameter,
            methods=["DELETE"],
            status_code=204,
        ),
    )
    return router

"""Bulk import and export of articles in the ingest shape."""

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from app.articles.schemas import UTCTime
from app.articles.visibility import Reader, editor
from app.auth.dependencies import PublisherKey
from app.auth.errors import CsrfTokenMissing, MissingScope, NotAuthenticated, PublishingForbidden, SectionForbidden
from app.auth.models import Scope
from app.core.errors import InvalidField, InvalidParameter, problems
from app.core.settings import Settings
from app.ingest.batch import NDJSON, ingest_batch, read_batch
from app.ingest.errors import IngestAborted, TooManyRecords, UnsupportedBatchType
from app.ingest.export import export_records
from app.ingest.schemas import IngestRecord, IngestReport
from app.web.middleware.body_limit import ContentTooLarge
from app.web.state import ClockDep, EnginesDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["ingest"])
# Read by hand from NDJSON, so FastAPI cannot see it: app.openapi adds it to the document.
DOCUMENTED_SHAPES = (IngestRecord,)


def body_limits(settings: Settings) -> dict[str, int]:
    return {"/api/v1/ingest": settings.ingest_max_bytes}


_BATCH_BODY = {
    "required": True,
    "content": {
        NDJSON: {"schema": {"$ref": "#/components/schemas/IngestRecord"}},
        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/IngestRecord"}}},
    },
}


@router.post(
    "/ingest",
    operation_id="ingest-articles",
    summary="Create or update a batch of articles",
    response_model=IngestReport,
    responses=problems(
        NotAuthenticated,
        MissingScope,
        CsrfTokenMissing,
        SectionForbidden,
        PublishingForbidden,
        InvalidField,
        IngestAborted,
        ContentTooLarge,
        TooManyRecords,
        UnsupportedBatchType,
    ),
    openapi_extra={"requestBody": _BATCH_BODY},
)
async def ingest(
    request: Request,
    key: PublisherKey,
    settings: SettingsDep,
    clock: ClockDep,
    engines: EnginesDep,
    on_error: Annotated[
        Literal["skip", "abort"],
        Query(description="`skip`: good records land and bad ones are reported; `abort`: all or nothing."),
    ] = "skip",
    dry_run: Annotated[bool, Query(description="Report what would happen; store nothing.")] = False,
) -> IngestReport:
    """NDJSON (one record a line) or a JSON array of records, upserted by `external_id` (by slug without
    one): sending the same batch again changes nothing. Authors, sections and tags named by the records
    are created if new. At most `BYLINE_INGEST_MAX_RECORDS` records and `BYLINE_INGEST_MAX_BYTES` bytes."""
    received = read_batch(
        await request.body(), request.headers.get("content-type", ""), max_records=settings.ingest_max_records
    )
    return await run_in_threadpool(
        ingest_batch,
        partial(Session, engines.write, expire_on_commit=False),
        received,
        now=clock(),
        actor=key.name,
        reader=editor(embargoed=key.grants(Scope.content_embargo), sections=key.sections),
        base_url=settings.base_url,
        on_error=on_error,
        dry_run=dry_run,
    )


def _ndjson(
    engine: Engine, *, now: datetime, reader: Reader, updated_since: datetime | None, with_emails: bool
) -> Iterator[bytes]:
    # Its own session: the stream outlives the request's dependencies.
    with Session(engine) as session:
        records = export_records(session, now=now, reader=reader, updated_since=updated_since, with_emails=with_emails)
        for record in records:
            yield orjson.dumps(record) + b"\n"


@router.get(
    "/export/articles.ndjson",
    operation_id="ingest-export",
    summary="Export every article in the ingest shape",
    response_class=StreamingResponse,
    responses={
        200: {"content": {NDJSON: {"schema": {"$ref": "#/components/schemas/IngestRecord"}}}, "description": "NDJSON"},
        **problems(NotAuthenticated, MissingScope, SectionForbidden, PublishingForbidden, InvalidParameter),
    },
)
def export(
    key: PublisherKey,
    engines: EnginesDep,
    clock: ClockDep,
    updated_since: Annotated[UTCTime | None, Query(description="Only articles changed at or after this time.")] = None,
) -> StreamingResponse:
    """Articles of every status, one a line, with their comments and related pins: what
    `POST /api/v1/ingest` takes, so an export imported elsewhere reproduces the archive. Streamed as it is
    read. Commenters' email addresses are included only for keys with `comments:moderate`; embargoed
    articles only for keys with `content:embargo`."""
    return StreamingResponse(
        _ndjson(
            engines.read,
            now=clock(),
            reader=editor(embargoed=key.grants(Scope.content_embargo), sections=key.sections),
            updated_since=updated_since,
            with_emails=key.grants(Scope.comments_moderate),
        ),
        media_type=NDJSON,
    )

"""A batch sent to POST /api/v1/ingest: NDJSON or a JSON array, read into records within the limits."""

from collections.abc import Callable
from datetime import datetime

import orjson
from sqlmodel import Session

from app.articles.visibility import Reader
from app.core.errors import InvalidField
from app.ingest.errors import IngestAborted, TooManyRecords, UnsupportedBatchType
from app.ingest.schemas import IngestReport, IngestResult
from app.ingest.service import Ingest, OnError, Outcome, Received

NDJSON = "application/x-ndjson"


def _too_many(limit: int) -> TooManyRecords:
    return TooManyRecords(
        f"A batch holds at most {limit} records (BYLINE_INGEST_MAX_RECORDS); send the rest in another.",
        limit=limit,
        unit="records",
    )


def _lines(body: bytes, max_records: int) -> list[Received]:
    received: list[Received] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        if len(received) == max_records:
            raise _too_many(max_records)
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as bad:
            received.append(Received(number, None, f"Line {number} is not JSON: {bad}"))
            continue
        if isinstance(value, dict):
            received.append(Received(number, value))
        else:
            received.append(Received(number, None, f"Line {number} is not a JSON object."))
    return received


def _array(body: bytes, max_records: int) -> list[Received]:
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError as bad:
        raise InvalidField("#", f"The body is not JSON: {bad}") from None
    if not isinstance(items, list):
        raise InvalidField("#", "The body must be a JSON array of records (or NDJSON, one record a line).")
    if len(items) > max_records:
        raise _too_many(max_records)
    return [
        Received(n, item) if isinstance(item, dict) else Received(n, None, f"Item {n} is not a JSON object.")
        for n, item in enumerate(items)
    ]


def read_batch(body: bytes, content_type: str, *, max_records: int) -> list[Received]:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == NDJSON:
        return _lines(body, max_records)
    if media_type == "application/json":
        return _array(body, max_records)
    raise UnsupportedBatchType(f"Send {NDJSON} (one record a line) or application/json (an array of records).")


def ingest_batch(
    session_factory: Callable[[], Session],
    received: list[Received],
    *,
    now: datetime,
    actor: str,
    reader: Reader,
    base_url: str,
    on_error: OnError,
    dry_run: bool,
) -> IngestReport:
    """Store a whole batch and tell what became of each record; with `on_error=abort`, a failure stores nothing."""
    with session_factory() as session:
        run = Ingest(
            session, now=now, actor=actor, reader=reader, base_url=base_url, on_error=on_error, dry_run=dry_run
        )
        outcomes: dict[int | str, Outcome] = {}
        for outcome in run.run(received):
            # Later outcomes of a record (its related pins) replace earlier ones.
            outcomes[outcome.position] = outcome
    results = [IngestResult.model_validate(vars(o), from_attributes=False) for o in outcomes.values()]
    results.sort(key=lambda r: r.position)
    if on_error == "abort" and run.failed:
        raise IngestAborted(
            f"{run.failed} record(s) failed; nothing of the batch was stored.",
            failures=[r.model_dump(mode="json", exclude_none=True) for r in results if r.status == "failed"],
        )
    counts = {s: sum(r.status == s for r in results) for s in ("created", "updated", "unchanged", "failed")}
    return IngestReport(**counts, dry_run=dry_run, results=results)

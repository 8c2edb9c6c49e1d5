"""Problems of bulk imports."""

from app.core.errors import ProblemError


class TooManyRecords(ProblemError):
    """The batch holds more records than `BYLINE_INGEST_MAX_RECORDS`."""

    type_slug = "batch-too-large"
    title = "Batch too large"
    status = 413
    advice = "Split the batch into batches of at most `BYLINE_INGEST_MAX_RECORDS` records."


class UnsupportedBatchType(ProblemError):
    """The batch is neither NDJSON nor a JSON array."""

    type_slug = "unsupported-media-type"
    title = "Unsupported media type"
    status = 415
    advice = "Send NDJSON as `application/x-ndjson`, or a JSON array as `application/json`."


class IngestAborted(ProblemError):
    """With `on_error=abort`, a record failed, so nothing of the batch was stored."""

    type_slug = "ingest-aborted"
    title = "Import aborted"
    status = 422
    advice = (
        "Fix the record the report names and send the batch again, or send it with `on_error=skip` to store "
        "the other records."
    )


class ExternalIdTaken(ProblemError):
    """The record's external id belongs to an article the key may not change."""

    type_slug = "external-id-taken"
    title = "External id already in use"
    status = 409
    advice = "Use another external id, or a key that may change that article."

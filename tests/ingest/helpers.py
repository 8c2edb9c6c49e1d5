"""Records of the ingest shape and batches of them."""

import orjson


def record(n: int, **overrides) -> dict:
    return {
        "external_id": f"ext-{n}",
        "title": f"Harbour story number {n}",
        "body": [{"type": "paragraph", "text": f"The harbour board met on day {n} to discuss dredging."}],
        "authors": ["Ada Reporter"],
        "section": "Local News",
        "tags": ["Harbour", "Council"],
        "published_at": "2025-05-01T08:00:00Z",
        "updated_at": "2025-05-02T08:00:00Z",
    } | overrides


def ndjson(*records: dict) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def send(client, headers, *records: dict, **params):
    return client.post(
        "/api/v1/ingest",
        content=ndjson(*records),
        params=params,
        headers=headers | {"Content-Type": "application/x-ndjson"},
    )

"""OpenAPI metadata, and the document as committed in openapi/openapi.json."""

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.core.errors import Problem, problem_content

TAGS = [
    {"name": "articles", "description": "Published articles: lists for fronts and feeds, and the full article page."},
    {"name": "changes", "description": "The change feed: upserts and tombstones for keeping an offline copy in sync."},
    {"name": "comments", "description": 'The "Leave a Reply" form, published threads, and the moderation queue.'},
    {"name": "authors", "description": "The people in bylines: directory, author box and their articles."},
    {"name": "sections", "description": "Sections of the report, such as World or Business."},
    {"name": "tags", "description": "Topic tags that cut across sections."},
    {"name": "collections", "description": "Editors' picks: named, ordered lists of articles for fronts."},
    {"name": "readership", "description": "Most read: anonymous view beacons and the stories read most."},
    {"name": "feeds", "description": "RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newest articles, for feed readers."},
    {"name": "sitemaps", "description": "Sitemaps for search engines, Google News included."},
    {"name": "webhooks", "description": "Signed event notifications to other systems, and their deliveries log."},
    {"name": "media", "description": "The media library: pictures, their renditions, sizes and focal points."},
    {"name": "session", "description": "Sign-in for browsers: a session cookie, its CSRF token, and one's sessions."},
    {"name": "users", "description": "Newsroom accounts, their roles and sections, and one's own password."},
    {"name": "keys", "description": "API keys of people and service accounts: create, rotate, revoke."},
    {"name": "audit", "description": "Who changed what and when, in which request."},
    {"name": "ingest", "description": "Bringing an archive in and taking it out: bulk upsert and export."},
    {"name": "meta", "description": "The API's own entry points."},
]

# Operations that take the caller as optional, yet answer only a person: with a session alone, or either way.
SESSION_ONLY = frozenset({"users-password", "users-totp-enrol", "users-totp-confirm", "users-totp-disable"})
IDENTIFIED = frozenset({"users-me"})

DESCRIPTION = """\
Byline serves every part of a news article page as JSON: headline and dek, body blocks and
sanitised HTML, bylines with author boxes, section, tags and corrections.

Lists use opaque keyset cursors: follow `links.next` (or the `Link` header) to walk every
item exactly once. Errors are RFC 9457 `application/problem+json` documents.
"""


def tidy_document(document: dict) -> dict:
    """Say what the app really does where FastAPI's defaults say otherwise."""
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            # Reads that accept a key or a session but do not need one: `{}` is the anonymous alternative.
            # Routes about one's session or password take the session cookie alone; one's account, either.
            if operation.get("security") == [{"ApiKey": []}, {"SessionCookie": []}]:
                signed_in = operation.get("tags") == ["session"] or operation.get("operationId") in SESSION_ONLY
                if signed_in:
                    operation["security"] = [{"SessionCookie": []}]
                elif operation.get("operationId") not in IDENTIFIED:
                    operation["security"] = [{}, {"ApiKey": []}, {"SessionCookie": []}]
                    # Anonymous is fine; a key that is unknown, expired, revoked or rotated away is not.
                    operation.setdefault("responses", {}).setdefault(
                        "401",
                        {
                            "description": "The API key sent is unknown, expired or revoked",
                            "content": problem_content(),
                        },
                    )
            # Any operation can meet a database that is down, locked, read-only or full.
            operation.setdefault("responses", {}).setdefault(
                "503",
                {
                    "description": "Database unavailable; retry after `Retry-After` seconds",
                    "content": problem_content(),
                },
            )
            # Validation failures are problem documents, not FastAPI's default shape.
            invalid = operation.get("responses", {}).get("422")
            if invalid is not None:
                invalid["content"] = problem_content()
                if invalid.get("description") == "Validation Error":
                    invalid["description"] = "Invalid request parameters"
    for unused in ("HTTPValidationError", "ValidationError"):
        document.get("components", {}).get("schemas", {}).pop(unused, None)
    return document


def _add_schemas(document: dict, models: tuple[type[BaseModel], ...]) -> dict:
    """Schemas FastAPI cannot see: those of problem responses, and those request bodies read by hand
    (NDJSON, say) refer to."""
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in definitions.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    return document


def install_openapi(app: FastAPI, *, extra_models: tuple[type[BaseModel], ...] = ()) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = tidy_document(_add_schemas(build(), (Problem, *extra_models)))
        return app.openapi_schema

    # FastAPI's documented way to customise the document is to replace this method.
    app.openapi = openapi  # type: ignore[method-assign]


def openapi_document(app: FastAPI) -> str:
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"

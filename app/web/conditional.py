"""Entity tags: strong validators for single resources, If-None-Match for reads, If-Match for writes
(and If-None-Match: * for writes that may only create)."""

from collections.abc import Callable
from typing import Annotated, TypeVar

import orjson
from fastapi import Header, Request, Response
from pydantic import BaseModel

from app.caching import keys
from app.caching.responses.encoding import strong_etag, uncoded_etag
from app.core.errors import ProblemError

Shown = TypeVar("Shown", bound=BaseModel)


class PreconditionFailed(ProblemError):
    """If-Match named a version of the resource that is no longer current: someone else changed it."""

    type_slug = "precondition-failed"
    title = "The resource has changed"
    status = 412
    advice = (
        "Read the resource again, apply your change to the current version, and send it with the new ETag in "
        "`If-Match`."
    )


IfMatch = Annotated[
    str | None,
    Header(
        description="ETag from your last read; the write is refused with 412 if the resource changed since.",
        max_length=2000,
    ),
]

IfNoneMatch = Annotated[
    str | None,
    Header(
        description="`*` to create only: the write is refused with 412 if the resource already exists.",
        max_length=2000,
    ),
]


def etag_of(representation: BaseModel) -> str:
    """A strong ETag: a digest of the JSON a client receives, less the fields in `etag_ignores`
    (derived from the rest). Fields in `etag_volatile` (a comment count) get a digest of their own
    after a dot: a reader revalidating sees them change, while an editor's If-Match, compared
    without it, is not made stale by a moderator."""
    kind = type(representation)
    ignored: set[str] = getattr(kind, "etag_ignores", set())
    volatile: set[str] = getattr(kind, "etag_volatile", set())
    tag = strong_etag(representation.model_dump_json(exclude=ignored | volatile).encode())
    if not volatile:
        return tag
    volatile_tag = strong_etag(representation.model_dump_json(include=volatile).encode())
    return tag[:-1] + "." + volatile_tag[1:9] + '"'


def _editorial(tag: str) -> str:
    """The part of a tag an If-Match compares: everything but the volatile digest."""
    return tag.split(".", 1)[0] + '"' if "." in tag else tag


def _listed(header: str, *, weak: bool) -> set[str]:
    tags = {uncoded_etag(part.strip()) for part in header.split(",") if part.strip()}
    # If-None-Match compares weakly; If-Match strongly, where a W/ tag never matches.
    return {tag.removeprefix("W/") for tag in tags} if weak else tags


def require_current(if_match: str | None, current: Callable[[], BaseModel]) -> None:
    """Refuse a write whose If-Match does not name the current representation (RFC 9110 §13.1.1),
    which `current` renders only when an If-Match is sent."""
    if if_match is None:
        return
    tags = {_editorial(tag) for tag in _listed(if_match, weak=False)}
    if "*" in tags:
        return
    etag = etag_of(current())
    if _editorial(etag) not in tags:
        raise PreconditionFailed(
            "The resource was changed since you read it; read it again and reapply your change.", etag=etag
        )


def none_match_refuses(if_none_match: str | None, current: BaseModel | None) -> bool:
    """Whether a write's If-None-Match refuses it (RFC 9110 §13.1.2): `*` while the resource
    exists, or a tag of its current representation."""
    if if_none_match is None or current is None:
        return False
    tags = _listed(if_none_match, weak=True)
    return "*" in tags or etag_of(current).removeprefix("W/") in tags


def _held(request: Request, tag: str) -> bool:
    if_none_match = request.headers.get("if-none-match")
    return bool(if_none_match and {tag, "*"} & _listed(if_none_match, weak=True))


def with_etag(
    request: Request, response: Response, representation: Shown, *, also: set[str] | None = None
) -> Shown | Response:
    """Set the ETag; answer 304 with no body when the client already holds this representation.
    `also` names what else the answer embeds, for CDN purges."""
    tag = etag_of(representation)
    if _held(request, tag):
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    keys.label(response, keys.shown(representation) | (also or set()))
    return representation


def send_document(request: Request, response: Response, document: dict) -> Response:
    """A JSON document built by the route rather than by its response model (a sparse fieldset),
    with the route's headers and a strong ETag of its own bytes."""
    body = orjson.dumps(document)
    tag = strong_etag(body)
    if _held(request, tag):
        return Response(status_code=304, headers={"ETag": tag})
    headers = {name: value for name, value in response.headers.items() if name != "content-length"}
    return Response(body, media_type="application/json", headers={**headers, "ETag": tag})


def private_if(response: Response, private: bool) -> None:
    """Answers that depend on the caller's key vary by it; drafts and embargoed stories must never
    sit in a shared cache."""
    response.headers["Vary"] = "Authorization"
    if private:
        response.headers["Cache-Control"] = "private, no-store"


def written(response: Response, representation: Shown) -> Shown:
    """A write's answer carries the new ETag, ready for the next If-Match."""
    response.headers["ETag"] = etag_of(representation)
    return representation

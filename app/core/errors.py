"""RFC 9457 problem details: the one error shape every failure takes, and the kinds of problem
every layer raises. The web layer (app.web.problems) turns them into answers."""

import inspect
from http import HTTPStatus
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Base for every error a client can receive; subclasses name one kind of problem."""

    type_slug: ClassVar[str] = "about:blank"
    title: ClassVar[str] = "Error"
    status: ClassVar[int] = 400
    # What a client or its developer should do about it, shown with the docstring on the type's page.
    advice: ClassVar[str] = ""

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers
        self.extensions = extensions

    def response_headers(self, request: Request) -> dict[str, str] | None:
        return self.headers

    @classmethod
    def meaning(cls) -> str:
        """What this kind of problem means: its own docstring, never a base class's."""
        return inspect.cleandoc(vars(cls).get("__doc__") or "")


class RateLimited(ProblemError):
    """Base of the problems a rate limit sends: 429 with when to try again, in the body and the
    `Retry-After` and `RateLimit-*` headers."""

    status = 429

    def __init__(self, detail: str, *, limit: int, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.limit, self.retry_after = limit, retry_after

    def response_headers(self, request: Request) -> dict[str, str]:
        return {
            "Retry-After": str(self.retry_after),
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(self.retry_after),
        }


class InvalidParameter(ProblemError):
    """A query, path or header parameter, or a field of the request body, failed validation."""

    type_slug = "invalid-parameters"
    title = "Invalid request parameters"
    status = 422
    advice = (
        "Correct each value `errors` names (a query or path `parameter`, or a body field's `pointer`) as its "
        "`detail` says, and send the request again."
    )

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail, errors=[{"detail": detail, "parameter": parameter}])


class InvalidField(ProblemError):
    """A field of the request body breaks a rule that only the service can check."""

    type_slug = "invalid-body"
    title = "Invalid request body"
    status = 422
    advice = "Correct the body field `errors[].pointer` names, as its `detail` says, and send the request again."

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(detail, errors=[{"detail": detail, "pointer": pointer}])


class FieldError(BaseModel):
    detail: str
    pointer: str | None = Field(None, description="JSON pointer to the offending body field.")
    parameter: str | None = Field(None, description="Name of the offending query, path or header parameter.")


class Problem(BaseModel):
    """An RFC 9457 problem details object; some kinds add members of their own (`slug`, `retry_after`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI identifying the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(None, description="Path of the request that failed.")
    errors: list[FieldError] | None = None


def problem_types() -> dict[str, type[ProblemError]]:
    """Every problem type the loaded app can send, by slug: the classes themselves are the list."""
    found: dict[str, type[ProblemError]] = {}
    pending = list(ProblemError.__subclasses__())
    while pending:
        kind = pending.pop(0)
        pending += kind.__subclasses__()
        if kind.type_slug != "about:blank":
            found.setdefault(kind.type_slug, kind)
    return dict(sorted(found.items()))


def problem_content() -> dict[str, Any]:
    """The OpenAPI `content` of a problem response; the document adds the `Problem` schema it names."""
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problems(*kinds: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problems a route may return."""
    responses: dict[int | str, dict[str, Any]] = {}
    for kind in kinds:
        # Not FastAPI's `model`, which would document the problem as application/json.
        entry = responses.setdefault(kind.status, {"content": problem_content(), "description": ""})
        entry["description"] = "; ".join(filter(None, [entry["description"], kind.title]))
    return responses


class Conflict(ProblemError):
    """Another request changed the same thing at the same moment; reading again and retrying is safe."""

    type_slug = "conflict"
    title = "Conflicting change"
    status = 409
    advice = "Read the resource again and retry the change; nothing of this request was written."


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class UnstorableValue(ProblemError):
    """A value passed validation but the database cannot store it (PostgreSQL refuses NUL characters in text)."""

    type_slug = "unstorable-value"
    title = "Value cannot be stored"
    status = 422
    advice = "Remove the characters the database refuses (such as NUL) from the value and send the request again."


class DatabaseUnavailable(ProblemError):
    """The database cannot take the request now: unreachable, locked, read-only or full. Retrying later is safe."""

    type_slug = "database-unavailable"
    title = "Database unavailable"
    status = 503
    advice = (
        "Wait the seconds `Retry-After` gives and send the same request again; "
        "nothing was changed. If it lasts, the operator should look at the database."
    )

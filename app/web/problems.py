"""Problems as answers: the exception handlers that turn every failure into an RFC 9457 document,
and the last-resort middleware for what nothing else caught."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.access_lines import note_failure
from app.core.errors import (
    PROBLEM_JSON,
    Conflict,
    DatabaseUnavailable,
    InvalidParameter,
    ProblemError,
    UnstorableValue,
    status_phrase,
)
from app.web.state import app_state

log = logging.getLogger("byline.errors")
RETRY_AFTER_OUTAGE = "5"


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    type_uri: str = "about:blank",
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = {"type": type_uri, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    for name, value in extensions.items():
        body.setdefault(name, value)  # extensions never override the members RFC 9457 defines
    # What is missing now may exist after the next write, which purges nothing a caller was refused
    # with: no shared cache may keep a refusal (Varnish keeps a 404 for two minutes by default).
    headers = {"Cache-Control": "no-store"} | (headers or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _type_uri(request: Request, kind: type[ProblemError]) -> str:
    if kind.type_slug == "about:blank":
        return "about:blank"
    return f"{app_state(request).settings.base_url}/problems/{kind.type_slug}"


def render_problem(request: Request, exc: ProblemError) -> JSONResponse:
    """The problem document for `exc`; also for middleware that answers before routing."""
    return problem_response(
        request,
        status=exc.status,
        title=exc.title,
        type_uri=_type_uri(request, type(exc)),
        detail=exc.detail,
        headers=exc.response_headers(request),
        **exc.extensions,
    )


def _field_error(error: dict[str, Any]) -> dict[str, str]:
    location, *path = error["loc"]
    if location == "body":
        pointer = "#/" + "/".join(str(part) for part in path)
        return {"detail": error["msg"], "pointer": pointer}
    return {"detail": error["msg"], "parameter": str(path[0]) if path else location}


async def _on_problem(request: Request, exc: ProblemError) -> JSONResponse:
    return render_problem(request, exc)


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [_field_error(error) for error in exc.errors()]
    return problem_response(
        request,
        status=422,
        title=InvalidParameter.title,
        type_uri=_type_uri(request, InvalidParameter),
        detail="; ".join(f"{e.get('parameter') or e.get('pointer')}: {e['detail']}" for e in errors),
        errors=errors,
    )


def _constraint(exc: IntegrityError) -> str:
    # Never the driver's message: PostgreSQL's DETAIL quotes the conflicting values (an email, say).
    diagnostics = getattr(exc.orig, "diag", None)
    return getattr(diagnostics, "constraint_name", None) or type(exc.orig).__name__


async def _on_integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    # Checks run before writing; a unique or foreign key violation here means a concurrent writer won the race.
    log.info("integrity conflict on %s %s: %s", request.method, request.url.path, _constraint(exc))
    return await _on_problem(request, Conflict("The change conflicts with one made at the same moment; try again."))


async def _on_data_error(request: Request, exc: DataError) -> JSONResponse:
    log.info("database refused a value on %s %s: %s", request.method, request.url.path, type(exc.orig).__name__)
    return await _on_problem(
        request, UnstorableValue("A value in the request cannot be stored, such as text containing NUL characters.")
    )


_UNAVAILABLE_BECAUSE = {
    # What SQLite and PostgreSQL say, and what a client (and the operator reading the log) is told.
    "disk is full": "The database's disk is full",
    "no space left": "The database's disk is full",
    "readonly database": "The database is read-only",
    "database is locked": "The database is busy",
}


def _why_unavailable(exc: Exception) -> str:
    message = str(getattr(exc, "orig", None) or exc).lower()
    return next((why for said, why in _UNAVAILABLE_BECAUSE.items() if said in message), "The database is unreachable")


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    why = "Every database connection is busy" if isinstance(exc, PoolTimeout) else _why_unavailable(exc)
    # Said in the request's one access line, no traceback: an outage must not flood the log.
    note_failure(request.scope, f"database unavailable: {why}")
    return render_problem(
        request,
        DatabaseUnavailable(
            f"{why}; nothing was changed. Try again shortly.", headers={"Retry-After": RETRY_AFTER_OUTAGE}
        ),
    )


async def _on_lost_connection(request: Request, exc: DBAPIError) -> JSONResponse:
    """Any other driver error is unexpected, unless it was the connection dying under the statement."""
    if not exc.connection_invalidated:
        raise exc
    return await _on_database_unavailable(request, exc)


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return problem_response(
        request,
        status=exc.status_code,
        title=status_phrase(exc.status_code),
        detail=exc.detail if isinstance(exc.detail, str) else None,
        headers=dict(exc.headers) if exc.headers else None,
    )


class UnexpectedErrorMiddleware:
    """The last resort: an unexpected exception becomes a 500 problem document and one logged
    traceback. Nothing is re-raised to the server, which would log it again and drop the
    keep-alive connection under the client's next request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise  # half an answer is out: only closing the connection can tell the client
            await problem_response(Request(scope), status=500, title="Internal Server Error")(scope, receive, send)


Caught = TypeVar("Caught", bound=Exception)


def _handle(app: FastAPI, kind: type[Caught], handler: Callable[[Request, Caught], Awaitable[JSONResponse]]) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        # Starlette types every handler for any exception, but calls this one only for `kind`.
        return await handler(request, cast(Caught, exc))

    app.add_exception_handler(kind, handle)


def install_problem_handlers(app: FastAPI) -> None:
    _handle(app, ProblemError, _on_problem)
    _handle(app, RequestValidationError, _on_validation_error)
    _handle(app, StarletteHTTPException, _on_http_error)
    _handle(app, IntegrityError, _on_integrity_error)
    _handle(app, DataError, _on_data_error)
    _handle(app, OperationalError, _on_database_unavailable)
    _handle(app, InterfaceError, _on_database_unavailable)
    # Every pooled connection stayed busy past the pool's timeout.
    _handle(app, PoolTimeout, _on_database_unavailable)
    # A session whose connection was lost mid-transaction, used again (a request at the moment of a crash).
    _handle(app, PendingRollbackError, _on_database_unavailable)
    _handle(app, DBAPIError, _on_lost_connection)

"""Cross-origin reads and writes from browsers. A headless API exists to be read by other origins,
so anything sent without credentials (reads, and the comment form) is open to every origin; a
request carrying an API key only to the origins in BYLINE_CORS_ORIGINS, the newsroom's own tools."""

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.problems import problem_response

# What frontends need to read from answers, beyond the CORS-safelisted headers.
EXPOSED = "ETag, Link, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-ID"
# Headers a page may send without credentials: content negotiation, validators, tracing.
ANONYMOUS_HEADERS = {"accept", "accept-language", "content-type", "if-none-match", "if-modified-since", "x-request-id"}
TRUSTED_HEADERS = ANONYMOUS_HEADERS | {"authorization", "if-match"}
ANONYMOUS_METHODS = "GET, HEAD, POST"
TRUSTED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
PREFLIGHT_MAX_AGE = "600"


class CrossOriginMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_origins: list[str]) -> None:
        self.app = app
        self.trusted_origins = set(trusted_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, origin, headers)
            return
        trusted = origin in self.trusted_origins
        keyed = "authorization" in headers

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and (trusted or not keyed):
                answer = MutableHeaders(scope=message)
                answer["Access-Control-Allow-Origin"] = origin if trusted else "*"
                answer["Access-Control-Expose-Headers"] = EXPOSED
                if trusted:
                    answer.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, origin: str, headers: Headers) -> None:
        method = headers["access-control-request-method"].upper()
        asked = {name.strip().lower() for name in headers.get("access-control-request-headers", "").split(",")}
        asked.discard("")
        trusted = origin in self.trusted_origins
        methods, allowed = (TRUSTED_METHODS, TRUSTED_HEADERS) if trusted else (ANONYMOUS_METHODS, ANONYMOUS_HEADERS)
        if method not in methods.split(", ") or not asked <= allowed:
            refused = "authorization" in asked and not trusted
            detail = (
                f"Requests with an API key are accepted only from the origins in BYLINE_CORS_ORIGINS, not {origin}."
                if refused
                else f"A cross-origin {method} with headers {', '.join(sorted(asked)) or 'none'} is not allowed."
            )
            await problem_response(Request(scope), status=403, title="Forbidden", detail=detail)(scope, receive, send)
            return
        answer = {
            "access-control-allow-origin": origin if trusted else "*",
            "access-control-allow-methods": methods,
            "access-control-allow-headers": ", ".join(sorted(asked)) if asked else "",
            "access-control-max-age": PREFLIGHT_MAX_AGE,
        }
        if trusted:
            answer["vary"] = "Origin"
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [(name.encode(), value.encode()) for name, value in answer.items() if value],
            }
        )
        await send({"type": "http.response.body", "body": b""})

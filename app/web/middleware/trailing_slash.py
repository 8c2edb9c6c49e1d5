"""`/api/v1/articles/` answers 308 to `/api/v1/articles`, on the public URL.

Starlette's own redirect builds its Location from the Host header, so `Host: evil.example`
would send readers elsewhere; no route of Byline's ends in a slash, so one rule serves all.
"""

from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class TrailingSlashMiddleware:
    def __init__(self, app: ASGIApp, *, base_url: str) -> None:
        self.app = app
        self.base_url = base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path == "/" or not path.endswith("/"):
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = URL(self.base_url + path.rstrip("/") + (f"?{query}" if query else ""))
        # 308 keeps the method and body, so writes follow too.
        await RedirectResponse(str(target), status_code=308)(scope, receive, send)

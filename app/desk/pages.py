"""Static files of the desk: one page for every screen at `/desk` and `/desk/<screen>` (the page
routes on the client), its scripts and styles under `/desk/assets/`, each with a validator."""

import os
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# Only the desk's own modules run and they talk only to this server's API. The desk never inserts
# HTML, so no Trusted Types policy may be created at all.
DESK_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data: blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)
# No build step means no fingerprinted names: browsers revalidate every time and mostly get a 304.
CACHING = "no-cache"
# The screens besides the stories at `/desk`, as app.js names them.
SCREENS = (
    "sign-in",
    "sessions",
    "new",
    "edit",
    "accept",
    "reset",
    "forgot",
    "moderation",
    "people",
    "keys",
    "webhooks",
    "audit",
    "collections",
    "collection",
)


class DeskFiles(StaticFiles):
    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHING
        if str(full_path).endswith(".html"):
            response.headers["Content-Security-Policy"] = DESK_POLICY
            response.headers["Referrer-Policy"] = "same-origin"
        return response


def desk_routes() -> list[BaseRoute]:
    """The page at `/desk` and at every screen's address, and the assets; nothing else under `/desk`."""
    static = resources.files("app.desk") / "static"
    pages = DeskFiles(directory=str(static))

    async def page(request: Request) -> Response:
        # Every screen is the same page, so a deep link or a reload lands on the screen it names.
        response: Response = await pages.get_response("index.html", request.scope)
        return response

    assets = DeskFiles(directory=str(static / "assets"))
    screens = [Route(f"/desk/{screen}", page) for screen in SCREENS]
    return [Mount("/desk/assets", assets), Route("/desk", page), *screens]

"""Static files of the example site: its pages at `/` and `/<page>.html`, its scripts and styles under
`/assets/`, each with a validator and the page policy the site needs."""

import os
from importlib import resources

from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# The pages run only this server's own modules and talk only to its API; JSON-LD is data, not script.
# Trusted Types make the one place that inserts the API's sanitised HTML the only way to insert HTML.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types byline-api-html byline-json-ld"
)
# No build step means no fingerprinted names: browsers revalidate every time and mostly get a 304.
CACHING = "public, no-cache"


class SiteFiles(StaticFiles):
    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHING
        if str(full_path).endswith(".html"):
            response.headers["Content-Security-Policy"] = PAGE_POLICY
        return response


def site_routes() -> list[BaseRoute]:
    """Routes for the site's pages and assets only: anything else still reaches the API's own 404 and 405."""
    files = SiteFiles(directory=str(resources.files("app.frontend") / "site"), html=True)
    return [Route("/", files), Route("/{page}.html", files), Route("/assets/{path:path}", files)]

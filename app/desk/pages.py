"""Static files of the desk: one page for every screen at `/desk` and `/desk/<screen>` (the page
routes on the client), its scripts and styles under `/desk/assets/`, each with a validator."""

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from app.web.static_pages import PageFiles

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


# The headers of the desk's one page.
PAGE_HEADERS = {"Content-Security-Policy": DESK_POLICY, "Referrer-Policy": "same-origin"}


def desk_routes() -> list[BaseRoute]:
    """The page at `/desk` and at every screen's address, and the assets; nothing else under `/desk`."""
    static = resources.files("app.desk") / "static"
    pages = PageFiles(cache_control=CACHING, page_headers=PAGE_HEADERS, directory=str(static))

    async def page(request: Request) -> Response:
        # Every screen is the same page, so a deep link or a reload lands on the screen it names.
        response: Response = await pages.get_response("index.html", request.scope)
        return response

    assets = PageFiles(cache_control=CACHING, page_headers=PAGE_HEADERS, directory=str(static / "assets"))
    screens = [Route(f"/desk/{screen}", page) for screen in SCREENS]
    return [Mount("/desk/assets", assets), Route("/desk", page), *screens]

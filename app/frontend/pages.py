"""Static files of the example site: its pages at `/` and `/<page>.html`, its scripts and styles under
`/assets/`, each with a validator and the page policy the site needs."""

from importlib import resources

from starlette.routing import BaseRoute, Route

from app.web.static_pages import PageFiles

# The pages run only this server's own modules and talk only to its API; JSON-LD is data, not script.
# Trusted Types make the one place that inserts the API's sanitised HTML the only way to insert HTML.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types byline-api-html byline-json-ld"
)
# No build step means no fingerprinted names: browsers revalidate every time and mostly get a 304.
CACHING = "public, no-cache"


def site_routes() -> list[BaseRoute]:
    """Routes for the site's pages and assets only: anything else still reaches the API's own 404 and 405."""
    files = PageFiles(
        cache_control=CACHING,
        page_headers={"Content-Security-Policy": PAGE_POLICY},
        directory=str(resources.files("app.frontend") / "site"),
        html=True,
    )
    return [Route("/", files), Route("/{page}.html", files), Route("/assets/{path:path}", files)]

"""Interactive API documentation (Swagger UI) served from the installed package, never from a CDN,
under a Content-Security-Policy that allows nothing but this server's own files."""

from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

# Swagger UI sets styles through the DOM (allowed) and draws icons from data: URIs in its CSS.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# Relative to /docs, so the page works under any path prefix a proxy adds.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Byline API</title>
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/start.js"></script>
</body>
</html>
"""

START = """window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  filter: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
"""

MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
    "start.js": "text/javascript",
}
# Assets change only with the installed package; a day of caching spares the 1.7 MB bundle.
ASSET_CACHING = "public, max-age=86400"


@cache
def _asset(name: str) -> bytes:
    if name == "start.js":
        return START.encode()
    return (resources.files("fastapi_swagger") / "resources" / name).read_bytes()


@router.get("/docs")
def docs_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": DOCS_POLICY})


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    if name not in MEDIA_TYPES:
        raise HTTPException(404, f"No documentation asset {name!r}.")
    return Response(
        _asset(name),
        media_type=MEDIA_TYPES[name],
        headers={"Cache-Control": ASSET_CACHING},
    )

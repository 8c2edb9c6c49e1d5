"""What a problem document's `type` URL answers: a short page per problem type, and their index at `/problems`."""

import re
from html import escape

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

from app.core.errors import ProblemError, problem_types, status_phrase
from app.web.state import SettingsDep

router = APIRouter(include_in_schema=False)

# Plain HTML: nothing to run, load or style.
PAGE_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# The pages change only with the installed version.
CACHING = "public, max-age=86400"

# Links are relative, so the pages work under any path prefix a proxy adds.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Byline</title>
</head>
<body>
<main>
{content}
</main>
</body>
</html>
"""


def _text(text: str) -> str:
    """Escaped text, with the docstrings' `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text, quote=False))


def _page(title: str, content: str) -> HTMLResponse:
    return HTMLResponse(
        PAGE.format(title=escape(title), content=content),
        headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": CACHING},
    )


def _status(kind: type[ProblemError]) -> str:
    return f"{kind.status} {status_phrase(kind.status)}"


@router.get("/problems")
def problem_index() -> HTMLResponse:
    rows = "\n".join(
        f'<tr><td><a href="problems/{slug}"><code>{slug}</code></a></td>'
        f"<td>{_status(kind)}</td><td>{escape(kind.title)}</td></tr>"
        for slug, kind in problem_types().items()
    )
    return _page(
        "Problem types",
        "<h1>Problem types</h1>\n"
        "<p>Every error is an RFC 9457 problem document (<code>application/problem+json</code>); "
        "its <code>type</code> is the address of one of these pages.</p>\n"
        "<table>\n<thead><tr><th>type</th><th>status</th><th>title</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n"
        '<p><a href="docs">API documentation</a></p>',
    )


@router.get("/problems/{slug}")
def problem_page(slug: str, settings: SettingsDep) -> HTMLResponse:
    kind = problem_types().get(slug)
    if kind is None:
        raise HTTPException(404, f"No problem type is named {slug!r}.")
    type_member = escape(f'"type": "{settings.base_url}/problems/{slug}"', quote=False)
    return _page(
        kind.title,
        f"<h1>{escape(kind.title)}</h1>\n"
        f"<p>Status: <strong>{_status(kind)}</strong></p>\n"
        f"<p>Problem documents of this kind carry <code>{type_member}</code>; "
        "their <code>detail</code> says what happened in each case.</p>\n"
        f"<section>\n<h2>What it means</h2>\n<p>{_text(kind.meaning())}</p>\n</section>\n"
        f"<section>\n<h2>What to do</h2>\n<p>{_text(kind.advice)}</p>\n</section>\n"
        '<p><a href="../problems">All problem types</a> · <a href="../docs">API documentation</a></p>',
    )

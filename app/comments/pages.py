"""The pages a reader sees when following the unsubscribe link of a reply notification."""

from html import escape

from fastapi.responses import HTMLResponse

# Plain pages: no script, no style, nothing loaded; the form posts back to this server.
PAGE_POLICY = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
# Every answer about a link is one reader's own: a shared cache must neither keep nor replay it.
NOT_STORED = {"Cache-Control": "no-store"}
_NO_MORE = "You will no longer get an email when someone replies to your comment."


def _page(site_name: str, heading: str, body: str, *, status: int = 200) -> HTMLResponse:
    site = escape(site_name)
    document = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
        f"<title>{escape(heading)} · {site}</title></head>\n"
        f"<body><main><h1>{escape(heading)}</h1>\n{body}\n<p>{site}</p></main></body></html>\n"
    )
    return HTMLResponse(document, status_code=status, headers={**NOT_STORED, "Content-Security-Policy": PAGE_POLICY})


def confirmation(token: str, *, site_name: str) -> HTMLResponse:
    """Asks before unsubscribing: link scanners and prefetchers open links, and only a person presses the button.
    The form sends what a mail client's one-click unsubscribe sends (RFC 8058)."""
    return _page(
        site_name,
        "Stop reply emails?",
        f"<p>{_NO_MORE}</p>"
        f'<form method="post" action="?token={escape(token)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe</button></form>',
    )


def unsubscribed(*, site_name: str) -> HTMLResponse:
    return _page(site_name, "You are unsubscribed", f"<p>{_NO_MORE}</p>")


def invalid_link(*, site_name: str) -> HTMLResponse:
    return _page(
        site_name,
        "This link does not work",
        "<p>This unsubscribe link is not valid or has expired. "
        "The newest email about a reply carries a link that works.</p>",
        status=400,
    )

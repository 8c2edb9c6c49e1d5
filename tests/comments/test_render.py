from html.parser import HTMLParser

import pytest

from app.comments.render import render_comment

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<b onmouseover=alert(1)>hover</b>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '![img](https://x.example/a.png" onerror="alert(1))',
    '[x](https://ok.example/" onclick="alert(1))',
    '<a href="https://ok.example" style="position:fixed">x</a>',
    "`<script>alert(1)</script>`",
    "<object data=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
]


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS)
def test_no_script_handler_or_javascript_url_survives(payload):
    for tag, attributes in elements(render_comment(f"Hello {payload} there")):
        assert tag in {"p", "em", "strong", "a", "code", "pre", "br"}, tag
        assert set(attributes) <= {"href", "rel"}, attributes
        assert not attributes.get("href", "https:").lower().startswith(("javascript", "data", "vbscript"))


def test_markdown_subset_is_rendered_and_links_are_nofollow_ugc():
    html = render_comment("I *agree* with **this** [report](https://example.com/r) and `code`.\n\nSecond paragraph.")
    assert html == (
        "<p>I <em>agree</em> with <strong>this</strong> "
        '<a href="https://example.com/r" rel="nofollow ugc">report</a> and <code>code</code>.</p>\n'
        "<p>Second paragraph.</p>"
    )


def test_headings_and_lists_stay_plain_text_and_images_are_never_embedded():
    html = render_comment("# Shout\n![pic](https://x.example/p.png)\n- item")
    assert {tag for tag, _ in elements(html)} <= {"p", "br", "a"}
    assert "<h1" not in html and "<li" not in html and "<img" not in html

"""Article body blocks: the shapes a client may send, the sanitised HTML a reader gets, the figures derived."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.articles.blocks import (
    EXCERPT_LENGTH,
    Embed,
    Heading,
    ImageBlock,
    ListBlock,
    Paragraph,
    Quote,
    body_adapter,
    clean_inline,
    derive_excerpt,
    reading_time_minutes,
    render_html,
    sanitised,
    word_count,
)

PROPERTIES = settings(max_examples=200, deadline=None)

# Short enough for every field (an embed's provider holds at most 100 characters).
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<script",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    '<img src="x" alt="a" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#58;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<a href="https://example.com" onmouseover=alert(1)>x</a>',
    '<em onmouseover="alert(1)">x</em>',
    '<abbr title="x" onfocus="alert(1)" tabindex=1>x</abbr>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<details open ontoggle="alert(1)">',
    '<video><source onerror="alert(1)"></video>',
    '" onerror="alert(1)',
    "' onerror='alert(1)",
    '"><script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
]

ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _body_carrying(payload: str) -> list[dict]:
    """One block of every type, the payload in every field that carries text."""
    return [
        # Inline text must keep something readable once sanitised, so each payload has company.
        {"type": "paragraph", "text": f"Lead {payload}"},
        {"type": "paragraph", "text": f"Before {payload} after"},
        {"type": "heading", "level": 2, "text": payload},
        {"type": "quote", "text": f"Said {payload}", "cite": payload},
        {"type": "list", "style": "unordered", "items": [f"y {payload}", f"x {payload} x"]},
        {"type": "list", "style": "ordered", "items": [f"z {payload}"]},
        {
            "type": "image",
            "url": f"https://images.example.com/a.jpg?{payload}",
            "alt": payload,
            "caption": payload,
            "credit": payload,
        },
        {
            "type": "embed",
            "url": f"https://video.example.com/v/1?{payload}",
            "provider": payload,
            "title": payload,
            "caption": payload,
        },
        {"type": "embed", "url": f"https://video.example.com/v/2#{payload}"},
    ]


class _Elements(HTMLParser):
    """Every start tag with its attributes (names lowercased, values unescaped), as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def _elements(body_html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(body_html)
    parser.close()
    return parser.elements


def _rendered(payload: str) -> str:
    return render_html(body_adapter.validate_python(_body_carrying(payload)))


def _scheme(url: str) -> str | None:
    # Browsers ignore ASCII whitespace and control characters when reading a scheme.
    compact = "".join(ch for ch in url if ord(ch) > 0x20).lower()
    scheme, colon, _ = compact.partition(":")
    return scheme if colon and "/" not in scheme and "?" not in scheme and "#" not in scheme else None


# --- sanitising ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_script_tags_never_reach_body_html(payload):
    body_html = _rendered(payload)
    assert "<script" not in body_html.lower()
    assert "script" not in {tag for tag, _ in _elements(body_html)}


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_event_handler_attributes_never_reach_body_html(payload):
    handlers = [(tag, name) for tag, attrs in _elements(_rendered(payload)) for name in attrs if name.startswith("on")]
    assert handlers == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_javascript_urls_never_reach_body_html(payload):
    elements = _elements(_rendered(payload))
    urls = [value for _, attrs in elements for name, value in attrs.items() if name in {"href", "src"}]
    assert [url for url in urls if _scheme(url) not in (None, *ALLOWED_URL_SCHEMES)] == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_iframes_never_reach_body_html(payload):
    body_html = _rendered(payload)
    assert "<iframe" not in body_html.lower()
    assert "iframe" not in {tag for tag, _ in _elements(body_html)}


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_style_never_reaches_body_html(payload):
    body_html = _rendered(payload)
    assert "<style" not in body_html.lower()
    assert [tag for tag, attrs in _elements(body_html) if tag == "style" or "style" in attrs] == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_body_html_holds_only_article_markup(payload):
    allowed = {
        "p", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption", "img", "ul", "ol", "li",
        "footer", "span", "a", "em", "strong", "b", "i", "code", "br", "sub", "sup", "mark", "s", "abbr", "cite",
    }  # fmt: skip
    assert {tag for tag, _ in _elements(_rendered(payload))} <= allowed


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_quotes_in_image_text_cannot_add_attributes(payload):
    [image] = [attrs for tag, attrs in _elements(_rendered(payload)) if tag == "img"]
    assert set(image) == {"src", "alt", "loading"}
    assert image["alt"] == payload


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_quotes_in_embed_fields_cannot_add_attributes(payload):
    elements = _elements(_rendered(payload))
    embeds = [attrs for tag, attrs in elements if tag == "figure" and attrs.get("class") == "embed"]
    links = [attrs for tag, attrs in elements if tag == "a" and "video.example.com" in attrs.get("href", "")]
    assert [set(attrs) for attrs in embeds] == [{"class", "data-provider"}, {"class"}]
    assert embeds[0]["data-provider"] == payload
    assert [set(attrs) for attrs in links] == [{"href", "rel"}, {"href", "rel"}]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_inline_markup_is_sanitised_when_the_body_is_accepted(payload):
    [paragraph] = body_adapter.validate_python([{"type": "paragraph", "text": f"Text {payload}"}])
    assert not any(name.startswith("on") for _, attrs in _elements(paragraph.text) for name in attrs)
    assert "<script" not in paragraph.text.lower()


def test_safe_inline_markup_is_kept():
    [paragraph] = body_adapter.validate_python(
        [{"type": "paragraph", "text": 'A <em>big</em> <a href="https://example.com/x">story</a>'}]
    )
    assert render_html([paragraph]) == '<p>A <em>big</em> <a href="https://example.com/x" rel="noopener">story</a></p>'


def test_heading_markup_is_shown_as_text():
    blocks = body_adapter.validate_python([{"type": "heading", "text": "<em>Why</em> it matters"}])
    assert render_html(blocks) == '<h2 id="em-why-em-it-matters">&lt;em&gt;Why&lt;/em&gt; it matters</h2>'


# --- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        {"type": "video", "url": "https://video.example.com/v/1"},
        {"type": "html", "html": "<p>hi</p>"},
        {"type": "Paragraph", "text": "hi"},
        {"text": "no type at all"},
    ],
)
def test_unknown_block_type_is_rejected(block):
    with pytest.raises(ValidationError):
        body_adapter.validate_python([block])


@pytest.mark.parametrize(
    "block",
    [
        {"type": "paragraph"},
        {"type": "heading", "level": 2},
        {"type": "quote", "cite": "A witness"},
        {"type": "image", "alt": "Smoke"},
        {"type": "list", "style": "ordered"},
        {"type": "embed", "title": "Footage"},
    ],
)
def test_block_missing_a_required_field_is_rejected(block):
    with pytest.raises(ValidationError):
        body_adapter.validate_python([block])


@pytest.mark.parametrize(
    "block",
    [
        {"type": "paragraph", "text": ""},
        {"type": "heading", "text": ""},
        {"type": "quote", "text": ""},
        {"type": "list", "items": []},
        {"type": "list", "items": [""]},
    ],
)
def test_block_with_empty_text_is_rejected(block):
    with pytest.raises(ValidationError):
        body_adapter.validate_python([block])


@pytest.mark.parametrize("level", [-1, 0, 1, 7, 10])
def test_heading_level_outside_two_to_six_is_rejected(level):
    with pytest.raises(ValidationError):
        body_adapter.validate_python([{"type": "heading", "level": level, "text": "Why it matters"}])


@pytest.mark.parametrize("level", [2, 3, 4, 5, 6])
def test_heading_level_sets_the_heading_element(level):
    blocks = body_adapter.validate_python([{"type": "heading", "level": level, "text": "Why it matters"}])
    assert render_html(blocks) == f'<h{level} id="why-it-matters">Why it matters</h{level}>'


@pytest.mark.parametrize("block_type", ["image", "embed"])
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "vbscript:msgbox(1)",
        "ftp://files.example.com/a.jpg",
        "file:///etc/passwd",
        "mailto:desk@example.com",
        "/images/a.jpg",
        "//images.example.com/a.jpg",
        "images.example.com/a.jpg",
        "https://",
        "",
    ],
)
def test_media_url_that_is_not_absolute_http_is_rejected(block_type, url):
    with pytest.raises(ValidationError):
        body_adapter.validate_python([{"type": block_type, "url": url}])


@pytest.mark.parametrize("block_type", ["image", "embed"])
@pytest.mark.parametrize("url", ["https://media.example.com/a.jpg", "http://media.example.com/a.jpg"])
def test_media_url_over_http_or_https_is_accepted(block_type, url):
    [block] = body_adapter.validate_python([{"type": block_type, "url": url}])
    assert block.url == url


# --- heading anchors ---------------------------------------------------------------------------


def _heading_ids(texts: list[str]) -> list[str]:
    blocks = body_adapter.validate_python([{"type": "heading", "text": text} for text in texts])
    return [attrs["id"] for tag, attrs in _elements(render_html(blocks)) if tag.startswith("h")]


def test_heading_gets_an_anchor_from_its_text():
    assert _heading_ids(["Why it matters"]) == ["why-it-matters"]


def test_repeated_headings_get_numbered_anchors():
    assert _heading_ids(["Why it matters", "What next", "Why it matters", "Why it matters"]) == [
        "why-it-matters",
        "what-next",
        "why-it-matters-2",
        "why-it-matters-3",
    ]


def test_headings_differing_only_in_case_and_punctuation_get_distinct_anchors():
    assert _heading_ids(["Why it matters", "Why it matters?", "WHY IT MATTERS"]) == [
        "why-it-matters",
        "why-it-matters-2",
        "why-it-matters-3",
    ]


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("Что дальше", "chto-dalshe"),
        ("Ça va, Zürich?", "ca-va-zurich"),
        ("Τι ακολουθεί", "ti-akolouthei"),
        ("東京", "dong-jing"),
    ],
)
def test_non_ascii_heading_gets_a_transliterated_anchor(text, anchor):
    assert _heading_ids([text]) == [anchor]


def test_heading_with_nothing_to_transliterate_gets_a_section_anchor():
    assert _heading_ids(["🎉", "🚀"]) == ["section", "section-2"]


def test_heading_anchors_do_not_depend_on_other_blocks():
    blocks = body_adapter.validate_python(
        [
            {"type": "paragraph", "text": "Intro."},
            {"type": "heading", "text": "Why it matters"},
            {"type": "image", "url": "https://images.example.com/a.jpg"},
            {"type": "heading", "level": 3, "text": "Why it matters"},
        ]
    )
    ids = [attrs["id"] for tag, attrs in _elements(render_html(blocks)) if tag in {"h2", "h3"}]
    assert ids == ["why-it-matters", "why-it-matters-2"]


# --- reading figures and excerpt ---------------------------------------------------------------


def _body(*blocks: dict) -> list:
    return body_adapter.validate_python(list(blocks))


def test_empty_body_has_no_words_reading_time_or_excerpt():
    assert (word_count([]), reading_time_minutes(word_count([])), derive_excerpt([])) == (0, 0, "")


def test_word_count_covers_paragraphs_headings_quotes_and_list_items():
    body = _body(
        {"type": "paragraph", "text": "One two three."},
        {"type": "heading", "text": "Four five"},
        {"type": "quote", "text": "Six", "cite": "Not counted"},
        {"type": "list", "items": ["Seven", "eight nine"]},
    )
    assert word_count(body) == 9


def test_word_count_ignores_image_and_embed_text():
    body = _body(
        {"type": "image", "url": "https://images.example.com/a.jpg", "alt": "a b c", "caption": "d e", "credit": "f"},
        {"type": "embed", "url": "https://video.example.com/v/1", "title": "g h", "caption": "i", "provider": "j"},
    )
    assert word_count(body) == 0


def test_word_count_ignores_markup_and_entities():
    body = _body({"type": "paragraph", "text": '<em>Tom</em> &amp; <a href="https://example.com/jerry">Jerry</a>'})
    assert word_count(body) == 2


def test_hyphenated_and_apostrophe_words_count_once():
    body = _body({"type": "paragraph", "text": "A well-known writer didn't say it’s over."})
    assert word_count(body) == 7


@pytest.mark.parametrize(("words", "minutes"), [(0, 0), (1, 1), (229, 1), (230, 1), (231, 2), (460, 2), (461, 3)])
def test_reading_time_rounds_up_to_whole_minutes(words, minutes):
    assert reading_time_minutes(words) == minutes


def test_excerpt_is_the_first_paragraph():
    body = _body(
        {"type": "heading", "text": "Not this"},
        {"type": "paragraph", "text": "The opening paragraph."},
        {"type": "paragraph", "text": "The second one."},
    )
    assert derive_excerpt(body) == "The opening paragraph."


def test_body_without_paragraphs_has_an_empty_excerpt():
    body = _body({"type": "heading", "text": "Only a heading"}, {"type": "quote", "text": "And a quote"})
    assert derive_excerpt(body) == ""


def test_excerpt_drops_markup_and_decodes_entities():
    text = "Tom &amp; <em>Jerry</em> <script>alert(1)</script>meet   <b>again</b>\n"
    body = _body({"type": "paragraph", "text": text})
    assert derive_excerpt(body) == "Tom & Jerry meet again"


def test_short_paragraph_is_the_whole_excerpt():
    text = "word " * 50
    assert derive_excerpt(_body({"type": "paragraph", "text": text})) == text.strip()


def test_long_paragraph_excerpt_ends_with_an_ellipsis():
    excerpt = derive_excerpt(_body({"type": "paragraph", "text": "Lorem ipsum dolor sit amet. " * 30}))
    assert excerpt.endswith("…") and len(excerpt) <= EXCERPT_LENGTH


def test_long_paragraph_excerpt_is_cut_at_a_word_boundary():
    text = " ".join(f"word{i}" for i in range(200))
    excerpt = derive_excerpt(_body({"type": "paragraph", "text": text}))
    assert text.startswith(excerpt.removesuffix("…") + " ")


def test_long_paragraph_excerpt_does_not_end_on_punctuation_before_the_ellipsis():
    excerpt = derive_excerpt(_body({"type": "paragraph", "text": "Alpha, beta; gamma: delta. " * 30}))
    assert excerpt[-2] not in ",;:.-–—"


# --- properties --------------------------------------------------------------------------------

HTML_FRAGMENTS = [
    "<em>",
    "</em>",
    "<strong>x</strong>",
    '<a href="https://example.com/a?b=1&c=2">',
    '<a href="javascript:alert(1)">',
    "</a>",
    "<br>",
    "<br/>",
    "<p>",
    "</p>",
    "<div>",
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&#x3C;",
    "&nbsp;",
    '"',
    "'",
    "<!--",
    "-->",
    '<abbr title="x">',
    "<code>",
    "</code>",
    "<table><tr><td>",
    *XSS_PAYLOADS,
]


all_inline_text = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(HTML_FRAGMENTS)), min_size=1, max_size=8
).map("".join)
inline_text = all_inline_text
# Text that sanitises to nothing is refused, so blocks are built only from text that survives.
kept_inline_text = inline_text.filter(lambda text: clean_inline(text).strip())
plain = st.text(min_size=1, max_size=40)
optional_plain = st.none() | st.text(max_size=40)
web_urls = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}.example.com/{path}",
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
    st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=20),
)

blocks = st.one_of(
    st.builds(Paragraph, text=kept_inline_text),
    st.builds(Heading, level=st.integers(2, 6), text=plain),
    st.builds(Quote, text=kept_inline_text, cite=st.none() | plain),
    st.builds(ImageBlock, url=web_urls, alt=st.text(max_size=40), caption=optional_plain, credit=optional_plain),
    st.builds(
        ListBlock,
        style=st.sampled_from(["ordered", "unordered"]),
        items=st.lists(kept_inline_text, min_size=1, max_size=4),
    ),
    st.builds(Embed, url=web_urls, provider=optional_plain, title=optional_plain, caption=optional_plain),
)
bodies = st.lists(blocks, max_size=8)


@PROPERTIES
@given(st.one_of(st.text(), inline_text, st.text(st.sampled_from("ab \x00\r\n\u00a0\ufeff<>&;\"'"))))
def test_plain_text_skips_the_sanitiser_only_where_it_would_change_nothing(text):
    assert clean_inline(text) == sanitised(text)


@PROPERTIES
@given(st.text())
def test_cleaning_inline_text_twice_changes_nothing(text):
    once = clean_inline(text)
    assert clean_inline(once) == once


@PROPERTIES
@given(inline_text)
def test_cleaning_inline_markup_twice_changes_nothing(text):
    once = clean_inline(text)
    assert clean_inline(once) == once


@PROPERTIES
@given(bodies)
def test_rendering_is_unchanged_by_a_dump_and_validate_round_trip(body):
    once = body_adapter.validate_python([block.model_dump() for block in body])
    again = body_adapter.validate_python([block.model_dump() for block in once])
    assert render_html(again) == render_html(once)


@PROPERTIES
@given(bodies)
def test_stored_body_validates_back_to_the_same_blocks(body):
    stored = [block.model_dump(exclude_none=True) for block in body]
    assert body_adapter.validate_python(stored) == body


@PROPERTIES
@given(bodies)
def test_rendered_body_never_carries_scripts_handlers_or_foreign_urls(body):
    for tag, attrs in _elements(render_html(body)):
        assert tag not in {"script", "iframe", "style"}
        assert not any(name.startswith("on") for name in attrs)
        assert _scheme(attrs.get("href", "")) in (None, *ALLOWED_URL_SCHEMES)


def test_text_that_sanitises_to_nothing_is_refused():
    with pytest.raises(ValidationError):
        body_adapter.validate_python([{"type": "paragraph", "text": "<script>alert(1)</script>"}])


def test_text_too_long_once_escaped_is_refused():
    with pytest.raises(ValidationError):
        body_adapter.validate_python([{"type": "paragraph", "text": "<" * 20000}])


def test_links_nested_through_dropped_tags_are_cleaned_to_a_fixed_point():
    once = clean_inline("<a>x<table><td><a>y")
    assert clean_inline(once) == once


def test_heading_anchor_never_collides_with_a_numbered_one():
    body = body_adapter.validate_python(
        [{"type": "heading", "text": t} for t in ("Why it matters", "Why it matters", "Why it matters 2")]
    )
    ids = re.findall(r'id="([^"]+)"', render_html(body))
    assert len(ids) == len(set(ids)) == 3

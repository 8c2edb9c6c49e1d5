"""Foreign HTML turned into Byline body blocks: structure kept, everything else degraded to text.

Paragraphs, headings, quotes, lists, images and embeds become their blocks; inline markup the
blocks allow stays; tables, code and unknown elements become text. Nothing is trusted: every block
goes through the block models' validators, which sanitise inline HTML as any body sent to the API."""

import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ValidationError
from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.articles.blocks import (
    INLINE_MAX_LENGTH,
    INLINE_TAGS,
    Embed,
    Heading,
    ImageBlock,
    ListBlock,
    Paragraph,
    Quote,
    body_adapter,
    plain_text,
)
from app.ingest.embeds import page_url, provider_of

MAX_BLOCKS = 2000
MAX_LIST_ITEMS = 500
# Deeper than any real document; past it a subtree is read as text, so hostile nesting cannot exhaust the stack.
MAX_DEPTH = 80
# Text is cut below the block limit because sanitising re-escapes it and may lengthen it.
_CHUNK = INLINE_MAX_LENGTH // 4

# Removed with everything inside: never content, sometimes hostile.
_DROPPED = [
    "script",
    "style",
    "template",
    "noscript",
    "head",
    "title",
    "meta",
    "link",
    "base",
    "object",
    "embed",
    "applet",
    "param",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "svg",
    "math",
    "canvas",
    "map",
    "frameset",
    "frame",
    "dialog",
]
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Elements that end a paragraph: inline content around them becomes separate paragraphs.
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "center",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
    "address",
    "hgroup",
    "fieldset",
    "legend",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "pre",
    "hr",
    "figure",
    "figcaption",
    "picture",
    "img",
    "iframe",
    "video",
    "audio",
    "body",
    "html",
} | _HEADINGS
_BLOCK_SELECTOR = ",".join(sorted(_BLOCKS - {"body", "html"}))
_RENAMED = {"del": "s", "strike": "s", "tt": "code", "kbd": "code", "samp": "code", "var": "em", "dfn": "em"}
_EMBED_QUOTES = {
    "twitter-tweet": "Twitter",
    "twitter-video": "Twitter",
    "instagram-media": "Instagram",
    "tiktok-embed": "TikTok",
    "bluesky-embed": "Bluesky",
}
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NEWLINE = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_EDGE_BREAKS = re.compile(r"^(?:\s|<br>)+|(?:\s|<br>)+$")
_REPEATED_BREAKS = re.compile(r"<br>(?:\s*<br>)+")
_PARAGRAPH_BREAK = "\x00"


class BodyTooLong(ValueError):
    """The HTML holds more blocks than an article body may."""


def html_to_blocks(source: str, *, base_url: str | None = None, autop: bool = False) -> list[dict[str, Any]]:
    """Blocks as JSON-able dicts that validate as a body.

    `base_url` resolves relative links and images; `autop` reads single newlines as line breaks,
    as WordPress shows content written in its classic editor."""
    tree = LexborHTMLParser(source.replace("\x00", ""))
    tree.strip_tags(_DROPPED, recursive=True)
    converter = _Converter(base_url, autop)
    if tree.body is not None:
        converter.container(tree.body, 0)
    blocks = converter.blocks
    if len(blocks) > MAX_BLOCKS:
        raise BodyTooLong(f"the body has {len(blocks)} blocks, more than the {MAX_BLOCKS} an article may have")
    dumped: list[dict[str, Any]] = body_adapter.dump_python(
        body_adapter.validate_python(blocks), mode="json", exclude_none=True
    )
    return dumped


def text_of(source: str) -> str:
    """The readable text of an HTML fragment, whitespace collapsed (titles, excerpts, comments keep lines)."""
    tree = LexborHTMLParser(source.replace("\x00", ""))
    tree.strip_tags(_DROPPED, recursive=True)
    return _SPACES.sub(" ", tree.body.text(deep=True) if tree.body is not None else "").strip()


def text_lines(source: str) -> str:
    """The readable text of an HTML fragment with its line and paragraph breaks, as comments are kept."""
    source = re.sub(r"<br\s*/?>", "\n", source, flags=re.I)
    source = re.sub(r"</?p\b[^>]*>", "\n\n", source, flags=re.I)
    tree = LexborHTMLParser(source.replace("\x00", ""))
    tree.strip_tags(_DROPPED, recursive=True)
    text = tree.body.text(deep=True) if tree.body is not None else ""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _validated(model: type[BaseModel], **fields: Any) -> BaseModel | None:
    try:
        return model(**fields)
    except ValidationError:
        return None


def _tidy(text: str) -> str:
    """Line breaks only between lines: none leading, trailing or doubled."""
    return _EDGE_BREAKS.sub("", _REPEATED_BREAKS.sub("<br>", text))


def _chunks(text: str) -> list[str]:
    """Plain text cut at spaces into pieces any inline field takes once escaped."""
    pieces: list[str] = []
    while len(text) > _CHUNK:
        cut = text.rfind(" ", 0, _CHUNK)
        cut = cut if cut > 0 else _CHUNK
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    if text.strip():
        pieces.append(text)
    return pieces


class _Converter:
    def __init__(self, base_url: str | None, autop: bool) -> None:
        self.base_url = base_url
        self.autop = autop
        self.blocks: list[BaseModel] = []
        self.run: list[str] = []

    # Block level

    def container(self, node: LexborNode, depth: int) -> None:
        self.flush()
        for child in node.iter(include_text=True):
            self.child(child, depth + 1)
        self.flush()

    def child(self, node: LexborNode, depth: int) -> None:
        tag = node.tag
        if tag == "-text":
            self.text(node.text_content or "")
        elif tag is None or tag.startswith("-"):
            return
        elif depth > MAX_DEPTH:
            self.flush()
            self.add_text(_SPACES.sub(" ", node.text(deep=True)).strip())
        elif tag in _BLOCKS:
            self.block(node, tag, depth)
        elif node.css_first(_BLOCK_SELECTOR) is not None:
            # An inline element wrapping blocks (a link around an image): its blocks matter more.
            self.container(node, depth)
        else:
            self.run.append(self.inline(node, depth))

    def block(self, node: LexborNode, tag: str, depth: int) -> None:
        self.flush()
        if tag in _HEADINGS:
            self.heading(node, tag)
        elif tag in ("ul", "ol"):
            self.list_block(node, tag, depth)
        elif tag == "blockquote":
            self.quote(node, depth)
        elif tag == "figure":
            self.figure(node, depth)
        elif tag == "img":
            self.image(node)
        elif tag in ("iframe", "video", "audio"):
            self.embed(node)
        elif tag == "table":
            self.table(node, depth)
        elif tag == "pre":
            self.pre(node)
        elif tag != "hr":
            self.container(node, depth)

    def text(self, text: str) -> None:
        pieces = _BLANK_LINE.split(text)
        for i, piece in enumerate(pieces):
            if i:
                self.run.append(_PARAGRAPH_BREAK)
            self.run.append(self.escape(piece, breaks=self.autop))

    def escape(self, text: str, *, breaks: bool) -> str:
        if breaks:
            lines = _NEWLINE.split(text)
            return "<br>".join(_SPACES.sub(" ", html.escape(line, quote=False)) for line in lines)
        return _SPACES.sub(" ", html.escape(text, quote=False))

    def flush(self) -> None:
        run, self.run = "".join(self.run), []
        for piece in run.split(_PARAGRAPH_BREAK):
            self.paragraph(_tidy(piece))

    def paragraph(self, text: str) -> None:
        readable = plain_text(text).strip()
        if not readable:
            return
        if provider_of(readable) and " " not in readable:
            # A link alone on its line is how WordPress and Markdown authors embed media.
            self.blocks.append(Embed(url=page_url(readable), provider=provider_of(readable)))
            return
        block = _validated(Paragraph, text=text)
        if block is not None:
            self.blocks.append(block)
        else:
            self.add_text(readable)

    def add_text(self, text: str) -> None:
        for piece in _chunks(text):
            block = _validated(Paragraph, text=html.escape(piece, quote=False))
            if block is not None:
                self.blocks.append(block)

    def heading(self, node: LexborNode, tag: str) -> None:
        text = _SPACES.sub(" ", node.text(deep=True)).strip()
        if not text:
            return
        block = _validated(Heading, level=max(2, int(tag[1])), text=text)
        if block is None:
            self.add_text(text)
        else:
            self.blocks.append(block)

    def list_block(self, node: LexborNode, tag: str, depth: int) -> None:
        items: list[str] = []
        self.list_items(node, items, depth)
        style = "ordered" if tag == "ol" else "unordered"
        for start in range(0, len(items), MAX_LIST_ITEMS):
            block = _validated(ListBlock, style=style, items=items[start : start + MAX_LIST_ITEMS])
            if block is not None:
                self.blocks.append(block)
            else:
                for item in items[start : start + MAX_LIST_ITEMS]:
                    self.paragraph(item)

    def list_items(self, node: LexborNode, items: list[str], depth: int) -> None:
        """Items in reading order; a nested list's items follow their parent's, one level flat."""
        for child in node.iter(include_text=False):
            if child.tag != "li" or depth > MAX_DEPTH:
                continue
            parts: list[str] = []
            nested: list[LexborNode] = []
            for part in child.iter(include_text=True):
                if part.tag in ("ul", "ol"):
                    nested.append(part)
                elif part.tag == "-text":
                    parts.append(self.escape(part.text_content or "", breaks=False))
                elif part.tag and not part.tag.startswith("-"):
                    parts.append(self.inline(part, depth + 1))
            item = _tidy("".join(parts))
            if plain_text(item).strip() and _validated(Paragraph, text=item) is not None:
                items.append(item)
            for inner in nested:
                self.list_items(inner, items, depth + 1)

    def quote(self, node: LexborNode, depth: int, *, cite: str | None = None) -> None:
        classes = set((node.attributes.get("class") or "").split())
        provider = next((_EMBED_QUOTES[c] for c in classes if c in _EMBED_QUOTES), None)
        if provider:
            links = [self.url(a.attributes.get("href")) for a in node.css("a")]
            url = next((u for u in reversed(links) if u and provider_of(u)), None)
            if url:
                caption = self.plain(node, depth)[:2000] or None
                self.blocks.append(Embed(url=url, provider=provider, caption=caption))
                return
        for source in node.css("footer, cite"):
            cite = cite or _SPACES.sub(" ", source.text(deep=True)).strip()[:2000] or None
            source.decompose()
        text = _tidy(self.inline(node, depth))
        if not plain_text(text).strip():
            return
        block = _validated(Quote, text=text, cite=cite)
        if block is None:
            self.add_text(plain_text(text))
        else:
            self.blocks.append(block)

    def figure(self, node: LexborNode, depth: int) -> None:
        caption_node = node.css_first("figcaption")
        credit = None
        caption = None
        if caption_node is not None:
            credit_node = caption_node.css_first(".credit, .wp-caption-credit, cite, small")
            if credit_node is not None:
                credit = _SPACES.sub(" ", credit_node.text(deep=True)).strip()[:300] or None
                credit_node.decompose()
            caption = _SPACES.sub(" ", caption_node.text(deep=True)).strip()[:2000] or None
            caption_node.decompose()
        classes = node.attributes.get("class") or ""
        images = node.css("img")
        holds_prose = node.css_first("p, ul, ol, h2, h3, table") is not None
        # css() matches the node itself too, hence more than one.
        if len(node.css("figure")) > 1 or (holds_prose and images):
            # A gallery of figures or a figure holding prose: each part on its own.
            self.container(node, depth)
        elif images:
            for i, img in enumerate(images):
                last = i == len(images) - 1
                self.image(img, caption=caption if last else None, credit=credit if last else None)
        elif node.css_first("iframe, video, audio") is not None:
            for player in node.css("iframe, video, audio"):
                self.embed(player, caption=caption)
        elif "wp-block-embed" in classes:
            url = self.url(_SPACES.sub(" ", node.text(deep=True)).strip())
            if url:
                self.blocks.append(Embed(url=page_url(url), provider=provider_of(url), caption=caption))
        elif node.css_first("blockquote") is not None:
            for quote in node.css("blockquote"):
                self.quote(quote, depth + 1, cite=caption)
        else:
            self.container(node, depth)
            if caption:
                self.add_text(caption)

    def image(self, node: LexborNode, *, caption: str | None = None, credit: str | None = None) -> None:
        attributes = node.attributes
        src = attributes.get("src") or ""
        if not src or src.startswith("data:"):
            src = attributes.get("data-src") or attributes.get("data-lazy-src") or ""
        url = self.url(src)
        if not url:
            return
        alt = _SPACES.sub(" ", attributes.get("alt") or "").strip()[:1000]
        block = _validated(ImageBlock, url=url, alt=alt, caption=caption, credit=credit)
        if block is not None:
            self.blocks.append(block)

    def embed(self, node: LexborNode, *, caption: str | None = None) -> None:
        attributes = node.attributes
        src = attributes.get("src") or attributes.get("data-src")
        if not src:
            source = node.css_first("source[src]")
            src = source.attributes.get("src") if source is not None else None
        url = self.url(src)
        if not url:
            return
        title = _SPACES.sub(" ", attributes.get("title") or "").strip()[:300] or None
        block = _validated(Embed, url=page_url(url), provider=provider_of(url), title=title, caption=caption)
        if block is not None:
            self.blocks.append(block)

    def table(self, node: LexborNode, depth: int) -> None:
        """Tables have no block: each row becomes a line of text, its cells joined by bars."""
        for row in self.rows(node, depth):
            self.paragraph(row)

    def rows(self, node: LexborNode, depth: int) -> list[str]:
        rows: list[str] = []
        for child in node.iter(include_text=False):
            if child.tag in ("thead", "tbody", "tfoot") and depth < MAX_DEPTH:
                rows.extend(self.rows(child, depth + 1))
            elif child.tag == "caption":
                rows.append(self.inline(child, depth + 1))
            elif child.tag == "tr":
                cells = [
                    _tidy(self.inline(cell, depth + 1))
                    for cell in child.iter(include_text=False)
                    if cell.tag in ("td", "th")
                ]
                rows.append(" | ".join(cell for cell in cells if cell))
        return rows

    def pre(self, node: LexborNode) -> None:
        code = (node.text(deep=True) or "").strip("\n")
        if not code.strip():
            return
        lines = code.split("\n")
        chunk: list[str] = []
        size = 0
        # Code keeps its lines and spaces; long listings split across paragraphs.
        for line in lines:
            indent = len(line) - len(line.lstrip(" "))
            escaped = "\u00a0" * indent + html.escape(line.lstrip(" "), quote=False)
            if chunk and size + len(escaped) > _CHUNK:
                self.code(chunk)
                chunk, size = [], 0
            chunk.append(escaped[:_CHUNK])
            size += len(escaped) + 4
        self.code(chunk)

    def code(self, lines: list[str]) -> None:
        block = _validated(Paragraph, text="<code>" + "<br>".join(lines) + "</code>")
        if block is not None:
            self.blocks.append(block)

    # Inline level

    def inline(self, node: LexborNode, depth: int) -> str:
        tag = node.tag or ""
        if tag == "-text":
            return self.escape(node.text_content or "", breaks=False)
        if tag.startswith("-") or tag in ("img", "iframe", "video", "audio"):
            return ""
        if tag == "br":
            return "<br>"
        if depth > MAX_DEPTH:
            return self.escape(node.text(deep=True), breaks=False)
        inner = "".join(self.inline(child, depth + 1) for child in node.iter(include_text=True))
        tag = _RENAMED.get(tag, tag)
        if tag == "a":
            href = self.url(node.attributes.get("href"), schemes=("http", "https", "mailto"))
            return f'<a href="{html.escape(href)}">{inner}</a>' if href and inner.strip() else inner
        if tag == "abbr":
            title = node.attributes.get("title")
            return f'<abbr title="{html.escape(title)}">{inner}</abbr>' if title else inner
        if tag == "q":
            return f"“{inner}”"
        if tag in INLINE_TAGS:
            return f"<{tag}>{inner}</{tag}>" if inner.strip() else inner
        if tag in _BLOCKS or tag == "li":
            # Blocks met inside inline content (paragraphs in a quote, a table in a cell) keep a line break.
            return f"<br>{inner}<br>"
        return inner

    def plain(self, node: LexborNode, depth: int) -> str:
        """Readable text of an element, with its blocks and line breaks as spaces."""
        return _SPACES.sub(" ", plain_text(self.inline(node, depth).replace("<br>", " "))).strip()

    def url(self, value: str | None, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
        value = (value or "").strip()
        if not value or value.startswith("#"):
            return None
        if value.startswith("//"):
            value = "https:" + value
        elif self.base_url and not urlsplit(value).scheme:
            value = urljoin(self.base_url, value)
        parts = urlsplit(value)
        if parts.scheme.lower() not in schemes or (parts.scheme != "mailto" and not parts.netloc):
            return None
        return value if len(value) <= 2000 else None

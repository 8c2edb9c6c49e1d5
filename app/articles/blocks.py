"""Article body blocks: their shapes, and rendering them to sanitised HTML."""

import html
import math
import re
from typing import Annotated, Any, Literal, Self

import nh3
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.core.ids import RowId
from app.core.slugs import slugify
from app.core.weburl import WebUrl
from app.media.schemas import FocalPoint, Source
from app.media.sizes import CROPS

# Paragraphs, quotes and list items may carry inline markup; everything else is stripped.
INLINE_TAGS = {"a", "em", "strong", "b", "i", "code", "br", "sub", "sup", "mark", "s", "abbr", "cite"}
_BLOCK_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "ul",
    "ol",
    "li",
    "footer",
    "span",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "loading", "srcset", "sizes", "width", "height"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "figure": {"class", "data-provider"},
    "span": {"class"},
}
WORDS_PER_MINUTE = 230
EXCERPT_LENGTH = 280
INLINE_MAX_LENGTH = 20000

_URL_SCHEMES = {"http", "https", "mailto"}


# Characters an HTML parser may rewrite in text: markup and entities, NUL, CR, no-break space and a
# leading byte-order mark. Text with none of them comes out of the sanitiser as it went in.
_REWRITTEN = re.compile("[<>&\x00\r\u00a0\ufeff]")


def clean_inline(text: str) -> str:
    # Most text is plain: the sanitiser would parse it only to give it back unchanged.
    if _REWRITTEN.search(text) is None:
        return text
    return sanitised(text)


def sanitised(text: str) -> str:
    # One pass can leave markup that a second pass rewrites (links nested through dropped
    # tables, say); stored text must be a fixed point, so clean until nothing changes.
    for _ in range(4):
        cleaned = nh3.clean(
            text, tags=INLINE_TAGS, attributes=_ATTRIBUTES, url_schemes=_URL_SCHEMES, link_rel="noopener"
        )
        if cleaned == text:
            break
        text = cleaned
    return text


def _still_text_after_cleaning(text: str) -> str:
    # Escaping can lengthen text and removing scripts can empty it; what is stored must still validate.
    if not text.strip():
        raise ValueError("nothing readable is left once unsafe markup is removed")
    if len(text) > INLINE_MAX_LENGTH:
        raise ValueError(f"longer than {INLINE_MAX_LENGTH} characters once markup is escaped")
    return text


# Inline markup is sanitised on the way in, so clients rendering `body` blocks themselves get safe HTML too.
InlineText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=INLINE_MAX_LENGTH,
        description="Text with optional inline HTML (a, em, strong, code, ...).",
    ),
    AfterValidator(clean_inline),
    AfterValidator(_still_text_after_cleaning),
]
PlainText = Annotated[str, Field(min_length=1, max_length=2000)]


class Paragraph(BaseModel):
    type: Literal["paragraph"] = "paragraph"
    text: InlineText


class Heading(BaseModel):
    type: Literal["heading"] = "heading"
    level: int = Field(2, ge=2, le=6, description="h2 to h6; the headline is the only h1.")
    text: PlainText


class Quote(BaseModel):
    type: Literal["quote"] = "quote"
    text: InlineText
    cite: PlainText | None = None


# What the media library fills in for one of its pictures; ignored when a client sends it.
FROM_LIBRARY = ("width", "height", "srcset", "sources", "crops", "focal_point", "placeholder")
# What an article may set for itself over the library's own words.
OWN_WORDS = ("alt", "caption", "credit")


class Image(BaseModel):
    """An external picture by `url`, or one of the media library's by `media_id`: then `url` (a
    default rendition), `alt`, `caption` and `credit` come from the library unless the article sets
    them, and the server adds the size, renditions, focal point and placeholder."""

    url: WebUrl | None = Field(None, description="Required without `media_id`; with it, set by the server.")
    media_id: RowId | None = Field(None, description="A picture of the media library (`/api/v1/media`).")
    crop: Literal[CROPS] | None = Field(  # type: ignore[valid-type]
        None,
        description="Library pictures: show this crop (one of the picture's `crops`): `url`, `srcset`, "
        "`sources`, `width` and `height` are then the crop's. The whole picture when omitted.",
    )
    alt: str = Field("", max_length=1000, description="Text alternative; empty only for decorative images.")
    caption: str | None = Field(None, max_length=2000)
    credit: str | None = Field(None, max_length=300)
    width: int | None = Field(None, description="Library pictures: pixels, upright.")
    height: int | None = None
    srcset: str | None = Field(None, description="Library pictures: JPEG renditions for `<img srcset>`.")
    sources: list[Source] | None = Field(None, description="Library pictures: WebP renditions for `<picture>`.")
    crops: dict[str, str] | None = Field(None, description="Library pictures: WebP crops per aspect ratio.")
    focal_point: FocalPoint | None = None
    placeholder: str | None = Field(None, description="Library pictures: a tiny blurred data URI.")
    # The words the article set itself, which the library's do not replace.
    _own: set[str] = PrivateAttr(default_factory=set)

    @model_validator(mode="wrap")
    @classmethod
    def _with_library_fields(cls, data: Any, handler: ModelWrapValidatorHandler["Image"]) -> "Image":
        # Stored form: the article's own words beside `media`, what the library showed when last written.
        if not isinstance(data, dict) or data.get("media_id") is None:
            return handler(data)
        own = {word for word in OWN_WORDS if data.get(word) is not None}
        library = {name: value for name, value in (data.get("media") or {}).items() if name not in own}
        given = {name: value for name, value in data.items() if name != "media" and name not in FROM_LIBRARY}
        image = handler(given | library)
        image._own = own
        return image

    @field_validator("crop")
    @classmethod
    def _crops_a_library_picture(cls, crop: str | None, info: ValidationInfo) -> str | None:
        if crop is not None and info.data.get("media_id") is None:
            raise ValueError("only a picture of the media library (`media_id`) can be cropped")
        return crop

    @model_validator(mode="after")
    def _names_a_picture(self) -> Self:
        if self.url is None and self.media_id is None:
            raise ValueError("give `url` (an external picture) or `media_id` (a picture of the media library)")
        return self

    def stored(self, shown: dict[str, Any] | None) -> dict[str, Any]:
        """What an article keeps: an external picture as given; a library one by id, with its own
        words and `shown`, the library's fields of it now."""
        if self.media_id is None:
            return self.model_dump(include={"type", "url", *OWN_WORDS}, exclude_none=True)
        own = self.model_dump(include={"type", "media_id", "crop", *self._own}, exclude_none=True)
        return own | {"media": shown}


class ImageBlock(Image):
    type: Literal["image"] = "image"


class ListBlock(BaseModel):
    type: Literal["list"] = "list"
    style: Literal["ordered", "unordered"] = "unordered"
    items: list[InlineText] = Field(min_length=1, max_length=500)


class Embed(BaseModel):
    """Third-party media, rendered as a link the frontend may upgrade; no foreign HTML is ever stored."""

    type: Literal["embed"] = "embed"
    url: WebUrl
    provider: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=300)
    caption: str | None = Field(None, max_length=2000)


Block = Annotated[Paragraph | Heading | Quote | ImageBlock | ListBlock | Embed, Field(discriminator="type")]
Body = Annotated[list[Block], Field(max_length=2000)]
body_adapter = TypeAdapter(list[Block])


def plain_text(text: str) -> str:
    """Inline markup removed and entities decoded: what a reader actually reads."""
    return html.unescape(nh3.clean(text, tags=set()))


def _caption(caption: str | None, credit: str | None) -> str:
    parts = []
    if caption:
        parts.append(html.escape(caption))
    if credit:
        parts.append(f'<span class="credit">{html.escape(credit)}</span>')
    return f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""


def _heading_ids(blocks: list[Block]) -> dict[int, str]:
    """Stable, unique anchors for sub-headings so frontends can build a table of contents."""
    used: set[str] = set()
    anchors = {}
    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            base = anchor = slugify(block.text) or "section"
            n = 1
            while anchor in used:
                n += 1
                anchor = f"{base}-{n}"
            used.add(anchor)
            anchors[index] = anchor
    return anchors


def render_block(block: Block, anchor: str | None = None) -> str:
    match block:
        case Paragraph(text=text):
            return f"<p>{clean_inline(text)}</p>"
        case Heading(level=level, text=text):
            return f'<h{level} id="{anchor}">{html.escape(text)}</h{level}>'
        case Quote(text=text, cite=cite):
            footer = f"<footer><cite>{html.escape(cite)}</cite></footer>" if cite else ""
            return f"<blockquote><p>{clean_inline(text)}</p>{footer}</blockquote>"
        case ImageBlock():
            img = f'<img src="{html.escape(block.url or "")}" alt="{html.escape(block.alt)}" loading="lazy"'
            if block.srcset:
                img += f' srcset="{html.escape(block.srcset)}" sizes="(max-width: 1024px) 100vw, 1024px"'
            if block.width and block.height:
                img += f' width="{block.width}" height="{block.height}"'
            img += ">"
            return f"<figure>{img}{_caption(block.caption, block.credit)}</figure>"
        case ListBlock(style=style, items=items):
            tag = "ol" if style == "ordered" else "ul"
            return f"<{tag}>{''.join(f'<li>{clean_inline(item)}</li>' for item in items)}</{tag}>"
        case Embed():
            provider = f' data-provider="{html.escape(block.provider)}"' if block.provider else ""
            link = f'<a href="{html.escape(block.url)}">{html.escape(block.title or block.url)}</a>'
            return f'<figure class="embed"{provider}>{link}{_caption(block.caption, None)}</figure>'


def render_html(blocks: list[Block]) -> str:
    anchors = _heading_ids(blocks)
    rendered = "\n".join(render_block(block, anchors.get(i)) for i, block in enumerate(blocks))
    # A final pass through the sanitiser, so a bug in one renderer cannot ship markup we never allowed.
    return nh3.clean(
        rendered,
        tags=INLINE_TAGS | _BLOCK_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener",
    )


def readable_text(blocks: list[Block]) -> str:
    texts: list[str] = []
    for block in blocks:
        match block:
            case Paragraph(text=text) | Heading(text=text) | Quote(text=text):
                texts.append(plain_text(text))
            case ListBlock(items=items):
                texts.extend(plain_text(item) for item in items)
    return "\n".join(texts)


def word_count(blocks: list[Block]) -> int:
    return len(re.findall(r"\w+(?:['’-]\w+)*", readable_text(blocks)))


def reading_time_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0


def derive_excerpt(blocks: list[Block]) -> str:
    """The opening paragraph, cut at a word boundary: what a list or a social card shows."""
    first = next((plain_text(b.text) for b in blocks if isinstance(b, Paragraph)), "")
    first = " ".join(first.split())
    if len(first) <= EXCERPT_LENGTH:
        return first
    cut = first[: EXCERPT_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:.-–—")
    return cut + "…"

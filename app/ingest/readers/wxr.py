"""WordPress exports (WXR 1.0 to 1.2): posts with their authors, category, tags, featured image and comments.

The file is streamed twice, each time holding one item at most: first to check it is a WXR file
and to learn its authors and attachments (a featured image may be listed after its post), then
to read the posts. A file that is not well-formed, not WXR, or declares entities is refused
whole, before any record is read."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from app.articles.blocks import plain_text
from app.core.slugs import slugify
from app.ingest.html_blocks import BodyTooLong, html_to_blocks, text_lines, text_of
from app.ingest.readers.records import (
    FALLBACK_AUTHOR,
    clip,
    finish,
    is_email,
    is_web_url,
    tag_names,
    title_from,
    utc_text,
)
from app.ingest.readers.shortcodes import expand_shortcodes
from app.ingest.readers.source import SourceRecord

_WP = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_WP_EXCERPT = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_PREFIXES = {"http://purl.org/rss/1.0/modules/content/": "content", "http://purl.org/dc/elements/1.1/": "dc"}
_VERSION = re.compile(r"^\d+\.\d+$")
_ZERO_DATE = "0000-00-00 00:00:00"

# WordPress statuses -> Byline's. Private and password-protected posts are not public: drafts.
# A future post is published with its time ahead, which Byline shows as scheduled.
STATUSES = {"publish": "published", "future": "published", "draft": "draft", "pending": "draft", "private": "draft"}
# Never content: deleted posts and WordPress's own bookkeeping.
SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}
COMMENT_STATUSES = {"1": "approved", "0": "pending", "spam": "spam"}
MAX_COMMENTS = 10000


class WxrError(ValueError):
    """The file cannot be read as a WordPress export; the message says why and where."""

    def __init__(self, message: str, position: str = "file") -> None:
        super().__init__(message)
        self.position = position


@dataclass
class _Site:
    title: str = ""
    base_url: str = ""
    version: str | None = None
    authors: dict[str, dict[str, str]] = field(default_factory=dict)
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)


def read_wxr(source: str) -> Iterator[SourceRecord]:
    try:
        site = _scan(source)
        yield from _posts(source, site)
    except WxrError as error:
        yield SourceRecord(position=error.position, record=None, error=str(error))


def attachments(source: str) -> list[dict[str, str]]:
    """The export's attachments (`url`, `alt`, `caption`), for `--rehost-media`; none when it cannot be read."""
    try:
        return list(_scan(source).attachments.values())
    except WxrError:
        return []


def _name(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` -> `wp:post_id`, whatever prefix the file bound."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if _WP.match(uri):
        return "wp:" + local
    if _WP_EXCERPT.match(uri):
        return "excerpt:" + local
    prefix = _PREFIXES.get(uri)
    return f"{prefix}:{local}" if prefix else tag


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _children(element: Element) -> dict[str, str]:
    """First text of each child by name: the scalar fields of an item, author or comment."""
    fields: dict[str, str] = {}
    for child in element:
        fields.setdefault(_name(child.tag), _text(child))
    return fields


def _stream(source: str) -> Iterator[tuple[int, Element]]:
    """(depth, element) for each finished element under <channel>, each dropped once seen."""
    depth = 0
    path: list[Element] = []
    try:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=False):
            if event == "start":
                if depth == 0 and _name(element.tag) != "rss":
                    raise WxrError(f"not a WordPress export: the document is <{_name(element.tag)}>, not <rss>")
                if depth == 1 and _name(element.tag) != "channel":
                    raise WxrError(f"not a WordPress export: <rss> holds <{_name(element.tag)}>, not <channel>")
                path.append(element)
                depth += 1
                continue
            depth -= 1
            path.pop()
            if depth >= 2:
                yield depth, element
            if depth == 2:
                path[-1].remove(element)
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise WxrError(f"not well-formed XML ({reason})", f"line {line}, column {column}") from None
    except EntitiesForbidden as error:
        raise WxrError(
            f"the file declares the XML entity '{error.name}'; entities are refused, as they can expand "
            "without bound or read other files"
        ) from None
    except ExternalReferenceForbidden as error:
        raise WxrError(f"the file refers to an external resource ({error.sysid}), which is refused") from None
    except DefusedXmlException as error:
        raise WxrError(f"unsafe XML refused: {error}") from None
    except OSError as error:
        raise WxrError(f"cannot read the file: {error.strerror or error}") from None


def _scan(source: str) -> _Site:
    site = _Site()
    for depth, element in _stream(source):
        if depth != 2:
            continue
        name = _name(element.tag)
        if name == "wp:wxr_version":
            site.version = _text(element)
        elif name == "title":
            site.title = _text(element)
        elif name in ("wp:base_blog_url", "wp:base_site_url", "link") and not site.base_url:
            site.base_url = _text(element)
        elif name == "wp:author":
            author = _children(element)
            login = author.get("wp:author_login", "")
            if login:
                site.authors[login] = author
        elif name == "item":
            fields = _children(element)
            if fields.get("wp:post_type") == "attachment" and fields.get("wp:post_id"):
                site.attachments[fields["wp:post_id"]] = _attachment(element, fields)
    if site.version is None:
        raise WxrError("not a WordPress export: there is no <wp:wxr_version> in <channel>")
    if not _VERSION.match(site.version):
        raise WxrError(f"not a WordPress export: the WXR version '{clip(site.version, 40)}' is not a number")
    return site


def _attachment(element: Element, fields: dict[str, str]) -> dict[str, str]:
    meta = _postmeta(element)
    return {
        "url": fields.get("wp:attachment_url") or fields.get("guid", ""),
        "alt": meta.get("_wp_attachment_image_alt", ""),
        "caption": fields.get("excerpt:encoded", ""),
    }


def _postmeta(element: Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for child in element:
        if _name(child.tag) == "wp:postmeta":
            entry = _children(child)
            meta.setdefault(entry.get("wp:meta_key", ""), entry.get("wp:meta_value", ""))
    return meta


def _posts(source: str, site: _Site) -> Iterator[SourceRecord]:
    count = 0
    for depth, element in _stream(source):
        if depth == 2 and _name(element.tag) == "item":
            count += 1
            yield _post(f"item {count}", element, site)


def _post(position: str, element: Element, site: _Site) -> SourceRecord:
    fields = _children(element)
    post_type = fields.get("wp:post_type") or "post"
    if post_type != "post":
        return SourceRecord(position=position, record=None, skipped=post_type)
    wp_status = fields.get("wp:status") or "publish"
    if wp_status in SKIPPED_STATUSES:
        return SourceRecord(position=position, record=None, skipped=wp_status)
    external_id = _external_id(site, fields)
    if external_id is None:
        return SourceRecord(position=position, record=None, error="the item has neither <wp:post_id> nor <guid>")
    content = fields.get("content:encoded", "")
    try:
        # Content from WordPress's block editor is HTML already; the classic editor's relies on wpautop.
        autop = "<!-- wp:" not in content
        body = html_to_blocks(expand_shortcodes(content), base_url=site.base_url or None, autop=autop)
    except BodyTooLong as error:
        return SourceRecord(position=position, record=None, error=str(error))
    status = STATUSES.get(wp_status, "draft")
    if fields.get("wp:post_password"):
        status = "draft"
    published_at = _date(fields, "wp:post_date")
    excerpt = clip(text_of(fields.get("excerpt:encoded", "")), 1000)
    title = text_of(fields["title"]) if "<" in fields.get("title", "") else " ".join(fields.get("title", "").split())
    section, tags = _terms(element)
    record: dict[str, Any] = {
        "external_id": external_id,
        "title": clip(title, 300) or title_from(excerpt or " ".join(plain_text(b.get("text", "")) for b in body[:3])),
        "slug": slugify(unquote(fields.get("wp:post_name", ""))) or None,
        "excerpt": excerpt or None,
        "body": body,
        "authors": [_author(site, fields)],
        "section": section,
        "tags": tags,
        "status": status,
        # A draft's date is when it was last saved, not a publication time.
        "published_at": published_at if wp_status not in ("draft", "pending") else None,
        "updated_at": _date(fields, "wp:post_modified"),
        "comments_open": fields.get("wp:comment_status", "open") == "open",
        "comments": _comments(element, external_id, published_at),
    }
    featured = site.attachments.get(_postmeta(element).get("_thumbnail_id", ""))
    if featured and is_web_url(featured["url"]):
        record["featured_image"] = {
            "url": featured["url"],
            "alt": clip(featured["alt"], 1000),
            "caption": clip(text_of(featured["caption"]), 2000) or None,
        }
    return finish(position, record)


def _external_id(site: _Site, fields: dict[str, str]) -> str | None:
    """WordPress's own short link for the post (`site/?p=42`), stable across exports of the same site."""
    post_id = fields.get("wp:post_id")
    if post_id and site.base_url:
        key = f"wxr:{site.base_url.rstrip('/')}/?p={post_id}"
    elif fields.get("guid"):
        key = "wxr:" + fields["guid"]
    elif post_id:
        key = f"wxr:?p={post_id}"
    else:
        return None
    return key if len(key) <= 255 else "wxr:sha256:" + sha256(key.encode()).hexdigest()


def _date(fields: dict[str, str], name: str) -> str | None:
    """The GMT column when WordPress filled it, else the site-local one taken as UTC (WXR has no offset)."""
    for value in (fields.get(f"{name}_gmt"), fields.get(name)):
        if value and value != _ZERO_DATE:
            try:
                return utc_text(datetime.fromisoformat(value))
            except ValueError:
                continue
    return None


def _author(site: _Site, fields: dict[str, str]) -> dict[str, str] | str:
    login = fields.get("dc:creator") or fields.get("wp:author") or ""
    if not login:
        # An item naming nobody: the export's only author, else the site itself.
        if len(site.authors) == 1:
            login = next(iter(site.authors))
        else:
            return clip(site.title, 120) or FALLBACK_AUTHOR
    author = site.authors.get(login, {})
    name = author.get("wp:author_display_name") or " ".join(
        filter(None, (author.get("wp:author_first_name"), author.get("wp:author_last_name")))
    )
    ref = {"name": clip(name or login, 120)}
    if slug := slugify(login):
        ref["slug"] = slug
    if bio := author.get("wp:author_description"):
        ref["bio"] = clip(bio, 4000)
    return ref


def _terms(element: Element) -> tuple[dict[str, str] | None, list[str]]:
    """The first category is the section (WordPress's default "Uncategorized" means none); the other
    categories become tags after the post's own, so no grouping is lost."""
    categories: list[tuple[str, str]] = []
    tags: list[str] = []
    undomained: list[tuple[str, str]] = []
    for child in element:
        if _name(child.tag) != "category":
            continue
        name = " ".join(_text(child).split())
        entry = (name, unquote(child.get("nicename", "")))
        domain = child.get("domain")
        if domain == "category":
            categories.append(entry)
        elif domain in ("post_tag", "tag"):
            tags.append(name)
        elif domain is None:
            undomained.append(entry)
    # WXR 1.0 lists each category twice, with and without a domain; alone, undomained ones are categories.
    categories = [c for c in categories or undomained if c[0] and (c[1] or slugify(c[0])) != "uncategorized"]
    section = None
    if categories:
        name, nicename = categories[0]
        section = {"name": clip(name, 120)}
        if slug := slugify(nicename or name):
            section["slug"] = slug
    return section, tag_names([*tags, *(name for name, _ in categories[1:])])


def _comments(element: Element, external_id: str, fallback_date: str | None) -> list[dict[str, Any]]:
    read: list[tuple[int, dict[str, str]]] = []
    for child in element:
        if _name(child.tag) == "wp:comment":
            fields = _children(child)
            if fields.get("wp:comment_id", "").isdigit():
                read.append((int(fields["wp:comment_id"]), fields))
    read.sort(key=lambda pair: pair[0])
    parents = {cid: fields.get("wp:comment_parent", "0") for cid, fields in read}
    comments: dict[str, dict[str, Any]] = {}
    for cid, fields in read:
        comment = _comment(fields, fallback_date)
        if comment is None or len(comments) >= MAX_COMMENTS:
            continue
        # A reply to a skipped comment (trash, pingback) hangs from the nearest kept ancestor.
        parent = parents.get(cid, "0")
        seen: set[str] = set()
        while parent not in ("", "0") and str(parent) not in comments and parent not in seen:
            seen.add(parent)
            parent = parents.get(int(parent), "0") if parent.isdigit() else "0"
        comment["external_id"] = f"{external_id}#comment-{cid}"
        comment["parent_external_id"] = comments[parent]["external_id"] if parent in comments else None
        comments[str(cid)] = comment
    return list(comments.values())


def _comment(fields: dict[str, str], fallback_date: str | None) -> dict[str, Any] | None:
    status = COMMENT_STATUSES.get(fields.get("wp:comment_approved", "1"))
    kind = fields.get("wp:comment_type", "")
    # Pingbacks and trackbacks are notices from other sites, not readers' comments.
    if status is None or kind in ("pingback", "trackback"):
        return None
    content = text_lines(fields.get("wp:comment_content", ""))[:20000]
    created_at = _date(fields, "wp:comment_date") or fallback_date
    if not content or created_at is None:
        return None
    email = fields.get("wp:comment_author_email", "")
    url = fields.get("wp:comment_author_url", "")
    return {
        "author_name": clip(text_of(fields.get("wp:comment_author", "")), 100) or "Anonymous",
        "author_email": email if is_email(email) else "",
        "author_url": url if is_web_url(url) else None,
        "content": content,
        "status": status,
        "created_at": created_at,
    }

"""RSS 0.9x/1.0/2.0 and Atom feeds, from a file or an http(s) URL: each entry becomes a published article."""

import html
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import feedparser
import httpx
from defusedxml import EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from app.articles.blocks import plain_text
from app.core import outbound
from app.core.outbound import PUBLIC_ONLY, Destinations
from app.core.release import byline_version
from app.ingest.embeds import page_url, provider_of
from app.ingest.html_blocks import BodyTooLong, html_to_blocks, text_of
from app.ingest.readers.records import FALLBACK_AUTHOR, clip, finish, is_web_url, tag_names, title_from, utc_text
from app.ingest.readers.source import SourceRecord

# A feed is parsed whole, so its size is bounded, as is the wait for a remote one.
MAX_FEED_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_REDIRECTS = 5
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# WordPress links each entry of a comments feed to the comment's anchor on its post.
_COMMENT_ANCHOR = re.compile(r"^comment-\d+$")


class FeedError(ValueError):
    """The feed cannot be fetched or read; the message says why."""


def read_feed(source: str, *, destinations: Destinations = PUBLIC_ONLY) -> Iterator[SourceRecord]:
    """A feed file's or URL's entries; a URL only at a public address, or one `destinations` allows."""
    try:
        if source.startswith(("http://", "https://")):
            data, base_url = _fetch(source, destinations)
        else:
            data, base_url = _read_file(source), None
        _refuse_entities(data)
        parsed = feedparser.parse(
            data,
            # Bodies are sanitised when they become blocks; feedparser's own pass would drop embeds.
            sanitize_html=False,
            response_headers={"content-location": base_url} if base_url else None,
        )
        if not parsed.get("version") and not parsed.entries:
            reason = parsed.get("bozo_exception")
            raise FeedError(f"not an RSS or Atom feed{f' ({reason})' if reason else ''}")
        if (why := _comments_feed(parsed)) is not None:
            raise FeedError(
                f"a WordPress comments feed, not a feed of articles: {why}. Import the site's posts feed "
                "(/feed/) or its WordPress export (Tools > Export) instead; the export brings the comments too"
            )
    except FeedError as error:
        yield SourceRecord(position=source, record=None, error=str(error))
        return
    feed = parsed.feed
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry(f"item {number}", entry, feed)


def _comments_feed(parsed: Any) -> str | None:
    """Why the feed holds readers' comments rather than articles, if it does: its own address is a
    WordPress comments feed (`/comments/feed/`), or every entry links to a comment's anchor."""
    own = next((link.get("href") or "" for link in parsed.feed.get("links") or [] if link.get("rel") == "self"), "")
    if urlsplit(own).path.rstrip("/").endswith("/comments/feed"):
        return f"its own address is {own}"
    entries = parsed.entries
    if entries and all(_COMMENT_ANCHOR.match(urlsplit(entry.get("link") or "").fragment) for entry in entries):
        return "every entry links to a comment (#comment-…) rather than to a post"
    return None


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FEED_BYTES + 1)
    except OSError as error:
        raise FeedError(f"cannot read the file: {error.strerror or error}") from None
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB")
    return data


def _fetch(url: str, destinations: Destinations) -> tuple[bytes, str]:
    headers = {
        "User-Agent": f"Byline/{byline_version()} (feed import)",
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    }
    try:
        fetched = outbound.fetch(
            url,
            destinations,
            max_bytes=MAX_FEED_BYTES,
            timeout=FETCH_TIMEOUT,
            headers=headers,
            max_redirects=MAX_REDIRECTS,
        )
    except outbound.FetchTooLarge:
        raise FeedError(f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB") from None
    except outbound.FetchFailed as failed:
        raise FeedError(str(failed)) from None
    return fetched.body, fetched.url


def _refuse_entities(data: bytes) -> None:
    """Entity declarations can only precede the root element: read that far with defusedxml."""
    try:
        for _ in iterparse(io.BytesIO(data.lstrip()), events=("start",), forbid_dtd=False):
            return
    except EntitiesForbidden as error:
        raise FeedError(
            f"the feed declares the XML entity '{error.name}'; entities are refused, as they can expand "
            "without bound or read other files"
        ) from None
    except ExternalReferenceForbidden as error:
        raise FeedError(f"the feed refers to an external resource ({error.sysid}), which is refused") from None
    except ParseError:
        # Not well-formed XML; feedparser's lenient reading decides whether it is a feed.
        return


def _entry(position: str, entry: Any, feed: Any) -> SourceRecord:
    link = entry.get("link") if is_web_url(entry.get("link") or "") else None
    base_url = link or feed.get("link")
    content = _content(entry)
    try:
        body = html_to_blocks(content, base_url=base_url) if content else []
    except BodyTooLong as error:
        return SourceRecord(position=position, record=None, error=str(error))
    if link and provider_of(link) and not any(b["type"] == "embed" for b in body):
        # Video feeds (YouTube's) carry a description at most: the video itself leads the article.
        body = [{"type": "embed", "url": page_url(link), "provider": provider_of(link)}, *body]
    summary = text_of(entry.get("summary") or "")
    excerpt = clip(summary, 1000) if summary and entry.get("content") else ""
    title = entry.get("title") or ""
    if (entry.get("title_detail") or {}).get("type") in _HTML_TYPES:
        title = text_of(title)
    # dict.get: feedparser's own get() answers a missing updated_parsed with published_parsed, warning.
    updated = _time(dict.get(entry, "updated_parsed"))
    published = _time(dict.get(entry, "published_parsed")) or updated
    record: dict[str, Any] = {
        "external_id": _external_id(entry, feed),
        "title": clip(title, 300) or title_from(summary or " ".join(plain_text(b.get("text", "")) for b in body[:3])),
        "excerpt": excerpt or None,
        "body": body,
        "authors": _authors(entry, feed),
        "tags": tag_names(t.get("label") or t.get("term") or "" for t in entry.get("tags") or []),
        "status": "published",
        "published_at": published,
        "updated_at": updated,
        "canonical_url": link,
    }
    image = _image(entry)
    if image:
        record["featured_image"] = {"url": image, "alt": ""}
    return finish(position, record)


def _content(entry: Any) -> str:
    """The full text (`content:encoded`, Atom content) over the summary; plain text kept as text."""
    contents = entry.get("content") or []
    chosen = next((c for c in contents if c.get("type") in _HTML_TYPES), contents[0] if contents else None)
    if chosen is None:
        chosen = entry.get("summary_detail") or {"value": entry.get("summary") or "", "type": "text/html"}
    value = chosen.get("value") or ""
    if chosen.get("type") == "text/plain":
        value = "".join(f"<p>{line}</p>" for line in _escaped_paragraphs(value))
    return value


def _escaped_paragraphs(text: str) -> list[str]:
    return [html.escape(part).replace("\n", "<br>") for part in text.split("\n\n") if part.strip()]


def _external_id(entry: Any, feed: Any) -> str:
    """The entry's id (RSS guid, Atom id); a bare one ("123") is only unique within its feed."""
    key = entry.get("id") or entry.get("link") or ""
    if key and not urlsplit(key).scheme:
        key = f"{feed.get('link') or feed.get('title') or ''}#{key}"
    if not key:
        key = f"{entry.get('title', '')}|{entry.get('published', '')}"
    key = "feed:" + key
    return key if len(key) <= 255 else "feed:sha256:" + sha256(key.encode()).hexdigest()


def _authors(entry: Any, feed: Any) -> list[str]:
    """The entry's authors, else the feed's, else the publication's name."""
    for source in (entry, feed):
        names = [" ".join((a.get("name") or "").split()) for a in source.get("authors") or []]
        if not any(names) and source.get("author"):
            names = [source["author"]]
        names = list(dict.fromkeys(clip(n, 120) for n in names if n))
        if names:
            return names[:20]
    return [clip(text_of(feed.get("title") or ""), 120) or FALLBACK_AUTHOR]


def _time(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return utc_text(datetime(*parsed[:6], tzinfo=UTC))
    except ValueError:
        return None


def _image(entry: Any) -> str | None:
    candidates = [t.get("url") for t in entry.get("media_thumbnail") or []]
    candidates += [
        m.get("url")
        for m in entry.get("media_content") or []
        if m.get("medium") == "image" or (m.get("type") or "").startswith("image/")
    ]
    candidates += [e.get("href") for e in entry.get("enclosures") or [] if (e.get("type") or "").startswith("image/")]
    return next((url for url in candidates if url and is_web_url(url)), None)

"""Surrogate keys: every public answer names what it shows (`Surrogate-Key` for Fastly and Varnish,
`Cache-Tag` for Cloudflare), and every write names what it changed (the `cache.purge` outbox event),
so a CDN can purge exactly the answers a write made stale.

Keys are `article:<slug>`, `author:<slug>`, `section:<slug>`, `tag:<slug>`, `comments:<article
slug>`, `media:<id>` (a picture's renditions, purged when it is changed or deleted), and one per
kind of list (`articles`, `authors`, `sections`, `tags`), which a write purges when what a list
holds, counts or orders may have changed; `changes` names every page of the change feed, purged by
each write that adds to it. Two more name what follows article writes beyond the lists' members:
`matches`, every list chosen by articles' text (search results, related articles), purged when an
article's text changes; and `edits`, what changes with every article write (sitemaps'
dates, lists of what was updated since a time).

Fastly and Cloudflare read at most 16 KB of keys from an answer, and a page of 100 articles with
long slugs names more. Such a page first leaves out the author, section and tag keys when it is an
article list (every write that changes one of those on a list purges `articles` too), then if it
must, sends each key in its compact form, `<kind>~<digest of the slug>`. Every purge names both
forms of each key, so either is purged.
"""

import base64
import hashlib
from collections.abc import Callable, Iterable

from fastapi import Response

ARTICLES, AUTHORS, SECTIONS, TAGS, CHANGES = "articles", "authors", "sections", "tags", "changes"
MATCHES, EDITS = "matches", "edits"
# What Fastly (Surrogate-Key) and Cloudflare (Cache-Tag) read of one answer's keys, with room to spare.
HEADER_BUDGET = 16_000
# Every write that changes how an article list shows an author, section or tag purges `articles`.
_COVERED_BY_ARTICLES = ("author:", "section:", "tag:")
# What an article write may change beyond the article: lists, the counts in directories, text matches.
ARTICLE_LISTS = (ARTICLES, AUTHORS, SECTIONS, TAGS, MATCHES, EDITS)


def article(slug: str) -> str:
    return f"article:{slug}"


def author(slug: str) -> str:
    return f"author:{slug}"


def section(slug: str) -> str:
    return f"section:{slug}"


def tag(slug: str) -> str:
    return f"tag:{slug}"


def comments(article_slug: str) -> str:
    return f"comments:{article_slug}"


def media(media_id: int) -> str:
    return f"media:{media_id}"


def shown(item: object) -> set[str]:
    """What one representation embeds: the keys its `surrogate_keys()` names, if it has that method
    (the schemas of articles, authors, sections and tags do)."""
    named: Callable[[], set[str]] | None = getattr(item, "surrogate_keys", None)
    return named() if named is not None else set()


def compact(key: str) -> str:
    kind, _, slug = key.partition(":")
    if not slug:
        return key
    digest = hashlib.blake2b(slug.encode(), digest_size=10).digest()
    return f"{kind}~{base64.b32encode(digest).decode().lower()}"


def with_compact_forms(purged: Iterable[str]) -> set[str]:
    return {form for key in purged for form in (key, compact(key))}


def within_budget(keys: set[str]) -> list[str]:
    """The keys to send, sorted, in at most HEADER_BUDGET bytes as one header value."""
    ordered = sorted(keys)
    if _header_length(ordered) <= HEADER_BUDGET:
        return ordered
    if ARTICLES in keys:
        keys = {key for key in keys if not key.startswith(_COVERED_BY_ARTICLES)}
        ordered = sorted(keys)
        if _header_length(ordered) <= HEADER_BUDGET:
            return ordered
    return sorted({compact(key) for key in keys})


def _header_length(ordered: list[str]) -> int:
    return sum(len(key) for key in ordered) + len(ordered) - 1


def label(response: Response, keys: Iterable[str]) -> None:
    ordered = within_budget(set(keys))
    if ordered:
        response.headers["Surrogate-Key"] = " ".join(ordered)
        response.headers["Cache-Tag"] = ",".join(ordered)


def of_list(kind: str | None, items: Iterable[object], *also: str) -> set[str]:
    """A page of a list: its kind (an empty page must go too when something joins the list) and its items."""
    keys = ({kind} if kind else set()) | set(also)
    for item in items:
        keys |= shown(item)
    return keys


def label_list(response: Response, kind: str | None, items: Iterable[object], *also: str) -> None:
    label(response, of_list(kind, items, *also))

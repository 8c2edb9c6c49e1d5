"""Format readers: each turns a foreign source into records of the ingest shape, one at a time."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SourceRecord:
    position: str  # e.g. "line 12", "item 3", "_posts/2014-01-13-x.md"
    record: dict | None  # the ingest shape, or None when unreadable
    error: str | None = None  # why it could not be read
    skipped: str | None = None  # why it was deliberately skipped ("page", "attachment", "nav_menu_item", ...)


# The readers import SourceRecord from here, so they are imported once it exists.
from app.ingest.readers import feeds, markdown, wxr  # noqa: E402

READERS: dict[str, Callable[[str], Iterator[SourceRecord]]] = {
    "markdown": markdown.read_markdown,
    "wxr": wxr.read_wxr,
    "rss": feeds.read_feed,
}

_SNIFF_BYTES = 4096


def detect(source: str) -> str:
    """The format of a source for `--format auto`, from its name or its first bytes."""
    if source.startswith(("http://", "https://")):
        return "rss"
    path = Path(source)
    if path.is_dir():
        if markdown.has_posts(path):
            return "markdown"
        raise ValueError(f"{source}: a directory without Markdown files (.md, .markdown)")
    try:
        with path.open("rb") as file:
            head = file.read(_SNIFF_BYTES).decode("utf-8", "replace")
    except OSError as error:
        raise ValueError(f"{source}: {error.strerror or error}") from None
    if "<rss" in head and "wordpress.org/export/" in head:
        return "wxr"
    if "<rss" in head or "<feed" in head or "<rdf:RDF" in head:
        return "rss"
    raise ValueError(f"{source}: not a format this can recognise; name it with --format")

"""Readers turn a source (a file, a directory or a feed's URL) into records of the ingest shape,
one at a time, so an archive of any size is read in constant memory.

Each format's reader is a function taking the path or URL and yielding `SourceRecord`s; `READERS`
names them for `byline ingest --format`, and `detect` picks one for `--format auto`.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

from app.ingest.readers import feeds, markdown, ndjson, wxr
from app.ingest.readers.source import SourceRecord

__all__ = ["READERS", "SourceRecord", "detect"]


Reader = Callable[[str], Iterator[SourceRecord]]

READERS: dict[str, Reader] = {
    "ndjson": ndjson.read_ndjson,
    "json": ndjson.read_json_array,
    "markdown": markdown.read_markdown,
    "wxr": wxr.read_wxr,
    "rss": feeds.read_feed,
}

_SUFFIXES = {
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rss": "rss",
    ".atom": "rss",
}


def _sniff_xml(head: str) -> str:
    # WordPress exports are RSS with the wp: namespace.
    return "wxr" if "wordpress.org/export" in head else "rss"


def detect(source: str) -> str:
    """The format of a source: feeds for URLs, Markdown for directories, else by suffix or first bytes."""
    if source.startswith(("http://", "https://")):
        return "rss"
    path = Path(source)
    if path.is_dir():
        if any(path.glob("*.ndjson")) or any(path.glob("*.jsonl")) or any(path.glob("*.ndjson.gz")):
            return "ndjson"
        if markdown.has_posts(path):
            return "markdown"
        raise ValueError(f"{source}: a directory without Markdown files (.md, .markdown) or NDJSON files")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    try:
        with ndjson.open_text(path) as text:
            head = text.read(4096).lstrip()
    except OSError as unreadable:
        raise ValueError(f"{source}: {unreadable.strerror or unreadable}") from None
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        return "ndjson"
    if head.startswith("<"):
        return _sniff_xml(head)
    return "markdown" if head.startswith("---") else "ndjson"

"""Directories of Markdown posts with YAML (`---`) or TOML (`+++`) front matter, as Jekyll and Hugo keep them.

A Jekyll site's `_posts` and `_drafts`, a Hugo site's `content`, or else every Markdown file below
the directory; one post per file, read one at a time. Liquid and shortcode tags stay as text."""

import os
import re
import tomllib
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml
from markdown_it import MarkdownIt

from app.core.slugs import slugify
from app.ingest.html_blocks import BodyTooLong, html_to_blocks, text_of
from app.ingest.readers.records import (
    FALLBACK_AUTHOR,
    clip,
    finish,
    is_web_url,
    loose_date,
    tag_names,
    utc_text,
)
from app.ingest.readers.source import SourceRecord

SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn"}
MAX_FILE_BYTES = 5 * 1024 * 1024
_FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
_HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml")


def has_posts(root: Path) -> bool:
    return next(_files(root), None) is not None


def read_markdown(source: str) -> Iterator[SourceRecord]:
    root = Path(source)
    if not root.is_dir():
        yield SourceRecord(position=source, record=None, error="not a directory of Markdown files")
        return
    site = _site(root)
    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    for path in _files(root):
        position = path.relative_to(root).as_posix()
        try:
            yield _post(position, path, site, renderer)
        except _Unreadable as error:
            yield SourceRecord(position=position, record=None, error=str(error))


class _Unreadable(ValueError):
    """One file that cannot be read as a post."""


def _files(root: Path) -> Iterator[Path]:
    """Posts in a stable order (sorted paths), so a re-import reads the same records."""
    if (root / "_posts").is_dir():
        tops = [root / "_posts", root / "_drafts"]
    elif (root / "content").is_dir() and any((root / name).is_file() for name in _HUGO_CONFIGS):
        tops = [root / "content"]
    else:
        tops = [root]
    for top in tops:
        if not top.is_dir():
            continue
        for directory, subdirectories, names in os.walk(top):
            # Hidden folders and Jekyll's _layouts, _site, _includes... hold no posts.
            subdirectories[:] = sorted(
                d for d in subdirectories if not d.startswith((".", "_")) and d != "node_modules"
            )
            for name in sorted(names):
                if Path(name).suffix.lower() in SUFFIXES:
                    yield Path(directory, name)


def _site(root: Path) -> dict[str, Any]:
    """URL, title and author from the site's configuration, when it has one (optional and best effort)."""
    for name in ("_config.yml", "_config.yaml", *_HUGO_CONFIGS):
        path = root / name
        if not path.is_file():
            continue
        try:
            text = path.read_text("utf-8")
            config = tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, tomllib.TOMLDecodeError):
            continue
        if not isinstance(config, dict):
            continue
        url = str(config.get("baseURL") or config.get("baseurl") or "")
        if config.get("url"):
            url = str(config["url"]).rstrip("/") + "/" + url.strip("/")
        params = config["params"] if isinstance(config.get("params"), dict) else {}
        return {
            "url": url.rstrip("/") + "/" if is_web_url(url) else None,
            "title": str(config.get("title") or ""),
            "author": config.get("author") or params.get("author"),
        }
    return {"url": None, "title": "", "author": None}


def _split(text: str) -> tuple[dict[str, Any], str]:
    """Front matter and body; a file without front matter is all body."""
    lines = text.split("\n")
    fence = lines[0].rstrip()
    if fence not in _FENCES:
        return {}, text
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in _FENCES[fence]), None)
    if end is None:
        raise _Unreadable(f"the front matter opened by '{fence}' is never closed")
    raw = "\n".join(lines[1:end])
    try:
        matter = tomllib.loads(raw) if fence == "+++" else yaml.safe_load(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise _Unreadable(f"the front matter is not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    except tomllib.TOMLDecodeError as error:
        raise _Unreadable(f"the front matter is not valid TOML: {error}") from None
    if matter is None:
        matter = {}
    if not isinstance(matter, dict):
        raise _Unreadable("the front matter is not a mapping of keys to values")
    return {str(k).lower(): v for k, v in matter.items()}, "\n".join(lines[end + 1 :])


def _post(position: str, path: Path, site: dict[str, Any], renderer: MarkdownIt) -> SourceRecord:
    if path.name == "_index.md":
        return SourceRecord(position=position, record=None, skipped="section index")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _Unreadable(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        text = path.read_text("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise _Unreadable("not UTF-8 text") from None
    except OSError as error:
        raise _Unreadable(f"cannot read the file: {error.strerror or error}") from None
    matter, markdown = _split(text)
    stem = path.stem if path.stem != "index" else path.parent.name
    dated = _FILENAME_DATE.match(stem)
    try:
        body = html_to_blocks(renderer.render(markdown), base_url=site["url"])
    except BodyTooLong as error:
        raise _Unreadable(str(error)) from None
    title = _string(matter.get("title"))
    if body and body[0]["type"] == "heading" and (not title or body[0]["text"] == title):
        # A leading "# Title" is the headline, not part of the body.
        title = title or body[0]["text"]
        body = body[1:]
    categories = _names(matter.get("categories")) + _names(matter.get("category"))
    date = _date(matter, ("date", "publishdate", "published_at", "pubdate"))
    if date is None and dated:
        date = utc_text(loose_date(dated[1]))  # type: ignore[arg-type]  # the pattern is a date
    draft = matter.get("draft") is True or matter.get("published") is False or "_drafts" in path.parts
    slug = slugify(_string(matter.get("slug"))) or slugify(dated[2] if dated else stem)
    record: dict[str, Any] = {
        "external_id": _external_id(position),
        "title": clip(title or (dated[2] if dated else stem).replace("-", " ").strip().capitalize(), 300),
        "subtitle": clip(_string(matter.get("subtitle")), 600) or None,
        "slug": slug or None,
        "excerpt": clip(
            text_of(_string(matter.get("description") or matter.get("excerpt") or matter.get("summary"))), 1000
        )
        or None,
        "body": body,
        "authors": _authors(matter, site),
        "section": {"name": clip(categories[0], 120)} if categories else None,
        "tags": tag_names([*_names(matter.get("tags")), *_names(matter.get("tag")), *categories[1:]]),
        "status": "draft" if draft else "published",
        "published_at": date,
        "updated_at": _date(matter, ("lastmod", "last_modified_at", "updated", "modified")),
    }
    image = _image(matter, site)
    if image:
        record["featured_image"] = image
    canonical = _string(matter.get("canonical_url") or matter.get("canonical"))
    if is_web_url(canonical):
        record["canonical_url"] = canonical
    return finish(position, record)


def _external_id(position: str) -> str:
    key = "markdown:" + position
    return key if len(key) <= 255 else "markdown:sha256:" + sha256(key.encode()).hexdigest()


def _string(value: object) -> str:
    return " ".join(str(value).split()) if value is not None and not isinstance(value, dict | list) else ""


def _names(value: object) -> list[str]:
    """A list, or Jekyll's space-separated string (`categories: news local`)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [name for name in (_string(v) for v in value) if name]
    return []


def _date(matter: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in matter:
            moment = loose_date(matter[key])
            if moment is None:
                raise _Unreadable(f"the {key} '{clip(_string(matter[key]), 60)}' is not a date")
            return utc_text(moment)
    return None


def _authors(matter: dict[str, Any], site: dict[str, Any]) -> list[str | dict[str, str]]:
    """`authors` or `author` (a name, a list, or a mapping with name and bio), else the site's author."""
    for value in (matter.get("authors"), matter.get("author"), site["author"]):
        values = value if isinstance(value, list) else [value]
        authors = [a for a in (_author(v) for v in values) if a]
        if authors:
            return list({str(a): a for a in authors}.values())[:20]
    return [clip(site["title"], 120) or FALLBACK_AUTHOR]


def _author(value: object) -> str | dict[str, str] | None:
    if isinstance(value, dict):
        name = _string(value.get("name"))
        if not name:
            return None
        ref = {"name": clip(name, 120)}
        bio = _string(value.get("bio") or value.get("description"))
        if bio:
            ref["bio"] = clip(bio, 4000)
        return ref
    return clip(_string(value), 120) or None


def _image(matter: dict[str, Any], site: dict[str, Any]) -> dict[str, str] | None:
    value = next(
        (matter[k] for k in ("image", "featured_image", "cover", "thumbnail", "images") if matter.get(k)), None
    )
    if isinstance(value, list):
        value = value[0] if value else None
    alt = caption = ""
    if isinstance(value, dict):
        alt = _string(value.get("alt"))
        caption = _string(value.get("caption"))
        value = value.get("path") or value.get("src") or value.get("url") or value.get("image")
    url = _string(value)
    if url and not is_web_url(url) and site["url"]:
        url = urljoin(site["url"], url)
    if not is_web_url(url):
        return None
    image = {"url": url, "alt": clip(alt, 1000)}
    if caption:
        image["caption"] = clip(caption, 2000)
    return image

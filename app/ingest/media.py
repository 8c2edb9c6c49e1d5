"""The media library beside an archive: `byline export` writes each picture's original and its record
into a folder next to the NDJSON, and `byline ingest` adds them to the library before the articles,
then renames the `media_id`s the records name to the ids the pictures got here."""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.core.errors import ProblemError
from app.core.outbound import Destinations
from app.media import images, service
from app.media.collection import Library
from app.media.models import Media
from app.media.schemas import MediaWords
from app.media.storage import original_key

RECORDS = "media.ndjson"
ORIGINALS = "originals"
_HASH = re.compile(r"[0-9a-f]{64}")
_WORDS = ("alt", "caption", "credit", "licence", "focal_point")
REHOSTING = service.Uploader(name="byline ingest --rehost-media")


def folder_beside(archive: Path) -> Path:
    """`backup.ndjson` keeps its pictures in `backup.media/`."""
    return archive.with_name(archive.name.split(".")[0] + ".media")


def _record(media: Media) -> dict[str, Any]:
    return {
        "id": media.id,
        "content_hash": media.content_hash,
        "filename": media.filename,
        "alt": media.alt,
        "caption": media.caption,
        "credit": media.credit,
        "licence": media.licence,
        "source_url": media.source_url,
        "focal_point": {"x": media.focal_x, "y": media.focal_y},
        "uploaded_by": media.uploaded_by,
        "created_at": media.created_at,
    }


def export_media(session: Session, library: Library, folder: Path) -> int:
    """Every picture of the library, by id; an original already in the folder (same hash, same bytes)
    is not written again, so exporting into the same folder again costs only the new pictures."""
    originals = folder / ORIGINALS
    originals.mkdir(parents=True, exist_ok=True)
    count = 0
    with (folder / RECORDS).open("wb") as out:
        for media in session.exec(select(Media).order_by(col(Media.id))):
            target = originals / media.content_hash
            if not target.exists():
                data = library.storage.read(original_key(media.content_hash))
                if data is None:
                    continue
                target.write_bytes(data)
            out.write(orjson.dumps(_record(media)) + b"\n")
            count += 1
    return count


def import_media(
    session: Session, library: Library, folder: Path, *, dry_run: bool = False
) -> tuple[dict[int, int], Counter[str], list[str]]:
    """The pictures of an exported folder added to the library: their ids in the export mapped to
    their ids here, counts by outcome, and what was refused. The n-th picture of a file in the export
    is the n-th picture of that file here, so importing again adds nothing."""
    ids: dict[int, int] = {}
    counts: Counter[str] = Counter()
    refused: list[str] = []
    seen: Counter[str] = Counter()
    for line, record in _records(folder / RECORDS):
        if record is None:
            refused.append(f"{RECORDS}:{line}: not a JSON object")
            continue
        content_hash = str(record.get("content_hash", ""))
        if not _HASH.fullmatch(content_hash):
            refused.append(f"{RECORDS}:{line}: no content hash")
            continue
        here = service.with_hash(session, content_hash)
        seen[content_hash] += 1
        if len(here) >= seen[content_hash]:
            ids[record["id"]] = here[seen[content_hash] - 1].id
            counts["pictures already in the library"] += 1
            continue
        original = folder / ORIGINALS / content_hash
        data = original.read_bytes() if original.is_file() else b""
        if images.content_hash(data) != content_hash:
            refused.append(f"{RECORDS}:{line}: {ORIGINALS}/{content_hash} is missing or altered")
            continue
        if dry_run:
            counts["pictures added"] += 1
            continue
        try:
            words = MediaWords.model_validate({name: record[name] for name in _WORDS if record.get(name) is not None})
            media = service.add_media(
                session,
                library,
                data,
                words,
                uploader=service.Uploader(name=str(record.get("uploaded_by") or "byline ingest")),
                now=datetime.fromisoformat(record["created_at"]),
                filename=record.get("filename"),
                source_url=record.get("source_url"),
            )
        except (ValidationError, ProblemError, KeyError, ValueError) as bad:
            session.rollback()
            refused.append(f"{RECORDS}:{line}: {getattr(bad, 'detail', bad)}")
            continue
        ids[record["id"]] = media.id
        counts["pictures added"] += 1
    return ids, counts, refused


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    record = None
                yield number, record if isinstance(record, dict) else None


def renamed(record: dict[str, Any], ids: dict[int, int]) -> dict[str, Any]:
    """The record naming each library picture by its id here; an id the export did not hold stays,
    and fails the record as any unknown id does."""

    def image(value: Any) -> Any:
        if isinstance(value, dict) and value.get("media_id") in ids:
            return value | {"media_id": ids[value["media_id"]]}
        return value

    return _each_image(record, image)


class Rehost:
    """`byline ingest --rehost-media`: pictures the records name by URL fetched into the library
    (through the destination guard, `source_url` kept) and named by id instead. A picture that cannot
    be fetched or is refused stays at its URL, and is reported."""

    def __init__(self, session: Session, library: Library, destinations: Destinations, *, now: datetime) -> None:
        self.session, self.media_library, self.destinations, self.now = session, library, destinations, now
        self.ids: dict[str, int | None] = {}
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        # Cleared after the first pass: while articles are stored, only URLs met before are renamed.
        self.fetching = True

    def picture(self, url: str, words: dict[str, Any]) -> int | None:
        """The library id of the picture at `url`, fetched once per import and once per library."""
        if url in self.ids or not self.fetching:
            return self.ids.get(url)
        known = self.session.exec(select(Media.id).where(Media.source_url == url).order_by(col(Media.id))).first()
        if known is not None:
            self.counts["pictures already in the library"] += 1
        else:
            try:
                data = service.fetch_source(url, self.media_library, self.destinations)
                known = service.add_media(
                    self.session,
                    self.media_library,
                    data,
                    MediaWords.model_validate({name: words[name] for name in _WORDS if words.get(name) is not None}),
                    uploader=REHOSTING,
                    now=self.now,
                    filename=url.rsplit("/", 1)[-1].split("?")[0],
                    source_url=url,
                ).id
                self.counts["pictures added"] += 1
            except (ProblemError, ValidationError) as failed:
                self.session.rollback()
                self.failures.append(f"{url}: {getattr(failed, 'detail', failed)}")
                self.counts["pictures kept at their URL"] += 1
        self.ids[url] = known
        return known

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with every picture it names by URL named by library id, where fetched."""

        def image(value: Any) -> Any:
            if not isinstance(value, dict) or value.get("media_id") is not None or not value.get("url"):
                return value
            media_id = self.picture(str(value["url"]), value)
            if media_id is None:
                return value
            return {name: v for name, v in value.items() if name != "url"} | {"media_id": media_id}

        return _each_image(record, image)


def _each_image(record: dict[str, Any], image: Callable[[Any], Any]) -> dict[str, Any]:
    """The record with `image` applied to its featured image and each image block."""
    changed = dict(record)
    if record.get("featured_image"):
        changed["featured_image"] = image(record["featured_image"])
    if isinstance(record.get("body"), list):
        changed["body"] = [
            image(block) if isinstance(block, dict) and block.get("type") == "image" else block
            for block in record["body"]
        ]
    return changed

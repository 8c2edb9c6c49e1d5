"""The media library's rules: adding a picture (uploaded or fetched), listing, changing and deleting
it. Files are written before the row that names them and removed only after the last row naming
them is gone, so a row never names a missing file."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Required, TypedDict, Unpack

import httpx
from sqlmodel import Session, col, func, or_, select

from app.caching import content_version, keys
from app.core import outbound
from app.core.cursors import decode_cursor, encode_cursor
from app.core.outbound import Destinations
from app.core.release import byline_version
from app.media import images, uses
from app.media.collection import Library
from app.media.errors import MediaInUse, MediaNotFound, MediaTooLarge, SourceUnavailable, TooManyUploads
from app.media.models import Media
from app.media.schemas import MediaFilters, MediaUpdate, MediaWords
from app.media.storage import original_key, renditions_prefix

FETCH_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "gif": "image/gif",
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Uploader:
    """Who adds a picture: an API key (limited per window), or a command run on the server."""

    name: str
    key_id: int | None = None


def clean_filename(name: str | None) -> str | None:
    """The last part of the name, without control characters: shown to editors, never used as a path."""
    if not name:
        return None
    last = re.split(r"[/\\]", name)[-1]
    return _UNSAFE_NAME.sub("", last).strip()[:255] or None


def _check_rate(session: Session, library: Library, uploader: Uploader, now: datetime) -> None:
    if uploader.key_id is None:
        return
    since = now - timedelta(seconds=library.upload_window_seconds)
    used, oldest = session.exec(
        select(func.count(), func.min(Media.created_at)).where(
            Media.uploader_key_id == uploader.key_id, Media.created_at > since
        )
    ).one()
    if used >= library.uploads_per_key:
        reset = max(1, int((oldest + timedelta(seconds=library.upload_window_seconds) - now).total_seconds()) + 1)
        raise TooManyUploads(
            f"This key has added {used} pictures in the last {library.upload_window_seconds} seconds; "
            f"try again in {reset} seconds.",
            limit=library.uploads_per_key,
            retry_after=reset,
        )


class Arrival(TypedDict, total=False):
    """Who adds a picture and when, and the name it was sent under or the URL it was fetched from."""

    uploader: Required[Uploader]
    now: Required[datetime]
    filename: str | None
    source_url: str | None


def add_media(session: Session, library: Library, data: bytes, words: MediaWords, **arrival: Unpack[Arrival]) -> Media:
    """Check the file, store it (once per content), record it and commit."""
    _check_rate(session, library, arrival["uploader"], arrival["now"])
    media = store_media(session, library, data, words, **arrival)
    session.commit()
    return media


def store_media(
    session: Session, library: Library, data: bytes, words: MediaWords, **arrival: Unpack[Arrival]
) -> Media:
    """add_media's work within the caller's transaction: no upload limit, no commit."""
    picture = images.inspect(data, max_bytes=library.max_bytes, max_pixels=library.max_pixels)
    key = original_key(picture.content_hash)
    if library.storage.open(key) is None:
        library.storage.save(key, data, content_type=_CONTENT_TYPES[picture.format])
    uploader, now = arrival["uploader"], arrival["now"]
    media = Media(
        **words.columns(),
        source_url=arrival.get("source_url"),
        content_hash=picture.content_hash,
        format=picture.format,
        width=picture.width,
        height=picture.height,
        bytes=picture.bytes,
        placeholder=picture.placeholder,
        filename=clean_filename(arrival.get("filename")),
        served_from=library.served_from,
        uploader_key_id=uploader.key_id,
        uploaded_by=uploader.name,
        created_at=now,
        updated_at=now,
    )
    session.add(media)
    session.flush()
    return media


def fetch_source(url: str, library: Library, destinations: Destinations) -> bytes:
    """The picture at `url`, fetched through the destination guard webhooks and feeds use."""
    try:
        return outbound.fetch(
            url,
            destinations,
            max_bytes=library.max_bytes,
            timeout=FETCH_TIMEOUT,
            headers={"User-Agent": f"Byline/{byline_version()} (media)", "Accept": "image/*"},
        ).body
    except outbound.FetchTooLarge:
        raise MediaTooLarge(f"{url} sends more than {library.max_bytes} bytes.", limit=library.max_bytes) from None
    except outbound.FetchFailed as failed:
        raise SourceUnavailable(f"{failed}.", errors=[{"detail": str(failed), "pointer": "#/source_url"}]) from None


def get_media(session: Session, media_id: int) -> Media:
    media = session.get(Media, media_id)
    if media is None:
        raise MediaNotFound(f"No media item has the id {media_id}.")
    return media


def media_by_ids(session: Session, ids: set[int]) -> dict[int, Media]:
    if not ids:
        return {}
    return {media.id: media for media in session.exec(select(Media).where(col(Media.id).in_(ids)))}


def with_hash(session: Session, content_hash: str) -> list[Media]:
    return list(session.exec(select(Media).where(Media.content_hash == content_hash).order_by(col(Media.id))))


def list_media(
    session: Session, filters: MediaFilters, *, limit: int, cursor: str | None
) -> tuple[list[Media], int, str | None]:
    """Newest first, by keyset on (created_at, id)."""
    conditions = []
    if filters.format:
        conditions.append(Media.format == filters.format)
    if filters.uploaded_by:
        conditions.append(Media.uploaded_by == filters.uploaded_by)
    if filters.created_after:
        conditions.append(col(Media.created_at) >= filters.created_after)
    if filters.created_before:
        conditions.append(col(Media.created_at) < filters.created_before)
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(*(col(column).ilike(pattern, escape="\\") for column in (Media.alt, Media.caption, Media.credit)))
        )
    total = session.exec(select(func.count()).select_from(Media).where(*conditions)).one()
    query = select(Media).where(*conditions)
    if cursor:
        after, after_id = decode_cursor(cursor, datetime)
        query = query.where(
            or_(col(Media.created_at) < after, (col(Media.created_at) == after) & (col(Media.id) < after_id))
        )
    rows = list(session.exec(query.order_by(col(Media.created_at).desc(), col(Media.id).desc()).limit(limit + 1)))
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None
    return page, total, next_cursor


def update_media(session: Session, media_id: int, patch: MediaUpdate, *, now: datetime) -> Media:
    """Change the words or focal point and commit; every article showing the picture changes with it."""
    media = get_media(session, media_id)
    for field, value in patch.columns().items():
        setattr(media, field, value)
    media.updated_at = now
    session.add(media)
    session.flush()
    uses.changed(session, media.id, now=now)
    # A new focal point moves the crops the picture lists.
    content_version.bump(session, keys.media(media.id))
    session.commit()
    return media


def delete_media(session: Session, library: Library, media_id: int) -> None:
    """Refused (409, naming them) while articles show it; its files go with the last item naming them."""
    media = get_media(session, media_id)
    shown_in = uses.using(session, media.id)
    if shown_in:
        raise MediaInUse(
            f"{len(shown_in)} article(s) show this picture: {', '.join(shown_in[:20])}.", articles=shown_in
        )
    forget_media(session, media)
    session.commit()
    remove_unnamed_files(session, library, {media.content_hash})


def forget_media(session: Session, media: Media) -> None:
    """Delete the item within the caller's transaction; once it commits, remove_unnamed_files."""
    session.delete(media)
    content_version.bump(session, keys.media(media.id))


def remove_unnamed_files(session: Session, library: Library, content_hashes: set[str]) -> None:
    """The files of these contents that no item names any more (after the deleting commit)."""
    for content_hash in content_hashes:
        if not with_hash(session, content_hash):
            library.storage.delete(renditions_prefix(content_hash))
            library.storage.delete(original_key(content_hash))

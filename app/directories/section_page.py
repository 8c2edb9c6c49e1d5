"""A section as its front page needs it: with `include=editors_picks,most_read`, the collection the
section names as its editors' picks and the section's most read, in one answer."""

from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field

from app.articles.dependencies import ReaderDep
from app.articles.visibility import PUBLIC
from app.caching import keys
from app.collections import service as collections
from app.collections.schemas import CollectionPublic
from app.core.slugs import Slug
from app.directories.kinds import SECTIONS
from app.readership import service as readership
from app.readership.schemas import MostRead
from app.taxonomy.schemas import SectionPublic
from app.web.conditional import private_if, with_etag
from app.web.includes import included_parts
from app.web.state import ClockDep, ContentCacheDep, ReadSessionDep, SettingsDep

MOST_READ_LIMIT = 5


class Include(StrEnum):
    editors_picks = "editors_picks"
    most_read = "most_read"


def _absent(value: object) -> bool:
    return value is None


class SectionIncluded(BaseModel):
    editors_picks: CollectionPublic | None = Field(
        None, exclude_if=_absent, description="Null when the section names no collection."
    )
    most_read: MostRead | None = Field(None, exclude_if=_absent, description="The last 24 hours.")


class SectionPage(SectionPublic):
    included: SectionIncluded | None = Field(
        None, exclude_if=_absent, description="Only with `include=`: the parts asked for."
    )


def _parsed(
    include: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="Comma-separated: editors_picks, most_read."),
    ] = None,
) -> frozenset[Include]:
    return included_parts(include, Include)


def get_section(
    request: Request,
    response: Response,
    slug: Slug,
    session: ReadSessionDep,
    clock: ClockDep,
    cache: ContentCacheDep,
    settings: SettingsDep,
    reader: ReaderDep,
    include: Annotated[frozenset[Include], Depends(_parsed)],
) -> SectionPage | Response:
    """With `include=editors_picks,most_read`, the section's picks (as `GET /collections/{slug}`
    answers them) and its most read (as `GET /most-read?section=` does)."""
    now = clock()
    section = SECTIONS.get(session, slug, now=now, reader=reader)
    private_if(response, reader != PUBLIC)
    page = SectionPage(**SECTIONS.shown(session, section, now=now, cache=cache).model_dump())
    if include:
        picks = None
        if Include.editors_picks in include and section.editors_picks:
            collection = collections.find(session, section.editors_picks)
            picks = collections.shown(session, collection, now=now, reader=reader) if collection else None
        most_read = None
        if Include.most_read in include:
            most_read = readership.most_read(
                session,
                now=now,
                window="24h",
                section=slug,
                limit=MOST_READ_LIMIT,
                public_counts=settings.most_read_public_counts,
            )
            if reader == PUBLIC:
                # Views move it without a write: a short life in shared caches, as most read has.
                response.headers["Cache-Control"] = f"public, max-age={settings.most_read_ttl_seconds}"
        page.included = SectionIncluded(editors_picks=picks, most_read=most_read)
        return with_etag(request, response, page, also=keys.shown(picks) | keys.shown(most_read))
    return with_etag(request, response, page)

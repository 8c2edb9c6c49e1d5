"""The ingest shape: one article as importers read it and as `byline export` writes it.

Everything the article write API takes, plus `external_id` (the key a re-import upserts by),
`updated_at`, and authors, section and tags given by name or slug (created on the fly)."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field
from pydantic.networks import validate_email

from app.articles.blocks import Body, Image
from app.articles.models import ArticleBase, ArticleStatus
from app.articles.schemas import CorrectionCreate, TagName, UTCTime
from app.authors.schemas import AuthorLink
from app.comments.schemas import NotBlankText
from app.core.errors import Problem
from app.core.slugs import SlugText
from app.core.weburl import WebUrl


def _email_or_nothing(value: str) -> str:
    if value:
        validate_email(value)
    return value


# Comments from other systems may have no address; one they have must be an address.
EmailOrNothing = Annotated[str, AfterValidator(_email_or_nothing)]


class AuthorRef(BaseModel):
    """An author by name (matched by slug when given, else by the slug of the name), created if new."""

    name: str = Field(min_length=1, max_length=120)
    slug: SlugText | None = None
    role: str | None = Field(None, max_length=120)
    bio: str | None = Field(None, max_length=4000)
    avatar_url: WebUrl | None = None
    links: list[AuthorLink] = Field(default_factory=list, max_length=20)


class SectionRef(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    slug: SlugText | None = None


class CommentRecord(BaseModel):
    """A comment from another system, threaded by the external ids of its parent."""

    external_id: str = Field(min_length=1, max_length=255)
    parent_external_id: str | None = Field(None, max_length=255)
    author_name: NotBlankText = Field(min_length=1, max_length=100)
    author_email: EmailOrNothing = Field(
        "", max_length=254, description="Kept private, as for comments sent to the API; empty when unknown."
    )
    author_url: WebUrl | None = Field(None, description="The commenter's website, http or https.")
    content: NotBlankText = Field(
        min_length=1, max_length=20000, description="What the commenter wrote, as plain text."
    )
    status: Literal["approved", "pending", "spam", "trash"] = "approved"
    created_at: UTCTime


class IngestRecord(ArticleBase):
    external_id: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description="Your system's id; ingesting again upserts by it (by slug without).",
    )
    slug: SlugText | None = Field(None, description="Generated from the title when omitted.")
    excerpt: str | None = Field(None, max_length=1000)
    body: Body = Field(default_factory=list)
    featured_image: Image | None = None
    authors: list[str | AuthorRef] = Field(
        min_length=1, max_length=20, description="Byline order; a string is an author's slug or name."
    )
    section: str | SectionRef | None = Field(None, description="A section's slug or name, or a new section.")
    tags: list[TagName] = Field(default_factory=list, max_length=50)
    status: ArticleStatus = ArticleStatus.published
    published_at: UTCTime | None = None
    updated_at: UTCTime | None = Field(None, description="Kept as given; now when omitted.")
    embargo_until: UTCTime | None = None
    corrections: list[CorrectionCreate] = Field(default_factory=list, max_length=100)
    related: list[SlugText] = Field(
        default_factory=list, max_length=20, description="Slugs of articles pinned to its related list, in order."
    )
    comments: list[CommentRecord] = Field(default_factory=list, max_length=10000)


class IngestResult(BaseModel):
    position: int = Field(description="The record's line (NDJSON, from 1) or index (JSON array, from 0).")
    status: Literal["created", "updated", "unchanged", "failed"]
    slug: str | None = None
    external_id: str | None = None
    error: Problem | None = Field(None, description="Why a failed record was refused; pointers are into the record.")


class IngestReport(BaseModel):
    created: int
    updated: int
    unchanged: int
    failed: int
    dry_run: bool = Field(description="Nothing was stored: the report says what would have happened.")
    results: list[IngestResult] = Field(description="One per record, in input order.")

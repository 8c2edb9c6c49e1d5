"""Wire shapes for articles: what clients send, and the summaries and full articles they get."""

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, Field

from app.articles.blocks import Block, Body, Image, body_adapter, render_html
from app.articles.models import Article, ArticleBase, ArticleRevision, ArticleStatus
from app.authors.schemas import AuthorSummary
from app.caching import keys
from app.core.patching import patch_of
from app.core.slugs import SlugText
from app.taxonomy.schemas import TermRef


def _assume_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time falls outside the years 1 to 9999 once converted to UTC") from None


UTCTime = Annotated[datetime, AfterValidator(_assume_utc)]

_SHOWN_FROM_PUBLICATION = (
    "Never before the article's own published_at: a correction written on a draft is dated when the article goes live."
)


CorrectionText = Annotated[str, Field(min_length=1, max_length=4000)]


class CorrectionCreate(BaseModel):
    text: CorrectionText
    published_at: UTCTime | None = Field(None, description="Omitted means now. " + _SHOWN_FROM_PUBLICATION)


class _CorrectionFields(BaseModel):
    text: CorrectionText
    published_at: UTCTime = Field(description=_SHOWN_FROM_PUBLICATION)


class CorrectionUpdate(patch_of(_CorrectionFields)):  # type: ignore[misc]  # fields derived at import, see app/core/patching.py
    """Only the fields sent change: fixing the text keeps the correction's date."""


TagName = Annotated[str, Field(min_length=1, max_length=120)]


class ArticleContent(ArticleBase):
    """What an article says, as clients send it: what a revision restores."""

    excerpt: str | None = Field(None, max_length=1000, description="Derived from the first paragraph when omitted.")
    body: Body = Field(default_factory=list)
    featured_image: Image | None = None
    authors: list[SlugText] = Field(min_length=1, max_length=20, description="Author slugs in byline order.")
    section: SlugText | None = Field(None, description="Section slug.")
    tags: list[TagName] = Field(default_factory=list, max_length=50, description="Tag names; unknown ones are created.")


class ArticleFields(ArticleContent):
    """Everything an editor sets on an article (content, slug, place in the lifecycle): what a revision records."""

    slug: SlugText | None = Field(
        None, description="Generated from the title when omitted; after a change the old slug answers with 308."
    )
    status: ArticleStatus = Field(
        ArticleStatus.draft, description="`scheduled` needs a future `published_at`; `published` defaults it to now."
    )
    published_at: UTCTime | None = None
    embargo_until: UTCTime | None = Field(None, description="Before this time only `content:embargo` keys may read it.")


class ArticleCreate(ArticleFields):
    corrections: list[CorrectionCreate] = Field(default_factory=list, max_length=100)


class ArticleUpdate(patch_of(ArticleFields)):  # type: ignore[misc]  # fields derived at import, see app/core/patching.py
    """Only the fields sent change; send null to clear an optional one."""


class PublishRequest(BaseModel):
    published_at: UTCTime | None = Field(None, description="A future time schedules the article; omitted means now.")


class ArticleFilters(BaseModel):
    q: str | None = Field(
        None,
        min_length=1,
        max_length=300,
        description='Full-text search: words (stemmed), "exact phrases", prefixes like `mosc*`, `-excluded`.',
    )
    sort: Literal["relevance", "newest"] | None = Field(
        None, description="`relevance` (the default with `q`) or `newest` (the default without)."
    )
    status: ArticleStatus = Field(
        ArticleStatus.published, description="Anything but `published` needs a key with `content:preview`."
    )
    section: SlugText | None = Field(None, description="Section slug.")
    tag: list[SlugText] = Field(
        default_factory=list, max_length=10, description="Tag slug; repeat to require several tags."
    )
    author: list[SlugText] = Field(
        default_factory=list, max_length=10, description="Author slug; repeat to require co-authors."
    )
    embargoed: bool = Field(
        False, description="Only articles still under embargo: none but for keys with `content:embargo`."
    )
    published_after: UTCTime | None = Field(None, description="Only articles published at or after this time.")
    published_before: UTCTime | None = Field(None, description="Only articles published before this time.")
    updated_since: UTCTime | None = Field(
        None, description="Only articles changed at or after this time (incremental sync)."
    )


class CorrectionPublic(BaseModel):
    id: int = Field(description="Names the correction to edit or remove it.")
    published_at: datetime = Field(description=_SHOWN_FROM_PUBLICATION)
    text: str


class ArticleSummary(BaseModel):
    # Moderating a comment must not make an editor's If-Match stale (see app.web.conditional.etag_of).
    etag_volatile: ClassVar[set[str]] = {"comment_count"}

    slug: str
    title: str
    subtitle: str | None
    excerpt: str
    featured_image: Image | None
    authors: list[AuthorSummary] = Field(description="Byline order; the first is the primary author.")
    section: TermRef | None
    tags: list[TermRef]
    status: ArticleStatus
    published_at: datetime | None
    embargo_until: datetime | None
    updated_at: datetime
    word_count: int
    reading_time_minutes: int
    comment_count: int = Field(description="Approved comments.")
    snippet: str | None = Field(
        None, description="With `q`: a passage with the matched words in <mark> and the rest escaped; null otherwise."
    )

    def surrogate_keys(self) -> set[str]:
        shown = {keys.article(self.slug), *(keys.author(byline.slug) for byline in self.authors)}
        shown.update(keys.tag(term.slug) for term in self.tags)
        if self.section is not None:
            shown.add(keys.section(self.section.slug))
        return shown

    @classmethod
    def from_article(cls, article: Article, *, now: datetime, **extra: Any) -> Self:
        return cls(
            slug=article.slug,
            title=article.title,
            subtitle=article.subtitle,
            excerpt=article.excerpt,
            featured_image=article.featured_image,
            authors=[AuthorSummary.model_validate(author) for author in article.authors],
            section=article.section and TermRef.model_validate(article.section),
            tags=[TermRef.model_validate(tag) for tag in article.tags],
            status=article.status_at(now),
            published_at=article.published_at,
            embargo_until=article.embargo_until,
            updated_at=article.updated_at,
            word_count=article.word_count,
            reading_time_minutes=article.reading_time_minutes,
            comment_count=article.comment_count,
            **extra,
        )


class ArticlePublic(ArticleSummary):
    """The whole article, ready to render."""

    body: list[Block]
    body_html: str = Field(description="The body rendered to sanitised HTML, sub-headings carrying anchor ids.")
    comments_open: bool
    canonical_url: str | None
    corrections: list[CorrectionPublic] = Field(description="Oldest first.")

    @classmethod
    def from_full_article(cls, article: Article, *, now: datetime) -> "ArticlePublic":
        blocks = body_adapter.validate_python(article.body)
        return cls.from_article(
            article,
            now=now,
            body=blocks,
            body_html=render_html(blocks),
            comments_open=article.comments_open,
            canonical_url=article.canonical_url,
            corrections=[
                CorrectionPublic(id=c.id, published_at=at, text=c.text) for c, at in article.dated_corrections()
            ],
        )


class ArticleSeo(BaseModel):
    description: str = Field(description="For `<meta name=description>`.")
    canonical_url: str = Field(description='For `<link rel="canonical">`.')
    open_graph: dict[str, str | list[str]] = Field(description="`<meta property=…>` tags, by property.")
    twitter: dict[str, str] = Field(description="`<meta name=…>` tags of the Twitter card, by name.")


class ArticleWithSeo(ArticlePublic):
    """The article with what its page head needs, derived from it and the site's settings."""

    # Derived from the rest, so they never make an editor's If-Match stale.
    etag_ignores: ClassVar[set[str]] = {"structured_data", "seo"}

    structured_data: dict[str, Any] = Field(
        description="schema.org NewsArticle JSON-LD, ready for a `<script type=application/ld+json>`."
    )
    seo: ArticleSeo


class PreviewToken(BaseModel):
    token: str
    expires_at: datetime
    url: str = Field(description="The article's URL with the token; anyone holding it can read this one article.")


class RevisionSummary(BaseModel):
    number: int
    actor: str = Field(description="Who made the change: an API key's name, or the email of a person signed in.")
    user_id: int | None = Field(
        description="The person who made it (signed in, or through a key they own); null for a service account's key."
    )
    created_at: datetime
    changed_fields: list[str]

    @classmethod
    def from_revision(cls, revision: ArticleRevision, **extra: Any) -> Self:
        return cls(
            number=revision.number,
            actor=revision.actor,
            user_id=revision.user_id,
            created_at=revision.created_at,
            changed_fields=sorted(revision.changes),
            **extra,
        )


class RevisionPublic(RevisionSummary):
    changes: dict = Field(description="Per changed field, its value before (`from`) and after (`to`).")
    snapshot: dict = Field(description="The article's editable fields as they stood after this revision.")

    @classmethod
    def from_revision(cls, revision: ArticleRevision, **extra: Any) -> Self:
        return super().from_revision(revision, changes=revision.changes, snapshot=revision.snapshot, **extra)

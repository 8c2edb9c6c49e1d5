"""Wire shapes for articles: what clients send, and the summaries and full articles they get."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from app.articles.blocks import Block, Body, Image, body_adapter, render_html
from app.articles.models import Article, ArticleBase, ArticleStatus
from app.authors.schemas import AuthorSummary
from app.taxonomy.schemas import SectionRef, TagRef


def _assume_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


UTCTime = Annotated[datetime, AfterValidator(_assume_utc)]


class CorrectionCreate(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    published_at: UTCTime | None = None


class ArticleCreate(ArticleBase):
    slug: str | None = Field(None, description="Generated from the title when omitted.")
    excerpt: str | None = Field(None, max_length=1000, description="Derived from the first paragraph when omitted.")
    body: Body = Field(default_factory=list)
    featured_image: Image | None = None
    authors: list[str] = Field(min_length=1, max_length=20, description="Author slugs in byline order.")
    section: str | None = Field(None, description="Section slug.")
    tags: list[str] = Field(default_factory=list, max_length=50, description="Tag names; unknown ones are created.")
    status: ArticleStatus = ArticleStatus.draft
    published_at: UTCTime | None = None
    corrections: list[CorrectionCreate] = Field(default_factory=list, max_length=100)


class ArticleFilters(BaseModel):
    section: str | None = Field(None, max_length=200, description="Section slug.")
    tag: list[str] = Field(default_factory=list, max_length=10, description="Tag slug; repeat to require several tags.")
    author: list[str] = Field(default_factory=list, max_length=10, description="Author slug; repeat to require co-authors.")
    published_after: UTCTime | None = Field(None, description="Only articles published at or after this time.")
    published_before: UTCTime | None = Field(None, description="Only articles published before this time.")
    updated_since: UTCTime | None = Field(None, description="Only articles changed at or after this time (incremental sync).")


class CorrectionPublic(BaseModel):
    published_at: datetime
    text: str


class ArticleSummary(BaseModel):
    slug: str
    title: str
    subtitle: str | None
    excerpt: str
    featured_image: Image | None
    authors: list[AuthorSummary] = Field(description="Byline order; the first is the primary author.")
    section: SectionRef | None
    tags: list[TagRef]
    status: ArticleStatus
    published_at: datetime | None
    updated_at: datetime
    word_count: int
    reading_time_minutes: int
    comment_count: int = Field(description="Approved comments.")

    @classmethod
    def from_article(cls, article: Article, *, now: datetime, **extra):
        return cls(
            slug=article.slug,
            title=article.title,
            subtitle=article.subtitle,
            excerpt=article.excerpt,
            featured_image=article.featured_image,
            authors=[AuthorSummary.model_validate(author) for author in article.authors],
            section=article.section and SectionRef.model_validate(article.section),
            tags=[TagRef.model_validate(tag) for tag in article.tags],
            status=article.status_at(now),
            published_at=article.published_at,
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
            corrections=[CorrectionPublic(published_at=c.published_at, text=c.text) for c in article.corrections],
        )

"""Article tables: the article, its byline and tag links, and its corrections."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from app.authors.models import Author
from app.core.weburl import WebUrl
from app.db.columns import JSONDocument, Table, UTCDateTime, created_at_field
from app.taxonomy.models import Section, Tag

NO_LAZY_LOAD = {"lazy": "raise"}


class ArticleStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    published = "published"
    archived = "archived"


# "scheduled" is not stored: it is a published article whose published_at lies ahead.
# One stored state makes visibility a single index range, and the article goes live
# at its time without any job flipping a flag.
STORED_STATUSES = ("draft", "published", "archived")


class ArticleAuthor(Table, table=True):
    __tablename__ = "article_author"
    __table_args__ = (Index("ix_article_author_author_id_article_id", "author_id", "article_id"),)

    # Both ids come from the relationships on flush, like every id.
    article_id: int = Field(
        default=None, sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )
    author_id: int = Field(default=None, sa_column=Column(Integer, ForeignKey("author.id"), primary_key=True))
    position: int = Field(ge=0, description="0 is the primary author.")

    author: Author = Relationship(sa_relationship_kwargs=NO_LAZY_LOAD)


class ArticleTag(Table, table=True):
    __tablename__ = "article_tag"
    __table_args__ = (Index("ix_article_tag_tag_id_article_id", "tag_id", "article_id"),)

    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True))
    tag_id: int = Field(sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))


class Correction(Table, table=True):
    """A dated notice telling readers what was wrong and what changed."""

    id: int = Field(default=None, primary_key=True)
    article_id: int = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False, index=True),
    )
    text: str = Field(min_length=1, max_length=4000)
    published_at: datetime = created_at_field()


class ArticleSlugRedirect(Table, table=True):
    """An article's former slug, so old links answer 308 to the current one."""

    __tablename__ = "article_slug_redirect"

    old_slug: str = Field(max_length=200, primary_key=True)
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False, index=True)
    )


class ArticleRevision(Table, table=True):
    """One saved state of an article: who changed it, when, what changed, and the whole state after."""

    __tablename__ = "article_revision"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: int = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False))
    number: int = Field(ge=1)
    actor: str = Field(max_length=100)
    # The person who made the change, signed in or through a key they own; none for service keys.
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = created_at_field()
    changes: dict = Field(default_factory=dict, sa_type=JSONDocument, nullable=False)
    snapshot: dict = Field(default_factory=dict, sa_type=JSONDocument, nullable=False)


class ArticleBase(SQLModel):
    title: str = Field(min_length=1, max_length=300)
    subtitle: str | None = Field(default=None, max_length=600, description="The dek shown under the headline.")
    comments_open: bool = True
    canonical_url: WebUrl | None = None


class Article(ArticleBase, Table, table=True):
    __table_args__ = (
        CheckConstraint(f"status IN {STORED_STATUSES}", name="status"),
        # Newest-first listings walk these: visible articles, then per section. embargo_until
        # rides along so that counting visible articles never leaves the index.
        Index("ix_article_status_published_at_id", "status", "published_at", "id", "embargo_until"),
        Index(
            "ix_article_section_id_status_published_at_id",
            "section_id",
            "status",
            "published_at",
            "id",
            "embargo_until",
        ),
        # Incremental sync asks for what changed since a time; editors list drafts by last change.
        Index("ix_article_updated_at_id", "updated_at", "id"),
        Index("ix_article_status_updated_at_id", "status", "updated_at", "id"),
        # Caches ask when the next embargo lifts.
        Index("ix_article_embargo_until", "embargo_until"),
        # Search matches come as ids, thousands for a common word: checking what readers may see and
        # the filters from here never reads the rows, whose long bodies lie before these columns.
        Index(
            "ix_article_id_visibility",
            "id",
            "status",
            "published_at",
            "embargo_until",
            "section_id",
            "updated_at",
        ),
    )

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True)
    # The id of the article in the system it was imported from; re-imports upsert by it.
    external_id: str | None = Field(default=None, max_length=255, unique=True)
    excerpt: str = Field(default="", max_length=1000)
    body: list[dict] = Field(default_factory=list, sa_type=JSONDocument, nullable=False)
    featured_image: dict | None = Field(default=None, sa_type=JSONDocument)
    section_id: int | None = Field(default=None, foreign_key="section.id")
    status: str = Field(default="draft", max_length=16)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Before this time only keys with the content:embargo scope may read the article.
    embargo_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    word_count: int = 0
    reading_time_minutes: int = 0
    # Approved comments, kept as a column so listings never count comments per row.
    comment_count: int = 0

    section: Section | None = Relationship(sa_relationship_kwargs=NO_LAZY_LOAD)
    author_links: list[ArticleAuthor] = Relationship(
        sa_relationship_kwargs={**NO_LAZY_LOAD, "order_by": "ArticleAuthor.position", "cascade": "all, delete-orphan"}
    )
    tags: list[Tag] = Relationship(
        link_model=ArticleTag, sa_relationship_kwargs={**NO_LAZY_LOAD, "order_by": "Tag.name"}
    )
    corrections: list[Correction] = Relationship(
        sa_relationship_kwargs={**NO_LAZY_LOAD, "order_by": "Correction.published_at", "cascade": "all, delete-orphan"}
    )

    @property
    def authors(self) -> list[Author]:
        return [link.author for link in self.author_links]

    def status_at(self, now: datetime) -> ArticleStatus:
        return status_at(self.status, self.published_at, now)

    def dated_corrections(self) -> list[tuple[Correction, datetime]]:
        """Oldest first, each with the date readers see. A correction never predates the article's
        publication: one written on a draft (or dated earlier) is dated when the article went live."""
        dated = [
            (c, max(c.published_at, self.published_at) if self.published_at else c.published_at)
            for c in self.corrections
        ]
        return sorted(dated, key=lambda pair: pair[1])


def status_at(stored: str, published_at: datetime | None, now: datetime) -> ArticleStatus:
    """An article's place in the lifecycle at `now`, from its stored status and publication time."""
    if stored == "published" and published_at and published_at > now:
        return ArticleStatus.scheduled
    return ArticleStatus(stored)


class ArticleMedia(Table, table=True):
    """A media library picture an article shows (featured or in its body): the library refuses to
    delete a picture while a row names it, and a change to the picture reaches these articles."""

    __tablename__ = "article_media"
    __table_args__ = (Index("ix_article_media_media_id_article_id", "media_id", "article_id"),)

    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True))
    media_id: int = Field(sa_column=Column(Integer, ForeignKey("media.id"), primary_key=True))

"""The change feed's table: one row per article slug, rewritten in place by each write."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from app.core.slugs import SLUG_MAX_LENGTH
from app.db.columns import Table, UTCDateTime


class ArticleChange(Table, table=True):
    """What readers last saw change under one slug, and when the article holding it goes live.

    One row per slug rather than one per write keeps the feed compact: a client catching up gets each
    slug once, in its state now. A row is kept for every slug an article holds, and for every slug
    readers once saw; the slug of an article that was never public leaves no row when it goes.
    """

    __tablename__ = "article_change"
    __table_args__ = (
        # The feed walks writes in commit order, and go-lives in time order.
        Index("ix_article_change_version_id", "version", "id"),
        Index("ix_article_change_live_at_id", "live_at", "id"),
    )

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=SLUG_MAX_LENGTH, unique=True)
    # The content version of the last write that changed what readers see here. Versions are taken
    # under the content version's row lock, held until commit, so they commit in order.
    version: int
    changed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Readers once saw this slug, so its going away is theirs to learn.
    was_public: bool = False
    # The public slug this article was renamed from, while readers could see it.
    former_slug: str | None = Field(default=None, max_length=SLUG_MAX_LENGTH)
    # When the article holding the slug goes (or went) live, if it is published: go-lives happen at
    # their time with no write, so the feed finds them by this.
    live_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

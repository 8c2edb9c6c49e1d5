"""Views per article and minute: counts only, with nothing about who read."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field

from app.db.columns import Table, UTCDateTime


class ArticleViews(Table, table=True):
    __tablename__ = "article_views"
    # Most read sums a window of minutes.
    __table_args__ = (Index("ix_article_views_minute_article_id", "minute", "article_id"),)

    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    minute: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    views: int

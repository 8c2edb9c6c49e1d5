"""Who may read an article, as a SQL condition every listing and count shares."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_

from app.articles.models import Article


def visible(now: datetime) -> ColumnElement[bool]:
    """Readers see published articles whose time has come; scheduled ones appear by themselves."""
    return and_(Article.status == "published", Article.published_at <= now)

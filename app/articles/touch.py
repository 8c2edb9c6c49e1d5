"""Marking articles changed when something they embed changes (a byline, a section, a tag)."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from app.articles import written
from app.articles.models import Article


def touch_articles(session: Session, article_ids: SelectOfScalar[int], *, now: datetime) -> None:
    """Sync clients find changes by updated_at, and an article's JSON embeds its authors and tags."""
    session.execute(update(Article).where(col(Article.id).in_(article_ids)).values(updated_at=now))
    written.touched(session, article_ids, now=now)

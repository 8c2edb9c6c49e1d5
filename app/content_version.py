"""A counter of published-content changes, bumped inside every writing transaction.

Caches in any worker process compare it to know whether what they hold is still true.
"""

from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, select

from app.columns import UTCDateTime

CONTENT_TABLES = frozenset(
    {"article", "article_author", "article_tag", "article_slug_redirect", "correction", "author", "section", "tag", "related_pin"}
)
_BUMPED = "content_version_bumped"


class ContentVersion(SQLModel, table=True):
    __tablename__ = "content_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    changed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


def note_content_change(session: Session, flush_context, instances) -> None:
    """before_flush hook: the first content change of a transaction bumps the version, in that transaction."""
    if session.info.get(_BUMPED):
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(obj, "__tablename__", None) in CONTENT_TABLES for obj in changed):
        session.execute(
            update(ContentVersion)
            .where(ContentVersion.id == 1)
            .values(version=ContentVersion.version + 1, changed_at=datetime.now(UTC))
        )
        session.info[_BUMPED] = True


def forget_bump(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_BUMPED, None)


def current_version(session: Session) -> int:
    return session.exec(select(ContentVersion.version).where(ContentVersion.id == 1)).one()

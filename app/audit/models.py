"""The audit log's table: one row per thing a write created, changed or deleted."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from app.db.columns import Table, UTCDateTime


class AuditEntry(Table, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (
        # Newest first, and by target: what happened to one story.
        Index("ix_audit_entry_at_id", "at", "id"),
        Index("ix_audit_entry_target", "target_kind", "target_id"),
    )

    id: int = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # user, key or system (a command run on the server).
    actor_kind: str = Field(max_length=10)
    actor_id: int | None = Field(default=None, index=True)
    # Kept as it was then: a renamed key or person still reads as they were.
    actor_name: str = Field(max_length=100)
    # `<target kind>.<verb>`: article.create, article.publish, user.update, key.delete...
    action: str = Field(max_length=60, index=True)
    target_kind: str = Field(max_length=30)
    target_id: int | None = None
    # A slug, name, email or title, as it was then.
    target_label: str = Field(max_length=300)
    request_id: str | None = Field(default=None, max_length=128)

"""The audit log's table: one row per thing a write created, changed or deleted."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from app.db.columns import Table, UTCDateTime


class AuditEntry(Table, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (
        # Newest first, overall and per filter: one person's acts, one action, one story's history.
        Index("ix_audit_entry_at_id", "at", "id"),
        Index("ix_audit_entry_actor", "actor_id", "at", "id"),
        Index("ix_audit_entry_action", "action", "at", "id"),
        Index("ix_audit_entry_target", "target_kind", "target_id", "at", "id"),
    )

    id: int = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # user, key or system (a command run on the server).
    actor_kind: str = Field(max_length=10)
    actor_id: int | None = None
    # Kept as it was then: a renamed key or person still reads as they were.
    actor_name: str = Field(max_length=100)
    # `<target kind>.<verb>`: article.create, article.publish, user.update, key.delete...
    action: str = Field(max_length=60)
    target_kind: str = Field(max_length=30)
    target_id: int | None = None
    # A slug, name, email or title, as it was then.
    target_label: str = Field(max_length=300)
    request_id: str | None = Field(default=None, max_length=128)

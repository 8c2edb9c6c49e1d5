"""Reading the audit log, newest first."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.audit.schemas import AuditFilters
from app.core.cursors import decode_cursor, encode_cursor


def list_entries(
    session: Session, filters: AuditFilters, *, cursor: str | None, limit: int
) -> tuple[list[AuditEntry], int, str | None]:
    conditions: list[Any] = []
    for column, value in (
        (AuditEntry.actor_kind, filters.actor_kind),
        (AuditEntry.actor_id, filters.actor_id),
        (AuditEntry.action, filters.action),
        (AuditEntry.target_kind, filters.target_kind),
        (AuditEntry.target_id, filters.target_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.since is not None:
        conditions.append(col(AuditEntry.at) >= filters.since)
    if filters.until is not None:
        conditions.append(col(AuditEntry.at) < filters.until)
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    query = select(AuditEntry).where(*conditions)
    if cursor:
        after_at, after_id = decode_cursor(cursor, datetime)
        query = query.where(
            col(AuditEntry.at) <= after_at, or_(col(AuditEntry.at) < after_at, col(AuditEntry.id) < after_id)
        )
    rows = list(session.exec(query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit + 1)))
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].at, page[-1].id) if len(rows) > limit else None
    return page, total, next_cursor

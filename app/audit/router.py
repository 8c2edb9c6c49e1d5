"""The audit log for administrators: who changed what, when, in which request."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.audit import service
from app.audit.models import AuditEntry
from app.audit.schemas import AuditActor, AuditEntryPublic, AuditFilters, AuditTarget
from app.auth.dependencies import AdminKey
from app.auth.errors import CsrfTokenMissing, MissingScope, NotAuthenticated
from app.core.acting import ActorKind
from app.core.errors import InvalidParameter, problems
from app.web.pagination import CursorParam, Limit, Page, page_response
from app.web.state import ReadSessionDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


def _public(entry: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic(
        id=entry.id,
        at=entry.at,
        actor=AuditActor(kind=ActorKind(entry.actor_kind), id=entry.actor_id, name=entry.actor_name),
        action=entry.action,
        target=AuditTarget(kind=entry.target_kind, id=entry.target_id, label=entry.target_label),
        request_id=entry.request_id,
    )


@router.get(
    "",
    operation_id="audit-list",
    summary="List the audit log, newest first",
    response_model=Page[AuditEntryPublic],
    responses=problems(NotAuthenticated, MissingScope, CsrfTokenMissing, InvalidParameter),
)
def list_audit(
    request: Request,
    response: Response,
    filters: Annotated[AuditFilters, Query()],
    session: ReadSessionDep,
    key: AdminKey,
    limit: Limit = 20,
    cursor: CursorParam = None,
) -> dict:
    """Every write by a person, a key or a server command: what it did to which article, author,
    section, tag, comment, picture, webhook, key or account, recorded in the write's transaction."""
    response.headers["Cache-Control"] = "no-store"
    rows, total, next_cursor = service.list_entries(session, filters, cursor=cursor, limit=limit)
    return page_response(request, response, [_public(e) for e in rows], total=total, next_cursor=next_cursor)

"""Recording the audit log: the kinds of rows it watches are registered once (app.wiring), and every
flush that adds, changes or deletes one of them while someone is acting (app.core.acting) writes an
entry in the same transaction. The services that write those rows call nothing."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from app.audit.models import AuditEntry
from app.core import acting
from app.db.columns import core_table
from app.db.session_events import listen_once

# (kind, id) of the rows already recorded in the open transaction: a row that several flushes of one
# write touch (created, then given its slug) is one entry, the first; a deletion is always recorded.
_RECORDED = "audit_recorded"


@dataclass(frozen=True)
class Watched:
    kind: str
    label: Callable[[Any], str]
    # A verb that says more than `update` (an article's `publish`), or None.
    verb: Callable[[Any], str | None] = lambda row: None


_watched: dict[type, Watched] = {}


def install(watches: Mapping[type, Watched]) -> None:
    """The same watches for every entry point, so installing again changes nothing."""
    _watched.clear()
    _watched.update(watches)
    listen_once("after_flush", _after_flush)
    listen_once("after_transaction_end", _after_transaction_end)


def _after_flush(session: Session, _context: object) -> None:
    now_acting = acting.acting()
    if now_acting is None or not _watched:
        return
    recorded: set[tuple[str, int]] = session.info.setdefault(_RECORDED, set())
    entries = []
    for rows, verb in ((session.new, "create"), (session.dirty, "update"), (session.deleted, "delete")):
        for row in rows:
            watched = _watched.get(type(row))
            if watched is None or (verb == "update" and not session.is_modified(row, include_collections=False)):
                continue
            if verb != "delete" and (watched.kind, row.id) in recorded:
                continue
            recorded.add((watched.kind, row.id))
            said = (watched.verb(row) if verb == "update" else None) or verb
            entries.append(
                _entry(
                    now_acting.actor,
                    now_acting.clock(),
                    f"{watched.kind}.{said}",
                    watched.kind,
                    row.id,
                    watched.label(row),
                )
            )
    if entries:
        session.connection().execute(insert(core_table(AuditEntry)), entries)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_RECORDED, None)


def _entry(
    actor: acting.Actor, at: datetime, action: str, kind: str, target_id: int | None, label: str
) -> dict[str, Any]:
    return {
        "at": at,
        "actor_kind": actor.kind.value,
        "actor_id": actor.id,
        "actor_name": actor.name[:100],
        "action": action,
        "target_kind": kind,
        "target_id": target_id,
        "target_label": label[:300],
        "request_id": acting.request_id(),
    }


def record(session: Session, action: str, targets: Iterable[tuple[int, str]], *, kind: str) -> None:
    """For writes made with statements rather than rows (bulk imports): an entry per target (id,
    label), in the session's transaction, when someone is acting."""
    now_acting = acting.acting()
    if now_acting is None:
        return
    at = now_acting.clock()
    entries = [_entry(now_acting.actor, at, action, kind, target_id, label) for target_id, label in targets]
    if entries:
        session.execute(insert(core_table(AuditEntry)), entries)


def record_by(
    session: Session, actor: acting.Actor, action: str, *, kind: str, target_id: int | None, label: str, at: datetime
) -> None:
    """One entry for an act with no row change to tell it (a sign-in), by whoever `actor` names."""
    session.execute(insert(core_table(AuditEntry)), [_entry(actor, at, action, kind, target_id, label)])


def when_changed(field: str, verbs: Mapping[Any, str] | str) -> Callable[[Any], str | None]:
    """A verb when the flush changes `field`: one verb for any new value, or one per new value."""

    def verb(row: Any) -> str | None:
        added = inspect(row).attrs[field].history.added
        if not added:
            return None
        return verbs if isinstance(verbs, str) else verbs.get(added[0])

    return verb


def first_of(*verbs: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda row: next((said for said in (verb(row) for verb in verbs) if said), None)

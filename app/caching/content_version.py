"""A counter of published-content changes, bumped explicitly by every write that changes what readers see.

Caches in any worker process compare it to know whether what they hold is still true. Bumping is a
call in the write service, not an ORM hook: hooks miss Core `update()` statements, and a cache that
misses one write serves a stale answer until the next.

Each version also leaves the surrogate keys it purged in the purge log (`content_purge`), written
in its own transaction, so a cache can end only the answers that show them. The log keeps the last
`PURGES_KEPT` versions; a cache that has not looked for longer ends everything it holds.
"""

from collections.abc import Callable, Set
from datetime import UTC, datetime

from sqlalchemy import Connection, Text, bindparam, delete, func, insert, select, update
from sqlmodel import Field, Session, col

from app.caching.keys import with_compact_forms
from app.db.columns import Table, UTCDateTime, core_table
from app.db.session_events import listen_once

_BUMPED_IN = "content_version_bumped_in"
_PURGES = "content_purges"
# The version the transaction will have made, for whoever announces it after the commit.
BUMPED_TO = "content_version_bumped_to"
# That version and the keys it purged as the log has them, for the same.
PURGED = "content_version_purged"
# PostgreSQL announces each new version here on commit, to every worker on every machine: the
# version alone, or `<version>:<keys it purged, space-separated>` where they fit in a notification,
# followed by the content state the commit makes when a teller is installed (`StateTeller`).
NOTIFY_CHANNEL = "byline_content"
NOTIFY_LIMIT = 7_900

# A few minutes of a busy newsroom's writes; pruned every PRUNE_EVERY versions.
PURGES_KEPT = 10_000
PRUNE_EVERY = 500

# Called in the committing transaction with every surrogate key it purges, in both forms.
PurgeHook = Callable[[Session, Set[str]], None]
_purge_hooks: tuple[PurgeHook, ...] = ()
# Called in the committing transaction, its writes flushed: the content state it makes, as one
# token that no surrogate key can be, so that listeners need not each read it (a transaction each,
# per write, per worker, per server).
StateTeller = Callable[[Connection], str]
_tell_state: StateTeller | None = None
# Whether commits log their purges (install): then they also announce them, keys and all.
_logging = False


class ContentVersion(Table, table=True):
    __tablename__ = "content_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    changed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ContentPurge(Table, table=True):
    """The surrogate keys one content version purged, in both forms, space-separated (none: it
    changed nothing an answer names, yet every answer that names nothing ends with it)."""

    __tablename__ = "content_purge"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    keys: str = Field(sa_type=Text, nullable=False)


# Built once and run on the transaction's connection: the ORM's path for a statement cost several
# times the statement, and every content write runs these two.
_VERSIONS = core_table(ContentVersion)
_BUMP = (
    update(_VERSIONS)
    .where(_VERSIONS.c.id == 1)
    .values(version=_VERSIONS.c.version + 1, changed_at=bindparam("changed_at"))
    .returning(_VERSIONS.c.version)
)
_LOG_PURGES = insert(core_table(ContentPurge))
_NOTIFY = select(func.pg_notify(NOTIFY_CHANNEL, bindparam("payload", type_=Text)))
# PostgreSQL logs the purges and announces them in one round trip.
_LOG_AND_NOTIFY = _NOTIFY.add_cte(
    _LOG_PURGES.values(version=bindparam("version"), keys=bindparam("keys")).cte("logged")
)


def bump(session: Session, *purges: str) -> int:
    """Mark the session's transaction as changing published content; it commits or rolls back with it.
    `purges` are the surrogate keys (app.caching.keys) of the answers the change makes
    stale; the commit hands them all to the purge hooks `install` was given.

    Only the first call in a transaction writes, so a service may call it wherever it changes content.
    On PostgreSQL the row lock it takes orders concurrent content writers: versions commit in their
    order. Returns the version the transaction makes.
    """
    session.info.setdefault(_PURGES, set()).update(purges)
    if bumped(session):
        return int(session.info[BUMPED_TO])
    version = session.connection().execute(_BUMP, {"changed_at": datetime.now(UTC)}).scalar_one()
    if session.get_bind().dialect.name == "postgresql" and not _logging:
        # Delivered only if the transaction commits.
        _notify(session, str(version))
    session.info[_BUMPED_IN] = session.get_transaction()
    session.info[BUMPED_TO] = version
    return int(version)


def _record_purges(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit records what all of it purged
    teller = _tell_state if bumped(session) and session.get_bind().dialect.name == "postgresql" else None
    if teller is not None:
        # The commit's own flush comes after this hook: the state told must include what it writes.
        session.flush()
    purged = with_compact_forms(session.info.pop(_PURGES, None) or ())
    if bumped(session):
        version = int(session.info[BUMPED_TO])
        logged = " ".join(sorted(purged))
        session.info[PURGED] = (version, logged)
        if session.get_bind().dialect.name == "postgresql":
            announced = f"{version}:{logged}"
            if teller is not None:
                announced += " " + teller(session.connection())
            payload = announced if len(announced) <= NOTIFY_LIMIT else str(version)
            session.connection().execute(_LOG_AND_NOTIFY, {"version": version, "keys": logged, "payload": payload})
        else:
            session.connection().execute(_LOG_PURGES, {"version": version, "keys": logged})
        if version % PRUNE_EVERY == 0:
            session.execute(delete(ContentPurge).where(col(ContentPurge.version) <= version - PURGES_KEPT))
    if purged:
        for hook in _purge_hooks:
            hook(session, purged)


def _notify(session: Session, payload: str) -> None:
    session.connection().execute(_NOTIFY, {"payload": payload})


def _forget_purges(session: Session) -> None:
    session.info.pop(_PURGES, None)


def install(*purge_hooks: PurgeHook, tell_state: StateTeller | None = None) -> None:
    """Have every session's commit hand the purges its content changes call for (see `bump`) to
    `purge_hooks`, and on PostgreSQL announce the state it makes as `tell_state` says: the same ones
    for every entry point, so installing again changes nothing."""
    global _purge_hooks, _logging, _tell_state
    _purge_hooks, _logging, _tell_state = purge_hooks, True, tell_state
    listen_once("before_commit", _record_purges)
    listen_once("after_rollback", _forget_purges)


def bumped(session: Session) -> bool:
    """Whether the session's current transaction has bumped the version."""
    transaction = session.get_transaction()
    return transaction is not None and session.info.get(_BUMPED_IN) is transaction

"""A check on every transaction the suite commits: one that changed published content must have
bumped the content version, or caches would go on serving what it replaced."""

from typing import Any

from sqlalchemy import Result, event
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from app.caching import content_version

# Everything an article, a directory or a related list shows; comments count through article.comment_count.
CONTENT_TABLES = frozenset(
    {
        "article",
        "article_author",
        "article_tag",
        "article_slug_redirect",
        "correction",
        "author",
        "section",
        "tag",
        "related_pin",
        "article_term",
        "article_change",
        "article_embedding",
        "collection",
        "collection_item",
        "collection_schedule",
    }
)
_WRITTEN_IN = "test_content_written_in"


class UnbumpedWrite(AssertionError):
    """A transaction changed published content without bumping the content version."""


def _mark_written(session: Session) -> None:
    session.info[_WRITTEN_IN] = session.get_transaction()


def _flushing(session: Session, flush_context, instances) -> None:
    changed = [*session.new, *session.deleted, *(obj for obj in session.dirty if session.is_modified(obj))]
    if any(getattr(obj, "__tablename__", None) in CONTENT_TABLES for obj in changed):
        _mark_written(session)


def _executing(state: ORMExecuteState) -> Result[Any] | None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in CONTENT_TABLES:
        return None
    # A statement that matched no row changed nothing; where the count is unknown, assume it did.
    result = state.invoke_statement()
    count = getattr(result, "rowcount", None)
    if count is None and state.statement.returning_column_descriptions:
        # Rows returned through the ORM (UPDATE ... RETURNING) are the rows it changed.
        frozen = result.freeze()
        count, result = len(frozen().all()), frozen()
    elif count is None:
        count = 1
    if count:
        _mark_written(state.session)
    return result


def _committing(session: Session) -> None:
    session.flush()
    transaction = session.get_transaction()
    if session.info.get(_WRITTEN_IN) is transaction and not content_version.bumped(session):
        failures.append(UnbumpedWrite("a transaction changed published content without content_version.bump()"))


failures: list[UnbumpedWrite] = []


def install() -> None:
    event.listen(Session, "before_flush", _flushing)
    event.listen(Session, "do_orm_execute", _executing)
    event.listen(Session, "before_commit", _committing)

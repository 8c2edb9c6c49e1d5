"""Article revisions: the editable fields and corrections after every change, who made it and what changed."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert
from sqlmodel import Session, col, select

from app.articles.errors import RevisionNotFound
from app.articles.models import Article, ArticleRevision
from app.articles.schemas import ArticleContent, ArticleFields
from app.authors.models import Author
from app.core import acting
from app.core.cursors import decode_cursor, encode_cursor
from app.db.columns import core_table
from app.taxonomy.models import Section, Tag

_FIELDS = tuple(ArticleFields.model_fields)


def snapshot(article: Article) -> dict[str, Any]:
    """The editable state of an article, in the shape clients send it, with its corrections."""
    return snapshot_of(
        article,
        authors=article.authors,
        section=article.section,
        tags=article.tags,
        corrections=[(c.text, c.published_at) for c in article.corrections],
    )


def snapshot_of(
    article: Article,
    *,
    authors: list[Author],
    section: Section | None,
    tags: list[Tag],
    corrections: list[tuple[str, datetime]],
) -> dict[str, Any]:
    """The snapshot of an article's own fields with these authors, section, tags and corrections (text,
    time), for one built without its relationships (bulk imports)."""
    related: dict[str, Any] = {
        "authors": [author.slug for author in authors],
        "section": section.slug if section else None,
        "tags": [tag.name for tag in tags],
    }
    state = {field: related[field] if field in related else _as_sent(getattr(article, field)) for field in _FIELDS}
    # Corrections are kept as stored: the date readers see may be later (see Article.dated_corrections).
    state["corrections"] = [
        {"text": text, "published_at": _as_sent(at)} for text, at in sorted(corrections, key=lambda c: c[1])
    ]
    return state


def _as_sent(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Per changed field, its value before (`from`) and after (`to`)."""
    return {
        field: {"from": before.get(field), "to": value} for field, value in after.items() if before.get(field) != value
    }


_REVISIONS = core_table(ArticleRevision)
# Built once and run on the transaction's connection: every article write runs it. The next number
# is taken in the same statement (concurrent edits of one article queue on its row lock).
_ADDED = ("actor", "user_id", "created_at", "changes", "snapshot")
_ADD = insert(_REVISIONS).from_select(
    ["article_id", "number", *_ADDED],
    select(
        bindparam("article_id", type_=_REVISIONS.c.article_id.type),
        func.coalesce(func.max(_REVISIONS.c.number), 0) + 1,
        *(bindparam(name, type_=_REVISIONS.c[name].type) for name in _ADDED),
    ).where(_REVISIONS.c.article_id == bindparam("article_id")),
)


def record_revision(
    session: Session, article: Article, *, before: dict[str, Any], after: dict[str, Any], actor: str, now: datetime
) -> None:
    """Store what changed from snapshot `before` to snapshot `after`; nothing is stored when nothing changed."""
    changes = changes_between(before, after)
    if not changes:
        return
    revision = {
        "article_id": article.id,
        "actor": actor,
        "user_id": acting.acting_user_id(),
        "created_at": now,
        "changes": changes,
        "snapshot": after,
    }
    session.connection().execute(_ADD, revision)


def list_revisions(
    session: Session, article: Article, *, limit: int, cursor: str | None
) -> tuple[list[ArticleRevision], int, str | None]:
    """Newest first, a page at a time: the rest of the article's revisions come after the cursor's number."""
    mine = col(ArticleRevision.article_id) == article.id
    total = session.exec(select(func.count()).select_from(ArticleRevision).where(mine)).one()
    query = select(ArticleRevision).where(mine)
    if cursor:
        before, _ = decode_cursor(cursor, int)
        query = query.where(ArticleRevision.number < before)
    rows = list(session.exec(query.order_by(col(ArticleRevision.number).desc()).limit(limit + 1)).all())
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].number, page[-1].id) if len(rows) > limit else None
    return page, total, next_cursor


def get_revision(session: Session, article: Article, number: int) -> ArticleRevision:
    revision = session.exec(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id, ArticleRevision.number == number)
    ).first()
    if revision is None:
        raise RevisionNotFound(f"Article '{article.slug}' has no revision {number}.", number=number)
    return revision


# Restoring brings back what was written, not where the article stands in its lifecycle.
RESTORED_FIELDS = tuple(ArticleContent.model_fields)

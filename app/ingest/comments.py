"""Comments of imported articles, upserted by (article, external id) and threaded by their parents' external ids.

They are stored as comments sent to the API are: the email normalised and never public, the text
rendered by the same sanitiser, the article's comment count recounted. Imports raise no
notifications: these comments are history, not news.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from app.comments import service as comments
from app.comments.models import Comment
from app.comments.render import render_comment
from app.core.errors import InvalidField
from app.db.columns import core_table
from app.db.engines import bulk_insert, draw_ids
from app.ingest.schemas import CommentRecord

# What a record says of a comment; a stored comment differing in any of these is updated.
_COMMENTS = core_table(Comment)
_COMPARED = ("author_name", "author_email", "author_url", "content", "status", "created_at", "parent_id")


def comment_key(comment: Comment) -> str:
    """The id a comment is exported and upserted by: the one it came with, else one made of its own id
    (so an export imported back into its own database finds its comments)."""
    return comment.external_id or f"byline:{comment.id}"


def existing_comments(session: Session, article_ids: list[int]) -> dict[int, dict[str, Comment]]:
    """The comments of these articles, by article id and comment key."""
    found: dict[int, dict[str, Comment]] = {}
    if article_ids:
        for comment in session.exec(select(Comment).where(col(Comment.article_id).in_(article_ids))):
            found.setdefault(comment.article_id, {})[comment_key(comment)] = comment
    return found


def threading_error(records: list[CommentRecord], stored: Mapping[str, Comment]) -> InvalidField | None:
    """A comment replying to one neither in the record nor stored, an external id given twice, or a loop."""
    ids = {c.external_id: n for n, c in enumerate(records)}
    if len(ids) < len(records):
        twice = next(n for n, c in enumerate(records) if ids[c.external_id] != n)
        return InvalidField(f"#/comments/{twice}/external_id", "Another comment of this article has this id.")
    for n, comment in enumerate(records):
        seen = {comment.external_id}
        parent = comment.parent_external_id
        while parent is not None and parent in ids:
            if parent in seen:
                return InvalidField(f"#/comments/{n}/parent_external_id", "The replies form a loop.")
            seen.add(parent)
            parent = records[ids[parent]].parent_external_id
        if parent is not None and parent not in stored:
            return InvalidField(f"#/comments/{n}/parent_external_id", "No comment of this article has this id.")
    return None


def _values(comment: CommentRecord) -> dict[str, Any]:
    return {
        "author_name": comment.author_name.strip(),
        "author_email": comments.normalised_email(comment.author_email),
        "author_url": comment.author_url,
        "content": comment.content,
        "status": comment.status,
        "created_at": comment.created_at,
    }


def upsert_comments(
    session: Session,
    wanted: Mapping[int, list[CommentRecord]],
    stored: Mapping[int, dict[str, Comment]],
    *,
    now: datetime,
) -> set[int]:
    """Store the comments of each article (threading checked beforehand); the ids of the articles whose
    comments changed."""
    changed: set[int] = set()
    updates: list[dict[str, Any]] = []
    # Stored ids by (article, external id), filled wave by wave: parents before their replies.
    known = {(a, ext): (c.id, c.root_id) for a, by_ext in stored.items() for ext, c in by_ext.items()}
    waiting = [(article_id, c) for article_id, records in wanted.items() for c in records]
    while waiting:
        wave, later = [], []
        for article_id, record in waiting:
            parent = record.parent_external_id
            if parent is not None and (article_id, parent) not in known:
                later.append((article_id, record))
                continue
            values = _values(record)
            parent_id, parent_root = known[(article_id, parent)] if parent is not None else (None, None)
            values["parent_id"] = parent_id
            current = stored.get(article_id, {}).get(record.external_id)
            if current is None:
                wave.append((article_id, record, values, parent_root or parent_id))
            elif any(getattr(current, name) != values[name] for name in _COMPARED):
                root = current.id if parent_id is None else parent_root or parent_id
                updates.append(
                    values
                    | {"comment_id": current.id, "root_id": root, "content_html": render_comment(record.content)}
                    | {"content_hash": comments.content_digest(record.content), "updated_at": now}
                )
                changed.add(article_id)
        if not wave and later:
            raise ValueError("comment threading was not checked")  # threading_error rules this out
        if wave:
            # Numbered first: an opening comment is its own root as it goes in, and the wave goes in bulk.
            ids = draw_ids(session.connection(), _COMMENTS, len(wave))
            rows = []
            for (article_id, record, values, thread_root), comment_id in zip(wave, ids, strict=True):
                root = thread_root if thread_root is not None else comment_id
                known[(article_id, record.external_id)] = (comment_id, root)
                changed.add(article_id)
                rows.append(
                    values
                    | {
                        "id": comment_id,
                        "article_id": article_id,
                        "external_id": record.external_id,
                        "root_id": root,
                        "content_html": render_comment(record.content),
                        "content_hash": comments.content_digest(record.content),
                        "reasons": [],
                        "ip_hash": "",
                        "network_hash": "",
                        "commenter_hash": None,
                        "notify_replies": False,
                        "updated_at": now,
                    }
                )
            bulk_insert(session.connection(), _COMMENTS, rows)
        waiting = later
    if updates:
        session.execute(
            update(_COMMENTS).where(_COMMENTS.c.id == bindparam("comment_id")),
            updates,
        )
    if changed and not comments.recount(session, changed):
        comments.threads_changed(session, changed)
    return changed

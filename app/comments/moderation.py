"""Comment moderation: the queue, decisions one by one or in bulk, and their effect on counts."""

from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, exists, update
from sqlmodel import Session, col, func, or_, select

from app.articles.models import Article
from app.comments.errors import CommentNotFound
from app.comments.models import Comment, CommentStatus
from app.comments.render import render_comment
from app.comments.schemas import BulkModeration, CommentContext, CommentModeration, CommentModerationUpdate
from app.comments.service import (
    announce,
    content_digest,
    ensure_allowed_length,
    normalised_email,
    notify_reply,
    recount,
    threads_changed,
)
from app.comments.spam import REASON_WORDS, Reason
from app.core.cursors import decode_cursor, encode_cursor
from app.core.settings import Settings

# A thread's context shows at most this many of a comment's ancestors and of its replies.
CONTEXT_LIMIT = 50
_ACTIONS = {"approve": CommentStatus.approved, "spam": CommentStatus.spam, "trash": CommentStatus.trash}


def moderation_view(comment: Comment, article_slug: str) -> CommentModeration:
    return CommentModeration(
        id=comment.id,
        article_slug=article_slug,
        parent_id=comment.parent_id,
        status=CommentStatus(comment.status),
        reasons=comment.reasons,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        content=comment.content,
        content_html=comment.content_html,
        notify_replies=comment.notify_replies,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
    )


def _held_for(session: Session, reason: Reason) -> ColumnElement[bool]:
    """One of the comment's recorded reasons is of this kind."""
    if session.get_bind().dialect.name == "postgresql":
        each = func.jsonb_array_elements_text(Comment.reasons).table_valued("value")
    else:
        each = func.json_each(Comment.reasons).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value.startswith(REASON_WORDS[reason], autoescape=True)))


def moderation_queue(
    session: Session,
    *,
    status: CommentStatus,
    article_slug: str | None,
    email: str | None,
    reason: Reason | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[list[CommentModeration], int, str | None]:
    """Newest first, with the article slug each comment belongs to, and how many match."""
    conditions: list[ColumnElement[bool] | bool] = [Comment.status == status.value]
    if article_slug:
        conditions.append(Article.slug == article_slug)
    if email:
        conditions.append(Comment.author_email == normalised_email(email))
    if reason:
        conditions.append(_held_for(session, reason))
    if since:
        conditions.append(Comment.created_at >= since)
    if until:
        conditions.append(Comment.created_at < until)
    total = session.exec(
        select(func.count())
        .select_from(Comment)
        .join(Article, col(Article.id) == Comment.article_id)
        .where(*conditions)
    ).one()
    query = select(Comment, Article.slug).join(Article, col(Article.id) == Comment.article_id).where(*conditions)
    if cursor:
        after, after_id = decode_cursor(cursor, datetime)
        query = query.where(Comment.created_at <= after, or_(Comment.created_at < after, Comment.id < after_id))
    rows = session.exec(query.order_by(col(Comment.created_at).desc(), col(Comment.id).desc()).limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1][0].created_at, page[-1][0].id) if len(rows) > limit else None
    return [moderation_view(comment, slug) for comment, slug in page], total, next_cursor


# Built once: every moderation runs it.
_COMMENT_AND_ARTICLE = (
    select(Comment, Article.slug, Article.title)
    .join(Article, col(Article.id) == Comment.article_id)
    .where(Comment.id == bindparam("comment_id"))
)


def _comment_and_article(session: Session, comment_id: int) -> tuple[Comment, str, str]:
    """The comment, with its article's slug and title (what its webhook event names)."""
    row = session.exec(_COMMENT_AND_ARTICLE, params={"comment_id": comment_id}).first()
    if row is None:
        raise CommentNotFound(f"No comment has the id {comment_id}.", id=comment_id)
    return row


def get_comment(session: Session, comment_id: int) -> tuple[Comment, str]:
    comment, slug, _ = _comment_and_article(session, comment_id)
    return comment, slug


def thread_context(session: Session, comment_id: int) -> CommentContext:
    """A comment with the comments above it, from the thread's first, and its replies, whatever their status."""
    comment, slug = get_comment(session, comment_id)
    ancestors: list[Comment] = []
    parent_id = comment.parent_id
    while parent_id is not None and len(ancestors) < CONTEXT_LIMIT:
        parent = session.get(Comment, parent_id)
        if parent is None:
            break
        ancestors.append(parent)
        parent_id = parent.parent_id
    replies = session.exec(
        select(Comment)
        .where(Comment.article_id == comment.article_id, Comment.parent_id == comment.id)
        .order_by(col(Comment.created_at), col(Comment.id))
        .limit(CONTEXT_LIMIT)
    ).all()
    return CommentContext(
        ancestors=[moderation_view(one, slug) for one in reversed(ancestors)],
        comment=moderation_view(comment, slug),
        replies=[moderation_view(one, slug) for one in replies],
    )


def _set_status(
    session: Session,
    comment: Comment,
    status: CommentStatus,
    *,
    now: datetime,
    settings: Settings,
    article: tuple[str, str] | None = None,
) -> None:
    if comment.status == status.value:
        return
    comment.status = status.value
    comment.updated_at = now
    session.add(comment)
    session.flush()
    if status is CommentStatus.approved:
        announce(session, "comment.approved", comment, now=now, article=article)
    notify_reply(session, comment, now=now, settings=settings)


def moderate(
    session: Session, comment_id: int, data: CommentModerationUpdate, *, now: datetime, settings: Settings
) -> tuple[Comment, str]:
    """Approve, file as spam, trash or edit one comment; counts change in the same transaction."""
    comment, slug, title = _comment_and_article(session, comment_id)
    was_published = comment.status == CommentStatus.approved.value
    changes = data.changes()
    if "author_name" in changes:
        comment.author_name = changes["author_name"].strip()
    if "author_url" in changes:
        comment.author_url = changes["author_url"]
    if "content" in changes:
        ensure_allowed_length(changes["content"], settings)
        comment.content = changes["content"]
        comment.content_html = render_comment(comment.content)
        comment.content_hash = content_digest(comment.content)
    comment.updated_at = now
    session.add(comment)
    if data.status is not None:
        _set_status(session, comment, data.status, now=now, settings=settings, article=(slug, title))
    recounted = recount(session, [comment.article_id])
    if not recounted and (was_published or comment.status == CommentStatus.approved.value):
        threads_changed(session, [comment.article_id])
    session.commit()
    return comment, slug


def _detach(session: Session, comment: Comment) -> None:
    """Hand a deleted comment's replies to its parent; a deleted opening comment splits its thread."""
    children = list(session.exec(select(Comment).where(Comment.parent_id == comment.id)).all())
    if comment.parent_id is not None:
        session.execute(update(Comment).where(col(Comment.parent_id) == comment.id).values(parent_id=comment.parent_id))
        return
    thread = list(session.exec(select(Comment).where(Comment.root_id == comment.id, Comment.id != comment.id)).all())
    parents = {c.id: c.parent_id for c in thread}
    for child in children:
        child.parent_id = None
    for member in thread:
        top = member.id
        while (parent_id := parents.get(top)) is not None and parent_id != comment.id:
            top = parent_id
        member.root_id = top
        session.add(member)


def delete_comment(session: Session, comment_id: int) -> None:
    comment, _ = get_comment(session, comment_id)
    _detach(session, comment)
    session.delete(comment)
    session.flush()
    # Its replies move up, so published threads can change shape whatever its own status was.
    if not recount(session, [comment.article_id]):
        threads_changed(session, [comment.article_id])
    session.commit()


def bulk_moderate(
    session: Session, request: BulkModeration, *, now: datetime, settings: Settings
) -> tuple[int, list[int]]:
    """One decision for many comments, all or nothing in one transaction."""
    wanted = list(dict.fromkeys(request.ids))
    found = list(session.exec(select(Comment).where(col(Comment.id).in_(wanted))).all())
    found_ids = {c.id for c in found}
    articles = {c.article_id for c in found}
    touches_published = request.action == "delete" or any(c.status == CommentStatus.approved.value for c in found)
    for comment in found:
        if request.action == "delete":
            _detach(session, comment)
            session.delete(comment)
            session.flush()
        else:
            _set_status(session, comment, _ACTIONS[request.action], now=now, settings=settings)
    recounted = recount(session, articles)
    if found and not recounted and (touches_published or request.action == "approve"):
        threads_changed(session, articles)
    session.commit()
    return len(found), [i for i in wanted if i not in found_ids]

"""Submitting comments and reading the public threads."""

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, update
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, func, or_, select

from app.articles import service as articles
from app.articles.links import reader_url
from app.articles.models import Article
from app.articles.visibility import visible
from app.caching import content_version, keys
from app.comments import notifications, spam
from app.comments.errors import CommentsClosed
from app.comments.models import Comment, CommentStatus
from app.comments.render import link_count, render_comment
from app.comments.schemas import CommentCreate, CommentPublic
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import InvalidField, ProblemError
from app.core.hashing import keyed_digest
from app.core.settings import Settings
from app.db.columns import core_table, loadable
from app.db.engines import bulk_insert, draw_ids
from app.db.write_batches import WriteBatches
from app.outbox import service as outbox
from app.taxonomy.models import Section

# How much of a reply its notification quotes.
REPLY_EXCERPT_LENGTH = 1000
AVATAR_BASE = "https://gravatar.com/avatar/"
# Raising on anything else keeps a later change from quietly loading the whole article.
_COMMENTS_NEED = (
    load_only(
        loadable(Article.id),
        loadable(Article.slug),
        loadable(Article.title),
        loadable(Article.comments_open),
        raiseload=True,
    ),
)


def normalised_email(email: str) -> str:
    return email.strip().lower()


def avatar_url(email: str, settings: Settings) -> str:
    """A Gravatar URL. By default an identicon forced (`f=y`) from a keyed hash: stable per address, but
    nobody can check a guessed address against it. With `comment_gravatar`, the commenter's own image,
    from the plain SHA-256 Gravatar needs: anyone can then confirm a guessed address."""
    if settings.comment_gravatar:
        return AVATAR_BASE + hashlib.sha256(normalised_email(email).encode()).hexdigest() + "?d=identicon"
    keyed = keyed_digest(settings.secret_key.get_secret_value(), "avatar", normalised_email(email))
    return AVATAR_BASE + keyed + "?d=identicon&f=y"


def _commenter(token: str | None, settings: Settings) -> tuple[str, str]:
    """The commenter token to hand back (the one sent, or a new one) and its keyed digest."""
    token = token or secrets.token_urlsafe(24)
    return token, keyed_digest(settings.secret_key.get_secret_value(), "commenter", token)


def content_digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def recount(session: Session, article_ids: Collection[int]) -> bool:
    """Keep articles' comment_count equal to their approved comments, in the same transaction; a
    count that moved changes what readers see (lists and related lists embed it). Whether one moved:
    their threads are then marked changed already (threads_changed)."""
    connection, ids = session.connection(), {"ids": list(article_ids)}
    if connection.dialect.name != "sqlite":
        # Lock the articles first: two moderators counting at once would each miss the other's
        # approval. (SQLite's writer holds the whole database already.)
        connection.execute(_LOCK_ARTICLES, ids)
    moved = connection.execute(_RECOUNT, ids).scalars().all()
    if not moved:
        return False
    if len(moved) == len(set(article_ids)):
        _threads_of_changed(session, moved)
    else:
        threads_changed(session, article_ids)
    return True


def threads_changed(session: Session, article_ids: Collection[int]) -> None:
    """Published comments of these articles changed: their threads and counts (shown with the
    article and in lists) are stale."""
    _threads_of_changed(session, session.exec(select(Article.slug).where(col(Article.id).in_(list(article_ids)))).all())


def _threads_of_changed(session: Session, slugs: Sequence[str]) -> None:
    content_version.bump(session, *(key for slug in slugs for key in (keys.comments(slug), keys.article(slug))))


def ensure_allowed_length(content: str, settings: Settings) -> None:
    """The one length rule for comments, whether a reader wrote them or a moderator edited them."""
    if len(content) > settings.comment_max_length:
        raise InvalidField("#/content", f"Comments are limited to {settings.comment_max_length} characters.")


def notify_reply(session: Session, reply: Comment, *, now: datetime, settings: Settings) -> None:
    """A reply that readers can see tells the parent's author, if they asked to be told."""
    if reply.parent_id is None or reply.status != CommentStatus.approved.value:
        return
    parent = session.get(Comment, reply.parent_id)
    if (
        parent is None
        or not parent.notify_replies
        or normalised_email(parent.author_email) == normalised_email(reply.author_email)
    ):
        return
    slug, title, canonical_url, section = session.exec(
        select(Article.slug, Article.title, Article.canonical_url, Section.slug)
        .outerjoin(Section, col(Section.id) == Article.section_id)
        .where(Article.id == reply.article_id)
    ).one()
    outbox.emit(
        session,
        "comment.reply",
        {
            "to": parent.author_email,
            "parent_id": parent.id,
            "reply_id": reply.id,
            "reply_author": reply.author_name,
            "reply_text": reply.content[:REPLY_EXCERPT_LENGTH],
            "article_id": reply.article_id,
            "article_title": title,
            "article_url": reader_url(settings, slug=slug, section=section, canonical_url=canonical_url),
            "unsubscribe_url": notifications.unsubscribe_url(parent.id, settings=settings),
        },
        now=now,
    )


def announce(
    session: Session, topic: str, comment: Comment, *, now: datetime, article: tuple[str, str] | None = None
) -> None:
    """A comment event for webhooks: ids, the article's slug and title, times; never the text or the
    address. `article`: its slug and title, if the caller has read them already."""
    slug, title = article or session.connection().execute(_SLUG_AND_TITLE, {"article_id": comment.article_id}).one()
    outbox.emit(session, topic, _event(comment, slug=slug, title=title), now=now)


def _event(comment: Comment, *, slug: str, title: str) -> dict[str, Any]:
    return {
        "comment_id": comment.id,
        "parent_id": comment.parent_id,
        "article_id": comment.article_id,
        "article_slug": slug,
        "article_title": title,
        "status": comment.status,
        "created_at": comment.created_at.isoformat(),
    }


@dataclass(frozen=True)
class CommentedArticle:
    """What the comment routes need of the article their `{slug}` names."""

    id: int
    slug: str
    title: str
    comments_open: bool


# Built once: every comment runs these, and building a statement costs more than running it.
_ARTICLES, _COMMENTS = core_table(Article), core_table(Comment)
_NOW: BindParameter[datetime] = bindparam("now")
_ARTICLE_COLUMNS = (_ARTICLES.c.id, _ARTICLES.c.slug, _ARTICLES.c.title, _ARTICLES.c.comments_open)
_COMMENTED = select(*_ARTICLE_COLUMNS).where(_ARTICLES.c.slug == bindparam("slug"), visible(_NOW))
_COMMENTED_ANY = select(*_ARTICLE_COLUMNS).where(
    _ARTICLES.c.slug.in_(bindparam("slugs", expanding=True)), visible(_NOW)
)
_PARENTS = select(_COMMENTS.c.id, _COMMENTS.c.article_id, _COMMENTS.c.status, _COMMENTS.c.root_id).where(
    _COMMENTS.c.id.in_(bindparam("ids", expanding=True))
)
_LOCK_ARTICLES = select(_ARTICLES.c.id).where(_ARTICLES.c.id.in_(bindparam("ids", expanding=True))).with_for_update()
_APPROVED = (
    select(func.count())
    .where(_COMMENTS.c.article_id == _ARTICLES.c.id, _COMMENTS.c.status == CommentStatus.approved.value)
    .scalar_subquery()
)
# The slugs of the articles whose count moved come back with it.
_RECOUNT = (
    update(_ARTICLES)
    .where(_ARTICLES.c.id.in_(bindparam("ids", expanding=True)), _ARTICLES.c.comment_count != _APPROVED)
    .values(comment_count=_APPROVED)
    .returning(_ARTICLES.c.slug)
)
_SLUG_AND_TITLE = select(_ARTICLES.c.slug, _ARTICLES.c.title).where(_ARTICLES.c.id == bindparam("article_id"))


def commented_article(session: Session, slug: str, *, now: datetime) -> CommentedArticle:
    """The public article under this slug; a former slug raises ArticleMoved, an unknown one ArticleNotFound."""
    found = session.connection().execute(_COMMENTED, {"slug": slug, "now": now}).first()
    if found is not None:
        return CommentedArticle(*found)
    # Says why: moved, or not there (or, if it has just gone live, finds it).
    article = articles.get_article(session, slug, now=now, loading=_COMMENTS_NEED)
    return CommentedArticle(article.id, article.slug, article.title, article.comments_open)


@dataclass(frozen=True)
class _Submission:
    """A comment as a reader sent it, with what needs no database worked out before its turn."""

    slug: str
    data: CommentCreate
    email: str
    ip_hash: str
    network_hash: str
    html: str
    digest: str
    commenter_hash: str
    now: datetime
    settings: Settings


async def submit_comment(
    writes: WriteBatches,
    slug: str,
    data: CommentCreate,
    *,
    client_address: str,
    now: datetime,
    settings: Settings,
) -> tuple[Comment, str, spam.Allowance]:
    """File a comment as approved, pending or spam; the caller learns only approved or pending."""
    ensure_allowed_length(data.content, settings)
    # What needs no database comes first: comments are stored in turn, a batch at a time.
    ip_hash, network_hash = spam.privacy_digests(settings, client_address)
    token, commenter_hash = _commenter(data.commenter_token, settings)
    submission = _Submission(
        slug=slug,
        data=data,
        email=normalised_email(data.author_email),
        ip_hash=ip_hash,
        network_hash=network_hash,
        html=render_comment(data.content),
        digest=content_digest(data.content),
        commenter_hash=commenter_hash,
        now=now,
        settings=settings,
    )
    comment, allowance = await writes.run_together(_store_comments, submission)
    return comment, token, allowance


def _store_comments(
    session: Session, submissions: list[_Submission]
) -> list[tuple[Comment, spam.Allowance] | Exception]:
    """Comments submitted together, each judged in turn as if those before it had been stored alone,
    and stored in a few statements for all of them. Read in the transaction that stores them: an
    article cannot close or go out of view meanwhile."""
    connection = session.connection()
    earliest = min(submission.now for submission in submissions)
    # Visible at the earliest moment of the batch is visible at each later one; any other slug is
    # looked at alone, at its own moment (moved, not there, or gone live since).
    slugs = [submission.slug for submission in submissions]
    visible_articles = {
        row.slug: CommentedArticle(*row)
        for row in connection.execute(_COMMENTED_ANY, {"slugs": slugs, "now": earliest})
    }
    parent_ids = [submission.data.parent_id for submission in submissions if submission.data.parent_id is not None]
    parents = {row.id: row for row in connection.execute(_PARENTS, {"ids": parent_ids})} if parent_ids else {}
    recent = spam.RecentComments(
        connection,
        networks={submission.network_hash for submission in submissions},
        emails={submission.email for submission in submissions},
        content_hashes={submission.digest for submission in submissions},
        earliest=earliest,
        settings=submissions[0].settings,
    )
    # Numbered before they are judged: a later duplicate in the batch names the one it repeats, a
    # thread's opening comment is its own root, and the rows go in as one bulk insert.
    ids = iter(draw_ids(connection, _COMMENTS, len(submissions)))
    answers: list[tuple[Comment, spam.Allowance] | Exception] = []
    stored: list[tuple[Comment, CommentedArticle]] = []
    rows: list[dict[str, Any]] = []
    for submission in submissions:
        try:
            article, root_id = _place(session, submission, visible_articles.get(submission.slug), parents)
            allowance = recent.allowance(
                network_hash=submission.network_hash, email=submission.email, now=submission.now
            )
        except ProblemError as refused:
            answers.append(refused)
            continue
        comment_id = next(ids)
        row = _judged_row(submission, article, comment_id, root_id or comment_id, recent)
        recent.stored(comment_id=comment_id, article_id=article.id, content_hash=submission.digest, now=submission.now)
        rows.append(row)
        # Stored as they are, and never tracked by a session: nothing to validate or instrument.
        comment = Comment.model_construct(**row)
        answers.append((comment, allowance))
        stored.append((comment, article))
    bulk_insert(connection, _COMMENTS, rows)
    _announce(session, stored, settings=submissions[0].settings)
    return answers


def _place(
    session: Session, submission: _Submission, article: CommentedArticle | None, parents: dict[int, Any]
) -> tuple[CommentedArticle, int | None]:
    """The article a submission comments on and the thread it joins (None: it opens one); refused
    when the article takes no comments or the comment replied to is not a published one of it."""
    article = article or commented_article(session, submission.slug, now=submission.now)
    if not article.comments_open:
        raise CommentsClosed(f"'{article.slug}' no longer accepts comments.", slug=article.slug)
    parent_id = submission.data.parent_id
    if parent_id is None:
        return article, None
    parent = parents.get(parent_id)
    if parent is None or parent.article_id != article.id or parent.status != CommentStatus.approved.value:
        raise InvalidField("#/parent_id", "The comment replied to is not a published comment of this article.")
    return article, parent.root_id or parent_id


def _judged_row(
    submission: _Submission, article: CommentedArticle, comment_id: int, root_id: int, recent: spam.RecentComments
) -> dict[str, Any]:
    """The comment's row, filed as approved, pending or spam."""
    data, now = submission.data, submission.now
    verdict = spam.assess(
        article_id=article.id,
        standing=recent.standing(email=submission.email, commenter_hash=submission.commenter_hash),
        duplicate_of=recent.duplicate_of(article_id=article.id, content_hash=submission.digest, now=now),
        content=data.content,
        links=link_count(submission.html),
        honeypot=data.homepage,
        form_token=data.form_token,
        now=now,
        settings=submission.settings,
    )
    recent.judged(
        network_hash=submission.network_hash,
        email=submission.email,
        commenter_hash=submission.commenter_hash,
        approved=verdict.status is CommentStatus.approved,
        now=now,
    )
    return {
        "id": comment_id,
        "article_id": article.id,
        "parent_id": data.parent_id,
        "root_id": root_id,
        "author_name": data.author_name.strip(),
        "author_email": submission.email,
        "author_url": data.author_url,
        "content": data.content,
        "content_html": submission.html,
        "content_hash": submission.digest,
        "status": verdict.status.value,
        "reasons": verdict.reasons,
        "ip_hash": submission.ip_hash,
        "network_hash": submission.network_hash,
        "commenter_hash": submission.commenter_hash,
        "external_id": None,
        "notify_replies": data.notify_replies,
        "created_at": now,
        "updated_at": now,
    }


def _announce(session: Session, stored: list[tuple[Comment, CommentedArticle]], *, settings: Settings) -> None:
    """Webhooks learn of every comment not filed as spam; published ones change their articles'
    counts and threads, and a published reply tells the author of the comment it answers."""
    outbox.emit_all(
        session,
        [
            ("comment.created", _event(comment, slug=article.slug, title=article.title), comment.created_at)
            for comment, article in stored
            if comment.status != CommentStatus.spam.value
        ],
    )
    published = [comment for comment, _ in stored if comment.status == CommentStatus.approved.value]
    if published:
        recount(session, {comment.article_id for comment in published})
    for comment in published:
        notify_reply(session, comment, now=comment.created_at, settings=settings)


def public_comment(comment: Comment, parent_id: int | None, settings: Settings) -> CommentPublic:
    return CommentPublic(
        id=comment.id,
        parent_id=parent_id,
        author_name=comment.author_name,
        author_url=comment.author_url,
        avatar_url=avatar_url(comment.author_email, settings),
        content_html=comment.content_html,
        created_at=comment.created_at,
    )


def _threads(roots: list[Comment], members: list[Comment], *, settings: Settings) -> list[CommentPublic]:
    """Nest approved replies under their nearest approved ancestor, no deeper than the configured depth."""
    by_id = {c.id: c for c in members}
    shown: dict[int, CommentPublic] = {}
    depth: dict[int, int] = {}
    for root in roots:
        shown[root.id] = public_comment(root, None, settings)
        depth[root.id] = 0
    for comment in sorted(members, key=lambda c: (c.created_at, c.id)):
        if comment.id in shown or comment.status != CommentStatus.approved.value:
            continue
        ancestor = by_id.get(comment.parent_id) if comment.parent_id is not None else None
        while ancestor is not None and ancestor.id not in shown:
            ancestor = by_id.get(ancestor.parent_id) if ancestor.parent_id is not None else None
        if ancestor is None:
            continue  # its thread's opening comment is not published
        # Deeper replies are shown at the depth limit, under the ancestor sitting just above it.
        while depth[ancestor.id] >= settings.comment_max_depth:
            shown_parent_id = shown[ancestor.id].parent_id
            if shown_parent_id is None:
                # Only an opening comment has none, and it sits at depth 0, below any depth limit of 1 or more.
                raise KeyError(shown_parent_id)
            ancestor = by_id[shown_parent_id]
        node = public_comment(comment, ancestor.id, settings)
        shown[ancestor.id].replies.append(node)
        shown[comment.id] = node
        depth[comment.id] = depth[ancestor.id] + 1
    return [shown[root.id] for root in roots]


def list_threads(
    session: Session,
    article: Article | CommentedArticle,
    *,
    limit: int,
    cursor: str | None,
    newest_first: bool,
    settings: Settings,
) -> tuple[list[CommentPublic], int, str | None]:
    """A page of threads (approved opening comments), each with its approved replies nested."""
    conditions = [
        col(Comment.article_id) == article.id,
        col(Comment.status) == CommentStatus.approved.value,
        col(Comment.parent_id).is_(None),
    ]
    total = session.exec(select(func.count()).select_from(Comment).where(*conditions)).one()
    query = select(Comment).where(*conditions)
    if cursor:
        after, after_id = decode_cursor(cursor, datetime)
        if newest_first:
            query = query.where(Comment.created_at <= after, or_(Comment.created_at < after, Comment.id < after_id))
        else:
            query = query.where(Comment.created_at >= after, or_(Comment.created_at > after, Comment.id > after_id))
    order = (
        (col(Comment.created_at).desc(), col(Comment.id).desc())
        if newest_first
        else (col(Comment.created_at), col(Comment.id))
    )
    rows = list(session.exec(query.order_by(*order).limit(limit + 1)).all())
    roots = rows[:limit]
    next_cursor = encode_cursor(roots[-1].created_at, roots[-1].id) if len(rows) > limit else None
    members = (
        list(session.exec(select(Comment).where(col(Comment.root_id).in_([r.id for r in roots]))).all())
        if roots
        else []
    )
    return _threads(roots, members, settings=settings), total, next_cursor


def form_token(article: CommentedArticle, *, now: datetime, settings: Settings) -> str:
    return spam.issue_form_token(settings.secret_key.get_secret_value(), article.id, now=now)

"""Article events in the outbox, for webhooks: what receivers are told when readers' view of an article changes.

Only articles readers can see make events: a draft's or a scheduled article's edits stay private, and
an article that goes live by itself (its scheduled time or its embargo's end reached) is announced
then, by the worker (`announce_go_lives`)."""

from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, text
from sqlmodel import Session, col, select

from app.articles.models import Article
from app.caching import keys
from app.db.columns import UTCDateTime
from app.outbox import service as outbox
from app.outbox.models import GoLiveWatermark


def announce(session: Session, topic: str, article: Article, *, now: datetime) -> None:
    outbox.emit(
        session,
        topic,
        {
            "article_id": article.id,
            "slug": article.slug,
            "title": article.title,
            "status": article.status_at(now).value,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "updated_at": article.updated_at.isoformat(),
        },
        now=now,
    )


def lifecycle_topic(*, was_public: bool, is_public: bool) -> str | None:
    """The event for a change, by whether readers could see the article before and after it."""
    if is_public:
        return "article.updated" if was_public else "article.published"
    return "article.unpublished" if was_public else None


# While nothing goes live the watermark moves on this often, so each look covers a short range.
QUIET_ADVANCE = timedelta(minutes=1)

_START_WATERMARK = text(
    "INSERT INTO go_live_watermark (id, announced_until) VALUES (1, :at) ON CONFLICT (id) DO NOTHING"
).bindparams(bindparam("at", type_=UTCDateTime()))


def announce_go_lives(session: Session, *, now: datetime) -> int:
    """Announce the articles that went live by themselves since the last call, and commit. Articles
    written since they went live were announced by that write. The watermark's row lock (a write
    transaction on SQLite) lets one worker at a time do this, so each go-live is announced once."""
    mark = session.exec(select(GoLiveWatermark).with_for_update()).first()
    if mark is None:
        # The first pass ever: go-lives after the last write are news; older ones are history. Two
        # first passes at once both try to start the watermark; one start stands.
        last_write = session.exec(select(func.max(Article.updated_at))).one()
        session.execute(_START_WATERMARK, {"at": min(last_write or now, now)})
        mark = session.exec(select(GoLiveWatermark).with_for_update()).one()
    since = mark.announced_until
    # Two index ranges: a scheduled time reached (with no later embargo), or an embargo's end reached.
    at_time = and_(
        col(Article.published_at) > since,
        col(Article.published_at) <= now,
        or_(col(Article.embargo_until).is_(None), col(Article.embargo_until) <= Article.published_at),
        col(Article.updated_at) < Article.published_at,
    )
    at_embargo_end = and_(
        col(Article.embargo_until) > since,
        col(Article.embargo_until) <= now,
        col(Article.embargo_until) > Article.published_at,
        col(Article.updated_at) < Article.embargo_until,
    )
    gone_live = session.exec(
        select(Article).where(Article.status == "published", or_(at_time, at_embargo_end)).order_by(col(Article.id))
    ).all()
    if not gone_live and now - since < QUIET_ADVANCE:
        # Nothing went live: no commit, so idle workers write nothing (and wake no cache) every pass.
        session.rollback()
        return 0
    for article in gone_live:
        announce(session, "article.published", article, now=now)
    if gone_live:
        # No write made them visible, so no commit purged what shows them: CDNs hear of it here.
        shown = {keys.article(article.slug) for article in gone_live} | set(keys.ARTICLE_LISTS)
        outbox.cache_purged(session, keys.with_compact_forms(shown))
    mark.announced_until = max(since, now)
    session.add(mark)
    session.commit()
    return len(gone_live)

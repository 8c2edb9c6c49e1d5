"""Writing articles: creation, edits and lifecycle moves, each one transaction."""

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, delete, select

from app.articles import blocks, events, pictures, written
from app.articles.blocks import Image, ImageBlock, body_adapter
from app.articles.errors import InvalidTransition, SlugTaken
from app.articles.models import Article, ArticleAuthor, ArticleSlugRedirect, ArticleStatus, Correction
from app.articles.revisions import RESTORED_FIELDS, get_revision, record_revision, snapshot
from app.articles.schemas import ArticleCreate, ArticleFields, ArticlePublic, ArticleUpdate
from app.articles.visibility import is_public
from app.authors import service as authors
from app.caching import content_version, keys
from app.core.errors import InvalidField
from app.core.slugs import SLUG_MAX_LENGTH, slugify
from app.taxonomy import service as taxonomy
from app.web.conditional import require_current

# Fields that need more than storing as sent; every other field is a column set as it comes.
_DERIVED = {
    "slug",
    "excerpt",
    "body",
    "featured_image",
    "authors",
    "section",
    "tags",
    "status",
    "published_at",
    "embargo_until",
}


def slug_base(title: str) -> str:
    """What a slug generated from this title starts with."""
    return (slugify(title) or "article")[: SLUG_MAX_LENGTH - 6].rstrip("-")


def generated_slug(session: Session, title: str) -> str:
    base = slug_base(title)
    current = select(Article.slug).where(col(Article.slug).startswith(base))
    former = select(ArticleSlugRedirect.old_slug).where(col(ArticleSlugRedirect.old_slug).startswith(base))
    taken = set(session.exec(current).all()) | set(session.exec(former).all())
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def free_slug(session: Session, wanted: str, *, for_article: int | None = None) -> str:
    """A slug belongs to its article for good: former slugs keep redirecting to it, so no other may take one."""
    current = select(Article.id).where(Article.slug == wanted)
    former = select(ArticleSlugRedirect.article_id).where(ArticleSlugRedirect.old_slug == wanted)
    owners = set(session.exec(current).all()) | set(session.exec(former).all())
    if owners - {for_article}:
        raise SlugTaken.held(wanted)
    return wanted


def _change_slug(session: Session, article: Article, wanted: str) -> None:
    if wanted == article.slug:
        return
    free_slug(session, wanted, for_article=article.id)
    # Taking back one of its own former slugs: that one stops redirecting.
    session.exec(delete(ArticleSlugRedirect).where(col(ArticleSlugRedirect.old_slug) == wanted))
    session.add(ArticleSlugRedirect(old_slug=article.slug, article_id=article.id))
    article.slug = wanted


def _set_byline(session: Session, article: Article, slugs: list[str]) -> None:
    ordered = list(dict.fromkeys(slugs))
    found = authors.authors_by_slug(session, ordered)
    missing = [slug for slug in ordered if slug not in found]
    if missing:
        raise InvalidField("#/authors", f"Unknown author slug(s): {', '.join(missing)}.")
    # Update links in place: deleting and re-adding the same (article, author) pair in one
    # flush would collide on the primary key.
    current = {link.author.slug: link for link in article.author_links}
    links = []
    for position, slug in enumerate(ordered):
        link = current.get(slug) or ArticleAuthor(author=found[slug], position=position)
        link.position = position
        links.append(link)
    article.author_links = links


def _set_body(article: Article, body: list, *, excerpt_given: bool) -> None:
    blocks_ = body_adapter.validate_python(body)
    # A derived excerpt follows the body; one an editor wrote stays.
    if not excerpt_given and article.excerpt == blocks.derive_excerpt(body_adapter.validate_python(article.body)):
        article.excerpt = blocks.derive_excerpt(blocks_)
    article.body = [
        block.stored(None) if isinstance(block, ImageBlock) else block.model_dump(exclude_none=True)
        for block in blocks_
    ]
    article.word_count = blocks.word_count(blocks_)
    article.reading_time_minutes = blocks.reading_time_minutes(article.word_count)


def _set_lifecycle(article: Article, changes: dict, *, now: datetime) -> None:
    if "published_at" in changes:
        article.published_at = changes["published_at"]
    if "embargo_until" in changes:
        article.embargo_until = changes["embargo_until"]
    status = changes.get("status")
    if status is None:
        return
    if status in (ArticleStatus.published, ArticleStatus.scheduled):
        # "Publish" without a time means now, unless the article is already live.
        if (
            status is ArticleStatus.published
            and "published_at" not in changes
            and article.status_at(now) is not ArticleStatus.published
        ):
            article.published_at = now
        if article.published_at is None:
            article.published_at = now
        if status is ArticleStatus.scheduled and article.published_at <= now:
            raise InvalidField("#/published_at", "A scheduled article needs a published_at in the future.")
        article.status = "published"
    else:
        article.status = status.value


def _apply_text(article: Article, changes: dict) -> None:
    for field in changes.keys() - _DERIVED:
        setattr(article, field, changes[field])
    if "excerpt" in changes:
        article.excerpt = changes["excerpt"] or ""
    if "body" in changes:
        _set_body(article, changes["body"], excerpt_given=bool(changes.get("excerpt")))
    if not article.excerpt:
        article.excerpt = blocks.derive_excerpt(body_adapter.validate_python(article.body))
    if "featured_image" in changes:
        image = changes["featured_image"]
        article.featured_image = Image.model_validate(image).stored(None) if image else None


def changes_embargo(current: datetime | None, changes: dict) -> bool:
    """Whether these changes set, move or lift an embargo now at `current`: only `content:embargo` may."""
    return "embargo_until" in changes and changes["embargo_until"] != current


def apply_own_fields(article: Article, changes: dict, *, now: datetime) -> None:
    """Set the given fields that need no database: text, body and what derives from it, lifecycle.
    Bulk imports build new articles with it before inserting them."""
    _apply_text(article, changes)
    _set_lifecycle(article, changes, now=now)
    article.updated_at = now


def apply_changes(session: Session, article: Article, changes: dict, *, now: datetime) -> None:
    """Set the given fields, checking what only the database can: slugs, authors, section, pictures."""
    _apply_text(article, changes)
    if "featured_image" in changes or "body" in changes:
        pictures.show_pictures(session, article)
    if "slug" in changes and changes["slug"] is not None:
        _change_slug(session, article, changes["slug"])
    if "authors" in changes:
        _set_byline(session, article, changes["authors"])
    if "section" in changes:
        article.section = None
        if changes["section"] is not None:
            article.section = taxonomy.section_by_slug(session, changes["section"])
            if article.section is None:
                raise InvalidField("#/section", f"Unknown section slug: {changes['section']}.")
    if "tags" in changes:
        # In the order a read loads them, so the write's answer and its ETag are the ones a read gives.
        article.tags = sorted(taxonomy.tags_for_names(session, changes["tags"]), key=lambda tag: tag.name)
    _set_lifecycle(article, changes, now=now)
    article.updated_at = now


def add_article(session: Session, data: ArticleCreate, *, now: datetime, actor: str) -> Article:
    """Stage a new article and its first revision in the session's transaction; the caller commits."""
    slug = generated_slug(session, data.title) if data.slug is None else free_slug(session, data.slug)
    article = Article(
        slug=slug,
        title=data.title,
        status="draft",
        created_at=now,
        updated_at=now,
        excerpt="",
        body=[],
        author_links=[],
        tags=[],
    )
    apply_changes(
        session,
        article,
        {field: getattr(data, field) for field in ArticleFields.model_fields if field != "slug"},
        now=now,
    )
    article.corrections = [Correction(text=c.text, published_at=c.published_at or now) for c in data.corrections]
    session.add(article)
    session.flush()
    pictures.link_pictures(session, article)
    record_revision(session, article, before={}, after=snapshot(article), actor=actor, now=now)
    content_version.bump(session, keys.article(article.slug), *keys.ARTICLE_LISTS)
    written.written(session, article, None, now=now)
    if is_public(article, now):
        events.announce(session, "article.published", article, now=now)
    return article


def create_article(session: Session, data: ArticleCreate, *, now: datetime, actor: str) -> Article:
    article = add_article(session, data, now=now, actor=actor)
    session.commit()
    return article


def write_article(
    session: Session,
    article: Article,
    change: Callable[[], object],
    *,
    now: datetime,
    actor: str,
    if_match: str | None,
) -> Article:
    """Make a change to an article the caller loaded under lock: check If-Match, record the revision,
    tell caches, sync clients and webhooks, commit."""
    require_current(if_match, lambda: ArticlePublic.from_full_article(article, now=now))
    before, last_changed, seen = snapshot(article), article.updated_at, written.seen(article, now)
    pictured = pictures.media_ids(article)
    change()
    article.updated_at = now
    after = snapshot(article)
    if after == before:
        # Nothing anyone can see changed: no revision, no new updated_at for sync clients, caches stay valid.
        article.updated_at = last_changed
        session.commit()
        return article
    session.flush()
    if pictures.media_ids(article) != pictured:
        pictures.link_pictures(session, article)
    record_revision(session, article, before=before, after=after, actor=actor, now=now)
    content_version.bump(
        session, keys.article(before["slug"]), keys.article(article.slug), *_lists_changed(before, after)
    )
    written.written(session, article, seen, now=now)
    topic = events.lifecycle_topic(was_public=seen.public, is_public=is_public(article, now))
    if topic:
        events.announce(session, topic, article, now=now)
    session.commit()
    return article


# The fields (as revisions name them) that decide which lists hold an article, and in what order
# (related lists weigh tags, section, authors and date too); and those search and related read.
_LISTED_BY = frozenset({"slug", "status", "published_at", "embargo_until", "authors", "section", "tags"})
_MATCHED_BY = frozenset({"title", "subtitle", "body"})


def _lists_changed(before: dict, after: dict) -> tuple[str, ...]:
    """The surrogate keys of the lists an edit may have changed: an edit of what an article says
    leaves the lists it is not on as they were."""
    changed = {field for field, value in after.items() if before.get(field) != value}
    if changed & _LISTED_BY:
        return keys.ARTICLE_LISTS
    return (keys.EDITS, keys.MATCHES) if changed & _MATCHED_BY else (keys.EDITS,)


def _edit(
    session: Session, article: Article, changes: dict, *, now: datetime, actor: str, if_match: str | None
) -> Article:
    return write_article(
        session,
        article,
        lambda: apply_changes(session, article, changes, now=now),
        now=now,
        actor=actor,
        if_match=if_match,
    )


def update_article(
    session: Session, article: Article, data: ArticleUpdate, *, now: datetime, actor: str, if_match: str | None = None
) -> Article:
    changes = data.changes()
    return _edit(session, article, changes, now=now, actor=actor, if_match=if_match)


def publish_article(
    session: Session,
    article: Article,
    *,
    published_at: datetime | None,
    now: datetime,
    actor: str,
    if_match: str | None = None,
) -> Article:
    """Publish now, or schedule when `published_at` lies ahead."""
    when = published_at or now
    status = ArticleStatus.scheduled if when > now else ArticleStatus.published
    return _edit(session, article, {"status": status, "published_at": when}, now=now, actor=actor, if_match=if_match)


def unpublish_article(
    session: Session, article: Article, *, now: datetime, actor: str, if_match: str | None = None
) -> Article:
    if article.status != "published":
        current = article.status_at(now)
        raise InvalidTransition(
            f"'{article.slug}' is {current}, not published or scheduled.", current_status=current.value
        )
    return _edit(session, article, {"status": ArticleStatus.draft}, now=now, actor=actor, if_match=if_match)


def archive_article(
    session: Session, article: Article, *, now: datetime, actor: str, if_match: str | None = None
) -> Article:
    return _edit(session, article, {"status": ArticleStatus.archived}, now=now, actor=actor, if_match=if_match)


def delete_article(session: Session, article: Article, *, now: datetime, if_match: str | None = None) -> None:
    """Remove the article for good, with its revisions, corrections and redirects."""
    require_current(if_match, lambda: ArticlePublic.from_full_article(article, now=now))
    remove_article(session, article, now=now)
    session.commit()


def remove_article(session: Session, article: Article, *, now: datetime) -> None:
    """Stage the article's deletion in the caller's transaction; the caller commits."""
    seen = written.seen(article, now)
    # Receivers were told of an article taken out of public view (unpublished); drafts stay private.
    if seen.public:
        events.announce(session, "article.deleted", article, now=now)
    written.deleted(session, article, seen, now=now)
    session.delete(article)
    content_version.bump(session, keys.article(article.slug), *keys.ARTICLE_LISTS)


def restore_revision(
    session: Session, article: Article, number: int, *, now: datetime, actor: str, if_match: str | None = None
) -> Article:
    saved = get_revision(session, article, number).snapshot
    changes = {field: saved[field] for field in RESTORED_FIELDS if field in saved}
    return _edit(session, article, changes, now=now, actor=actor, if_match=if_match)

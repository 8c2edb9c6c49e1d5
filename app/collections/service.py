"""Collections: the order readers see now (a scheduled order applies by itself at its time), writes
with If-Match, revisions and the events they leave behind."""

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.articles import service as articles
from app.articles.models import Article
from app.articles.visibility import PUBLIC, Reader, visible
from app.caching import content_version, keys
from app.collections.errors import CollectionExists, CollectionInUse, CollectionNotFound, CollectionSlugTaken
from app.collections.models import Collection, CollectionItem, CollectionRevision, CollectionSchedule, StoredOrder
from app.collections.schemas import (
    COLLECTIONS,
    CollectionChange,
    CollectionPublic,
    CollectionRevisionPublic,
    CollectionSummary,
    CollectionWrite,
    Entry,
    ItemIn,
    ScheduledOrder,
    key,
)
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import InvalidField
from app.db.upserts import conflict_insert
from app.outbox import service as outbox
from app.taxonomy import service as taxonomy
from app.taxonomy.models import Section
from app.web.conditional import PreconditionFailed, none_match_refuses, require_current

UPDATED = "collection.updated"


def find(session: Session, slug: str, *, for_update: bool = False) -> Collection | None:
    query = select(Collection).where(Collection.slug == slug)
    return session.exec(query.with_for_update() if for_update else query).first()


def get(session: Session, slug: str) -> Collection:
    collection = find(session, slug)
    if collection is None:
        raise CollectionNotFound(f"No collection has the slug '{slug}'.", slug=slug)
    return collection


def page(session: Session, *, limit: int, cursor: str | None) -> tuple[list[Collection], int, str | None]:
    """A page by slug, the total and the next cursor."""
    query = select(Collection)
    if cursor:
        after, _ = decode_cursor(cursor, str)
        query = query.where(col(Collection.slug) > after)
    rows = session.exec(query.order_by(col(Collection.slug)).limit(limit + 1)).all()
    shown = list(rows[:limit])
    total = session.exec(select(func.count()).select_from(Collection)).one()
    next_cursor = encode_cursor(shown[-1].slug, shown[-1].id) if len(rows) > limit else None
    return shown, total, next_cursor


def current_order(session: Session, collection: Collection, now: datetime) -> StoredOrder:
    """The order readers see at `now`: the last one set, or a scheduled one that came due after it."""
    due = session.exec(
        select(CollectionSchedule)
        .where(
            CollectionSchedule.collection_id == collection.id,
            col(CollectionSchedule.apply_at) <= now,
            col(CollectionSchedule.apply_at) > collection.ordered_at,
        )
        .order_by(col(CollectionSchedule.apply_at).desc(), col(CollectionSchedule.id).desc())
        .limit(1)
    ).first()
    if due is not None:
        return due.items
    items = session.exec(
        select(CollectionItem)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(col(CollectionItem.position))
    ).all()
    return [{"article_id": item.article_id, "label": item.label} for item in items]


def _section_slug(session: Session, section_id: int | None) -> str | None:
    return session.get(Section, section_id).slug if section_id is not None else None  # type: ignore[union-attr]


def summary(session: Session, collection: Collection) -> CollectionSummary:
    return CollectionSummary(
        slug=collection.slug,
        title=collection.title,
        max_items=collection.max_items,
        fallback_section=_section_slug(session, collection.fallback_section_id),
        updated_at=collection.updated_at,
    )


def shown_ids(
    session: Session, collection: Collection, *, now: datetime, reader: Reader = PUBLIC
) -> tuple[list[int], dict[int, str | None]]:
    """The articles `reader` sees, in order: the picks it may read, up to `max_items`, then the
    fallback section's newest; a hidden pick leaves no gap, the rest move up. With each pick's label."""
    order = current_order(session, collection, now)
    wanted = [item["article_id"] for item in order]
    readable = set(session.exec(select(Article.id).where(col(Article.id).in_(wanted), visible(now, reader))).all())
    picks = [item for item in order if item["article_id"] in readable][: collection.max_items]
    ids = [item["article_id"] for item in picks]
    labels = {item["article_id"]: item.get("label") for item in picks}
    room = collection.max_items - len(ids)
    if room > 0 and collection.fallback_section_id is not None:
        newest = session.exec(
            select(Article.id)
            .where(Article.section_id == collection.fallback_section_id, visible(now), col(Article.id).not_in(ids))
            .order_by(col(Article.published_at).desc(), col(Article.id).desc())
            .limit(room)
        ).all()
        ids += list(newest)
    return ids, labels


def shown(session: Session, collection: Collection, *, now: datetime, reader: Reader = PUBLIC) -> CollectionPublic:
    """The collection as `reader` sees it (see `shown_ids`); for editors, with the orders to come."""
    ids, labels = shown_ids(session, collection, now=now, reader=reader)
    picked = {
        slug: labels[id]
        for id, slug in session.exec(select(Article.id, Article.slug).where(col(Article.id).in_(labels))).all()
    }
    entries = [
        Entry(label=picked.get(article.slug), article=article, picked=article.slug in picked)
        for article in articles.summaries(session, ids, now=now)
    ]
    return CollectionPublic(
        **summary(session, collection).model_dump(),
        items=entries,
        scheduled=_scheduled(session, collection, now) if reader.preview else None,
    )


def _scheduled(session: Session, collection: Collection, now: datetime) -> list[ScheduledOrder]:
    coming = session.exec(
        select(CollectionSchedule)
        .where(CollectionSchedule.collection_id == collection.id, col(CollectionSchedule.apply_at) > now)
        .order_by(col(CollectionSchedule.apply_at), col(CollectionSchedule.id))
    ).all()
    return [ScheduledOrder(apply_at=order.apply_at, items=_items_in(order.items)) for order in coming]


def _items_in(order: StoredOrder) -> list[ItemIn]:
    return [ItemIn(article=item["article"], label=item.get("label")) for item in order]


def _resolved(session: Session, items: list[ItemIn]) -> StoredOrder:
    """The order as stored, each slug resolved to its article; an unknown or repeated one is a 422 naming it."""
    found = dict(
        session.exec(select(Article.slug, Article.id).where(col(Article.slug).in_({i.article for i in items}))).all()
    )
    seen: set[str] = set()
    for position, item in enumerate(items):
        pointer = f"#/items/{position}/article"
        if item.article not in found:
            raise InvalidField(pointer, f"No article has the slug '{item.article}'.")
        if item.article in seen:
            raise InvalidField(pointer, f"'{item.article}' is already in the collection.")
        seen.add(item.article)
    return [{"article_id": found[i.article], "article": i.article, "label": i.label} for i in items]


def _fallback_section(session: Session, slug: str | None) -> int | None:
    if slug is None:
        return None
    section = taxonomy.section_by_slug(session, slug)
    if section is None:
        raise InvalidField("#/fallback_section", f"No section has the slug '{slug}'.")
    return section.id


def put(
    session: Session,
    slug: str,
    body: CollectionWrite,
    *,
    now: datetime,
    actor: str,
    reader: Reader,
    if_match: str | None,
    if_none_match: str | None = None,
) -> tuple[Collection, bool]:
    """Create or replace the collection and commit; True when it was created. The order applies now,
    or from `apply_at` on. Every order is kept as a revision; caches and webhooks hear of it."""
    collection = find(session, slug, for_update=True)
    current = None if collection is None else shown(session, collection, now=now, reader=reader)
    if none_match_refuses(if_none_match, current):
        raise _exists(slug)
    # Even `If-Match: *` asks for a collection that exists (RFC 9110 §13.1.1).
    if collection is None and if_match is not None:
        raise PreconditionFailed("The collection does not exist; send no If-Match to create it.")
    if current is not None:
        require_current(if_match, lambda: current)
    if body.apply_at is not None and body.apply_at <= now:
        raise InvalidField("#/apply_at", "A scheduled order needs a time in the future; leave it out for now.")
    order = _resolved(session, body.items)
    fallback = _fallback_section(session, body.fallback_section)
    created = collection is None
    if collection is None:
        collection = _created(session, slug, body, now=now, create_only=if_none_match is not None)
    collection.title, collection.max_items, collection.fallback_section_id = body.title, body.max_items, fallback
    collection.updated_at = now
    session.add(collection)
    session.flush()
    if body.apply_at is None:
        collection.ordered_at = now
        session.execute(delete(CollectionItem).where(col(CollectionItem.collection_id) == collection.id))
        session.add_all(
            CollectionItem(collection_id=collection.id, position=n, article_id=item["article_id"], label=item["label"])
            for n, item in enumerate(order)
        )
    else:
        session.add(
            CollectionSchedule(collection_id=collection.id, apply_at=body.apply_at, created_at=now, items=order)
        )
    session.add(
        CollectionRevision(
            collection_id=collection.id, created_at=now, actor=actor, apply_at=body.apply_at, items=order
        )
    )
    content_version.bump(session, key(slug), COLLECTIONS)
    _announce(session, collection, now=now)
    session.commit()
    return collection, created


def _exists(slug: str) -> CollectionExists:
    detail = f"A collection already has the slug '{slug}'."
    return CollectionExists(detail, slug=slug, errors=[{"detail": detail, "parameter": "slug"}])


def _created(session: Session, slug: str, body: CollectionWrite, *, now: datetime, create_only: bool) -> Collection:
    """The new collection, locked; one that a concurrent PUT created first is taken over instead,
    as a PUT without If-Match takes over an existing one, unless the PUT may only create."""
    values = {"slug": slug, "title": body.title, "max_items": body.max_items, "ordered_at": now, "updated_at": now}
    insert = conflict_insert(session.get_bind(), Collection).values(**values)
    inserted = session.execute(insert.on_conflict_do_nothing(index_elements=["slug"])).rowcount  # type: ignore[attr-defined]
    if not inserted and create_only:
        raise _exists(slug)
    return session.exec(select(Collection).where(Collection.slug == slug).with_for_update()).one()


def _announce(session: Session, collection: Collection, *, now: datetime) -> None:
    payload = {"slug": collection.slug, "title": collection.title, "updated_at": collection.updated_at.isoformat()}
    outbox.emit(session, UPDATED, payload, now=now)


def _current(session: Session, slug: str, *, now: datetime, reader: Reader, if_match: str | None) -> Collection:
    """The collection, locked, as long as If-Match still names what the caller read."""
    collection = find(session, slug, for_update=True)
    if collection is None:
        raise CollectionNotFound(f"No collection has the slug '{slug}'.", slug=slug)
    require_current(if_match, lambda: shown(session, collection, now=now, reader=reader))
    return collection


def _sections_picking(session: Session, slug: str) -> list[Section]:
    return list(session.exec(select(Section).where(Section.editors_picks == slug).order_by(col(Section.slug))).all())


def change(
    session: Session, slug: str, body: CollectionChange, *, now: datetime, reader: Reader, if_match: str | None
) -> Collection:
    """Rename or retitle the collection and commit. The sections that name it as their editors'
    picks follow a new slug in the same transaction, so none is left naming nothing."""
    collection = _current(session, slug, now=now, reader=reader, if_match=if_match)
    if body.title is not None:
        collection.title = body.title
    purged = [key(slug), COLLECTIONS]
    if body.slug is not None and body.slug != slug:
        if find(session, body.slug) is not None:
            raise CollectionSlugTaken(f"The slug '{body.slug}' belongs to another collection.", slug=body.slug)
        followers = _sections_picking(session, slug)
        session.execute(update(Section).where(col(Section.editors_picks) == slug).values(editors_picks=body.slug))
        purged += [key(body.slug), keys.SECTIONS, *(keys.section(section.slug) for section in followers)]
        collection.slug = body.slug
    collection.updated_at = now
    session.add(collection)
    content_version.bump(session, *purged)
    _announce(session, collection, now=now)
    session.commit()
    return collection


def remove(session: Session, slug: str, *, now: datetime, reader: Reader, if_match: str | None) -> None:
    collection = _current(session, slug, now=now, reader=reader, if_match=if_match)
    if followers := [section.slug for section in _sections_picking(session, slug)]:
        raise CollectionInUse(
            f"Sections name '{slug}' as their editors' picks: {', '.join(followers)}.", sections=followers
        )
    session.delete(collection)
    content_version.bump(session, key(slug), COLLECTIONS)
    session.commit()


def revisions(session: Session, collection: Collection) -> list[CollectionRevisionPublic]:
    """Every order the collection was given, newest first."""
    rows = session.exec(
        select(CollectionRevision)
        .where(CollectionRevision.collection_id == collection.id)
        .order_by(col(CollectionRevision.id).desc())
    ).all()
    return [
        CollectionRevisionPublic(
            id=row.id, created_at=row.created_at, actor=row.actor, apply_at=row.apply_at, items=_items_in(row.items)
        )
        for row in rows
    ]

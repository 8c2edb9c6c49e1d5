"""One directory of what articles link to (authors, sections, tags): A-to-Z pages with cached totals,
autocomplete by prefix, article counts, slug claiming, adding, changing and removing an entry. Each
domain describes its kind with a `Directory`; nothing here knows which kinds there are."""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Mapped
from sqlmodel import Session, and_, col, exists, false, func, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from app.articles.models import Article
from app.articles.touch import touch_articles
from app.articles.visibility import PUBLIC, Reader, visible
from app.caching import content_version
from app.caching.counts import ContentCache
from app.caching.keys import ARTICLES
from app.core.cursors import decode_cursor, encode_cursor
from app.core.errors import InvalidParameter, ProblemError
from app.core.patching import Patch
from app.core.slugs import slugify
from app.web.conditional import require_current


class Row(Protocol):
    """A directory table's row."""

    __tablename__: ClassVar[Any]

    id: int
    slug: str
    name: str

    def __init__(self, **columns: Any) -> None: ...


Entry = TypeVar("Entry", bound=Row)
Shown_contra = TypeVar("Shown_contra", bound=Row, contravariant=True)


class Public(Protocol[Shown_contra]):
    """The wire shape of an entry, with its count from the published articles per entry id."""

    def from_row(self, entry: Shown_contra, article_counts: Mapping[int, int], /) -> BaseModel: ...


@dataclass
class DirectoryPage(Generic[Entry]):
    entries: list[Entry]
    total: int
    next_cursor: str | None
    # Published articles per entry id.
    article_counts: dict[int, int]


@dataclass(frozen=True)
class Directory(Generic[Entry]):
    """One kind of entry: its table and shapes, the problems it answers with, and how articles link to it."""

    model: type[Entry]
    public: Public[Entry]
    create_body: type[BaseModel]
    update_body: type[Patch]
    not_found: type[ProblemError]
    slug_taken: type[ProblemError]
    # The link table's article and entry columns; where an article has one entry, its own id and column.
    article_id: Mapped[int]
    entry_id: Mapped[int | None]
    # False: listed only while a published article carries it, whoever asks (tags). True: listed
    # unless all its articles are hidden from the reader, so the list depends on the caller's key.
    lists_unused: bool = True
    # Removing an entry with articles is refused with `still_used` unless `reassign_to` names an heir,
    # to whom `hand_over(session, entry id, heir id)` moves them; without it, the links just go.
    still_used: type[ProblemError] | None = None
    hand_over: Callable[[Session, int, int], None] | None = None
    # The columns of a new row from a create body, but its slug.
    fields_of: Callable[[Any], dict[str, Any]] = lambda data: data.model_dump(exclude={"slug"})
    # Checks of the fields a create or change writes that only the database can answer; raises a problem.
    check_fields: Callable[[Session, Mapping[str, Any]], None] = lambda session, fields: None

    @property
    def noun(self) -> str:
        return str(self.model.__tablename__)

    def key(self, slug: str) -> str:
        """The surrogate key of the answers that show this entry (app.caching.keys)."""
        return f"{self.noun}:{slug}"

    @property
    def list_key(self) -> str:
        return f"{self.noun}s"

    def articles_of(self, entry: Entry) -> SelectOfScalar[int]:
        return select(self.article_id).where(self.entry_id == entry.id)

    def _with_article(self) -> ColumnElement[bool]:
        # Joins the link table to the article; a tautology when the link is the article itself.
        return col(Article.id) == self.article_id

    def listed(self, reader: Reader, now: datetime) -> ColumnElement[bool] | None:
        """An entry whose every article is hidden from the reader would give those stories away."""
        linked = col(self.entry_id) == self.model.id
        if not self.lists_unused:
            return exists().where(linked, self._with_article(), visible(now))
        if reader.preview:
            return None
        return or_(~exists().where(linked), exists().where(linked, self._with_article(), visible(now, reader)))

    def prefix_condition(self, prefix: str) -> ColumnElement[bool]:
        """Any word of the name starts with the prefix, ignoring case and accents (through the slug)."""
        wanted = slugify(prefix)
        if not wanted:
            return false()
        slug = col(self.model.slug)
        return or_(slug.startswith(wanted), slug.contains(f"-{wanted}"))

    def article_counts(
        self, session: Session, entries: list[Entry], *, now: datetime, cache: ContentCache
    ) -> dict[int, int]:
        """Visible articles per entry, for a whole page of entries in one query."""
        ids = [entry.id for entry in entries]

        def count() -> dict[int, int]:
            query = select(self.entry_id, func.count()).where(
                col(self.entry_id).in_(ids), self._with_article(), visible(now)
            )
            return {
                entry_id: n for entry_id, n in session.exec(query.group_by(self.entry_id)).all() if entry_id is not None
            }

        return cache.get(session, (f"{self.noun}-counts", tuple(ids)), count, now=now)

    def shown(self, session: Session, entry: Entry, *, now: datetime, cache: ContentCache) -> BaseModel:
        return self.public.from_row(entry, self.article_counts(session, [entry], now=now, cache=cache))

    def page(
        self,
        session: Session,
        *,
        limit: int,
        cursor: str | None,
        now: datetime,
        cache: ContentCache,
        prefix: str | None = None,
        reader: Reader = PUBLIC,
    ) -> DirectoryPage[Entry]:
        """A page A to Z by name (ties broken by id), the total and the next cursor."""
        model = self.model
        conditions = [
            c for c in (self.prefix_condition(prefix) if prefix else None, self.listed(reader, now)) if c is not None
        ]
        where = and_(*conditions) if conditions else None
        query = select(model) if where is None else select(model).where(where)
        if cursor:
            after_name, after_id = decode_cursor(cursor, str)
            name, id_ = col(model.name), col(model.id)
            query = query.where(name >= after_name, or_(name > after_name, id_ > after_id))
        rows = session.exec(query.order_by(col(model.name), col(model.id)).limit(limit + 1)).all()
        entries = list(rows[:limit])
        next_cursor = encode_cursor(entries[-1].name, entries[-1].id) if len(rows) > limit else None
        count = select(func.count()).select_from(model)
        cache_key: Hashable = (prefix, reader)
        total = cache.get(
            session,
            (self.noun, "total", cache_key),
            lambda: session.exec(count if where is None else count.where(where)).one(),
            now=now,
        )
        return DirectoryPage(entries, total, next_cursor, self.article_counts(session, entries, now=now, cache=cache))

    def find(self, session: Session, slug: str) -> Entry | None:
        return session.exec(select(self.model).where(self.model.slug == slug)).first()

    def by_slug(self, session: Session, slugs: Iterable[str]) -> dict[str, Entry]:
        rows = session.exec(select(self.model).where(col(self.model.slug).in_(set(slugs)))).all()
        return {entry.slug: entry for entry in rows}

    def get(self, session: Session, slug: str, *, now: datetime | None = None, reader: Reader = PUBLIC) -> Entry:
        """The entry with this slug, or the directory's 404; with `now`, only one listed for the reader."""
        query = select(self.model).where(self.model.slug == slug)
        where = self.listed(reader, now) if now is not None else None
        entry = session.exec(query if where is None else query.where(where)).first()
        if entry is None:
            raise self.not_found(f"No {self.noun} has the slug '{slug}'.", slug=slug)
        return entry

    def claim_slug(self, session: Session, slug: str, *, current: Entry | None = None) -> str:
        owner = self.find(session, slug)
        if owner is not None and owner is not current:
            raise self.slug_taken(f"The slug '{slug}' belongs to another {self.noun}.", slug=slug)
        return slug

    def add(self, session: Session, data: Any, *, now: datetime | None = None) -> Entry:
        """Stage a new entry in the session's transaction; the caller commits. The slug asked for,
        or one made from the name, must be free."""
        fields = self.fields_of(data)
        self.check_fields(session, fields)
        if now is not None and hasattr(self.model, "created_at"):
            fields |= {"created_at": now, "updated_at": now}
        entry = self.model(**fields, slug=self.claim_slug(session, data.slug or slugify(data.name) or self.noun))
        session.add(entry)
        session.flush()
        content_version.bump(session, self.list_key)
        return entry

    def create(self, session: Session, data: Any, *, now: datetime | None = None) -> Entry:
        entry = self.add(session, data, now=now)
        session.commit()
        return entry

    def _unchanged_since_read(
        self, session: Session, slug: str, *, now: datetime, cache: ContentCache, if_match: str | None
    ) -> Entry:
        """The entry to change, as long as If-Match still names what the caller read."""
        entry = self.get(session, slug)
        require_current(if_match, lambda: self.shown(session, entry, now=now, cache=cache))
        return entry

    def change(
        self,
        session: Session,
        slug: str,
        patch: Patch,
        *,
        now: datetime,
        cache: ContentCache,
        if_match: str | None = None,
    ) -> Entry:
        """Apply a PATCH body and commit; an omitted or empty slug keeps the current one. The articles
        that show the entry are marked changed, since their JSON embeds it."""
        entry = self._unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
        changes = patch.changes()
        self.check_fields(session, changes)
        before = entry.slug
        if changes.get("slug"):
            self.claim_slug(session, changes["slug"], current=entry)
        changes = {key: value for key, value in changes.items() if key != "slug" or value}
        if hasattr(self.model, "updated_at"):
            changes["updated_at"] = now
        for key, value in changes.items():
            setattr(entry, key, value)
        session.add(entry)
        touch_articles(session, self.articles_of(entry), now=now)
        content_version.bump(session, self.key(before), self.key(entry.slug), self.list_key, ARTICLES)
        session.commit()
        return entry

    def remove(
        self,
        session: Session,
        slug: str,
        *,
        reassign_to: str | None = None,
        now: datetime,
        cache: ContentCache,
        if_match: str | None = None,
    ) -> None:
        """Delete the entry and commit; its articles pass to `reassign_to`, or lose the entry when the
        kind allows. The articles changed are marked so, since their JSON embeds the entry."""
        entry = self._unchanged_since_read(session, slug, now=now, cache=cache, if_match=if_match)
        articles = self.articles_of(entry)
        if self.still_used is None or self.hand_over is None:
            touch_articles(session, articles, now=now)
        elif reassign_to is None:
            if session.exec(articles.limit(1)).first() is not None:
                raise self.still_used(
                    f"'{entry.slug}' still has articles; pass reassign_to=<{self.noun} slug> to hand them over.",
                    slug=entry.slug,
                )
        else:
            heir = self.find(session, reassign_to)
            if heir is None:
                raise InvalidParameter("reassign_to", f"No {self.noun} has the slug '{reassign_to}'.")
            if heir.id == entry.id:
                raise InvalidParameter("reassign_to", f"'{entry.slug}' cannot take over its own articles.")
            touch_articles(session, articles, now=now)
            self.hand_over(session, entry.id, heir.id)
        session.delete(entry)
        content_version.bump(session, self.key(entry.slug), self.list_key, ARTICLES)
        session.commit()

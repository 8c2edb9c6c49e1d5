"""Directories of authors, sections and tags: A-to-Z pages with cached totals, autocomplete by
prefix, slug claiming, changes, and handing a removed entry's articles to another."""

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request, Response
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, false, func, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from app import content_version
from app.articles.touch import touch_articles
from app.authors.models import Author
from app.content_cache import ContentCache
from app.errors import InvalidParameter, ProblemError
from app.http_cache.keys import ARTICLES
from app.pagination import decode_cursor, encode_cursor, page_response
from app.patching import Patch
from app.slugs import slugify
from app.taxonomy.models import Section, Tag

Entry = TypeVar("Entry", Author, Section, Tag)
Shown = TypeVar("Shown")

NamePrefix = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="Autocomplete: names with a word starting with this."),
]


@dataclass
class DirectoryPage(Generic[Entry]):
    entries: list[Entry]
    total: int
    next_cursor: str | None
    # The directory's list key, which purges its pages (app.http_cache.keys).
    kind: str
    # Published articles per entry id.
    article_counts: dict[int, int] = field(default_factory=dict)

    def shown(self, as_public: Callable[[Entry, Mapping[int, int]], Shown]) -> list[Shown]:
        return [as_public(entry, self.article_counts) for entry in self.entries]

    def respond(
        self, request: Request, response: Response, as_public: Callable[[Entry, Mapping[int, int]], Shown]
    ) -> dict:
        """The page envelope of the entries as shown."""
        shown = self.shown(as_public)
        return page_response(request, response, shown, total=self.total, next_cursor=self.next_cursor, kind=self.kind)


@dataclass(frozen=True)
class Directory(Generic[Entry]):
    """One directory table and the problems its routes answer with."""

    model: type[Entry]
    not_found: type[ProblemError]
    slug_taken: type[ProblemError]

    @property
    def noun(self) -> str:
        return str(self.model.__tablename__)

    def key(self, slug: str) -> str:
        """The surrogate key of the answers that show this entry (app.http_cache.keys)."""
        return f"{self.noun}:{slug}"

    @property
    def list_key(self) -> str:
        return f"{self.noun}s"

    def prefix_condition(self, prefix: str) -> ColumnElement[bool]:
        """Any word of the name starts with the prefix, ignoring case and accents (through the slug)."""
        wanted = slugify(prefix)
        if not wanted:
            return false()
        slug = col(self.model.slug)
        return or_(slug.startswith(wanted), slug.contains(f"-{wanted}"))

    def page(
        self,
        session: Session,
        *,
        limit: int,
        cursor: str | None,
        now: datetime,
        cache: ContentCache,
        where: ColumnElement[bool] | None = None,
        cache_key: Hashable = None,
    ) -> DirectoryPage[Entry]:
        """A page A to Z by name (ties broken by id), the total and the next cursor."""
        model = self.model
        query = select(model) if where is None else select(model).where(where)
        if cursor:
            after_name, after_id = decode_cursor(cursor, str)
            name, id_ = col(model.name), col(model.id)
            query = query.where(name >= after_name, or_(name > after_name, id_ > after_id))
        rows = session.exec(query.order_by(col(model.name), col(model.id)).limit(limit + 1)).all()
        entries = list(rows[:limit])
        next_cursor = encode_cursor(entries[-1].name, entries[-1].id) if len(rows) > limit else None
        count = select(func.count()).select_from(model)
        total = cache.get(
            session,
            (self.noun, "total", cache_key),
            lambda: session.exec(count if where is None else count.where(where)).one(),
            now=now,
        )
        return DirectoryPage(entries, total, next_cursor, self.list_key)

    def get(self, session: Session, slug: str, *, where: ColumnElement[bool] | None = None) -> Entry:
        """The entry with this slug that meets `where`, or the directory's 404."""
        query = select(self.model).where(self.model.slug == slug)
        entry = session.exec(query if where is None else query.where(where)).first()
        if entry is None:
            raise self.not_found(f"No {self.noun} has the slug '{slug}'.", slug=slug)
        return entry

    def claim_slug(self, session: Session, slug: str, *, current: Entry | None = None) -> str:
        owner = session.exec(select(self.model).where(self.model.slug == slug)).first()
        if owner is not None and owner is not current:
            raise self.slug_taken(f"The slug '{slug}' belongs to another {self.noun}.", slug=slug)
        return slug

    def new_slug(self, session: Session, wanted: str | None, name: str) -> str:
        """The slug asked for, or one made from the name; either must be free."""
        return self.claim_slug(session, wanted or slugify(name) or self.noun)

    def change(
        self, session: Session, entry: Entry, patch: Patch, *, articles: SelectOfScalar[int], now: datetime
    ) -> Entry:
        """Apply a PATCH body and commit; an omitted or empty slug keeps the current one. The articles
        that show the entry are marked changed, since their JSON embeds it."""
        changes = patch.changes()
        before = entry.slug
        if changes.get("slug"):
            self.claim_slug(session, changes["slug"], current=entry)
        entry.sqlmodel_update({key: value for key, value in changes.items() if key != "slug" or value})
        if "updated_at" in self.model.model_fields:
            entry.sqlmodel_update({"updated_at": now})
        session.add(entry)
        touch_articles(session, articles, now=now)
        content_version.bump(session, self.key(before), self.key(entry.slug), self.list_key, ARTICLES)
        session.commit()
        return entry

    def remove(
        self,
        session: Session,
        entry: Entry,
        *,
        reassign_to: str | None,
        articles: SelectOfScalar[int],
        still_used: type[ProblemError],
        hand_over: Callable[[Entry], None],
        now: datetime,
    ) -> None:
        """Delete the entry and commit; its articles pass to `reassign_to` through `hand_over`.

        Refuses to leave articles without their author or section; the articles handed over are
        marked changed, since their JSON embeds the entry."""
        if reassign_to is None:
            if session.exec(articles.limit(1)).first() is not None:
                raise still_used(
                    f"'{entry.slug}' still has articles; pass reassign_to=<{self.noun} slug> to hand them over.",
                    slug=entry.slug,
                )
        else:
            heir = session.exec(select(self.model).where(self.model.slug == reassign_to)).first()
            if heir is None:
                raise InvalidParameter("reassign_to", f"No {self.noun} has the slug '{reassign_to}'.")
            if heir.id == entry.id:
                raise InvalidParameter("reassign_to", f"'{entry.slug}' cannot take over its own articles.")
            touch_articles(session, articles, now=now)
            hand_over(heir)
        session.delete(entry)
        content_version.bump(session, self.key(entry.slug), self.list_key, ARTICLES)
        session.commit()

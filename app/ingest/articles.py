"""Storing one chunk of records in the caller's transaction: new articles in a few statements for the
whole chunk, existing ones through the write API's own rules, each with its revision."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

import orjson
from sqlalchemy import Connection, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from app.articles import editing, pictures, written
from app.articles.errors import SlugTaken
from app.articles.models import (
    Article,
    ArticleAuthor,
    ArticleMedia,
    ArticleRevision,
    ArticleTag,
    Correction,
)
from app.articles.revisions import changes_between, record_revision, snapshot, snapshot_of
from app.articles.service import full_loading
from app.articles.visibility import Reader, visible
from app.auth.errors import MissingScope, SectionForbidden
from app.auth.models import Scope
from app.authors.models import Author
from app.caching import content_version, keys
from app.core import acting
from app.core.errors import ProblemError
from app.db.columns import core_table
from app.db.engines import bulk_insert, draw_ids
from app.ingest import comments, references
from app.ingest.errors import ExternalIdTaken
from app.ingest.references import References
from app.ingest.schemas import IngestRecord
from app.taxonomy.models import Section, Tag

Status = Literal["created", "updated", "unchanged", "failed"]
# Stored as they come; the rest need the database or derive from others.
_OWN_FIELDS = ("title", "subtitle", "comments_open", "canonical_url", "excerpt", "body", "featured_image")
_ARTICLE = core_table(Article)
# Numbered slugs (base-2, base-3, …) first checked at once for a chunk's repeated headlines.
_NUMBERS_LOOKED_UP = 10
_LAST_NUMBER = 10_000
# The slugs travel as one parameter: an IN list of each chunk's own length would be a new statement
# every time, and the driver keeps prepared statements (thousands of parameters each) in its cache.
_TAKEN_SQLITE = text(
    "SELECT slug FROM article WHERE slug IN (SELECT value FROM json_each(:slugs)) UNION "
    "SELECT old_slug FROM article_slug_redirect WHERE old_slug IN (SELECT value FROM json_each(:slugs))"
)
_TAKEN_POSTGRES = text(
    "SELECT slug FROM article WHERE slug = ANY(CAST(:slugs AS varchar[])) UNION "
    "SELECT old_slug FROM article_slug_redirect WHERE old_slug = ANY(CAST(:slugs AS varchar[]))"
)
_COLUMNS = [column.key for column in _ARTICLE.columns if column.key != "id"]


@dataclass
class Stored:
    """What became of one record of the chunk."""

    status: Status
    slug: str | None = None
    article_id: int | None = None
    error: Exception | None = None


@dataclass
class Chunk:
    records: list[IngestRecord]
    now: datetime
    actor: str
    reader: Reader
    results: list[Stored] = field(default_factory=list)
    purges: set[str] = field(default_factory=set)

    def fail(self, index: int, error: Exception) -> None:
        self.results[index] = Stored("failed", self.records[index].slug, error=error)


def key_of(record: IngestRecord) -> str:
    """What a record is upserted by: its external id, else its slug (given, or made from its title)."""
    if record.external_id is not None:
        return "external:" + record.external_id
    return "slug:" + (record.slug or editing.slug_base(record.title))


def _own_changes(record: IngestRecord) -> dict[str, Any]:
    changes: dict[str, Any] = {name: getattr(record, name) for name in _OWN_FIELDS}
    # The blocks themselves, as the write API passes them: a picture's words the record left unset
    # then stay the library's.
    changes["body"] = list(record.body)
    changes["status"] = record.status
    changes["embargo_until"] = record.embargo_until
    # Without a time, publishing means now, unless the article is already live: a re-import keeps it.
    if record.published_at is not None:
        changes["published_at"] = record.published_at
    return changes


class Match(NamedTuple):
    """The stored article a record's key names, its section, and whether the importing key may see it."""

    id: int
    slug: str
    embargo_until: datetime | None
    visible: bool
    section: str | None


def _matches(session: Session, chunk: Chunk) -> dict[str, Match]:
    """Stored articles by record key."""
    records = chunk.records
    external = {r.external_id for r in records if r.external_id is not None}
    slugs = {key_of(r).removeprefix("slug:") for r in records if r.external_id is None}
    if not external and not slugs:
        return {}
    # What the key may see comes from the one visibility rule, as a column of the same lookup.
    rows = session.execute(
        sa_select(
            col(Article.id),
            col(Article.slug),
            col(Article.external_id),
            col(Article.embargo_until),
            visible(chunk.now, chunk.reader),
            col(Section.slug),
        )
        .outerjoin(Section, col(Section.id) == col(Article.section_id))
        .where(or_(col(Article.external_id).in_(external), col(Article.slug).in_(slugs)))
    ).all()
    found: dict[str, Match] = {}
    for id, slug, external_id, embargo_until, seen, section in rows:
        if external_id in external:
            found["external:" + external_id] = Match(id, slug, embargo_until, bool(seen), section)
        if slug in slugs:
            found["slug:" + slug] = Match(id, slug, embargo_until, bool(seen), section)
    return found


def _refusal(chunk: Chunk, record: IngestRecord, match: Match | None) -> ProblemError | None:
    """What the importing caller may not do, refused before anything is compared or stored: write
    outside the sections a person is bound to, or, without `content:embargo`, touch an embargo. An
    article out of the caller's sight is refused as a slug or id held by another article would be,
    so no answer (a dry run's "unchanged" least of all) confirms its text."""
    if match is not None and not match.visible:
        if record.external_id is not None:
            return ExternalIdTaken(
                f"The external id '{record.external_id}' belongs to an article this key cannot change.",
                external_id=record.external_id,
            )
        return SlugTaken.held(match.slug)
    if (outside := _outside_sections(chunk.reader.sections, record, match)) is not None:
        return outside
    if chunk.reader.embargoed:
        return None
    current = match.embargo_until if match is not None else None
    if editing.changes_embargo(current, {"embargo_until": record.embargo_until}):
        return MissingScope(
            "Setting, moving or lifting an embargo needs the 'content:embargo' scope.",
            scope=Scope.content_embargo.value,
        )
    return None


def _outside_sections(
    sections: frozenset[str] | None, record: IngestRecord, match: Match | None
) -> ProblemError | None:
    """A section-bound person imports only into their sections, and changes only their sections' stories."""
    if sections is None:
        return None
    if match is not None and match.section not in sections:
        return SectionForbidden(
            f"The article '{match.slug}' is in a section your account may not write in.", section=match.section
        )
    if record.section is None or not sections.intersection(references.slugs_named(record.section)):
        return SectionForbidden(
            f"Your account imports only into its sections: {', '.join(sorted(sections))}.", section=None
        )
    return None


def _taken_slugs(session: Session, slugs: set[str]) -> set[str]:
    """Which of these slugs an article holds, now or formerly."""
    if not slugs:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return set(session.execute(_TAKEN_POSTGRES, {"slugs": sorted(slugs)}).scalars())
    return set(session.execute(_TAKEN_SQLITE, {"slugs": orjson.dumps(sorted(slugs)).decode()}).scalars())


def _corrections(record: IngestRecord, current: list[Correction], now: datetime) -> list[tuple[str, datetime]]:
    """The corrections the record asks for; one sent without a time keeps the time it was stored with."""
    stored = {c.text: c.published_at for c in current}
    return [(c.text, c.published_at or stored.get(c.text) or now) for c in record.corrections]


def _numbered_slug(session: Session, base: str, taken: set[str], *, known: int = 0) -> str:
    """The base, or the first of base-2, base-3… that is free, looked up by exact slugs (indexed), not
    by prefix: archives repeat headlines, and a prefix scan per record would grow with the archive.
    `taken` already says which of base-2 … base-(known + 1) are used."""
    if base not in taken:
        return base
    free = next((slug for n in range(2, known + 2) if (slug := f"{base}-{n}") not in taken), None)
    if free is not None:
        return free
    for start in range(known + 2, _LAST_NUMBER, 100):
        candidates = [f"{base}-{n}" for n in range(start, start + 100)]
        used = taken | _taken_slugs(session, set(candidates))
        free = next((slug for slug in candidates if slug not in used), None)
        if free is not None:
            return free
    raise SlugTaken(f"Every numbered slug from '{base}' is taken.", slug=base)


@dataclass
class Draft:
    """The article a record describes, built in memory and never added to the session: its own
    fields on an Article, its relations beside it (attaching them through the ORM would cost more
    than storing the article)."""

    article: Article
    authors: list[Author]
    section: Section | None
    tags: list[Tag]
    corrections: list[tuple[str, datetime]]

    def snapshot(self) -> dict[str, Any]:
        return snapshot_of(
            self.article, authors=self.authors, section=self.section, tags=self.tags, corrections=self.corrections
        )


def _look_up_numbers(session: Session, repeated: Counter[str], taken: set[str]) -> dict[str, int]:
    """For headlines that need numbered slugs (base-2, base-3, …), how many of those numbers are now
    in `taken`: enough for as many free ones as the chunk needs. Looked up for all of them at once, a
    widening range at a time, not a query per record: archives repeat headlines, some many times."""
    known: dict[str, int] = {}
    start, width = 2, _NUMBERS_LOOKED_UP
    while repeated and start < _LAST_NUMBER:
        end = start + width
        taken |= _taken_slugs(session, {f"{base}-{n}" for base in repeated for n in range(start, end)})
        for base, needed in list(repeated.items()):
            if sum(f"{base}-{n}" not in taken for n in range(2, end)) >= needed:
                known[base] = end - 2
                del repeated[base]
        start, width = end, width * 2
    return known


def _draft(
    session: Session,
    chunk: Chunk,
    refs: References,
    record: IngestRecord,
    slug: str,
    *,
    stored: Article | None = None,
) -> Draft:
    """For a bulk insert, or to compare with the `stored` article it would update."""
    now = chunk.now
    article = Article(
        slug=slug, title=record.title, external_id=record.external_id, created_at=now, excerpt="", body=[]
    )
    if stored is not None:
        # The lifecycle rules look at where the article stands: a live one keeps its time.
        article.status, article.published_at = stored.status, stored.published_at
    editing.apply_own_fields(article, _own_changes(record), now=now)
    # Library pictures are stored with what the library shows of them, as the write API stores them.
    pictures.show_pictures(session, article)
    article.updated_at = record.updated_at or now
    section = references.section_of(refs, record)
    article.section_id = section.id if section else None
    corrections = _corrections(record, stored.corrections if stored is not None else [], now)
    return Draft(article, references.authors_of(refs, record), section, references.tags_of(refs, record), corrections)


def _insert_articles(connection: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert new articles, returning their ids in the rows' order: drawn first, so the rows go in
    as one bulk insert (the import holds the write lock)."""
    ids = draw_ids(connection, _ARTICLE, len(rows))
    bulk_insert(connection, _ARTICLE, [row | {"id": id} for row, id in zip(rows, ids, strict=True)])
    return ids


def _create(session: Session, chunk: Chunk, refs: References, creates: list[int]) -> None:
    now = chunk.now
    wanted = {slug for i in creates if (slug := chunk.records[i].slug) is not None}
    bases = {i: editing.slug_base(chunk.records[i].title) for i in creates if chunk.records[i].slug is None}
    taken = _taken_slugs(session, wanted | set(bases.values()))
    # Numbers each headline needs: one per record if it is taken already, one fewer if not.
    needs = Counter({base: count - (base not in taken) for base, count in Counter(bases.values()).items()})
    known = _look_up_numbers(session, +needs, taken)
    built: list[tuple[int, Draft]] = []
    for i in creates:
        record = chunk.records[i]
        slug = record.slug
        if slug is not None and slug in taken:
            chunk.fail(i, SlugTaken.held(slug))
            continue
        if slug is None:
            slug = _numbered_slug(session, bases[i], taken, known=known.get(bases[i], 0))
        try:
            draft = _draft(session, chunk, refs, record, slug)
        except ProblemError as refused:
            chunk.fail(i, refused)
            continue
        # Claimed by this chunk now: the same set, not a copy per record.
        taken.add(slug)
        built.append((i, draft))
    if not built:
        return
    rows = [{name: getattr(draft.article, name) for name in _COLUMNS} for _, draft in built]
    connection = session.connection()
    ids = _insert_articles(connection, rows)
    links, tags, corrections, revisions, shown = [], [], [], [], []
    for (i, draft), id in zip(built, ids, strict=True):
        article = draft.article
        article.id = id
        links += [{"article_id": id, "author_id": author.id, "position": n} for n, author in enumerate(draft.authors)]
        tags += [{"article_id": id, "tag_id": tag.id} for tag in draft.tags]
        shown += [{"article_id": id, "media_id": media_id} for media_id in pictures.media_ids(article)]
        corrections += [{"article_id": id, "text": text, "published_at": at} for text, at in draft.corrections]
        state = draft.snapshot()
        revisions.append(
            {
                "article_id": id,
                "number": 1,
                "actor": chunk.actor,
                "user_id": acting.acting_user_id(),
                "created_at": now,
                "changes": changes_between({}, state),
                "snapshot": state,
            }
        )
        chunk.results[i] = Stored("created", article.slug, id)
        chunk.purges.add(keys.article(article.slug))
    for table, rows in (
        (ArticleAuthor, links),
        (ArticleTag, tags),
        (ArticleMedia, shown),
        (Correction, corrections),
        (ArticleRevision, revisions),
    ):
        bulk_insert(connection, core_table(table), rows)
    written.created(session, [draft.article for _, draft in built], now=now)


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    # Tags have no order: they are listed by name whatever order they were given in.
    return state | {"tags": sorted(state["tags"])}


def _says_the_same(record: IngestRecord, article: Article, wanted: Draft) -> bool:
    """Whether the record (built as `wanted`) would leave the article as it is, found without touching
    it: re-imports of unchanged archives are mostly this."""
    return (
        _comparable(wanted.snapshot()) == _comparable(snapshot(article))
        and (record.external_id or article.external_id) == article.external_id
        and (record.updated_at or article.updated_at) == article.updated_at
    )


def _update(session: Session, chunk: Chunk, refs: References, article: Article, i: int) -> None:
    """Apply the record to a stored article as an editor's full edit would; unchanged when it says
    what the article already says."""
    record, now = chunk.records[i], chunk.now
    before, last_changed, old_slug, old_external_id, seen = (
        snapshot(article),
        article.updated_at,
        article.slug,
        article.external_id,
        written.seen(article, now),
    )
    old_corrections = [(c.text, c.published_at) for c in article.corrections]
    try:
        # The lifecycle rules refuse here, before the article is touched.
        wanted = _draft(session, chunk, refs, record, record.slug or article.slug, stored=article)
    except ProblemError as refused:
        chunk.fail(i, refused)
        return
    if _says_the_same(record, article, wanted):
        chunk.results[i] = Stored("unchanged", article.slug, article.id)
        return
    section = references.section_of(refs, record)
    changes = _own_changes(record) | {
        "authors": [author.slug for author in references.authors_of(refs, record)],
        "section": section.slug if section else None,
        "tags": [tag.name for tag in references.tags_of(refs, record)],
    }
    try:
        if record.slug is not None:
            # Checked before anything changes: a refused record must leave the article as it was.
            editing.free_slug(session, record.slug, for_article=article.id)
            changes["slug"] = record.slug
        # Nothing reaches the database before the record is known to change the article.
        with session.no_autoflush:
            editing.apply_changes(session, article, changes, now=now)
    except SlugTaken as refused:
        chunk.fail(i, refused)
        return
    corrections = wanted.corrections
    if corrections != old_corrections:
        article.corrections = [Correction(text=text, published_at=at) for text, at in corrections]
    if record.external_id is not None:
        article.external_id = record.external_id
    after = snapshot(article)
    changed = (
        _comparable(after) != _comparable(before)
        or corrections != old_corrections
        or article.external_id != old_external_id
    )
    article.updated_at = record.updated_at or (now if changed else last_changed)
    if not (changed or article.updated_at != last_changed):
        # Values set again as they were still count as changes to the ORM: forget them.
        session.expire(article)
        chunk.results[i] = Stored("unchanged", article.slug, article.id)
        return
    session.flush()
    pictures.link_pictures(session, article)
    if _comparable(after) != _comparable(before):
        # Compared as listed: tags given in another order are no change to record.
        record_revision(
            session, article, before=_comparable(before), after=_comparable(after), actor=chunk.actor, now=now
        )
    if changed:
        written.written(session, article, seen, now=now)
    chunk.results[i] = Stored("updated", article.slug, article.id)
    chunk.purges.update((keys.article(old_slug), keys.article(article.slug)))


def store_chunk(session: Session, chunk: Chunk) -> None:
    """Store the chunk's records (keys unique within it) in the session's transaction, without committing.
    Each record's fate lands in `chunk.results`."""
    records, now = chunk.records, chunk.now
    chunk.results = [Stored("unchanged") for _ in records]
    matched = _matches(session, chunk)
    for i, record in enumerate(records):
        refused = _refusal(chunk, record, matched.get(key_of(record)))
        if refused is not None:
            chunk.fail(i, refused)
    # Refused records make no authors, sections or tags: a new tag could give an embargoed story away.
    admitted = [i for i, result in enumerate(chunk.results) if result.status != "failed"]
    refs, errors = references.resolve(session, [records[i] for i in admitted], now=now)
    for n, error in errors.items():
        chunk.fail(admitted[n], error)
    stored_ids = [matched[key_of(r)].id for r in records if key_of(r) in matched]
    stored_comments = comments.existing_comments(session, stored_ids)
    for i, record in enumerate(records):
        if chunk.results[i].status == "failed":
            continue
        match = matched.get(key_of(record))
        problem = comments.threading_error(record.comments, stored_comments.get(match.id if match else 0, {}))
        if problem is not None:
            chunk.fail(i, problem)
    pending = [i for i, result in enumerate(chunk.results) if result.status != "failed"]
    _create(session, chunk, refs, [i for i in pending if key_of(records[i]) not in matched])
    updates = {matched[key_of(records[i])].id: i for i in pending if key_of(records[i]) in matched}
    if updates:
        query = select(Article).where(col(Article.id).in_(updates)).options(*full_loading())
        if session.get_bind().dialect.name == "postgresql":
            # Concurrent editors queue behind the import, as they queue behind each other.
            query = query.with_for_update(of=Article, key_share=True)
        for article in session.exec(query.execution_options(populate_existing=True)).unique().all():
            _update(session, chunk, refs, article, updates[article.id])
    landed = {i: result for i, result in enumerate(chunk.results) if result.article_id is not None}
    with_comments = {
        result.article_id: records[i].comments
        for i, result in landed.items()
        if records[i].comments and result.article_id is not None
    }
    changed = comments.upsert_comments(session, with_comments, stored_comments, now=now) if with_comments else set()
    for result in landed.values():
        if result.article_id in changed:
            chunk.purges.add(keys.comments(result.slug or ""))
            if result.status == "unchanged":
                result.status = "updated"
    if any(result.status in ("created", "updated") for result in chunk.results):
        content_version.bump(session, *keys.ARTICLE_LISTS, *chunk.purges)

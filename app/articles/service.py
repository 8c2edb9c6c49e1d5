"""Reading articles: who sees what, listing with keyset pagination, loading one."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import sqlalchemy
from sqlalchemy import BindParameter, ColumnElement, Subquery, bindparam
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption
from sqlmodel import Session, and_, col, func, or_, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from app.articles.errors import ArticleMoved, ArticleNotFound, InvalidPreviewToken
from app.articles.models import (
    Article,
    ArticleAuthor,
    ArticleSlugRedirect,
    ArticleStatus,
    ArticleTag,
    status_at,
)
from app.articles.schemas import ArticleFilters, ArticleSummary
from app.articles.visibility import PUBLIC, Reader, editor, published, visible
from app.authors.models import Author
from app.caching.counts import ContentCache
from app.core.cursors import MAX_INT_KEY, decode_cursor, encode_cursor
from app.db.columns import core_table, loadable
from app.search.fulltext import FullTextIndex, index_for
from app.search.query import Term, parse
from app.taxonomy.models import Section, Tag

# Loader options are immutable: each set is built once and shared by every query.
Loading = tuple[LoaderOption, ...]
# Above this many matches, a newest-first search walks the articles rather than the matches.
MANY_MATCHES = 1000
# A first page by relevance looks for its articles among this many times as many best matches.
BEST_FIRST = 4


@cache
def summary_loading() -> Loading:
    return (
        joinedload(loadable(Article.section)),
        selectinload(loadable(Article.author_links)).selectinload(loadable(ArticleAuthor.author)),
        selectinload(loadable(Article.tags)),
    )


@cache
def summary_joined_loading() -> Loading:
    """Summaries in two queries: for a handful of articles, fewer round trips beat four. Tags come in a
    query of their own: joined, the many-to-many join is nested, and SQLite materialises it over every
    tagged article."""
    return (
        joinedload(loadable(Article.section)),
        joinedload(loadable(Article.author_links)).joinedload(loadable(ArticleAuthor.author)),
        selectinload(loadable(Article.tags)),
    )


@cache
def full_loading() -> Loading:
    return (*summary_loading(), selectinload(loadable(Article.corrections)))


@cache
def one_article_loading() -> Loading:
    """What full_loading loads, for one article: its authors joined to it, three queries in all
    rather than five (an edit, which reads its article first, took a tenth less CPU)."""
    return (*summary_joined_loading(), selectinload(loadable(Article.corrections)))


def _in_status(status: ArticleStatus, now: datetime, reader: Reader) -> tuple[ColumnElement[bool], str]:
    """The condition for one lifecycle state, and the name of the column that state is listed by."""
    match status:
        case ArticleStatus.published:
            return published(now, reader), "published_at"
        case ArticleStatus.scheduled:
            scheduled = and_(Article.status == "published", col(Article.published_at) > now)
            return and_(scheduled, visible(now, reader)), "published_at"
        case _:
            return and_(col(Article.status) == status.value, visible(now, reader)), "updated_at"


def _filtered(filters: ArticleFilters, condition: ColumnElement[bool], now: datetime) -> list[ColumnElement[bool]]:
    conditions = [condition]
    if filters.section:
        conditions.append(
            col(Article.section_id) == select(Section.id).where(Section.slug == filters.section).scalar_subquery()
        )
    for tag_slug in filters.tag:
        conditions.append(
            col(Article.id).in_(
                select(ArticleTag.article_id).join(Tag, col(Tag.id) == ArticleTag.tag_id).where(Tag.slug == tag_slug)
            )
        )
    for author_slug in filters.author:
        conditions.append(
            col(Article.id).in_(
                select(ArticleAuthor.article_id)
                .join(Author, col(Author.id) == ArticleAuthor.author_id)
                .where(Author.slug == author_slug)
            )
        )
    if filters.embargoed:
        conditions.append(col(Article.embargo_until) > now)
    if filters.published_after:
        conditions.append(col(Article.published_at) >= filters.published_after)
    if filters.published_before:
        conditions.append(col(Article.published_at) < filters.published_before)
    if filters.updated_since:
        since = filters.updated_since
        # Going live or out of embargo changes what readers see without anyone writing.
        conditions.append(
            or_(
                col(Article.updated_at) >= since,
                and_(col(Article.published_at) >= since, col(Article.published_at) <= now),
                and_(col(Article.embargo_until) >= since, col(Article.embargo_until) <= now),
            )
        )
    return conditions


@dataclass
class Listing:
    """One page of a listing, as the ids of its articles in order."""

    ids: list[int]
    total: int
    next_cursor: str | None
    snippets: dict[int, str] = field(default_factory=dict)


@dataclass
class SummaryPage:
    summaries: list[ArticleSummary]
    total: int
    next_cursor: str | None


def list_summaries(
    session: Session,
    filters: ArticleFilters,
    *,
    now: datetime,
    limit: int,
    cursor: str | None,
    cache: ContentCache,
    reader: Reader = PUBLIC,
) -> SummaryPage:
    """One page of article summaries, as lists show them."""
    found = listing(session, filters, now=now, limit=limit, cursor=cursor, cache=cache, reader=reader)
    return SummaryPage(summaries(session, found.ids, now=now, snippets=found.snippets), found.total, found.next_cursor)


def listing(
    session: Session,
    filters: ArticleFilters,
    *,
    now: datetime,
    limit: int,
    cursor: str | None,
    cache: ContentCache,
    reader: Reader = PUBLIC,
) -> Listing:
    """One page, newest first or best match first, plus the total and the cursor of the next page.
    Only ids and sort keys are read here, which the listing indexes cover."""
    condition, sort_key = _in_status(filters.status, now, reader)
    sort_column = col(getattr(Article, sort_key))
    conditions = _filtered(filters, condition, now)
    terms = parse(filters.q) if filters.q else None
    index = index_for(session)
    by_relevance = terms is not None and filters.sort != "newest"
    count = select(func.count()).select_from(Article)
    if terms:
        found = index.matches(session, terms)
        count = count.join(found, found.c.article_id == Article.id)
    total = cache.get(
        session,
        ("articles", filters.model_dump_json(), reader),
        lambda: session.exec(count.where(*conditions)).one(),
        now=now,
    )
    shown_columns = (col(Article.id), sort_column)
    query: Any = select(*shown_columns)
    if terms:
        matches = index.matches(session, terms, ranked=by_relevance)
        if by_relevance or total <= MANY_MATCHES:
            query = query.join(matches, matches.c.article_id == Article.id)
        else:
            # Walking the newest articles until a page is full beats sorting every match. `+ 0`
            # keeps the planner off the id index, so it takes the newest-first one.
            query = query.where((col(Article.id) + 0).in_(select(matches.c.article_id)))
    query = query.where(*conditions)
    offset = shown = 0
    if by_relevance:
        query = query.order_by(matches.c.rank, col(Article.id))
        if cursor:
            shown, after_id = decode_cursor(cursor, int)
            query, offset = _after_match(session, query, matches, conditions, shown, after_id)
    else:
        if cursor:
            after_time, after_id = decode_cursor(cursor, datetime)
            # Keyset, not offset: offsets skip or repeat items when articles are published mid-scroll.
            query = query.where(sort_column <= after_time, or_(sort_column < after_time, col(Article.id) < after_id))
        query = query.order_by(sort_column.desc(), col(Article.id).desc())
    rows: Sequence[Any] | None = None
    if terms and by_relevance and not cursor and not _narrowed(filters):
        rows = _best_first(session, index, terms, shown_columns, conditions, limit=limit, total=total)
    if rows is None:
        rows = session.exec(query.offset(offset).limit(limit + 1)).all()
    ids = [row[0] for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last_id, last_sort_key = rows[limit - 1]
        next_cursor = encode_cursor(min(shown + limit, MAX_INT_KEY) if by_relevance else last_sort_key, last_id)
    snippets = index.snippets(session, terms, ids) if terms and ids else {}
    return Listing(ids, total, next_cursor, snippets)


def _narrowed(filters: ArticleFilters) -> bool:
    """Whether the filters hide more than readers cannot see: the best matches may then all be hidden."""
    return filters.status is not ArticleStatus.published or any(
        (
            filters.section,
            filters.tag,
            filters.author,
            filters.embargoed,
            filters.published_after,
            filters.published_before,
            filters.updated_since,
        )
    )


def _best_first(
    session: Session,
    index: FullTextIndex,
    terms: list[Term],
    shown_columns: tuple[Any, ...],
    conditions: list[ColumnElement[bool]],
    *,
    limit: int,
    total: int,
) -> Sequence[Any] | None:
    """The first page by relevance from the best ranked matches alone, or None when too many of
    them are hidden from the reader. Every match is ranked either way, but only these few are
    joined to their articles: a third of the time for a common word."""
    best = index.matches(session, terms, ranked=True, best=BEST_FIRST * (limit + 1))
    rows = session.exec(
        select(*shown_columns)
        .join(best, best.c.article_id == Article.id)
        .where(*conditions)
        .order_by(best.c.rank, col(Article.id))
        .limit(limit + 1)
    ).all()
    return rows if len(rows) == min(limit + 1, total) else None


def articles_by_ids(session: Session, ids: list[int], loading: Loading) -> list[Article]:
    """Whole articles, in the order of `ids`, with what `loading` names."""
    found = session.exec(select(Article).where(col(Article.id).in_(ids)).options(*loading))
    loaded = {article.id: article for article in found.unique()}
    return [loaded[id] for id in ids if id in loaded]


_ARTICLES, _SECTIONS, _AUTHORS, _TAGS = core_table(Article), core_table(Section), core_table(Author), core_table(Tag)
_BYLINES, _TAGGED = core_table(ArticleAuthor), core_table(ArticleTag)
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_SUMMARY_ROWS = (
    sqlalchemy.select(
        *(
            _ARTICLES.c[name]
            for name in (
                "id",
                "slug",
                "title",
                "subtitle",
                "excerpt",
                "featured_image",
                "status",
                "published_at",
                "embargo_until",
                "updated_at",
                "word_count",
                "reading_time_minutes",
                "comment_count",
            )
        ),
        _SECTIONS.c.slug.label("section_slug"),
        _SECTIONS.c.name.label("section_name"),
    )
    .outerjoin(_SECTIONS, _SECTIONS.c.id == _ARTICLES.c.section_id)
    .where(_ARTICLES.c.id.in_(_IDS))
)
_BYLINE_ROWS = (
    sqlalchemy.select(
        _BYLINES.c.article_id,
        _AUTHORS.c.slug,
        _AUTHORS.c.name,
        _AUTHORS.c.role,
        _AUTHORS.c.bio,
        _AUTHORS.c.avatar_url,
    )
    .join(_AUTHORS, _AUTHORS.c.id == _BYLINES.c.author_id)
    .where(_BYLINES.c.article_id.in_(_IDS))
    .order_by(_BYLINES.c.article_id, _BYLINES.c.position)
)
_TAG_ROWS = (
    sqlalchemy.select(_TAGGED.c.article_id, _TAGS.c.slug, _TAGS.c.name)
    .join(_TAGS, _TAGS.c.id == _TAGGED.c.tag_id)
    .where(_TAGGED.c.article_id.in_(_IDS))
    .order_by(_TAGS.c.name, _TAGS.c.id)
)


def summaries(
    session: Session, ids: list[int], *, now: datetime, snippets: dict[int, str] | None = None
) -> list[ArticleSummary]:
    """The summaries of these articles, in this order, read as plain rows: three statements,
    without building the ORM objects, which cost most of a list page's time."""
    if not ids:
        return []
    connection = session.connection()
    bylines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for article_id, *author in connection.execute(_BYLINE_ROWS, {"ids": ids}):
        bylines[article_id].append(dict(zip(("slug", "name", "role", "bio", "avatar_url"), author, strict=True)))
    tags: dict[int, list[dict[str, str]]] = defaultdict(list)
    for article_id, slug, name in connection.execute(_TAG_ROWS, {"ids": ids}):
        tags[article_id].append({"slug": slug, "name": name})
    rows = {row.id: row for row in connection.execute(_SUMMARY_ROWS, {"ids": ids})}
    snippets = snippets or {}
    return [
        ArticleSummary.model_validate(
            {
                "slug": row.slug,
                "title": row.title,
                "subtitle": row.subtitle,
                "excerpt": row.excerpt,
                "featured_image": row.featured_image,
                "authors": bylines[id],
                "section": {"slug": row.section_slug, "name": row.section_name} if row.section_slug else None,
                "tags": tags[id],
                "status": status_at(row.status, row.published_at, now),
                "published_at": row.published_at,
                "embargo_until": row.embargo_until,
                "updated_at": row.updated_at,
                "word_count": row.word_count,
                "reading_time_minutes": row.reading_time_minutes,
                "comment_count": row.comment_count,
                "snippet": snippets.get(id),
            }
        )
        # A listing's ids may name an article deleted since, when reads see no single snapshot.
        for id in ids
        if (row := rows.get(id)) is not None
    ]


def _after_match(
    session: Session,
    query: Select[Any],
    matches: Subquery,
    conditions: list[ColumnElement[bool]],
    shown: int,
    after_id: int,
) -> tuple[Select[Any], int]:
    """Continue a relevance listing after the last article shown, at its rank now.

    The cursor holds that article and how many were shown, never a rank: ranks shift as the
    corpus changes (drafts included), and would tell a reader about articles they cannot see.
    The article must still be in the listing, so a cursor naming a draft learns nothing; if it
    has left, the listing goes on from the count, one fewer for the article that left.
    """
    rank = session.exec(
        select(matches.c.rank)
        .join(Article, col(Article.id) == matches.c.article_id)
        .where(matches.c.article_id == after_id, *conditions)
    ).first()
    if rank is None:
        return query, max(shown - 1, 0)
    return query.where(matches.c.rank >= rank, or_(matches.c.rank > rank, col(Article.id) > after_id)), 0


def _moved_or_missing(session: Session, slug: str, *, now: datetime, reader: Reader) -> Exception:
    # Only readers who may see the article learn its new slug.
    current = session.exec(
        select(Article.slug)
        .join(ArticleSlugRedirect, col(ArticleSlugRedirect.article_id) == Article.id)
        .where(ArticleSlugRedirect.old_slug == slug, visible(now, reader))
    ).first()
    if current is not None:
        return ArticleMoved(slug, current)
    return ArticleNotFound.for_slug(slug)


@lru_cache(maxsize=64)
def _one_article(reader: Reader, loading: Loading, for_update: bool) -> SelectOfScalar[Article]:
    """Built once for each kind of reader and read: building the statement and its cache key cost
    more than a tenth of an edit's CPU."""
    query = select(Article).where(Article.slug == bindparam("slug"), visible(bindparam("now"), reader))
    query = query.options(*loading)
    if for_update:
        # Serialises concurrent editors on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
        # populate_existing: the locked read must replace what an earlier, unlocked read left in the session.
        # NO KEY UPDATE: editors queue, while comments and pins may still reference the row meanwhile.
        query = query.with_for_update(of=Article, key_share=True).execution_options(populate_existing=True)
    return query


def get_article(
    session: Session,
    slug: str,
    *,
    now: datetime,
    reader: Reader = PUBLIC,
    for_update: bool = False,
    loading: Loading | None = None,
) -> Article:
    """The article the reader may see under this slug; a former slug raises ArticleMoved."""
    query = _one_article(reader, loading or one_article_loading(), for_update)
    article = session.exec(query, params={"slug": slug, "now": now}).unique().one_or_none()
    if article is None:
        raise _moved_or_missing(session, slug, now=now, reader=reader)
    return article


def get_previewable(session: Session, slug: str, token_article_id: int, *, now: datetime, reader: Reader) -> Article:
    """The article a preview token opens, whatever its status but not before its embargo lifts
    (unless the caller's own key may see it); the token must be for this article."""
    if session.exec(select(Article.slug).where(Article.id == token_article_id)).first() != slug:
        raise InvalidPreviewToken("This preview token is for another article.")
    return get_article(session, slug, now=now, reader=editor(embargoed=reader.embargoed))

"""Reading articles: who sees what, listing with keyset pagination, loading one."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Subquery
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad
from sqlmodel import Session, and_, col, func, or_, select
from sqlmodel.sql.expression import Select

from app.articles.errors import ArticleMoved, ArticleNotFound, InvalidPreviewToken
from app.articles.models import Article, ArticleAuthor, ArticleSlugRedirect, ArticleStatus, ArticleTag
from app.articles.schemas import ArticleFilters
from app.articles.visibility import PUBLIC, Reader, editor, published, visible
from app.authors.models import Author
from app.columns import loadable
from app.content_cache import ContentCache
from app.pagination import MAX_INT_KEY, decode_cursor, encode_cursor
from app.search.fulltext import index_for
from app.search.query import parse
from app.taxonomy.models import Section, Tag

Loading = tuple[_AbstractLoad, ...]
# Above this many matches, a newest-first search walks the articles rather than the matches.
MANY_MATCHES = 1000


def summary_loading() -> Loading:
    return (
        joinedload(loadable(Article.section)),
        selectinload(loadable(Article.author_links)).selectinload(loadable(ArticleAuthor.author)),
        selectinload(loadable(Article.tags)),
    )


def summary_joined_loading() -> Loading:
    """Summaries in two queries: for a handful of articles, fewer round trips beat four. Tags come in a
    query of their own: joined, the many-to-many join is nested, and SQLite materialises it over every
    tagged article."""
    return (
        joinedload(loadable(Article.section)),
        joinedload(loadable(Article.author_links)).joinedload(loadable(ArticleAuthor.author)),
        selectinload(loadable(Article.tags)),
    )


def full_loading() -> Loading:
    return (*summary_loading(), selectinload(loadable(Article.corrections)))


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
class ArticlePage:
    articles: list[Article]
    total: int
    next_cursor: str | None
    snippets: dict[int, str] = field(default_factory=dict)


def list_articles(
    session: Session,
    filters: ArticleFilters,
    *,
    now: datetime,
    limit: int,
    cursor: str | None,
    cache: ContentCache,
    reader: Reader = PUBLIC,
    loading: Loading | None = None,
) -> ArticlePage:
    """One page, newest first or best match first, plus the total and the cursor of the next page.
    Articles come loaded as summaries unless `loading` says otherwise."""
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
    if terms:
        # Ids first, then the page's articles: matches run to thousands, and sorting them with their
        # bodies costs more than the search.
        matches = index.matches(session, terms, ranked=by_relevance)
        query: Any = select(col(Article.id))
        if by_relevance or total <= MANY_MATCHES:
            query = query.join(matches, matches.c.article_id == Article.id)
        else:
            # Walking the newest articles until a page is full beats sorting every match. `+ 0`
            # keeps the planner off the id index, so it takes the newest-first one.
            query = query.where((col(Article.id) + 0).in_(select(matches.c.article_id)))
    else:
        query = select(Article).options(*(loading or summary_loading()))
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
    rows = session.exec(query.offset(offset).limit(limit + 1)).all()
    articles: list[Article] = _by_ids(session, rows[:limit], loading) if terms else list(rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = articles[-1]
        next_cursor = encode_cursor(
            min(shown + limit, MAX_INT_KEY) if by_relevance else getattr(last, sort_key), last.id
        )
    snippets = index.snippets(session, terms, [a.id for a in articles]) if terms and articles else {}
    return ArticlePage(articles, total, next_cursor, snippets)


def _by_ids(session: Session, ids: list[int], loading: Loading | None) -> list[Article]:
    found = session.exec(select(Article).where(col(Article.id).in_(ids)).options(*(loading or summary_loading())))
    loaded = {article.id: article for article in found.unique()}
    return [loaded[id] for id in ids]


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
    query = select(Article).where(Article.slug == slug, visible(now, reader)).options(*(loading or full_loading()))
    if for_update:
        # Serialises concurrent editors on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
        # populate_existing: the locked read must replace what an earlier, unlocked read left in the session.
        # NO KEY UPDATE: editors queue, while comments and pins may still reference the row meanwhile.
        query = query.with_for_update(of=Article, key_share=True).execution_options(populate_existing=True)
    article = session.exec(query).unique().one_or_none()
    if article is None:
        raise _moved_or_missing(session, slug, now=now, reader=reader)
    return article


def get_previewable(session: Session, slug: str, token_article_id: int, *, now: datetime, reader: Reader) -> Article:
    """The article a preview token opens, whatever its status but not before its embargo lifts
    (unless the caller's own key may see it); the token must be for this article."""
    if session.exec(select(Article.slug).where(Article.id == token_article_id)).first() != slug:
        raise InvalidPreviewToken("This preview token is for another article.")
    return get_article(session, slug, now=now, reader=editor(embargoed=reader.embargoed))

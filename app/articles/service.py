"""Article rules and queries: visibility, listing with keyset pagination, creation."""

from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from app.articles import blocks
from app.articles.errors import ArticleNotFound, SlugTaken
from app.articles.models import Article, ArticleAuthor, ArticleStatus, ArticleTag, Correction
from app.articles.schemas import ArticleCreate, ArticleFilters
from app.articles.totals import ListTotals
from app.articles.visibility import visible
from app.authors import service as authors
from app.authors.models import Author
from app.errors import InvalidField
from app.pagination import decode_cursor, encode_cursor
from app.slugs import slugify
from app.taxonomy import service as taxonomy
from app.taxonomy.models import Section, Tag


def _summary_loading():
    return (
        selectinload(Article.section),
        selectinload(Article.author_links).selectinload(ArticleAuthor.author),
        selectinload(Article.tags),
    )


def _filtered(filters: ArticleFilters, now: datetime):
    conditions = [visible(now)]
    if filters.section:
        conditions.append(
            Article.section_id == select(Section.id).where(Section.slug == filters.section).scalar_subquery()
        )
    for tag_slug in filters.tag:
        conditions.append(
            Article.id.in_(
                select(ArticleTag.article_id).join(Tag, Tag.id == ArticleTag.tag_id).where(Tag.slug == tag_slug)
            )
        )
    for author_slug in filters.author:
        conditions.append(
            Article.id.in_(
                select(ArticleAuthor.article_id)
                .join(Author, Author.id == ArticleAuthor.author_id)
                .where(Author.slug == author_slug)
            )
        )
    if filters.published_after:
        conditions.append(Article.published_at >= filters.published_after)
    if filters.published_before:
        conditions.append(Article.published_at < filters.published_before)
    if filters.updated_since:
        conditions.append(Article.updated_at >= filters.updated_since)
    return conditions


def list_articles(
    session: Session,
    filters: ArticleFilters,
    *,
    now: datetime,
    limit: int,
    cursor: str | None,
    totals: ListTotals,
) -> tuple[list[Article], int, str | None]:
    """One page, newest first, plus the total and the cursor of the next page."""
    conditions = _filtered(filters, now)
    total = totals.total(
        session,
        filters.model_dump_json(),
        lambda: session.exec(select(func.count()).select_from(Article).where(*conditions)).one(),
        now=now,
    )
    page_query = select(Article).where(*conditions)
    if cursor:
        after_time, after_id = decode_cursor(cursor, datetime)
        # Keyset, not offset: offsets skip or repeat items when articles are published mid-scroll.
        page_query = page_query.where(
            Article.published_at <= after_time,
            or_(Article.published_at < after_time, Article.id < after_id),
        )
    rows = session.exec(
        page_query.order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit + 1)
        .options(*_summary_loading())
    ).all()
    page = list(rows[:limit])
    next_cursor = encode_cursor(page[-1].published_at, page[-1].id) if len(rows) > limit else None
    return page, total, next_cursor


def get_visible_article(session: Session, slug: str, *, now: datetime) -> Article:
    article = session.exec(
        select(Article)
        .where(Article.slug == slug, visible(now))
        .options(*_summary_loading(), selectinload(Article.corrections))
    ).first()
    if article is None:
        raise ArticleNotFound(f"No published article has the slug '{slug}'.", slug=slug)
    return article


def _available_slug(session: Session, wanted: str | None, title: str) -> str:
    if wanted is not None:
        slug = slugify(wanted)
        if not slug or slug != wanted:
            raise InvalidField("#/slug", f"'{wanted}' is not a valid slug; try '{slug}'.")
        if session.exec(select(Article.id).where(Article.slug == slug)).first() is not None:
            raise SlugTaken(f"The slug '{slug}' is already used by another article.", slug=slug)
        return slug
    base = slugify(title) or "article"
    taken = set(session.exec(select(Article.slug).where(Article.slug.startswith(base))).all())
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def add_article(session: Session, data: ArticleCreate, *, now: datetime) -> Article:
    """Stage a new article in the session's transaction; the caller commits."""
    author_rows = authors.authors_by_slug(session, data.authors)
    missing = [slug for slug in data.authors if slug not in author_rows]
    if missing:
        raise InvalidField("#/authors", f"Unknown author slug(s): {', '.join(missing)}.")
    section = None
    if data.section is not None:
        section = taxonomy.section_by_slug(session, data.section)
        if section is None:
            raise InvalidField("#/section", f"Unknown section slug: {data.section}.")

    status = data.status
    published_at = data.published_at
    if status in (ArticleStatus.published, ArticleStatus.scheduled):
        published_at = published_at or now
        if status is ArticleStatus.scheduled and published_at <= now:
            raise InvalidField("#/published_at", "A scheduled article needs a published_at in the future.")
    words = blocks.word_count(data.body)
    article = Article(
        slug=_available_slug(session, data.slug, data.title),
        title=data.title,
        subtitle=data.subtitle,
        excerpt=data.excerpt or blocks.derive_excerpt(data.body),
        body=[block.model_dump(exclude_none=True) for block in data.body],
        featured_image=data.featured_image.model_dump(exclude_none=True) if data.featured_image else None,
        section=section,
        status="published" if status is ArticleStatus.scheduled else status.value,
        published_at=published_at,
        comments_open=data.comments_open,
        canonical_url=data.canonical_url,
        word_count=words,
        reading_time_minutes=blocks.reading_time_minutes(words),
        created_at=now,
        updated_at=now,
        author_links=[
            ArticleAuthor(author=author_rows[slug], position=position)
            for position, slug in enumerate(dict.fromkeys(data.authors))
        ],
        tags=taxonomy.tags_for_names(session, data.tags),
        corrections=[
            Correction(text=c.text, published_at=c.published_at or now) for c in data.corrections
        ],
    )
    session.add(article)
    session.flush()
    return article


def create_article(session: Session, data: ArticleCreate, *, now: datetime) -> Article:
    article = add_article(session, data, now=now)
    session.commit()
    return article

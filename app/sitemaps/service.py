"""Sitemaps for search engines: an index over pages of at most BYLINE_SITEMAP_PAGE_SIZE article URLs
(50,000, the protocol's limit), and a Google News sitemap of the last 48 hours. Pages are ranges of
article ids, so a page is read with one indexed range scan, never by loading the archive."""

from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.articles.links import reader_url
from app.articles.models import Article
from app.articles.visibility import changed_for_readers_column, visible
from app.core.settings import Settings
from app.core.xml_text import xml_text
from app.taxonomy.models import Section

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def index(session: Session, *, now: datetime, settings: Settings) -> str:
    size = settings.sitemap_page_size
    page = (col(Article.id) - 1) // size
    rows = session.execute(
        select(page, func.max(changed_for_readers_column())).where(visible(now)).group_by(page).order_by(page)
    ).all()
    entries = "".join(
        f"<sitemap><loc>{settings.base_url}/sitemaps/articles-{int(number) + 1}.xml</loc>"
        f"<lastmod>{_w3c(lastmod)}</lastmod></sitemap>\n"
        for number, lastmod in rows
    )
    return f'{_HEAD}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n'


def page(session: Session, number: int, *, now: datetime, settings: Settings) -> str:
    size = settings.sitemap_page_size
    first, last = (number - 1) * size + 1, number * size
    rows = session.execute(
        select(col(Article.slug), col(Section.slug), col(Article.canonical_url), changed_for_readers_column())
        .outerjoin(Section, col(Section.id) == Article.section_id)
        .where(visible(now), col(Article.id).between(first, last))
        .order_by(col(Article.id))
    )
    urls = "".join(
        f"<url><loc>{escape(reader_url(settings, slug=slug, section=section, canonical_url=canonical))}</loc>"
        f"<lastmod>{_w3c(updated)}</lastmod></url>\n"
        for slug, section, canonical, updated in rows
    )
    return f'{_HEAD}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'


def news(session: Session, *, now: datetime, settings: Settings) -> str:
    rows = session.execute(
        select(
            col(Article.slug),
            col(Section.slug),
            col(Article.canonical_url),
            col(Article.title),
            col(Article.published_at),
        )
        .outerjoin(Section, col(Section.id) == Article.section_id)
        .where(visible(now), col(Article.published_at) > now - NEWS_WINDOW)
        .order_by(col(Article.published_at).desc())
        .limit(NEWS_LIMIT)
    )
    publication = (
        f"<news:publication><news:name>{escape(settings.site_name)}</news:name>"
        f"<news:language>{escape(settings.site_language)}</news:language></news:publication>"
    )
    urls = "".join(
        f"<url><loc>{escape(reader_url(settings, slug=slug, section=section, canonical_url=canonical))}</loc>"
        f"<news:news>{publication}<news:publication_date>{_w3c(published)}</news:publication_date>"
        f"<news:title>{escape(xml_text(title))}</news:title></news:news></url>\n"
        for slug, section, canonical, title, published in rows
    )
    namespaces = (
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    )
    return f"{_HEAD}<urlset {namespaces}>\n{urls}</urlset>\n"


def _w3c(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""

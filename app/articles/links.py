"""Where readers read an article or an author's page: the URLs feeds, sitemaps, page heads and emails give."""

from app.core.settings import Settings


def reader_url(settings: Settings, *, slug: str, section: str | None, canonical_url: str | None) -> str:
    """The article's canonical URL, else the frontend pattern (BYLINE_ARTICLE_URL), else the example
    site's page when it is served, else the API's."""
    if canonical_url:
        return canonical_url
    if settings.article_url:
        return settings.article_url.format(slug=slug, section=section or "news")
    return _page_or_api(settings, "article", "articles", slug)


def author_url(settings: Settings, slug: str) -> str:
    """The frontend pattern (BYLINE_AUTHOR_URL), else the example site's page when it is served, else the API's."""
    if settings.author_url:
        return settings.author_url.format(slug=slug)
    return _page_or_api(settings, "author", "authors", slug)


def _page_or_api(settings: Settings, page: str, collection: str, slug: str) -> str:
    # The example site's pages (app/frontend/site) take the slug as a query parameter.
    if settings.serve_frontend:
        return f"{settings.base_url}/{page}.html?slug={slug}"
    return f"{settings.base_url}/api/v1/{collection}/{slug}"

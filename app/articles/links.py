"""Where readers read an article: the URL feeds and sitemaps give for it."""

from app.settings import Settings


def reader_url(settings: Settings, *, slug: str, section: str | None, canonical_url: str | None) -> str:
    """The article's canonical URL, else the frontend pattern (BYLINE_ARTICLE_URL), else the API's."""
    if canonical_url:
        return canonical_url
    if settings.article_url:
        return settings.article_url.format(slug=slug, section=section or "news")
    return f"{settings.base_url}/api/v1/articles/{slug}"

"""What a page head needs for search engines and link previews: schema.org NewsArticle JSON-LD and
Open Graph and Twitter card tags, derived from the article as readers see it."""

from typing import Any

from app.articles.blocks import Image
from app.articles.links import author_url, reader_url
from app.articles.schemas import ArticlePublic, ArticleSeo, ArticleWithSeo
from app.core.settings import Settings
from app.media.sizes import default_size, ratio_of


def with_seo(article: ArticlePublic, settings: Settings) -> ArticleWithSeo:
    """The article as its page shows it, with what the page head needs."""
    return ArticleWithSeo(
        **dict(article), structured_data=structured_data(article, settings), seo=seo(article, settings)
    )


def _description(article: ArticlePublic) -> str:
    return article.subtitle or article.excerpt or article.title


def structured_data(article: ArticlePublic, settings: Settings) -> dict[str, Any]:
    """A NewsArticle with everything Google's Article rich results recommend."""
    url = _url(article, settings)
    publisher: dict[str, Any] = {"@type": "Organization", "name": settings.site_name, "url": settings.site_url}
    if settings.publisher_logo_url:
        publisher["logo"] = {"@type": "ImageObject", "url": str(settings.publisher_logo_url)}
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": _description(article),
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "author": [
            {"@type": "Person", "name": byline.name, "url": author_url(settings, byline.slug)}
            for byline in article.authors
        ],
        "publisher": publisher,
        "keywords": [tag.name for tag in article.tags],
        "wordCount": article.word_count,
        "inLanguage": settings.site_language,
    }
    image = article.featured_image
    if image is not None and image.url:
        # With its size, search engines may show it in rich results; without, only a bare URL.
        size = _shown_size(image)
        document["image"] = [
            {"@type": "ImageObject", "url": image.url, "width": size[0], "height": size[1]} if size else image.url
        ]
    if article.section is not None:
        document["articleSection"] = article.section.name
    if article.corrections:
        document["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.published_at.isoformat(),
            }
            for correction in article.corrections
        ]
    return document


def seo(article: ArticlePublic, settings: Settings) -> ArticleSeo:
    url, description = _url(article, settings), _description(article)
    graph: dict[str, str | list[str]] = {
        "og:type": "article",
        "og:title": article.title,
        "og:description": description,
        "og:url": url,
        "og:site_name": settings.site_name,
        "og:locale": settings.site_language,
        "article:modified_time": article.updated_at.isoformat(),
        "article:author": [author_url(settings, byline.slug) for byline in article.authors],
        "article:tag": [tag.name for tag in article.tags],
    }
    twitter = {"twitter:card": "summary", "twitter:title": article.title, "twitter:description": description}
    if article.published_at is not None:
        graph["article:published_time"] = article.published_at.isoformat()
    if article.section is not None:
        graph["article:section"] = article.section.name
    if article.featured_image is not None and article.featured_image.url:
        image = article.featured_image.url
        graph["og:image"] = image
        twitter |= {"twitter:card": "summary_large_image", "twitter:image": image}
        size = _shown_size(article.featured_image)
        if size:
            graph["og:image:width"], graph["og:image:height"] = str(size[0]), str(size[1])
        if article.featured_image.alt:
            graph["og:image:alt"] = twitter["twitter:image:alt"] = article.featured_image.alt
    return ArticleSeo(description=description, canonical_url=url, open_graph=graph, twitter=twitter)


def _shown_size(image: Image) -> tuple[int, int] | None:
    """The size of the rendition `url` names, for a library picture."""
    if not image.width or not image.height:
        return None
    return default_size(image.width, image.height, ratio_of(image.crop) if image.crop else None)


def _url(article: ArticlePublic, settings: Settings) -> str:
    section = article.section.slug if article.section else None
    return reader_url(settings, slug=article.slug, section=section, canonical_url=article.canonical_url)

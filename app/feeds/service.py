"""Feeds of the newest published articles: RSS 2.0, Atom 1.0 and JSON Feed 1.1, site-wide or for one
section, author or tag. Full sanitised content, bylines by name (never an email address), sections
and tags as categories, and a GUID that survives slug changes."""

import html
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Literal

import orjson
from feedgen.feed import FeedGenerator
from sqlmodel import Session

from app.articles import service as articles
from app.articles.links import reader_url
from app.articles.models import Article
from app.articles.schemas import ArticleFilters, ArticlePublic
from app.articles.visibility import changed_for_readers
from app.caching.counts import ContentCache
from app.collections import service as collections
from app.collections.schemas import key as collection_key
from app.core.settings import Settings
from app.core.xml_text import xml_text
from app.directories.kinds import AUTHORS, SECTIONS, TAGS
from app.feeds.schemas import JsonFeed, JsonFeedAuthor, JsonFeedItem

FEED_SIZE = 50
FeedFile = Literal["rss.xml", "atom.xml", "feed.json"]
Scope = Literal["sections", "authors", "tags", "collections"]
MEDIA_TYPES: dict[str, str] = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json",
}


@dataclass
class Feed:
    title: str
    self_url: str
    home_url: str
    # Each article with its public representation (the sanitised body), newest first.
    entries: list[tuple[Article, ArticlePublic]]
    # The surrogate keys of what chose the entries, beyond the articles (a collection's order).
    chosen_by: tuple[str, ...] = ()


def site_feed(session: Session, *, file: FeedFile, now: datetime, cache: ContentCache, settings: Settings) -> Feed:
    return Feed(
        title=settings.site_name,
        self_url=f"{settings.base_url}/feeds/{file}",
        home_url=settings.site_url,
        entries=_newest(session, ArticleFilters(), now=now, cache=cache),
    )


def scoped_feed(
    session: Session,
    scope: Scope,
    slug: str,
    *,
    file: FeedFile,
    now: datetime,
    cache: ContentCache,
    settings: Settings,
) -> Feed:
    """The feed of one section, author, tag or collection; one nobody reads about (unknown, or only on
    drafts) is a 404. A collection's is in the editors' order."""
    if scope == "collections":
        collection = collections.get(session, slug)
        ids, _ = collections.shown_ids(session, collection, now=now)
        loaded = articles.articles_by_ids(session, ids, articles.full_loading())
        return Feed(
            title=f"{collection.title} · {settings.site_name}",
            self_url=f"{settings.base_url}/feeds/{scope}/{slug}/{file}",
            home_url=settings.site_url,
            entries=[(article, ArticlePublic.from_full_article(article, now=now)) for article in loaded],
            chosen_by=(collection_key(slug),),
        )
    if scope == "sections":
        name, filters = SECTIONS.get(session, slug, now=now).name, ArticleFilters(section=slug)
    elif scope == "authors":
        name, filters = AUTHORS.get(session, slug, now=now).name, ArticleFilters(author=[slug])
    else:
        name, filters = TAGS.get(session, slug, now=now).name, ArticleFilters(tag=[slug])
    return Feed(
        title=f"{name} · {settings.site_name}",
        self_url=f"{settings.base_url}/feeds/{scope}/{slug}/{file}",
        home_url=settings.site_url,
        entries=_newest(session, filters, now=now, cache=cache),
    )


def _newest(
    session: Session, filters: ArticleFilters, *, now: datetime, cache: ContentCache
) -> list[tuple[Article, ArticlePublic]]:
    """The newest page of the list, loaded in full: feeds carry whole articles with their corrections."""
    newest = articles.listing(session, filters, now=now, limit=FEED_SIZE, cursor=None, cache=cache)
    loaded = articles.articles_by_ids(session, newest.ids, articles.full_loading())
    return [(article, ArticlePublic.from_full_article(article, now=now)) for article in loaded]


def guid(article: Article, settings: Settings) -> str:
    """Stable across slug changes and revealing nothing: a name-based UUID of the article's row."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.base_url}/articles/{article.id}").urn


def article_url(article: Article, settings: Settings) -> str:
    section = article.section.slug if article.section else None
    return reader_url(settings, slug=article.slug, section=section, canonical_url=article.canonical_url)


def render(feed: Feed, file: FeedFile, *, now: datetime, settings: Settings) -> bytes:
    if file == "feed.json":
        return _json_feed(feed, settings)
    generator = FeedGenerator()
    generator.load_extension("dc")
    generator.id(feed.self_url)
    generator.title(xml_text(feed.title))
    # RSS's channel <link> is the last link given: the site, with the feed itself as atom:link rel=self.
    generator.link(href=feed.self_url, rel="self")
    generator.link(href=feed.home_url, rel="alternate")
    # RSS readers take a description as HTML: plain text is escaped for it, so text that shows markup stays text.
    as_description = partial(html.escape, quote=False) if file == "rss.xml" else str
    generator.description(as_description(xml_text(f"The newest articles from {feed.title}.")))
    generator.language(settings.site_language)
    generator.updated(max((changed_for_readers(article) for article, _ in feed.entries), default=now))
    for article, public in feed.entries:
        entry = generator.add_entry(order="append")
        entry.id(guid(article, settings))
        entry.guid(guid(article, settings), permalink=False)
        entry.title(xml_text(article.title))
        entry.link(href=article_url(article, settings))
        entry.published(article.published_at)
        entry.updated(changed_for_readers(article))
        entry.summary(as_description(xml_text(article.excerpt)))
        entry.content(xml_text(public.body_html), type="CDATA" if file == "rss.xml" else "html")
        for byline in article.authors:
            if file == "atom.xml":
                entry.author(name=xml_text(byline.name))
            else:
                entry.dc.dc_creator(xml_text(byline.name))
        for term in ([article.section] if article.section else []) + list(article.tags):
            entry.category(term=xml_text(term.name))
        image = public.featured_image
        if image is not None and image.media_id is not None and image.url:
            # A library picture's default rendition is a JPEG; its length is not known before it is made.
            entry.enclosure(image.url, "0", "image/jpeg")
    return bytes(generator.rss_str() if file == "rss.xml" else generator.atom_str())


def _json_feed(feed: Feed, settings: Settings) -> bytes:
    items = [
        JsonFeedItem(
            id=guid(article, settings),
            url=article_url(article, settings),
            title=article.title,
            summary=article.excerpt,
            content_html=public.body_html,
            date_published=article.published_at.isoformat() if article.published_at else None,
            date_modified=changed_for_readers(article).isoformat(),
            authors=[JsonFeedAuthor(name=byline.name) for byline in article.authors],
            tags=[term.name for term in ([article.section] if article.section else []) + list(article.tags)],
            image=public.featured_image.url if public.featured_image else None,
        )
        for article, public in feed.entries
    ]
    document = JsonFeed(
        title=feed.title,
        home_page_url=feed.home_url,
        feed_url=feed.self_url,
        language=settings.site_language,
        items=items,
    )
    return orjson.dumps(document.model_dump())

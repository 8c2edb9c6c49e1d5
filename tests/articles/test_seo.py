"""What a page head needs: NewsArticle JSON-LD with the properties Google's Article rich results
recommend, and Open Graph and Twitter card tags."""

from datetime import datetime

import pytest

from app.main import create_app
from tests.app_client import AppClient
from tests.factories.newsroom import make_article, make_author, make_section

IMAGE = {"url": "https://img.example/harbour.jpg", "alt": "Ships in the harbour", "credit": "Photo desk"}


def _iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def test_structured_data_is_a_complete_news_article(settings, session, clock, editor):
    section = make_section(session, name="Harbour")
    author = make_author(session, name="Alok Verma")
    article = make_article(
        session, authors=[author.slug], section=section.slug, tags=["Ports", "Weather"], featured_image=IMAGE
    )
    site = {
        "site_name": "The Harbour Times",
        "publisher_logo_url": "https://img.example/logo.png",
        "article_url": "https://news.example/{section}/{slug}",
        "author_url": "https://news.example/authors/{slug}",
    }
    with AppClient(create_app(settings.model_copy(update=site), clock=clock)) as client:
        client.post(
            f"/api/v1/articles/{article.slug}/corrections", json={"text": "The date was wrong."}, headers=editor
        )
        shown = client.get(f"/api/v1/articles/{article.slug}").json()
    data = shown["structured_data"]
    assert (data["@context"], data["@type"]) == ("https://schema.org", "NewsArticle")
    url = f"https://news.example/{section.slug}/{article.slug}"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url} and data["url"] == url
    assert data["headline"] == shown["title"] and len(data["headline"]) <= 110
    assert data["image"] == [IMAGE["url"]] and data["description"]
    assert _iso(data["datePublished"]) <= _iso(data["dateModified"])
    assert data["author"] == [
        {"@type": "Person", "name": "Alok Verma", "url": f"https://news.example/authors/{author.slug}"}
    ]
    assert data["publisher"]["name"] == "The Harbour Times"
    assert data["publisher"]["logo"] == {"@type": "ImageObject", "url": "https://img.example/logo.png"}
    assert data["articleSection"] == "Harbour" and data["keywords"] == ["Ports", "Weather"]
    assert data["wordCount"] == shown["word_count"]
    [correction] = data["correction"]
    assert correction["@type"] == "CorrectionComment" and correction["text"] == "The date was wrong."
    assert "@" not in str(data["author"]).replace("@type", "")

    seo = shown["seo"]
    assert seo["canonical_url"] == url and seo["description"] == data["description"]
    graph = seo["open_graph"]
    assert graph["og:type"] == "article" and graph["og:url"] == url and graph["og:image"] == IMAGE["url"]
    assert graph["og:site_name"] == "The Harbour Times" and graph["og:image:alt"] == IMAGE["alt"]
    assert graph["article:section"] == "Harbour" and graph["article:tag"] == ["Ports", "Weather"]
    assert graph["article:author"] == [f"https://news.example/authors/{author.slug}"]
    assert _iso(graph["article:published_time"])
    assert seo["twitter"]["twitter:card"] == "summary_large_image" and seo["twitter"]["twitter:image"] == IMAGE["url"]


def test_seo_fields_never_make_an_editors_if_match_stale(client, session, editor):
    article = make_article(session)
    etag = client.get(f"/api/v1/articles/{article.slug}", headers=editor).headers["ETag"]
    answer = client.patch(
        f"/api/v1/articles/{article.slug}", json={"subtitle": "New"}, headers=editor | {"If-Match": etag}
    )
    assert answer.status_code == 200
    assert client.get(f"/api/v1/articles/{article.slug}").json()["seo"]["twitter"]["twitter:card"] == "summary"


@pytest.mark.parametrize(
    ("serve_frontend", "article_page", "author_page"),
    [(True, "/article.html?slug={}", "/author.html?slug={}"), (False, "/api/v1/articles/{}", "/api/v1/authors/{}")],
)
def test_canonical_and_author_urls_are_the_example_sites_pages_while_it_is_served(
    settings, session, clock, serve_frontend, article_page, author_page
):
    article = make_article(session)
    author = article.authors[0].slug
    with AppClient(create_app(settings.model_copy(update={"serve_frontend": serve_frontend}), clock=clock)) as client:
        shown = client.get(f"/api/v1/articles/{article.slug}").json()
        [item] = client.get("/feeds/feed.json").json()["items"]
    url = "http://testserver" + article_page.format(article.slug)
    assert shown["seo"]["canonical_url"] == shown["structured_data"]["url"] == item["url"] == url
    assert shown["seo"]["open_graph"]["article:author"] == ["http://testserver" + author_page.format(author)]

"""Sitemaps as search engines read them: an index over pages of URLs, and the Google News sitemap."""

from datetime import timedelta
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from app.main import create_app
from tests.app_client import AppClient
from tests.factories.newsroom import make_article, make_section

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def _xml(answer) -> Element:
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
    return ElementTree.fromstring(answer.content)


def test_the_index_pages_through_every_published_article_and_nothing_else(settings, session, clock):
    section = make_section(session, name="Harbour")
    published = [make_article(session, title=f"Story {n}", section=section.slug) for n in range(5)]
    make_article(session, title="A draft", status="draft")
    make_article(session, status="scheduled", published_at=clock.now + timedelta(hours=1), now=clock.now)
    make_article(session, embargo_until=(clock.now + timedelta(hours=1)).isoformat())
    pattern = {"sitemap_page_size": 2, "article_url": "https://news.example/{section}/{slug}"}
    with AppClient(create_app(settings.model_copy(update=pattern), clock=clock)) as client:
        index = _xml(client.get("/sitemap.xml"))
        pages = [entry.findtext("s:loc", namespaces=NS) for entry in index.findall("s:sitemap", NS)]
        assert all(entry.findtext("s:lastmod", namespaces=NS) for entry in index.findall("s:sitemap", NS))
        urls = []
        for page in pages:
            listed = _xml(client.get(page.removeprefix("http://testserver"))).findall("s:url", NS)
            assert 0 < len(listed) <= 2
            urls += [url.findtext("s:loc", namespaces=NS) for url in listed]
    assert sorted(urls) == sorted(f"https://news.example/{section.slug}/{article.slug}" for article in published)


def test_the_news_sitemap_holds_the_last_48_hours_with_publication_and_title(client, session, clock, settings):
    fresh = make_article(session, title="Harbour <reopens> & ships return", published_at=clock.now - timedelta(hours=3))
    make_article(session, title="Last week", published_at=clock.now - timedelta(days=7))
    urls = _xml(client.get("/sitemap-news.xml")).findall("s:url", NS)
    assert len(urls) == 1
    news = urls[0].find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == settings.site_name
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Harbour <reopens> & ships return"
    assert news.findtext("news:publication_date", namespaces=NS).startswith(
        (clock.now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
    )
    assert urls[0].findtext("s:loc", namespaces=NS) == f"http://testserver/article.html?slug={fresh.slug}"


def test_an_article_going_live_moves_its_lastmod_and_its_pages(client, session, clock):
    make_article(session, published_at=clock.now - timedelta(days=90), now=clock.now)
    later = clock.now + timedelta(hours=1)
    scheduled = make_article(session, published_at=later, now=clock.now)
    embargoed = make_article(session, embargo_until=later.isoformat(), now=clock.now)
    clock.now += timedelta(hours=2)
    [entry] = _xml(client.get("/sitemap.xml")).findall("s:sitemap", NS)
    assert entry.findtext("s:lastmod", namespaces=NS) == later.isoformat(timespec="seconds")
    page = _xml(client.get(entry.findtext("s:loc", namespaces=NS).removeprefix("http://testserver")))
    lastmods = {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS) for url in page}
    for article in (scheduled, embargoed):
        assert lastmods[f"http://testserver/article.html?slug={article.slug}"] == later.isoformat(timespec="seconds")


def test_sitemaps_list_api_urls_when_the_example_site_is_off(settings, session, clock):
    article = make_article(session, published_at=clock.now - timedelta(hours=1))
    with AppClient(create_app(settings.model_copy(update={"serve_frontend": False}), clock=clock)) as client:
        [url] = _xml(client.get("/sitemap-news.xml")).findall("s:url", NS)
    assert url.findtext("s:loc", namespaces=NS) == f"http://testserver/api/v1/articles/{article.slug}"


def test_a_headline_with_control_characters_leaves_the_news_sitemap_well_formed(client, session, clock):
    make_article(session, title="Harbour\x0b reopens\x0c", published_at=clock.now - timedelta(hours=1))
    [url] = _xml(client.get("/sitemap-news.xml")).findall("s:url", NS)
    assert url.findtext("news:news/news:title", namespaces=NS) == "Harbour reopens"


def test_sitemaps_answer_conditional_requests_and_name_their_purge_key(client, session):
    make_article(session)
    first = client.get("/sitemap.xml")
    assert "articles" in first.headers["Surrogate-Key"].split()
    assert client.get("/sitemap.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_robots_txt_points_crawlers_at_the_sitemaps(client):
    answer = client.get("/robots.txt")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    sitemaps = [line.split(": ", 1)[1] for line in answer.text.splitlines() if line.startswith("Sitemap: ")]
    assert sitemaps == ["http://testserver/sitemap.xml", "http://testserver/sitemap-news.xml"]
    assert all(client.get(url).status_code == 200 for url in sitemaps)

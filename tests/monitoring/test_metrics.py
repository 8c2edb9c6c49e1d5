import re
import time

import httpx
import pytest

from tests import loopback
from tests.comments.helpers import reply
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import running_server


def _value(text: str, sample: str) -> float:
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


ONE_USE = httpx.Limits(max_keepalive_connections=0)
ARTICLES = 'byline_requests_total{method="GET",route="/api/v1/articles",status="200"}'


def test_metrics_count_requests_by_route_and_the_moderation_queue(client, session, api_key):
    admin = api_key("admin")
    before = _value(client.get("/metrics", headers=admin).text, ARTICLES)
    client.get("/api/v1/articles")
    client.get("/api/v1/articles", params={"limit": 5})
    reply(client, make_article(session).slug)
    scraped = client.get("/metrics", headers=admin)
    assert scraped.headers["content-type"].startswith("text/plain")
    assert _value(scraped.text, ARTICLES) == before + 2
    assert _value(scraped.text, "byline_comments_pending") == 1
    assert _value(scraped.text, 'byline_content_cache_lookups_total{result="miss"}') > 0


def test_metrics_need_an_admin_key_unless_configured_otherwise(client, settings, api_key):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=api_key("content:write")).status_code == 403
    settings.metrics = "public"
    assert client.get("/metrics").status_code == 200
    settings.metrics = "off"
    assert client.get("/metrics", headers=api_key("admin")).status_code == 404


# Workers count in memory or in files, whatever the database.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("workers", [1, 2])
def test_a_served_api_counts_requests_and_their_latency(database_url, session, api_key, workers):
    admin = api_key("admin")
    session.rollback()
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_SECRET_KEY": TEST_SECRET}
    sections = 'byline_requests_total{method="GET",route="/api/v1/sections",status="200"}'
    latencies = 'byline_request_seconds_count{route="/api/v1/sections"}'
    # A new connection for each request, so every worker takes some.
    with running_server(env, workers=workers) as base, loopback.client(timeout=5, limits=ONE_USE) as reader:
        for _ in range(30):
            assert reader.get(f"{base}/api/v1/sections").status_code == 200
        # Each worker adds what it counted every half second; the one scraped adds its own at once.
        deadline = time.monotonic() + 5
        while _value(scraped := reader.get(f"{base}/metrics", headers=admin).text, sections) < 30:
            assert time.monotonic() < deadline, scraped
            time.sleep(0.1)
    assert _value(scraped, sections) == 30 and _value(scraped, latencies) == 30


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("as_script", [False, True])
def test_every_worker_counts_its_cache_lookups_where_metrics_are_read(database_url, session, api_key, as_script):
    # Series made as modules load and series made as requests come must share one file per worker:
    # two writers of one file overwrote each other's entries, and every scrape after was a 500.
    admin = api_key("admin")
    article = make_article(session)
    session.commit()
    env = {"BYLINE_DATABASE_URL": database_url, "BYLINE_SECRET_KEY": TEST_SECRET}
    lookups = 'byline_response_cache_lookups_total{result="%s"}'
    with (
        running_server(env, workers=2, as_script=as_script) as base,
        loopback.client(timeout=5, limits=ONE_USE) as reader,
    ):
        # Scraped first, as a monitor does: each worker then counts the scrapes before any read.
        before = [reader.get(f"{base}/metrics", headers=admin) for _ in range(4)]
        time.sleep(0.6)  # each worker adds its request counts every half second
        for path in [f"/api/v1/articles/{article.slug}", "/api/v1/sections", "/api/v1/tags"] * 10:
            assert reader.get(base + path).status_code == 200
        after = [reader.get(f"{base}/metrics", headers=admin) for _ in range(4)]
    assert [scrape.status_code for scrape in before + after] == [200] * 8

    def looked_up(scrape: httpx.Response) -> float:
        return sum(_value(scrape.text, lookups % result) for result in ("hit", "miss"))

    assert looked_up(after[-1]) - looked_up(before[-1]) == 30

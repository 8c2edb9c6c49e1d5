from datetime import UTC, datetime, timedelta

from tests.conftest import counting_queries
from tests.factories.newsroom import make_article, make_author, make_section

MAY = datetime(2025, 5, 1, tzinfo=UTC)


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["data"]]


def walk(client, url: str) -> list[str]:
    seen: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += slugs(response)
        url = response.json()["links"]["next"]
    return seen


def test_articles_are_listed_newest_first(client, session):
    old = make_article(session, published_at=MAY)
    new = make_article(session, published_at=MAY + timedelta(days=1))
    response = client.get("/api/v1/articles")
    assert response.status_code == 200
    assert slugs(response) == [new.slug, old.slug]
    assert response.json()["meta"] == {"next_cursor": None, "total": 2}


def test_list_items_are_summaries_without_body(client, session):
    make_article(session)
    item = client.get("/api/v1/articles").json()["data"][0]
    assert "body" not in item and "body_html" not in item
    assert {"slug", "title", "excerpt", "authors", "section", "tags", "reading_time_minutes"} <= item.keys()


def test_unpublished_articles_are_not_listed(client, session, clock):
    visible = make_article(session)
    make_article(session, status="draft")
    make_article(session, status="archived")
    make_article(session, status="scheduled", published_at=clock.now + timedelta(hours=1), now=clock.now)
    assert slugs(client.get("/api/v1/articles")) == [visible.slug]


def test_scheduled_article_appears_once_its_time_passes(client, session, clock):
    scheduled = make_article(session, status="scheduled", published_at=clock.now + timedelta(hours=1), now=clock.now)
    assert client.get(f"/api/v1/articles/{scheduled.slug}").status_code == 404
    clock.now += timedelta(hours=1)
    assert slugs(client.get("/api/v1/articles")) == [scheduled.slug]
    assert client.get(f"/api/v1/articles/{scheduled.slug}").json()["status"] == "published"


def test_following_cursors_returns_every_article_exactly_once(client, session):
    # Many articles share a timestamp, so the id tie-break is exercised at page edges.
    created = [make_article(session, published_at=MAY + timedelta(hours=i // 3)) for i in range(23)]
    seen = walk(client, "/api/v1/articles?limit=4")
    assert sorted(seen) == sorted(a.slug for a in created)
    assert len(seen) == len(set(seen))


def test_pagination_is_stable_while_new_articles_arrive(client, session, clock):
    older = [make_article(session, published_at=MAY + timedelta(minutes=i)) for i in range(6)]
    first = client.get("/api/v1/articles?limit=3").json()
    make_article(session, published_at=MAY + timedelta(days=2))
    second = client.get(first["links"]["next"]).json()
    listed = [item["slug"] for item in first["data"] + second["data"]]
    assert listed == [a.slug for a in reversed(older)]


def test_next_page_is_advertised_in_link_header(client, session):
    for _ in range(3):
        make_article(session)
    response = client.get("/api/v1/articles?limit=2")
    body = response.json()
    assert body["meta"]["next_cursor"]
    assert response.headers["Link"] == f'<{body["links"]["next"]}>; rel="next"'
    assert body["links"]["next"].startswith("http://testserver/api/v1/articles?")


def test_limit_out_of_range_is_a_problem_naming_limit(client):
    for limit in ("0", "101", "ten"):
        response = client.get(f"/api/v1/articles?limit={limit}")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["parameter"] == "limit"


def test_forged_cursor_is_a_problem_naming_cursor(client):
    for cursor in ("garbage", "WyJ4IiwxXQ", "WzEsMl0", "!!!", "W251bGwsIG51bGxd"):
        response = client.get("/api/v1/articles", params={"cursor": cursor})
        assert response.status_code == 422, cursor
        assert response.json()["errors"][0]["parameter"] == "cursor"


def test_filter_by_section(client, session):
    world = make_section(session, slug="world", name="World")
    in_world = make_article(session, section="world")
    make_article(session)
    response = client.get("/api/v1/articles?section=world")
    assert slugs(response) == [in_world.slug]
    assert response.json()["data"][0]["section"] == {"slug": world.slug, "name": "World"}


def test_repeated_tags_require_every_tag(client, session):
    both = make_article(session, tags=["Russia", "Security"])
    make_article(session, tags=["Russia"])
    assert len(slugs(client.get("/api/v1/articles?tag=russia"))) == 2
    assert slugs(client.get("/api/v1/articles?tag=russia&tag=security")) == [both.slug]


def test_filter_by_author(client, session):
    alok = make_author(session, slug="alok-verma", name="Alok Verma")
    byline = make_article(session, authors=["alok-verma"])
    make_article(session)
    assert slugs(client.get(f"/api/v1/articles?author={alok.slug}")) == [byline.slug]


def test_filter_by_publication_window(client, session):
    make_article(session, published_at=MAY)
    middle = make_article(session, published_at=MAY + timedelta(days=5))
    make_article(session, published_at=MAY + timedelta(days=10))
    response = client.get(
        "/api/v1/articles", params={"published_after": "2025-05-03T00:00:00Z", "published_before": "2025-05-08"}
    )
    assert slugs(response) == [middle.slug]


def test_updated_since_returns_only_changed_articles(client, session, clock):
    make_article(session, now=clock.now - timedelta(days=3))
    fresh = make_article(session, now=clock.now)
    since = (clock.now - timedelta(hours=1)).isoformat()
    assert slugs(client.get("/api/v1/articles", params={"updated_since": since})) == [fresh.slug]


def test_bad_filter_value_is_a_problem_naming_the_parameter(client):
    response = client.get("/api/v1/articles?published_after=yesterday")
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "published_after"


def test_total_counts_every_match_not_just_the_page(client, session):
    for _ in range(5):
        make_article(session, tags=["Elections"])
    make_article(session)
    meta = client.get("/api/v1/articles?tag=elections&limit=2").json()["meta"]
    assert meta["total"] == 5


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(client, session):
    for _ in range(12):
        make_article(session, tags=["A", "B"], authors=[make_author(session).slug, make_author(session).slug])
    engine = client.app.state.byline.engines.read
    client.get("/api/v1/articles")  # the total is then cached for both pages
    client.get("/api/v1/articles?limit=1")  # and the state is read again after the first page was stored
    with counting_queries(engine) as small:
        client.get("/api/v1/articles?limit=2")
    with counting_queries(engine) as large:
        client.get("/api/v1/articles?limit=12")
    assert len(small) == len(large) <= 6


def test_total_follows_new_articles_at_once(client, session):
    make_article(session)
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 1
    make_article(session)
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 2


def test_total_follows_scheduled_articles_going_live(client, session, clock):
    make_article(session)
    make_article(session, status="scheduled", published_at=clock.now + timedelta(minutes=5), now=clock.now)
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 1
    clock.now += timedelta(minutes=5)
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 2
    clock.now -= timedelta(minutes=10)
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 1


def test_total_is_not_recounted_while_nothing_changes(client, session):
    make_article(session)
    client.get("/api/v1/articles")
    with counting_queries(client.app.state.byline.engines.read) as statements:
        client.get("/api/v1/articles")
    assert not [sql for sql, _ in statements if "count(" in sql.lower()]


def test_a_list_item_shows_the_article_as_its_page_does(client, session, clock, editor):
    # Lists read summaries as plain rows; the page loads the article whole: both must agree.
    section = make_section(session)
    lead = make_author(session, avatar_url="https://images.example.com/lead.jpg")
    second = make_author(session, role=None, bio=None)
    article = make_article(
        session,
        subtitle="The dek",
        featured_image={"url": "https://images.example.com/f.jpg", "alt": "Hall", "credit": "Desk"},
        authors=[lead.slug, second.slug],
        section=section.slug,
        tags=["Weather", "Ports", "Budget"],
    )
    bare = make_article(session, published_at=MAY - timedelta(days=1))
    item, bare_item = client.get("/api/v1/articles").json()["data"]
    for listed, shown in ((item, article), (bare_item, bare)):
        page = client.get(f"/api/v1/articles/{shown.slug}").json()
        assert listed == {name: page[name] for name in listed} | {"snippet": None}
    assert [author["slug"] for author in item["authors"]] == [lead.slug, second.slug]
    assert [tag["name"] for tag in item["tags"]] == ["Budget", "Ports", "Weather"]
    assert bare_item["section"] is None and bare_item["featured_image"] is None

    ahead = make_article(session, status="scheduled", published_at=clock.now + timedelta(hours=1), now=clock.now)
    scheduled = client.get("/api/v1/articles?status=scheduled", headers=editor).json()["data"]
    assert [(listed["slug"], listed["status"]) for listed in scheduled] == [(ahead.slug, "scheduled")]

from datetime import UTC, datetime, timedelta

from tests.factories.newsroom import make_article, make_author, make_section

BODY = [
    {"type": "paragraph", "text": "Gunmen opened fire at a <em>concert hall</em> on Friday."},
    {"type": "heading", "level": 2, "text": "What happened"},
    {"type": "paragraph", "text": "Witnesses described the scene."},
    {
        "type": "image",
        "url": "https://images.example.com/a.jpg",
        "alt": "Smoke over the hall",
        "caption": "Smoke",
        "credit": "Desk",
    },
    {"type": "quote", "text": "We ran for the exits.", "cite": "A witness"},
    {"type": "list", "style": "ordered", "items": ["First", "Second"]},
    {"type": "embed", "url": "https://video.example.com/v/1", "provider": "Video", "title": "Footage"},
]


def test_full_article_is_render_ready(client, session):
    make_section(session, slug="world", name="World")
    alok = make_author(session, slug="alok-verma", name="Alok Verma", role="International Reporter", bio="Reports.")
    second = make_author(session)
    article = make_article(
        session,
        title="Terror Strikes Moscow",
        subtitle="The dek",
        section="world",
        tags=["Russia", "Terrorism"],
        authors=[alok.slug, second.slug],
        body=BODY,
        featured_image={"url": "https://images.example.com/f.jpg", "alt": "Hall", "credit": "Desk"},
        corrections=[{"text": "An earlier version misstated the date.", "published_at": "2025-05-02T10:00:00Z"}],
    )
    response = client.get(f"/api/v1/articles/{article.slug}")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Terror Strikes Moscow" and data["subtitle"] == "The dek"
    assert [a["slug"] for a in data["authors"]] == ["alok-verma", second.slug]
    assert data["authors"][0] == {
        "slug": "alok-verma",
        "name": "Alok Verma",
        "role": "International Reporter",
        "bio": "Reports.",
        "avatar_url": None,
    }
    assert data["section"] == {"slug": "world", "name": "World"}
    assert [t["slug"] for t in data["tags"]] == ["russia", "terrorism"]
    assert [b["type"] for b in data["body"]] == [b["type"] for b in BODY]
    assert '<h2 id="what-happened">What happened</h2>' in data["body_html"]
    assert "<em>concert hall</em>" in data["body_html"]
    assert data["featured_image"]["url"] == "https://images.example.com/f.jpg"
    assert [{k: c[k] for k in ("published_at", "text")} for c in data["corrections"]] == [
        {"published_at": "2025-05-02T10:00:00Z", "text": "An earlier version misstated the date."}
    ]
    assert data["excerpt"] == "Gunmen opened fire at a concert hall on Friday."
    assert data["word_count"] > 0 and data["reading_time_minutes"] == 1
    assert data["comment_count"] == 0 and data["comments_open"] is True


def test_slug_is_generated_from_title_with_transliteration(client, session):
    article = make_article(session, title="Ça change: Zürich’s new façade")
    assert article.slug == "ca-change-zurichs-new-facade"
    assert client.get("/api/v1/articles/ca-change-zurichs-new-facade").status_code == 200


def test_same_title_gets_a_distinct_slug(session):
    first = make_article(session, title="Budget passes")
    second = make_article(session, title="Budget passes")
    assert (first.slug, second.slug) == ("budget-passes", "budget-passes-2")


def test_unknown_slug_is_a_404_problem(client):
    response = client.get("/api/v1/articles/no-such-story")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["type"] == "http://testserver/problems/article-not-found"
    assert problem["instance"] == "/api/v1/articles/no-such-story"


def test_unpublished_articles_answer_404(client, session, clock):
    hidden = [
        make_article(session, status="draft"),
        make_article(session, status="archived"),
        make_article(session, status="scheduled", published_at=clock.now + timedelta(days=1), now=clock.now),
    ]
    for article in hidden:
        assert client.get(f"/api/v1/articles/{article.slug}").status_code == 404


def test_malformed_slug_is_a_problem_naming_slug(client):
    response = client.get("/api/v1/articles/Not%20A%20Slug")
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "slug"


def test_published_time_is_reported_in_utc(client, session):
    article = make_article(session, published_at=datetime(2025, 5, 1, 14, 30, tzinfo=UTC) + timedelta(0))
    assert client.get(f"/api/v1/articles/{article.slug}").json()["published_at"] == "2025-05-01T14:30:00Z"

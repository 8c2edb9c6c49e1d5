"""Browsers on other origins: anonymous requests from anywhere, requests with a key only from the newsroom's origins."""

from app.main import create_app
from tests.app_client import AppClient
from tests.factories.newsroom import make_article

ELSEWHERE = "https://reader-app.example"
DESK = "https://desk.news.example"


def test_anonymous_reads_are_readable_from_any_origin(client, session):
    article = make_article(session)
    for path in ("/api/v1/articles", f"/api/v1/articles/{article.slug}", "/feeds/rss.xml"):
        answer = client.get(path, headers={"Origin": ELSEWHERE})
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert {"ETag", "Link", "X-Request-ID"} <= {
            h.strip() for h in answer.headers["Access-Control-Expose-Headers"].split(",")
        }
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/articles").headers


def test_any_origin_may_send_the_comment_form_but_not_a_key(client, session):
    article = make_article(session)
    path = f"/api/v1/articles/{article.slug}/comments"
    form = {
        "Origin": ELSEWHERE,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    preflight = client.options(path, headers=form)
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    keyed = client.options(path, headers=form | {"Access-Control-Request-Headers": "authorization, content-type"})
    assert keyed.status_code == 403 and "Access-Control-Allow-Origin" not in keyed.headers
    assert "BYLINE_CORS_ORIGINS" in keyed.json()["detail"]
    delete = client.options(path, headers=form | {"Access-Control-Request-Method": "DELETE"})
    assert delete.status_code == 403


def test_the_newsrooms_own_origins_may_send_requests_with_a_key(settings, session, clock, editor):
    article = make_article(session)
    trusting = settings.model_copy(update={"cors_origins": [DESK]})
    with AppClient(create_app(trusting, clock=clock)) as client:
        preflight = client.options(
            f"/api/v1/articles/{article.slug}",
            headers={
                "Origin": DESK,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, content-type, if-match",
            },
        )
        assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == DESK
        assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"] and preflight.headers["Vary"] == "Origin"
        keyed = client.get("/api/v1/articles?status=draft", headers=editor | {"Origin": DESK})
        assert keyed.headers["Access-Control-Allow-Origin"] == DESK and "Origin" in keyed.headers["Vary"]
        foreign = client.get("/api/v1/articles?status=draft", headers=editor | {"Origin": ELSEWHERE})
        assert "Access-Control-Allow-Origin" not in foreign.headers

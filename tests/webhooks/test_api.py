from tests.conftest import PROXY_ADDRESS


def test_secret_is_shown_once_at_creation(client, admin, subscribe):
    created = subscribe("https://hooks.example/byline", "article.published")
    assert created["secret"].startswith("whsec_")
    shown = client.get(f"/api/v1/webhooks/{created['id']}", headers=admin).json()
    assert "secret" not in shown and shown["url"] == "https://hooks.example/byline"
    listed = client.get("/api/v1/webhooks", headers=admin).json()["data"]
    assert all("secret" not in item for item in listed)
    assert created["secret"] not in client.get("/api/v1/webhooks", headers=admin).text


def test_non_http_receiver_is_refused_naming_url(client, admin):
    for url in ("ftp://hooks.example/x", "file:///etc/passwd", "javascript:alert(1)", "not a url"):
        answer = client.post("/api/v1/webhooks", json={"url": url, "events": ["article.published"]}, headers=admin)
        assert answer.status_code == 422, url
        assert answer.headers["content-type"] == "application/problem+json"
        assert [e["pointer"] for e in answer.json()["errors"]] == ["#/url"]


def test_unknown_event_is_refused(client, admin):
    answer = client.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example", "events": ["comment.reply"]}, headers=admin
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"].startswith("#/events")


def test_webhooks_need_an_admin_key(client, api_key):
    assert client.get("/api/v1/webhooks").status_code == 401
    editor = api_key("content:write")
    answer = client.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example", "events": ["article.published"]}, headers=editor
    )
    assert answer.status_code == 403


def test_endpoints_are_listed_with_cursors(client, admin, subscribe):
    ids = [subscribe(f"https://hooks.example/{n}", "article.updated")["id"] for n in range(5)]
    seen, url = [], "/api/v1/webhooks?limit=2"
    while url:
        page = client.get(url, headers=admin).json()
        assert page["meta"]["total"] == 5
        seen += [item["id"] for item in page["data"]]
        url = page["links"]["next"] and page["links"]["next"].removeprefix("http://testserver")
    assert seen == ids


def test_an_endpoint_is_changed_field_by_field_and_keeps_its_secret(client, admin, subscribe):
    created = subscribe("https://hooks.example/old", "article.published")
    url = f"/api/v1/webhooks/{created['id']}"
    changed = client.patch(url, json={"url": "https://hooks.example/new", "events": ["article.updated"]}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["url"], changed.json()["events"]) == ("https://hooks.example/new", ["article.updated"])
    described = client.patch(url, json={"description": "Search index"}, headers=admin).json()
    assert described["url"] == "https://hooks.example/new" and described["description"] == "Search index"
    assert "secret" not in described
    for body, pointer in (
        ({"url": "ftp://hooks.example"}, "#/url"),
        ({"events": []}, "#/events"),
        ({"events": None}, "#/events"),
        ({"secret": "whsec_mine"}, "#/secret"),
    ):
        refused = client.patch(url, json=body, headers=admin)
        assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == pointer, body
    assert client.patch("/api/v1/webhooks/999", json={}, headers=admin).status_code == 404
    log = client.get("/api/v1/audit", params={"target_kind": "webhook"}, headers=admin).json()["data"]
    assert [entry["action"] for entry in log] == ["webhook.update", "webhook.update", "webhook.create"]


def test_removed_endpoint_is_gone(client, admin, subscribe):
    created = subscribe("https://hooks.example", "article.published")
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=admin).status_code == 204
    missing = client.get(f"/api/v1/webhooks/{created['id']}", headers=admin)
    assert missing.status_code == 404 and missing.json()["type"].endswith("/problems/webhook-not-found")
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=admin).status_code == 404


def test_deliveries_of_an_unknown_endpoint_is_404(client, admin):
    assert client.get("/api/v1/webhooks/999/deliveries", headers=admin).status_code == 404
    assert client.post("/api/v1/webhooks/999/test", headers=admin).status_code == 404


def test_answers_with_a_key_are_never_cached(client, admin, subscribe):
    subscribe("https://hooks.example", "article.published")
    answer = client.get("/api/v1/webhooks", headers=admin | {"X-Forwarded-For": PROXY_ADDRESS})
    assert "no-store" in answer.headers["cache-control"]

import logging
import socket

from sqlalchemy.exc import PendingRollbackError

from app.main import create_app
from tests.app_client import AppClient


def test_unknown_route_is_a_problem_document(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "about:blank" and response.json()["status"] == 404


def test_wrong_method_is_a_problem_document(client):
    response = client.delete("/api/v1/articles")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_unexpected_failure_is_a_500_problem_without_internals(settings, caplog):
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret connection string")

    # Nothing reaches the server: it would log a second traceback and drop the keep-alive connection.
    with AppClient(app) as client, caplog.at_level(logging.ERROR):
        response = client.get("/boom")
        assert client.get("/api/v1").status_code == 200
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert [record.message for record in caplog.records] == ["unhandled error on GET /boom"]
    assert "secret connection string" in caplog.text


def test_a_session_left_broken_by_a_lost_connection_is_a_503_not_a_500(settings, caplog):
    app = create_app(settings)

    @app.get("/at-the-crash")
    def at_the_crash():
        raise PendingRollbackError("This Session's transaction has been rolled back due to a previous exception")

    with AppClient(app) as client, caplog.at_level(logging.WARNING):
        response = client.get("/at-the-crash")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json()["type"].endswith("/problems/database-unavailable")
    assert len(caplog.records) == 1 and caplog.records[0].exc_info is None


def test_api_index_links_every_collection(client):
    links = client.get("/api/v1").json()["links"]
    assert links["articles"] == "http://testserver/api/v1/articles"
    assert {"authors", "sections", "tags", "openapi"} <= links.keys()


def test_nul_characters_in_filters_are_refused_not_crashing(client):
    response = client.get("/api/v1/articles", params={"section": "world\x00", "tag": "a\x00b"})
    assert response.status_code == 422
    assert {e["parameter"] for e in response.json()["errors"]} == {"section", "tag"}


def test_times_beyond_the_calendar_once_in_utc_are_refused(client):
    response = client.get("/api/v1/articles", params={"published_after": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "published_after"


def test_a_trailing_slash_redirects_on_the_public_url_whatever_the_host_header(client):
    response = client.get(
        "/api/v1/articles/", params={"limit": 5}, headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert response.status_code == 308
    assert response.headers["Location"] == "http://testserver/api/v1/articles?limit=5"


def test_an_unreachable_database_is_a_503_with_retry_after_and_one_log_line(settings, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = settings.model_copy(update={"database_url": f"postgresql://byline@127.0.0.1:{closed_port}/byline"})
    with AppClient(create_app(down), raise_server_exceptions=False) as client, caplog.at_level(logging.INFO):
        comment = {"author_name": "Reader", "author_email": "reader@example.com", "content": "Hello."}
        answers = [client.get("/api/v1/articles"), client.post("/api/v1/articles/a/comments", json=comment)]
    for response in answers:
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.json()["type"].endswith("/problems/database-unavailable")
    problems = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(problems) == 2 and all(record.exc_info is None for record in problems)


def test_every_answer_carries_security_headers_and_keyed_ones_are_never_shared(client, editor):
    for response in (client.get("/api/v1"), client.get("/api/v1/nothing-here")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert client.get("/api/v1/sections", headers=editor).headers["Cache-Control"] == "private, no-store"


def test_every_answer_carries_a_request_id_and_keeps_a_well_formed_one(client):
    generated = client.get("/api/v1").headers["X-Request-ID"]
    assert len(generated) == 32 and generated != client.get("/api/v1").headers["X-Request-ID"]
    assert client.get("/api/v1", headers={"X-Request-ID": "edge-7f3a"}).headers["X-Request-ID"] == "edge-7f3a"
    assert client.get("/api/v1", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"] != "<script>"

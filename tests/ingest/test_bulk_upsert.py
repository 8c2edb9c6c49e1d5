"""POST /api/v1/ingest: upserts by external id, reports per record, idempotent, within its limits."""

import orjson
import pytest
from sqlalchemy import func, text
from sqlmodel import select

from app.articles.models import Article, ArticleRevision
from app.caching.content_version import ContentVersion
from app.comments.models import Comment
from app.core.settings import Settings
from app.indexing.service import reindex
from app.outbox.models import OutboxEvent
from app.related.models import ArticleTerm, EmbeddingPending, TermDocumentCount
from tests.app_client import AppClient
from tests.ingest.helpers import ndjson, record, send

COMMENTS = [
    {
        "external_id": "c1",
        "author_name": "Bo",
        "author_email": "Bo@Example.org",
        "content": "Nice *one*",
        "created_at": "2025-05-03T00:00:00Z",
    },
    {
        "external_id": "c2",
        "parent_external_id": "c1",
        "author_name": "Cy",
        "author_email": "cy@example.org",
        "content": "Agreed",
        "created_at": "2025-05-03T01:00:00Z",
    },
    {
        "external_id": "c3",
        "author_name": "Spammer",
        "content": "Buy now",
        "status": "spam",
        "created_at": "2025-05-03T02:00:00Z",
    },
]


def _state(session) -> tuple:
    session.rollback()
    state = (
        session.exec(select(func.count()).select_from(ArticleRevision)).one(),
        session.exec(select(ContentVersion.version)).one(),
        session.exec(select(func.count()).select_from(OutboxEvent)).one(),
    )
    # Readers must not hold SQLite's write lock while the API writes.
    session.rollback()
    return state


def test_records_are_created_and_reported_in_input_order(client, editor):
    r = send(client, editor, record(1), record(2, slug="second-story"))
    assert r.status_code == 200
    report = r.json()
    assert (report["created"], report["failed"]) == (2, 0)
    assert [(x["position"], x["status"], x["slug"]) for x in report["results"]] == [
        (1, "created", "harbour-story-number-1"),
        (2, "created", "second-story"),
    ]
    article = client.get("/api/v1/articles/second-story").json()
    assert [a["name"] for a in article["authors"]] == ["Ada Reporter"]
    assert article["section"] == {"slug": "local-news", "name": "Local News"}
    assert article["updated_at"] == "2025-05-02T08:00:00Z"


def test_sending_the_same_batch_again_changes_nothing(client, editor, session):
    batch = [record(1, comments=COMMENTS), record(2, related=["harbour-story-number-1"]), record(3, status="draft")]
    assert send(client, editor, *batch).json()["created"] == 3
    before = _state(session)
    again = send(client, editor, *batch).json()
    assert [x["status"] for x in again["results"]] == ["unchanged"] * 3
    assert _state(session) == before


def test_a_changed_record_updates_its_article_with_a_revision(client, editor, session):
    send(client, editor, record(1))
    r = send(client, editor, record(1, title="Harbour dredging approved", tags=["Harbour"]))
    assert [x["status"] for x in r.json()["results"]] == ["updated"]
    article = client.get("/api/v1/articles/harbour-story-number-1").json()
    assert article["title"] == "Harbour dredging approved"
    assert [t["name"] for t in article["tags"]] == ["Harbour"]
    revisions = client.get("/api/v1/articles/harbour-story-number-1/revisions", headers=editor).json()["data"]
    assert [(r["number"], r["actor"]) for r in revisions] == [(2, "desk-editor"), (1, "desk-editor")]
    assert revisions[0]["changed_fields"] == ["tags", "title"]


def test_a_record_changing_corrections_is_a_revision(client, editor):
    correction = {"text": "The board met on Tuesday.", "published_at": "2025-05-03T08:00:00Z"}
    send(client, editor, record(1))
    assert send(client, editor, record(1, corrections=[correction])).json()["results"][0]["status"] == "updated"
    revisions = client.get("/api/v1/articles/harbour-story-number-1/revisions", headers=editor).json()["data"]
    assert [(r["number"], r["changed_fields"]) for r in revisions[:1]] == [(2, ["corrections"])]
    assert [c["text"] for c in client.get("/api/v1/articles/harbour-story-number-1").json()["corrections"]] == [
        correction["text"]
    ]


def test_records_without_external_id_upsert_by_slug(client, editor):
    plain = record(1, external_id=None, slug="by-slug")
    assert send(client, editor, plain).json()["results"][0]["status"] == "created"
    assert send(client, editor, plain | {"title": "New title"}).json()["results"][0]["status"] == "updated"
    assert client.get("/api/v1/articles/by-slug").json()["title"] == "New title"


def test_authors_sections_and_tags_are_found_by_slug_or_name(client, editor):
    send(client, editor, record(1, authors=[{"name": "Ada Reporter", "role": "Harbour correspondent"}]))
    send(client, editor, record(2, authors=["ada-reporter", "Ada Reporter"], section="local-news", tags=["harbour"]))
    authors = client.get("/api/v1/authors").json()
    assert [(a["slug"], a["role"]) for a in authors["data"]] == [("ada-reporter", "Harbour correspondent")]
    assert client.get("/api/v1/sections").json()["meta"]["total"] == 1
    assert {t["slug"] for t in client.get("/api/v1/tags").json()["data"]} == {"harbour", "council"}


def test_bad_records_are_reported_with_a_pointer_and_good_ones_land(client, editor):
    body = ndjson(record(1)) + b"{not json\n" + ndjson(record(3, authors=[]), record(4, status="scheduled"))
    r = client.post("/api/v1/ingest", content=body, headers=editor | {"Content-Type": "application/x-ndjson"})
    results = r.json()["results"]
    assert [(x["position"], x["status"]) for x in results] == [
        (1, "created"),
        (2, "failed"),
        (3, "failed"),
        (4, "failed"),
    ]
    assert results[1]["error"]["errors"][0]["pointer"] == "#"
    assert results[2]["error"]["status"] == 422
    assert results[2]["error"]["errors"][0]["pointer"] == "#/authors"
    assert results[3]["error"]["errors"][0]["pointer"] == "#/published_at"
    assert client.get("/api/v1/articles/harbour-story-number-1").status_code == 200


def test_a_slug_held_by_another_article_fails_that_record_only(client, editor):
    send(client, editor, record(1, slug="taken"))
    r = send(client, editor, record(2, slug="taken"), record(3))
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["failed", "created"]
    assert results[0]["error"]["type"].endswith("/problems/slug-taken")


def test_abort_stores_nothing_when_a_record_fails(client, editor, session):
    before = _state(session)
    r = send(client, editor, record(1), record(2, title=""), on_error="abort")
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"].endswith("/problems/ingest-aborted")
    assert [(f["position"], f["error"]["errors"][0]["pointer"]) for f in problem["failures"]] == [(2, "#/title")]
    assert client.get("/api/v1/articles/harbour-story-number-1").status_code == 404
    assert _state(session) == before


def test_abort_stores_everything_when_all_records_are_good(client, editor):
    r = send(client, editor, record(1), record(2), on_error="abort")
    assert r.json()["created"] == 2


def test_dry_run_reports_without_storing(client, editor, session):
    before = _state(session)
    r = send(client, editor, record(1), dry_run="true")
    assert r.json()["dry_run"] is True and r.json()["created"] == 1
    assert client.get("/api/v1/articles/harbour-story-number-1").status_code == 404
    assert _state(session) == before


def test_a_json_array_reports_indexes(client, editor):
    r = client.post("/api/v1/ingest", json=[record(1), {"title": "no authors"}], headers=editor)
    assert [(x["position"], x["status"]) for x in r.json()["results"]] == [(0, "created"), (1, "failed")]


def test_other_media_types_are_refused(client, editor):
    r = client.post("/api/v1/ingest", content=b"title: x", headers=editor | {"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.headers["content-type"] == "application/problem+json"


def test_ingest_needs_content_write(client, api_key):
    r = send(client, api_key("content:preview"), record(1))
    assert r.status_code == 403


@pytest.fixture
def small_limits(settings) -> Settings:
    return settings.model_copy(update={"ingest_max_records": 2, "ingest_max_bytes": 2048})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_batches_over_the_record_limit_get_413(small_limits, clock, editor):
    from app.main import create_app

    with AppClient(create_app(small_limits, clock=clock)) as limited:
        r = send(limited, editor, record(1), record(2), record(3))
        assert r.status_code == 413
        assert (r.json()["limit"], r.json()["unit"]) == (2, "records")
        r = send(limited, editor, record(1, body=[{"type": "paragraph", "text": "x" * 3000}]))
        assert r.status_code == 413
        assert (r.json()["limit"], r.json()["unit"]) == (2048, "bytes")


def test_comments_are_threaded_counted_and_private(client, editor, api_key):
    send(client, editor, record(1, comments=COMMENTS))
    article = client.get("/api/v1/articles/harbour-story-number-1").json()
    assert article["comment_count"] == 2
    threads = client.get("/api/v1/articles/harbour-story-number-1/comments").json()["data"]
    assert [(c["author_name"], [r["author_name"] for r in c["replies"]]) for c in threads] == [("Bo", ["Cy"])]
    assert threads[0]["content_html"] == "<p>Nice <em>one</em></p>"
    assert b"example.org" not in client.get("/api/v1/articles/harbour-story-number-1/comments").content
    queue = client.get("/api/v1/comments", params={"status": "spam"}, headers=api_key("comments:moderate")).json()
    assert [(c["author_name"], c["author_email"]) for c in queue["data"]] == [("Spammer", "")]
    moderated = client.get("/api/v1/comments", params={"status": "approved"}, headers=api_key("comments:moderate"))
    assert {c["author_email"] for c in moderated.json()["data"]} == {"bo@example.org", "cy@example.org"}


def test_changed_comments_update_the_article_and_its_count(client, editor):
    send(client, editor, record(1, comments=COMMENTS))
    # Read first, so what readers were sent (and stored) must give way to the new count.
    assert client.get("/api/v1/articles/harbour-story-number-1").json()["comment_count"] == 2
    changed = [COMMENTS[0] | {"status": "spam"}, *COMMENTS[1:]]
    r = send(client, editor, record(1, comments=changed))
    assert r.json()["results"][0]["status"] == "updated"
    assert client.get("/api/v1/articles/harbour-story-number-1").json()["comment_count"] == 1


def test_a_reply_to_an_unknown_comment_fails_its_record(client, editor):
    orphan = {**COMMENTS[1], "parent_external_id": "nobody"}
    r = send(client, editor, record(1, comments=[orphan]))
    result = r.json()["results"][0]
    assert result["status"] == "failed"
    assert result["error"]["errors"][0]["pointer"] == "#/comments/0/parent_external_id"


def test_related_pins_may_name_articles_later_in_the_batch(client, editor):
    r = send(client, editor, record(1, related=["harbour-story-number-2"]), record(2))
    assert r.json()["created"] == 2
    related = client.get("/api/v1/articles/harbour-story-number-1/related").json()["data"]
    assert related[0]["slug"] == "harbour-story-number-2" and related[0]["pinned"] is True


def test_unknown_related_slug_fails_the_record(client, editor):
    r = send(client, editor, record(1, related=["nowhere"]))
    result = r.json()["results"][0]
    assert result["status"] == "failed"
    assert result["error"]["errors"][0]["pointer"] == "#/related/0"


def test_bulk_loaded_articles_are_searchable_with_the_vectors_a_reindex_builds(client, editor, session):
    records = [
        record(n, title=f"{word} report {n}", body=[{"type": "paragraph", "text": f"All about {word} and tides."}])
        for n, word in enumerate(["lighthouse", "ferry", "lighthouse", "trawler"] * 3)
    ]
    send(client, editor, *records)
    found = client.get("/api/v1/articles", params={"q": "lighthouse"}).json()
    assert found["meta"]["total"] == 6
    session.rollback()
    vectors = sorted(session.exec(select(ArticleTerm.article_id, ArticleTerm.term, ArticleTerm.weight)).all())
    counts = sorted(session.exec(select(TermDocumentCount.term, TermDocumentCount.documents)).all())
    reindex(session)
    session.flush()
    assert sorted(session.exec(select(ArticleTerm.article_id, ArticleTerm.term, ArticleTerm.weight)).all()) == vectors
    assert sorted(session.exec(select(TermDocumentCount.term, TermDocumentCount.documents)).all()) == counts
    session.rollback()


def test_bulk_loaded_articles_wait_for_their_embeddings(client, editor, session):
    send(client, editor, *(record(n) for n in range(3)))
    session.rollback()
    queued = session.exec(select(EmbeddingPending.article_id)).all()
    articles = session.exec(select(Article.id)).all()
    session.rollback()
    assert sorted(queued) == sorted(articles) and len(articles) == 3


def test_one_content_version_bump_per_batch_purges_the_new_articles(client, editor, session):
    before = _state(session)[1]
    list_etag = client.get("/api/v1/articles").headers["etag"]
    send(client, editor, *(record(n) for n in range(5)))
    session.rollback()
    assert session.exec(select(ContentVersion.version)).one() == before + 1
    purge = session.exec(select(OutboxEvent).where(OutboxEvent.topic == "cache.purge")).all()[-1]
    session.rollback()
    assert {"articles", "article:harbour-story-number-0", "article:harbour-story-number-4"} <= set(
        purge.payload["keys"]
    )
    listed = client.get("/api/v1/articles")
    assert listed.headers["etag"] != list_etag and listed.json()["meta"]["total"] == 5


def test_imported_comments_never_store_a_readers_address(client, editor, session):
    send(client, editor, record(1, comments=COMMENTS[:1]))
    session.rollback()
    comment = session.exec(select(Comment)).one()
    assert (comment.ip_hash, comment.network_hash, comment.external_id) == ("", "", "c1")
    assert session.exec(text("SELECT count(*) FROM outbox_event WHERE topic LIKE 'comment.%'")).one()[0] == 0


def test_records_repeating_an_article_apply_in_order(client, editor):
    r = send(client, editor, record(1), record(1, title="Second version"))
    assert [x["status"] for x in r.json()["results"]] == ["created", "updated"]
    assert client.get("/api/v1/articles/harbour-story-number-1").json()["title"] == "Second version"


def test_report_is_json_with_problem_members_only(client, editor):
    r = send(client, editor, record(1, title=""))
    error = r.json()["results"][0]["error"]
    assert orjson.loads(r.content)["failed"] == 1 and error["title"] == "Invalid request body"


def test_repeated_headlines_get_the_next_free_numbered_slugs(client, editor, session, clock):
    same = {"title": "Council meets tonight"}
    first = send(client, editor, *[record(n, **same) for n in range(1, 4)])
    assert [x["slug"] for x in first.json()["results"]] == [
        "council-meets-tonight",
        "council-meets-tonight-2",
        "council-meets-tonight-3",
    ]
    # A renamed article keeps its old slug for its redirect: that number stays taken.
    renamed = client.patch(
        "/api/v1/articles/council-meets-tonight-3", json={"slug": "council-budget-night"}, headers=editor
    )
    assert renamed.status_code == 200
    # Past the numbers looked up for a whole batch at once, one at a time.
    later = send(client, editor, *[record(n, **same) for n in range(4, 18)])
    assert [x["slug"] for x in later.json()["results"]] == [f"council-meets-tonight-{n}" for n in range(4, 18)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("author_url", "javascript:alert(1)"),
        ("author_url", "//evil.example/x"),
        ("author_email", "not-an-address"),
        ("author_name", "   "),
        ("content", " \n "),
    ],
)
def test_imported_comments_pass_the_rules_of_the_comment_form(client, editor, field, value):
    comment = COMMENTS[0] | {field: value}
    [result] = send(client, editor, record(1, comments=[comment])).json()["results"]
    assert result["status"] == "failed"
    assert result["error"]["errors"][0]["pointer"] == f"#/comments/0/{field}"
    assert client.get("/api/v1/articles/harbour-story-number-1").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_body_without_a_valid_key_is_held_to_the_anonymous_limit(client, editor):
    big = ndjson(*(record(n, body=[{"type": "paragraph", "text": "x" * 1000}]) for n in range(100)))
    assert len(big) > 64 * 1024
    for headers in ({}, {"Authorization": "Bearer byl_not-a-key"}):
        answer = client.post("/api/v1/ingest", content=big, headers=headers | {"Content-Type": "application/x-ndjson"})
        assert answer.status_code == 413 and answer.json()["limit"] == 64 * 1024
    assert send(client, editor, *(orjson.loads(line) for line in big.splitlines())).json()["created"] == 100


@pytest.mark.parametrize("dry_run", ["false", "true"])
def test_a_nul_character_fails_only_its_record_on_every_database(client, editor, dry_run):
    body = [{"type": "paragraph", "text": "Ships\x00 wait"}]
    answer = send(
        client, editor, record(1, title="Harbour\x00 reopens"), record(2, body=body), record(3), dry_run=dry_run
    )
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["failed", "failed", "created"]
    assert [(r["error"]["status"], r["error"]["errors"][0]["pointer"]) for r in results[:2]] == [
        (422, "#/title"),
        (422, "#/body/0/text"),
    ]

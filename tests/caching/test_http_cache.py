"""The response cache and HTTP caching: never stale, bypassed for anything personal, validators,
304s, compression and HEAD."""

import gzip
import logging
import time
from datetime import timedelta

import brotli
import pytest
import zstandard

from app.caching.responses.encoding import negotiate
from app.caching.responses.store import Entry, ResponseStore
from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article
from tests.factories.people import make_user, sign_in
from tests.monitoring.test_metrics import _value

LONG_BODY = [{"type": "paragraph", "text": f"Paragraph {n} of a long dispatch from the harbour."} for n in range(40)]


def warm(client, path: str, **options) -> dict:
    """Read until the answer comes from the cache (on PostgreSQL the worker first learns the state)."""
    deadline = time.monotonic() + 10
    while (answer := client.get(path, **options)).headers["X-Cache"] != "HIT":
        assert time.monotonic() < deadline, answer.headers
        time.sleep(0.01)
    return answer


def test_a_repeated_anonymous_read_is_served_from_memory_unchanged(client, session):
    article = make_article(session, body=LONG_BODY)
    path = f"/api/v1/articles/{article.slug}"
    first = client.get(path)
    cached = warm(client, path)
    assert cached.content == first.content and cached.headers["ETag"] == first.headers["ETag"]
    assert cached.headers["Cache-Control"] == "public, max-age=30, stale-while-revalidate=30, stale-if-error=86400"
    assert cached.headers["Last-Modified"].endswith(" GMT")
    assert {"Authorization", "Accept-Encoding"} <= {name.strip() for name in cached.headers["Vary"].split(",")}
    assert cached.headers["X-Content-Type-Options"] == "nosniff"


def test_every_write_is_seen_by_the_very_next_read(client, session, editor, api_key):
    article = make_article(session)
    path = f"/api/v1/articles/{article.slug}"
    warm(client, path)
    warm(client, "/api/v1/articles")
    assert client.patch(path, json={"title": "Harbour reopens"}, headers=editor).status_code == 200
    assert client.get(path).json()["title"] == "Harbour reopens"
    assert client.get("/api/v1/articles").json()["data"][0]["title"] == "Harbour reopens"

    comments = f"{path}/comments"
    warm(client, comments)
    approve(client, api_key("comments:moderate"), reply(client, article.slug).json()["id"])
    assert client.get(comments).json()["meta"]["total"] == 1


def test_scheduled_articles_go_live_at_their_time_with_no_write(client, session, clock):
    make_article(session)
    later = make_article(session, status="scheduled", published_at=clock.now + timedelta(minutes=5), now=clock.now)
    assert warm(client, "/api/v1/articles").json()["meta"]["total"] == 1
    assert client.get(f"/api/v1/articles/{later.slug}").status_code == 404
    clock.now += timedelta(minutes=5)
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 2
    assert client.get(f"/api/v1/articles/{later.slug}").status_code == 200


def test_keys_cookies_and_preview_tokens_are_never_served_from_or_stored_in_the_cache(client, session, editor):
    draft = make_article(session, status="draft")
    published = make_article(session)
    path = f"/api/v1/articles/{published.slug}"
    warm(client, path)
    keyed = client.get(path, headers=editor)
    assert keyed.headers["X-Cache"] == "BYPASS" and keyed.headers["Cache-Control"] == "private, no-store"
    assert client.get(path, headers={"Cookie": "session=x"}).headers["X-Cache"] == "BYPASS"

    token = client.post(f"/api/v1/articles/{draft.slug}/preview-token", headers=editor).json()["token"]
    preview = client.get(f"/api/v1/articles/{draft.slug}", params={"preview_token": token})
    assert preview.status_code == 200 and preview.headers["X-Cache"] == "BYPASS"
    assert client.get(f"/api/v1/articles/{draft.slug}").status_code == 404
    # A client that asks for a fresh answer gets one, and it is kept for the next reader.
    assert client.get(path, headers={"Cache-Control": "no-cache"}).headers["X-Cache"] == "MISS"
    assert client.get(path).headers["X-Cache"] == "HIT"


def test_a_signed_in_editor_sees_a_draft_while_anonymous_reads_stay_cached(client, session, settings):
    draft = make_article(session, status="draft")
    make_user(session, settings, "ed@example.org")
    warm(client, "/api/v1/articles")
    sign_in(client, "ed@example.org")
    preview = client.get(f"/api/v1/articles/{draft.slug}")
    assert preview.status_code == 200 and preview.headers["X-Cache"] == "BYPASS"
    assert preview.headers["Cache-Control"] == "private, no-store"
    listed = client.get("/api/v1/articles", params={"status": "draft"})
    assert listed.headers["X-Cache"] == "BYPASS" and [a["slug"] for a in listed.json()["data"]] == [draft.slug]
    client.cookies.clear()
    assert client.get(f"/api/v1/articles/{draft.slug}").status_code == 404
    anonymous = client.get("/api/v1/articles")
    assert anonymous.headers["X-Cache"] == "HIT" and anonymous.json()["meta"]["total"] == 0


def test_lists_and_resources_carry_validators_and_answer_304_without_a_body(client, session, editor):
    article = make_article(session)
    for path in ("/api/v1/articles", f"/api/v1/articles/{article.slug}", "/api/v1/authors"):
        answer = warm(client, path)
        etag, modified = answer.headers["ETag"], answer.headers["Last-Modified"]
        assert etag.startswith('"') and etag.endswith('"')
        for conditional in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            unchanged = client.get(path, headers=conditional)
            assert unchanged.status_code == 304 and unchanged.content == b""
            assert unchanged.headers["ETag"] == etag
    list_etag = client.get("/api/v1/articles").headers["ETag"]
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Changed"}, headers=editor)
    changed = client.get("/api/v1/articles", headers={"If-None-Match": list_etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != list_etag


# The bytes as sent, decoded here: HTTP clients differ in the codings they undo.
UNPACK = {"br": brotli.decompress, "gzip": gzip.decompress, "zstd": zstandard.decompress}


@pytest.mark.parametrize("encoding", ["br", "gzip", "zstd"])
def test_answers_are_compressed_as_the_client_prefers(client, session, editor, encoding):
    article = make_article(session, body=LONG_BODY)
    path = f"/api/v1/articles/{article.slug}"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    for _ in range(2):  # built, then from the cache
        with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as packed:
            sent = b"".join(packed.iter_raw())
        assert packed.headers["Content-Encoding"] == encoding and UNPACK[encoding](sent) == plain.content
        assert int(packed.headers["Content-Length"]) == len(sent) < len(plain.content) / 2
        assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + f'-{encoding}"'
    assert (
        client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]}).status_code
        == 304
    )
    # Keyed answers are compressed too, and their validators name the coding.
    with client.stream("GET", path, headers={"Accept-Encoding": encoding} | editor) as keyed:
        sent = b"".join(keyed.iter_raw())
    assert keyed.headers["X-Cache"] == "BYPASS" and keyed.headers["Content-Encoding"] == encoding
    assert keyed.headers["ETag"].endswith(f'-{encoding}"') and UNPACK[encoding](sent) == plain.content


def test_small_answers_are_not_compressed(client):
    assert "Content-Encoding" not in client.get("/api/v1/sections", headers={"Accept-Encoding": "br"}).headers


def test_the_encoding_follows_the_clients_ratings():
    assert negotiate(b"gzip, deflate, br, zstd") == "br"
    assert negotiate(b"gzip;q=1.0, br;q=0.5") == "gzip"
    assert negotiate(b"br;q=0, gzip") == "gzip"
    assert negotiate(b"*") == "br"
    assert negotiate(b"identity") == "identity"
    assert negotiate(b"") == "identity"
    assert negotiate(b"br;q=nonsense, gzip") == "gzip"


def test_head_answers_as_get_would_without_the_body(client, session):
    article = make_article(session, body=LONG_BODY)
    path = f"/api/v1/articles/{article.slug}"
    for _ in range(2):
        full, head = client.get(path), client.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["Content-Length"] == full.headers["Content-Length"]
        assert head.headers["ETag"] == full.headers["ETag"]
    assert client.head("/api/v1/articles/no-such-story").status_code == 404


def test_the_store_keeps_the_most_recently_used_within_its_bounds():
    def entry(size: int) -> Entry:
        return Entry(built=None, headers=[], body=b"x" * size, etag='"e"', last_modified=None, compressible=False)

    by_count = ResponseStore(max_entries=2, max_bytes=10_000)
    for key in ("a", "b"):
        by_count.put(key, entry(10))
    by_count.get("a")
    by_count.put("c", entry(10))
    assert (by_count.get("a"), by_count.get("b")) != (None, None) and by_count.get("b") is None
    by_size = ResponseStore(max_entries=100, max_bytes=1650)
    for key in range(20):
        by_size.put(key, entry(100))
    assert len(by_size) == 16 and by_size.bytes == 1600


def test_an_answer_too_large_for_its_share_of_the_store_is_not_kept_and_pushes_nothing_out():
    store = ResponseStore(max_entries=100, max_bytes=1600)
    small, huge = (
        Entry(built=None, headers=[], body=b"x" * size, etag='"e"', last_modified=None, compressible=False)
        for size in (100, 101)
    )
    store.put("small", small)
    store.put("huge", huge)
    assert store.get("huge") is None and store.get("small") is small


def test_hits_and_misses_are_counted_for_metrics(client, session, api_key):
    article = make_article(session)
    warm(client, f"/api/v1/articles/{article.slug}")
    scraped = client.get("/metrics", headers=api_key("admin")).text
    hits = [
        line for line in scraped.splitlines() if line.startswith('byline_response_cache_lookups_total{result="hit"}')
    ]
    assert hits and float(hits[0].split()[-1]) >= 1


def test_decoding_brotli_matches(client, session):
    article = make_article(session, body=LONG_BODY)
    with client.stream("GET", f"/api/v1/articles/{article.slug}", headers={"Accept-Encoding": "br"}) as raw:
        packed = b"".join(raw.iter_raw())
    assert brotli.decompress(packed) == client.get(f"/api/v1/articles/{article.slug}").content


def test_a_hit_is_logged_counted_and_labelled_like_any_answer(client, session, api_key, caplog):
    article = make_article(session)
    path = f"/api/v1/articles/{article.slug}"
    etag = warm(client, path).headers["ETag"]
    admin = api_key("admin")
    served = 'byline_requests_total{method="GET",route="/api/v1/articles/{slug}",status="200"}'
    before = _value(client.get("/metrics", headers=admin).text, served)
    with caplog.at_level(logging.INFO, logger="byline.access"):
        hit = client.get(path, headers={"X-Request-ID": "edge-42"})
        unchanged = client.get(path, headers={"If-None-Match": etag})
    assert hit.headers["X-Cache"] == unchanged.headers["X-Cache"] == "HIT"
    assert hit.headers["X-Request-ID"] == "edge-42" and len(unchanged.headers["X-Request-ID"]) == 32
    logged = [(line.route, line.status, line.request_id) for line in caplog.records if line.name == "byline.access"]
    assert logged == [
        ("/api/v1/articles/{slug}", 200, "edge-42"),
        ("/api/v1/articles/{slug}", 304, unchanged.headers["X-Request-ID"]),
    ]
    assert _value(client.get("/metrics", headers=admin).text, served) == before + 1
    # A page on another origin reads the same cached answer, with what CORS needs.
    cross = client.get(path, headers={"Origin": "https://reader.example"})
    assert cross.headers["X-Cache"] == "HIT" and cross.headers["Access-Control-Allow-Origin"] == "*"
    assert cross.content == hit.content

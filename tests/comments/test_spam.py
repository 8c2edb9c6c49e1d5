from app.core.settings import Settings
from app.main import create_app
from tests.app_client import AppClient
from tests.comments.helpers import reply
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article


def queue(client, moderator, status: str) -> list[dict]:
    return client.get(f"/api/v1/comments?status={status}", headers=moderator).json()["data"]


def test_filled_honeypot_is_accepted_but_filed_as_spam(client, session, api_key):
    article = make_article(session)
    response = reply(client, article.slug, homepage="http://cheap-pills.example")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    [spam] = queue(client, api_key("comments:moderate"), "spam")
    assert spam["id"] == response.json()["id"] and "honeypot field filled" in spam["reasons"]


def test_too_many_links_are_held_with_the_reason(client, session, api_key):
    article = make_article(session)
    links = " ".join(f"[site {n}](https://example.com/{n})" for n in range(4))
    reply(client, article.slug, content=f"See {links}")
    [held] = queue(client, api_key("comments:moderate"), "pending")
    assert "too many links (4)" in held["reasons"]


def test_blocklisted_words_go_to_spam(client, session, settings, api_key):
    settings.comment_blocklist = ["casino bonus"]
    article = make_article(session)
    reply(client, article.slug, content="Get your CASINO BONUS today")
    [spam] = queue(client, api_key("comments:moderate"), "spam")
    assert spam["reasons"] == ["blocklisted word: casino bonus"]


def test_duplicate_of_a_recent_comment_is_spam(client, session, api_key):
    article = make_article(session)
    reply(client, article.slug, content="Same words exactly.")
    reply(client, article.slug, content="Same  words   exactly.")
    [spam] = queue(client, api_key("comments:moderate"), "spam")
    assert spam["reasons"][0].startswith("duplicate of recent comment")


def test_comment_sent_too_fast_after_the_form_is_held(client, session, api_key, clock):
    article = make_article(session)
    token = client.get(f"/api/v1/articles/{article.slug}/comments/form-token").json()["form_token"]
    reply(client, article.slug, form_token=token)
    [held] = queue(client, api_key("comments:moderate"), "pending")
    assert held["reasons"][0].startswith("submitted less than")


def test_comment_sent_at_human_speed_with_the_form_token_is_not_flagged(client, session, api_key, clock):
    article = make_article(session)
    token = client.get(f"/api/v1/articles/{article.slug}/comments/form-token").json()["form_token"]
    clock.now = clock.now.replace(second=30)
    reply(client, article.slug, form_token=token)
    [held] = queue(client, api_key("comments:moderate"), "pending")
    assert held["reasons"] == ["first comment from this address"]


def test_rate_limit_per_network_answers_429_with_retry_after(client, session, settings):
    settings.comment_limit_per_network = 3
    article = make_article(session)
    answers = [reply(client, article.slug, address=f"203.0.113.{n}") for n in range(1, 5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[1].headers["RateLimit-Remaining"] == "1"
    refused = answers[3]
    assert int(refused.headers["Retry-After"]) > 0 and refused.headers["RateLimit-Remaining"] == "0"
    assert refused.json()["type"].endswith("/problems/too-many-comments")
    assert reply(client, article.slug, address="203.0.114.1").status_code == 202


def test_rate_limit_per_ipv6_network_covers_the_48(client, session, settings):
    settings.comment_limit_per_network = 2
    article = make_article(session)
    assert reply(client, article.slug, address="2001:db8:1:a::1").status_code == 202
    assert reply(client, article.slug, address="2001:db8:1:b::2").status_code == 202
    assert reply(client, article.slug, address="2001:db8:1:c::3").status_code == 429
    assert reply(client, article.slug, address="2001:db8:2::1").status_code == 202


def test_rate_limit_per_email_spans_networks(client, session, settings, clock):
    settings.comment_limit_per_email = 2
    article = make_article(session)
    for n in range(2):
        assert reply(client, article.slug, author_email="busy@example.com", content=f"Point {n}").status_code == 202
    assert reply(client, article.slug, author_email="busy@example.com", content="Point 3").status_code == 429
    clock.now = clock.now.replace(hour=clock.now.hour + 1)
    assert reply(client, article.slug, author_email="busy@example.com", content="Later point").status_code == 202


def test_forwarded_addresses_are_not_believed_by_default(session, database_url, clock):
    defaults = Settings(_env_file=None, database_url=database_url, secret_key=TEST_SECRET, comment_limit_per_network=3)
    article = make_article(session)
    with AppClient(create_app(defaults, clock=clock), client=("127.0.0.1", 50000)) as local:
        answers = [reply(local, article.slug, address=f"203.0.{n}.1") for n in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]


def test_forwarded_values_that_are_not_addresses_count_as_the_proxy(client, session, settings):
    settings.comment_limit_per_network = 3
    article = make_article(session)
    answers = [reply(client, article.slug, address=f"not-an-address-{n}") for n in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]

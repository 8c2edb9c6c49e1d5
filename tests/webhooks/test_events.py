from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.articles import editing
from app.articles.events import announce_go_lives
from app.articles.schemas import ArticleUpdate
from app.outbox.service import pending_events
from app.webhooks.events import body
from app.webhooks.signing import signed_headers
from tests.comments.helpers import approve, reply
from tests.factories.newsroom import NOW, make_article


def article_events(engine) -> list[tuple[str, dict]]:
    with Session(engine) as fresh:
        return [(e.topic, e.payload) for e in pending_events(fresh) if e.topic.startswith("article.")]


def test_signature_matches_the_specification_test_vector():
    headers = signed_headers(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        body='{"test": 2432232314}',
        at=datetime.fromtimestamp(1614265330, UTC),
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


def test_each_article_write_path_emits_its_event(session, engine):
    article = make_article(session)
    retitled = ArticleUpdate(title="Council approves a smaller budget")
    editing.update_article(session, article, retitled, now=NOW, actor="t")
    editing.unpublish_article(session, article, now=NOW, actor="t")
    editing.publish_article(session, article, published_at=None, now=NOW, actor="t")
    editing.archive_article(session, article, now=NOW, actor="t")
    editing.publish_article(session, article, published_at=None, now=NOW, actor="t")
    editing.delete_article(session, article, now=NOW)
    assert [topic for topic, _ in article_events(engine)] == [
        "article.published",
        "article.updated",
        "article.unpublished",
        "article.published",
        "article.unpublished",
        "article.published",
        "article.deleted",
    ]
    _, deleted = article_events(engine)[-1]
    assert deleted["slug"] == article.slug and deleted["title"] == "Council approves a smaller budget"


def test_a_scheduled_article_is_announced_when_it_goes_live(session, engine):
    article = make_article(session, status="draft")
    editing.publish_article(session, article, published_at=NOW + timedelta(days=1), now=NOW, actor="t")
    editing.update_article(session, article, ArticleUpdate(title="Budget vote moved"), now=NOW, actor="t")
    assert article_events(engine) == []

    with Session(engine) as worker:
        assert announce_go_lives(worker, now=NOW + timedelta(hours=23)) == 0
        assert announce_go_lives(worker, now=NOW + timedelta(days=1)) == 1
        assert announce_go_lives(worker, now=NOW + timedelta(days=2)) == 0
    [(topic, payload)] = article_events(engine)
    assert topic == "article.published" and payload["status"] == "published"
    assert payload["title"] == "Budget vote moved"


def test_drafts_make_no_events(session, engine):
    article = make_article(session, status="draft")
    editing.update_article(session, article, ArticleUpdate(title="Still a secret"), now=NOW, actor="t")
    editing.delete_article(session, article, now=NOW)
    assert article_events(engine) == []


def test_an_edit_that_changes_nothing_makes_no_event(session, engine):
    article = make_article(session)
    editing.update_article(session, article, ArticleUpdate(title=article.title), now=NOW, actor="t")
    assert [topic for topic, _ in article_events(engine)] == ["article.published"]


def test_comment_events_carry_no_address_and_no_text(client, session, engine, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    parent = reply(client, article.slug, author_email="parent@example.com", notify_replies=True).json()["id"]
    approve(client, moderator, parent)
    with Session(engine) as fresh:
        events = [(e.topic, e.payload) for e in pending_events(fresh) if e.topic.startswith("comment.")]
    assert [topic for topic, _ in events] == ["comment.created", "comment.approved"]
    for _, payload in events:
        assert payload["comment_id"] == parent and payload["article_slug"] == article.slug
        assert "parent@example.com" not in str(payload) and "remark" not in str(payload)


def test_bulk_approval_emits_comment_approved(client, session, engine, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    ids = [reply(client, article.slug).json()["id"] for _ in range(2)]
    answer = client.post("/api/v1/comments/moderate", json={"ids": ids, "action": "approve"}, headers=moderator)
    assert answer.status_code == 200
    with Session(engine) as fresh:
        approved = [e.payload["comment_id"] for e in pending_events(fresh, topic="comment.approved")]
    assert sorted(approved) == ids


def test_webhook_body_never_carries_an_address(settings):
    payload = {"comment_id": 1, "article_id": 2, "article_slug": "a", "to": "x@example.com", "content": "hidden"}
    sent = body("comment.created", payload, occurred_at=datetime(2025, 6, 1, tzinfo=UTC), settings=settings)
    assert "x@example.com" not in sent and "hidden" not in sent
    assert '"url":"http://testserver/api/v1/articles/a/comments"' in sent

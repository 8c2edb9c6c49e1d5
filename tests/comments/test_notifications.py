import base64
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlmodel import Session, select

from app.comments import notifications
from app.comments.models import Comment
from app.outbox.service import pending_events
from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article


def test_approved_reply_notifies_the_parent_author_who_opted_in(client, session, engine, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    parent = reply(client, article.slug, author_email="parent@example.com", notify_replies=True).json()["id"]
    approve(client, moderator, parent)
    answer = reply(client, article.slug, parent_id=parent).json()["id"]
    with Session(engine) as fresh:
        assert pending_events(fresh, topic="comment.reply") == []
        created = pending_events(fresh, topic="comment.created")
    assert {event.payload["comment_id"] for event in created} == {parent, answer}
    approve(client, moderator, answer)
    with Session(engine) as fresh:
        [event] = pending_events(fresh, topic="comment.reply")
    assert event.payload["to"] == "parent@example.com" and event.payload["reply_id"] == answer


def test_no_notification_without_opt_in(client, session, engine, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    parent = reply(client, article.slug).json()["id"]
    approve(client, moderator, parent)
    approve(client, moderator, reply(client, article.slug, parent_id=parent).json()["id"])
    with Session(engine) as fresh:
        assert pending_events(fresh, topic="comment.reply") == []


def _subscribed(client, session, engine, api_key) -> tuple[int, str]:
    """A commenter who asked to be told of replies, and the link in the notification of one."""
    moderator = api_key("comments:moderate")
    article = make_article(session)
    parent = reply(client, article.slug, author_email="parent@example.com", notify_replies=True).json()["id"]
    approve(client, moderator, parent)
    approve(client, moderator, reply(client, article.slug, parent_id=parent).json()["id"])
    with Session(engine) as fresh:
        [event] = pending_events(fresh, topic="comment.reply")
    return parent, event.payload["unsubscribe_url"].removeprefix("http://testserver")


def _still_subscribed(session, comment_id: int) -> bool:
    session.expire_all()
    return session.exec(select(Comment.notify_replies).where(Comment.id == comment_id)).one()


def test_opening_the_unsubscribe_link_asks_and_changes_nothing(client, session, engine, api_key):
    parent, link = _subscribed(client, session, engine, api_key)
    # Link scanners and prefetchers open links, more than once: none of that may unsubscribe anyone.
    for opened in (client.get(link), client.head(link), client.get(link)):
        assert opened.status_code == 200 and opened.headers["content-type"].startswith("text/html")
        assert opened.headers["cache-control"] == "no-store"
    form = HTMLParser(client.get(link).text).css_first("form")
    assert form.attributes["method"] == "post" and form.attributes["action"] == "?" + link.partition("?")[2]
    assert form.css_first("input[type=hidden]").attributes == {
        "type": "hidden",
        "name": "List-Unsubscribe",
        "value": "One-Click",
    }
    assert form.css_first("button[type=submit]") is not None
    assert _still_subscribed(session, parent) is True


def test_the_pages_button_unsubscribes(client, session, engine, api_key):
    parent, link = _subscribed(client, session, engine, api_key)
    pressed = client.post(
        link,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html,*/*;q=0.8"},
    )
    assert pressed.status_code == 200 and pressed.headers["content-type"].startswith("text/html")
    assert pressed.headers["cache-control"] == "no-store"
    assert _still_subscribed(session, parent) is False


def test_a_forged_unsubscribe_link_is_refused(client):
    link = "/api/v1/comments/unsubscribe?token=forged"
    opened = client.get(link)
    assert opened.status_code == 400 and opened.headers["content-type"].startswith("text/html")
    assert opened.headers["cache-control"] == "no-store" and HTMLParser(opened.text).css_first("form") is None
    clicked = client.post(link, content="List-Unsubscribe=One-Click")
    assert clicked.status_code == 400 and clicked.headers["content-type"] == "application/problem+json"
    assert clicked.json()["type"].endswith("/problems/invalid-unsubscribe-token")
    assert clicked.headers["cache-control"] == "no-store"


def test_an_expired_unsubscribe_link_is_refused(client, session, engine, api_key, settings):
    parent, _ = _subscribed(client, session, engine, api_key)

    class _OverAYearAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - notifications.LINK_LIFETIME.total_seconds()) - 60

    secret = settings.secret_key.get_secret_value()
    old = URLSafeTimedSerializer(secret, salt=notifications._SALT, signer=_OverAYearAgo).dumps(parent)
    link = f"/api/v1/comments/unsubscribe?token={old}"
    assert client.get(link).status_code == 400
    assert client.post(link).json()["type"].endswith("/problems/invalid-unsubscribe-token")
    assert _still_subscribed(session, parent) is True


def test_spam_creates_no_event(client, session, engine):
    article = make_article(session)
    reply(client, article.slug, homepage="bot")
    with Session(engine) as fresh:
        assert [event.topic for event in pending_events(fresh) if event.topic.startswith("comment.")] == []


def test_an_unsubscribe_link_names_one_subscription_and_no_address(client, session, engine, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    parents = [
        reply(client, article.slug, author_email="parent@example.com", notify_replies=True).json()["id"]
        for _ in range(2)
    ]
    for parent in parents:
        approve(client, moderator, parent)
        approve(client, moderator, reply(client, article.slug, parent_id=parent).json()["id"])
    with Session(engine) as fresh:
        links = {
            e.payload["parent_id"]: e.payload["unsubscribe_url"] for e in pending_events(fresh, topic="comment.reply")
        }
    token = links[parents[0]].partition("token=")[2]
    assert "parent@example.com" not in base64.urlsafe_b64decode(token.split(".")[0] + "==").decode(errors="replace")
    assert client.post(f"/api/v1/comments/unsubscribe?token={token}").json() == {"unsubscribed": True}
    session.expire_all()
    subscribed = dict(session.exec(select(Comment.id, Comment.notify_replies).where(Comment.id.in_(parents))).all())
    assert subscribed == {parents[0]: False, parents[1]: True}

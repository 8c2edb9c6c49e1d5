import base64

from sqlmodel import Session, select

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


def test_unsubscribe_link_works_without_an_account(client, session, engine, api_key):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    parent = reply(client, article.slug, author_email="parent@example.com", notify_replies=True).json()["id"]
    approve(client, moderator, parent)
    approve(client, moderator, reply(client, article.slug, parent_id=parent).json()["id"])
    with Session(engine) as fresh:
        [event] = pending_events(fresh, topic="comment.reply")
    link = event.payload["unsubscribe_url"].removeprefix("http://testserver")
    assert client.get(link).json() == {"unsubscribed": True}
    session.expire_all()
    assert session.exec(select(Comment.notify_replies).where(Comment.id == parent)).one() is False
    assert client.get("/api/v1/comments/unsubscribe?token=forged").status_code == 400


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

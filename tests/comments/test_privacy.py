import hashlib
import logging

from sqlalchemy import text
from sqlmodel import select

from app.comments.models import Comment
from app.main import create_app
from tests.app_client import AppClient
from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article

EMAIL = "Private.Person@Example.com"
ADDRESS = "198.51.100.77"


def test_email_and_address_never_appear_in_public_answers_or_logs(client, session, api_key, caplog):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    with caplog.at_level(logging.INFO):
        submitted = reply(client, article.slug, author_email=EMAIL, address=ADDRESS)
        approve(client, moderator, submitted.json()["id"])
        public = [
            submitted.text,
            client.get(f"/api/v1/articles/{article.slug}/comments").text,
            client.get(f"/api/v1/articles/{article.slug}").text,
            reply(client, article.slug, author_email=EMAIL, address=ADDRESS, content="Again").text,
        ]
        assert client.get(f"/api/v1/comments?email={EMAIL}", headers=moderator).status_code == 200
    # The test client's own request log is not the server's.
    server_log = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("httpx"))
    for answer in public + [server_log]:
        assert EMAIL.lower() not in answer.lower()
        assert ADDRESS not in answer
    assert "GET /api/v1/comments 200" in server_log


def test_avatars_cannot_be_matched_to_a_guessed_address_unless_gravatar_is_enabled(
    client, session, settings, api_key, clock
):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    approve(client, moderator, reply(client, article.slug, author_email=f"  {EMAIL} ").json()["id"])
    approve(client, moderator, reply(client, article.slug, author_email=EMAIL.upper()).json()["id"])
    digest = hashlib.sha256(EMAIL.strip().lower().encode()).hexdigest()
    first, second = (t["avatar_url"] for t in client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"])
    assert first == second and digest not in first and first.endswith("f=y")
    with AppClient(create_app(settings.model_copy(update={"comment_gravatar": True}), clock=clock)) as gravatar:
        [thread, _] = gravatar.get(f"/api/v1/articles/{article.slug}/comments").json()["data"]
    assert thread["avatar_url"].startswith(f"https://gravatar.com/avatar/{digest}")


def test_address_is_stored_only_as_a_keyed_hash(client, session):
    article = make_article(session)
    reply(client, article.slug, address=ADDRESS)
    stored = session.exec(select(Comment)).one()
    columns = [str(value) for value in stored.model_dump().values()]
    assert not [value for value in columns if ADDRESS in value]
    assert stored.ip_hash != hashlib.sha256(ADDRESS.encode()).hexdigest()
    assert len(stored.ip_hash) == 64 and stored.ip_hash != stored.network_hash


def test_database_errors_never_log_the_values_written(client, session, caplog):
    article = make_article(session)
    # A constraint the service does not check forces the insert to fail inside the database.
    session.execute(text("CREATE UNIQUE INDEX ux_test_one_comment_per_article ON comment (article_id)"))
    session.commit()
    try:
        reply(client, article.slug, address=ADDRESS)
        with caplog.at_level(logging.INFO):
            failed = reply(client, article.slug, author_email=EMAIL, address=ADDRESS, content="Second")
    finally:
        session.execute(text("DROP INDEX ux_test_one_comment_per_article"))
        session.commit()
    assert failed.status_code == 409
    server_log = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("httpx"))
    assert "integrity conflict" in server_log
    assert EMAIL.lower() not in server_log.lower()

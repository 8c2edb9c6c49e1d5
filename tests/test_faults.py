"""Real processes, real signals: what the API acknowledged is there after it was killed."""

import os
import signal
import threading
import time

import httpx
from sqlalchemy import text
from sqlmodel import func, select

from app.articles.models import Article, ArticleRevision
from app.comments.models import Comment
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import served
from tests.test_cli import byline

WRITERS = 4


def test_no_acknowledged_write_is_lost_or_doubled_when_the_server_is_killed(database_url, session, api_key):
    byline("db", "upgrade", database_url=database_url)
    article = make_article(session)
    slug, author, editor = article.slug, article.authors[0].slug, api_key("content:write")
    session.rollback()
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_COMMENT_LIMIT_PER_NETWORK": "1000000",
        "BYLINE_COMMENT_LIMIT_PER_EMAIL": "1000000",
    }
    acknowledged: dict[int, str] = {}
    created: dict[str, str] = {}
    patched: list[int] = []  # edit numbers the API acknowledged, in order
    stop = threading.Event()

    def edit(base: str) -> None:
        with httpx.Client(base_url=base, timeout=10, headers=editor) as client:
            for n in range(1, 100_000):
                if stop.is_set():
                    return
                try:
                    answer = client.patch(f"/api/v1/articles/{slug}", json={"subtitle": f"Edit {n}"})
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    patched.append(n)

    def create(writer: int, base: str) -> None:
        with httpx.Client(base_url=base, timeout=10, headers=editor) as client:
            for n in range(100_000):
                if stop.is_set():
                    return
                title = f"Desk {writer} story {n}"
                body = {"title": title, "authors": [author], "body": [{"type": "paragraph", "text": title}]}
                try:
                    answer = client.post("/api/v1/articles", json=body)
                except httpx.TransportError:
                    return
                if answer.status_code == 201:
                    created[answer.json()["slug"]] = title

    def write(writer: int, base: str) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            for n in range(100_000):
                if stop.is_set():
                    return
                content = f"Writer {writer}, comment {n}."
                body = {"author_name": f"W{writer}", "author_email": f"w{writer}-{n}@example.com", "content": content}
                try:
                    answer = client.post(f"/api/v1/articles/{slug}/comments", json=body)
                except httpx.TransportError:
                    return  # the server is gone
                if answer.status_code in (201, 202):
                    acknowledged[answer.json()["id"]] = content

    with served(env, workers=2) as (server, base):
        writers = [threading.Thread(target=write, args=(n, base)) for n in range(WRITERS)]
        writers += [threading.Thread(target=create, args=(n, base)) for n in range(2)]
        writers.append(threading.Thread(target=edit, args=(base,)))
        for writer in writers:
            writer.start()
        time.sleep(2)
        os.killpg(server.pid, signal.SIGKILL)
        stop.set()
        for writer in writers:
            writer.join(timeout=30)

    stored = dict(session.exec(select(Comment.id, Comment.content)).all())
    articles = dict(session.exec(select(Article.slug, Article.title)).all())
    revisions = dict(
        session.exec(select(Article.slug, func.count()).join(ArticleRevision).group_by(Article.slug)).all()
    )
    assert len(acknowledged) > 20 and len(created) > 5
    assert {slug_: articles.get(slug_) for slug_ in created} == created
    assert all(revisions[slug_] == 1 for slug_ in created)
    # The last acknowledged edit, or one the server committed just before it died, is what stands,
    # with one revision per committed edit after the first.
    edited = session.exec(select(Article.subtitle).where(Article.slug == slug)).one()
    assert patched and int(edited.removeprefix("Edit ")) in (patched[-1], patched[-1] + 1)
    assert revisions[slug] == 1 + int(edited.removeprefix("Edit "))
    assert {id_: stored.get(id_) for id_ in acknowledged} == acknowledged
    assert len(set(stored.values())) == len(stored)
    if database_url.startswith("sqlite"):
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    found = f"comments acknowledged {len(acknowledged)}, found {len(stored)}"
    print(
        f"{found}; articles acknowledged {len(created)}, found {len(articles) - 1}; edits acknowledged {len(patched)}"
    )

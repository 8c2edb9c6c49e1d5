"""Caches never show what a write changed: random writes against a newsroom, and after each one
every answer of cached servers (two workers each) is compared with a server that keeps nothing
(no response cache, no stored answers), on the same database."""

import random
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import pytest

from app.articles.visibility import PUBLIC
from app.collections import service as collections
from app.collections.schemas import CollectionWrite, ItemIn
from tests import loopback
from tests.comments.helpers import reply
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import NOW, make_article, make_section
from tests.server import running_server

ROUNDS = 5
TAG_POOL = ["Ports", "Weather", "Budget", "Transport", "Schools"]
# Both servers name the same site, so their links agree.
SITE = "http://byline.example"


def _paths(slugs: list[str], authors: list[str], sections: list[str], tags: list[str]) -> list[str]:
    paths = [
        "/api/v1",
        "/api/v1/articles",
        "/api/v1/articles?limit=2",
        "/api/v1/articles?q=harbour",
        "/api/v1/authors",
        "/api/v1/sections",
        "/api/v1/tags",
        "/api/v1/changes",
        "/feeds/rss.xml",
        "/sitemap.xml",
        "/api/v1/collections/home",
        "/feeds/collections/home/rss.xml",
    ]
    for slug in slugs:
        paths += [f"/api/v1/articles/{slug}", f"/api/v1/articles/{slug}/related", f"/api/v1/articles/{slug}/comments"]
        paths.append(f"/api/v1/articles/{slug}?include=related,comments,author_articles")
    for author in authors:
        paths += [f"/api/v1/authors/{author}", f"/api/v1/authors/{author}/articles"]
    for section in sections:
        paths += [f"/api/v1/sections/{section}", f"/api/v1/articles?section={section}"]
    for tag in tags:
        paths += [f"/api/v1/tags/{tag}", f"/api/v1/articles?tag={tag}"]
    return paths


def _read(base: str, path: str) -> tuple[int, bytes]:
    # A new connection for each read (as loopback.get makes), so each may reach either worker.
    answer = loopback.get(base + path, timeout=10)
    return answer.status_code, answer.content


class Newsroom:
    """What the writes act on, as the reference server reports it."""

    def __init__(self, reference: str, editor: dict, moderator: dict, rng: random.Random) -> None:
        self.reference, self.editor, self.moderator, self.rng = reference, editor, moderator, rng
        self.created = 0

    def _get(self, path: str) -> dict:
        return loopback.get(self.reference + path, headers=self.editor, timeout=10).json()

    def slugs(self) -> list[str]:
        """Published and unpublished alike."""
        return [
            item["slug"]
            for status in ("published", "draft")
            for item in self._get(f"/api/v1/articles?status={status}&limit=100")["data"]
        ]

    def listing(self, kind: str) -> list[str]:
        return [item["slug"] for item in self._get(f"/api/v1/{kind}?limit=100")["data"]]

    def write(self, through: str) -> str:
        """One random write, sent to `through`; what it did."""
        slug = self.rng.choice(self.slugs())
        article = f"{through}/api/v1/articles/{slug}"
        choice, n = self.rng.randrange(10), self.rng.randrange(1000)
        if choice == 0:
            answer = loopback.patch(article, json={"title": f"Harbour story {n}"}, headers=self.editor)
        elif choice == 1:
            tags = self.rng.sample(TAG_POOL, self.rng.randrange(3))
            answer = loopback.patch(article, json={"tags": tags}, headers=self.editor)
        elif choice == 2:
            answer = loopback.patch(
                article, json={"section": self.rng.choice(self.listing("sections"))}, headers=self.editor
            )
        elif choice == 3:
            status = self._get(f"/api/v1/articles/{slug}")["status"]
            action = "unpublish" if status == "published" else "publish"
            answer = loopback.post(f"{article}/{action}", headers=self.editor)
        elif choice == 4:
            answer = loopback.post(
                f"{article}/corrections", json={"text": "An earlier version misnamed the pier."}, headers=self.editor
            )
        elif choice == 5:
            with loopback.client(base_url=through) as client:
                posted = reply(client, slug)
            if posted.status_code not in (201, 202):  # published at once, or held for moderation
                return f"comment on {slug} refused ({posted.status_code})"
            answer = loopback.patch(
                f"{through}/api/v1/comments/{posted.json()['id']}", json={"status": "approved"}, headers=self.moderator
            )
        elif choice == 6:
            tag = self.rng.choice(self.listing("tags") or [None])
            if tag is None:
                return "no tag to rename"
            answer = loopback.patch(
                f"{through}/api/v1/tags/{tag}", json={"name": f"Topic {self.rng.randrange(1000)}"}, headers=self.editor
            )
        elif choice == 7:
            author = self.rng.choice(self.listing("authors"))
            answer = loopback.patch(
                f"{through}/api/v1/authors/{author}",
                json={"name": f"Writer {self.rng.randrange(1000)}"},
                headers=self.editor,
            )
        elif choice == 8:
            self.created += 1
            body = {
                "title": f"Harbour follow-up {self.created}",
                "authors": [self.rng.choice(self.listing("authors"))],
                "section": self.rng.choice(self.listing("sections")),
                "tags": self.rng.sample(TAG_POOL, 2),
                "body": [{"type": "paragraph", "text": "The harbour master spoke to reporters on the quay."}],
            }
            created = loopback.post(f"{through}/api/v1/articles", json=body, headers=self.editor)
            assert created.status_code == 201, created.text
            answer = loopback.post(f"{through}/api/v1/articles/{created.json()['slug']}/publish", headers=self.editor)
        else:
            if len(self.slugs()) <= 3:
                return "too few articles to delete one"
            answer = loopback.delete(article, headers=self.editor)
        assert answer.status_code in (200, 201, 204, 409), answer.text
        return f"{answer.request.method} {answer.request.url.path} -> {answer.status_code}"


def _newsroom(session) -> None:
    harbour, city = make_section(session, name="Harbour"), make_section(session, name="City")
    for n, section in enumerate([harbour, city, harbour, city, harbour]):
        make_article(session, title=f"Harbour story {n}", section=section.slug, tags=TAG_POOL[n % 3 : n % 3 + 2])
    # A front of three picks, the rest filled from the harbour: writes hide and show its stories.
    picks = [ItemIn(article=f"harbour-story-{n}") for n in (4, 1, 2)]
    body = CollectionWrite(title="Home", items=picks, max_items=4, fallback_section=harbour.slug)
    collections.put(session, "home", body, now=NOW, actor="tests", reader=PUBLIC, if_match=None)


@contextmanager
def _servers(env: dict[str, str], cached: int) -> Iterator[tuple[list[str], str]]:
    with ExitStack() as stack:
        bases = [stack.enter_context(running_server(env, workers=2)) for _ in range(cached)]
        reference = stack.enter_context(
            running_server(env | {"BYLINE_RESPONSE_CACHE": "false", "BYLINE_STORED_ANSWERS": "false"})
        )
        yield bases, reference


def _every_path(newsroom: Newsroom) -> list[str]:
    slugs = newsroom.slugs()
    return _paths(slugs, newsroom.listing("authors"), newsroom.listing("sections"), newsroom.listing("tags"))


def _compare(bases: list[str], reference: str, newsroom: Newsroom, wait_for: Callable[[str], bool]) -> None:
    for path in _every_path(newsroom):
        expected = _read(reference, path)
        for base in bases:
            deadline = time.monotonic() + (1.0 if wait_for(base) else 0)
            while (seen := _read(base, path)) != expected and time.monotonic() < deadline:
                time.sleep(0.01)
            assert seen == expected, f"{base}{path} differs from the uncached answer"
            # Once more: the other worker may hold its own copy.
            assert _read(base, path) == expected, f"{base}{path} differs from the uncached answer"


def newsroom_env(database_url: str) -> dict[str, str]:
    """The settings of every server compared: the same database and site, so their answers agree."""
    return {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_PUBLIC_URL": SITE,
        "BYLINE_SEMANTIC": "false",
        # Comments come from many addresses, as the rate limits expect.
        "BYLINE_TRUSTED_PROXIES": '["127.0.0.1"]',
    }


def run(database_url: str, session, api_key, *, cached: int, seed: int) -> None:
    _newsroom(session)
    editor, moderator = api_key("content:write", "content:preview"), api_key("comments:moderate")
    session.commit()
    env = newsroom_env(database_url)
    rng = random.Random(seed)
    with _servers(env, cached) as (bases, reference):
        newsroom = Newsroom(reference, editor, moderator, rng)
        writer = bases[0]
        # Each comparison leaves the answers cached for the next write to find.
        _compare(bases, reference, newsroom, wait_for=lambda base: False)
        for round_ in range(ROUNDS):
            done = newsroom.write(writer)
            # The writer's own workers see it at once; another server hears of it within milliseconds.
            try:
                _compare(bases, reference, newsroom, wait_for=lambda base: base != writer)
            except AssertionError as stale:
                raise AssertionError(f"seed {seed}, round {round_}, after {done}: {stale}") from None


# On PostgreSQL, tests/caching/test_never_stale_across_servers.py compares two such servers at once.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cached_workers_answer_as_an_uncached_server_after_random_writes(database_url, session, api_key):
    run(database_url, session, api_key, cached=1, seed=random.randrange(10**6))

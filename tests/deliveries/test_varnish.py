"""Varnish in front of Byline, as deploy/varnish/byline.vcl and scripts/varnish.sh set it up: a real
varnishd before a real `byline serve` whose worker sends the purges (BYLINE_PURGE_VARNISH_URL).
Started once for the module, on free loopback ports."""

import random
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import Scope
from app.auth.service import issue_key
from app.db.engines import build_engine
from app.outbox.models import Channel, Delivery, OutboxEvent
from tests import loopback
from tests.caching.test_never_stale import Newsroom, _every_path, _newsroom, _read, newsroom_env
from tests.conftest import TEST_SECRET, migrated_sqlite
from tests.server import Started, free_port, running_server, served

ROOT = Path(__file__).resolve().parents[2]
VARNISH = ROOT / "scripts" / "varnish.sh"
ROUNDS = 6
DEADLINE_SECONDS = 30


@dataclass
class Stack:
    varnish: str
    reference: str
    backend_port: int
    env: dict[str, str]
    database_url: str
    editor: dict[str, str]
    moderator: dict[str, str]
    servers: ExitStack
    process: Started | None = None

    def start_backend(self) -> None:
        self.process, _ = self.servers.enter_context(served(self.env, port=self.backend_port))

    def stop_backend(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=DEADLINE_SECONDS)

    def purges_delivered(self) -> None:
        """Until every purge committed so far has reached Varnish."""
        engine = build_engine(self.database_url)
        deadline = time.monotonic() + DEADLINE_SECONDS
        try:
            while True:
                with Session(engine) as session:
                    unread = session.exec(
                        select(func.count()).where(
                            OutboxEvent.topic == "cache.purge", col(OutboxEvent.delivered_at).is_(None)
                        )
                    ).one()
                    waiting = session.exec(select(func.count()).where(Delivery.channel == Channel.purge.value)).one()
                if unread == waiting == 0:
                    return
                assert time.monotonic() < deadline, f"{unread} purge events unread, {waiting} purges waiting"
                time.sleep(0.01)
        finally:
            engine.dispose()


@contextmanager
def _varnish(backend_port: int, port: int) -> Iterator[None]:
    subprocess.run([VARNISH, "start", str(backend_port), str(port)], check=True, timeout=600)
    try:
        yield
    finally:
        subprocess.run([VARNISH, "stop", str(port)], check=True, timeout=120)


@pytest.fixture(scope="module")
def stack(sqlite_template, tmp_path_factory) -> Iterator[Stack]:
    database_url = migrated_sqlite(sqlite_template, tmp_path_factory.mktemp("varnish"))
    engine = build_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        _newsroom(session)
        editor = _key(session, "content:write", "content:preview")
        moderator = _key(session, "comments:moderate")
    engine.dispose()
    backend_port, varnish_port = free_port(), free_port()
    varnish = f"http://127.0.0.1:{varnish_port}"
    env = newsroom_env(database_url)
    backend_env = env | {
        "BYLINE_SERVE_WORKER": "true",
        "BYLINE_PURGE_VARNISH_URL": varnish,
        # Past max-age a stale answer may go out only while Byline fails (stale-if-error).
        "BYLINE_CACHE_STALE_WHILE_REVALIDATE": "0",
    }
    with ExitStack() as stack:
        reference = stack.enter_context(
            running_server(env | {"BYLINE_RESPONSE_CACHE": "false", "BYLINE_STORED_ANSWERS": "false"})
        )
        running = Stack(varnish, reference, backend_port, backend_env, database_url, editor, moderator, stack)
        # Byline first, so that Varnish's first health checks find it up.
        running.start_backend()
        stack.enter_context(_varnish(backend_port, varnish_port))
        yield running


def _key(session, *scopes: str) -> dict[str, str]:
    _, plain = issue_key(
        session,
        secret_key=TEST_SECRET,
        name=f"varnish-{'-'.join(scopes)}",
        scopes=[Scope(scope) for scope in scopes],
        now=datetime.now(UTC),
    )
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _lead(stack: Stack, n: int = 0) -> str:
    answer = loopback.get(f"{stack.reference}/api/v1/articles?limit=10", timeout=10).json()
    return answer["data"][n]["slug"]


def test_an_anonymous_read_is_kept_and_sent_by_varnish(stack):
    path = f"/api/v1/articles/{_lead(stack)}/related"
    first = loopback.get(stack.varnish + path, timeout=10)
    second = loopback.get(stack.varnish + path, timeout=10)
    assert first.status_code == second.status_code == 200
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.content == first.content and "age" in second.headers
    # The keys stay for a CDN in front; xkey's own index header does not leave Varnish.
    assert second.headers["surrogate-key"] and "xkey" not in second.headers


def test_keyed_and_cookie_requests_pass_through(stack):
    path = "/api/v1/articles?status=draft"
    keyed = loopback.get(stack.varnish + path, headers=stack.editor, timeout=10)
    assert keyed.status_code == 200 and keyed.headers["x-cache"] == "PASS"
    assert "private" in keyed.headers["cache-control"]
    path = f"/api/v1/articles/{_lead(stack)}"
    loopback.get(stack.varnish + path, timeout=10)
    with_cookie = loopback.get(stack.varnish + path, headers={"Cookie": "session=reader"}, timeout=10)
    assert with_cookie.headers["x-cache"] == "PASS"


def test_purging_needs_an_address_varnish_trusts_and_keys(stack):
    # The test runs on loopback, which the VCL's purgers list: a PURGE without keys is refused.
    assert httpx.request("PURGE", stack.varnish + "/", timeout=10).status_code == 400


def test_an_edit_is_purged_from_varnish_by_the_worker(stack):
    slug = _lead(stack, 1)
    path = f"/api/v1/articles/{slug}"
    loopback.get(stack.varnish + path, timeout=10)
    assert loopback.get(stack.varnish + path, timeout=10).headers["x-cache"] == "HIT"
    edited = loopback.patch(stack.varnish + path, json={"title": "Harbour reopens at dawn"}, headers=stack.editor)
    assert edited.status_code == 200, edited.text
    stack.purges_delivered()
    after = loopback.get(stack.varnish + path, timeout=10)
    assert after.headers["x-cache"] == "MISS" and after.json()["title"] == "Harbour reopens at dawn"


def test_a_story_refused_as_a_draft_is_read_through_varnish_once_published(stack):
    authors = loopback.get(f"{stack.reference}/api/v1/authors?limit=1", headers=stack.editor, timeout=10).json()
    paragraph = {"type": "paragraph", "text": "Summer sailings."}
    body = {"title": "Ferry timetable", "authors": [authors["data"][0]["slug"]], "body": [paragraph]}
    created = loopback.post(f"{stack.reference}/api/v1/articles", json=body, headers=stack.editor, timeout=10)
    path = f"/api/v1/articles/{created.raise_for_status().json()['slug']}"
    refused = loopback.get(stack.varnish + path, timeout=10)
    assert refused.status_code == 404 and refused.headers["cache-control"] == "no-store"
    published = loopback.post(f"{stack.varnish}{path}/publish", headers=stack.editor, timeout=10)
    published.raise_for_status()
    stack.purges_delivered()
    assert loopback.get(stack.varnish + path, timeout=10).status_code == 200


def test_varnish_answers_as_an_uncached_server_after_random_writes(stack):
    seed = random.randrange(10**6)
    newsroom = Newsroom(stack.reference, stack.editor, stack.moderator, random.Random(seed))
    # The first comparison fills Varnish for the writes to make stale.
    _compare(stack, newsroom)
    for round_ in range(ROUNDS):
        done = newsroom.write(stack.varnish)
        stack.purges_delivered()
        try:
            _compare(stack, newsroom)
        except AssertionError as stale:
            raise AssertionError(f"seed {seed}, round {round_}, after {done}: {stale}") from None


def _compare(stack: Stack, newsroom: Newsroom) -> None:
    for path in _every_path(newsroom):
        expected = _read(stack.reference, path)
        assert _read(stack.varnish, path) == expected, f"{path} through Varnish differs from the uncached answer"


def _story_of_its_own(stack: Stack, title: str) -> str:
    """A story published for one test: the random writes before it may have unpublished or deleted the rest."""
    authors = loopback.get(f"{stack.reference}/api/v1/authors?limit=1", headers=stack.editor, timeout=10).json()
    body = {"title": title, "authors": [authors["data"][0]["slug"]], "body": [{"type": "paragraph", "text": "Calm."}]}
    created = loopback.post(f"{stack.reference}/api/v1/articles", json=body, headers=stack.editor, timeout=10)
    slug = created.raise_for_status().json()["slug"]
    published = loopback.post(f"{stack.reference}/api/v1/articles/{slug}/publish", headers=stack.editor, timeout=10)
    published.raise_for_status()
    # Varnish keeps no answer whose fetch began before a purge it received since: read before the
    # publication's purges arrive, the story would not be kept for stale-if-error.
    stack.purges_delivered()
    return slug


def test_stale_answers_go_out_while_byline_is_down(stack):
    path = f"/api/v1/articles/{_story_of_its_own(stack, 'The pier reopens')}"
    kept = loopback.get(stack.varnish + path, timeout=10)
    # Expired at once, yet kept for stale-if-error: what a purge does on a CDN that soft-purges.
    article_key = kept.headers["surrogate-key"].split(" ")[0]
    assert httpx.request("PURGE", stack.varnish + "/", headers={"xkey-softpurge": article_key}).status_code == 200
    stack.stop_backend()
    try:
        down = loopback.get(stack.varnish + path, timeout=10)
        assert down.status_code == 200 and down.content == kept.content
        assert loopback.get(stack.varnish + "/api/v1/articles?limit=3&never=asked", timeout=10).status_code == 503
    finally:
        stack.start_backend()
    # Once Varnish sees Byline healthy again, the expired copy is fetched anew.
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (fresh := loopback.get(stack.varnish + path, timeout=10)).headers["x-cache"] != "MISS":
        assert time.monotonic() < deadline, "Varnish kept sending the expired copy once Byline was back"
        time.sleep(0.1)
    assert fresh.status_code == 200

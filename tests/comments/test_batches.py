"""Comments that wait for their turn together are stored together: each judged as if those before it
had been stored alone, in a few statements for the whole batch however many it holds."""

import asyncio
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from app.comments import service
from app.comments.errors import CommentsClosed, TooManyComments
from app.comments.models import Comment
from app.comments.schemas import CommentCreate
from app.db.write_batches import WriteBatches
from tests.conftest import counting_queries
from tests.factories.newsroom import make_article


@pytest.fixture
def writes(engine) -> Iterator[WriteBatches]:
    batches = WriteBatches(engine)
    yield batches
    batches.close()


def comment(n: int, content: str | None = None) -> dict:
    return {
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "content": content or f"Remark {n}.",
    }


def in_one_batch(writes: WriteBatches, submissions: list[tuple[str, dict, str]], *, settings, now) -> list[object]:
    """Each (slug, body, address) submitted while the batches' thread is busy with another write, so
    that all of them wait and are stored in the next batch; their answers, in order."""
    release, holding = threading.Event(), threading.Event()

    def held(_session: Session) -> None:
        holding.set()
        release.wait(5)

    async def together() -> list[object]:
        first = asyncio.ensure_future(writes.run(held))
        while not holding.is_set():
            await asyncio.sleep(0.01)
        sent = [
            asyncio.ensure_future(
                service.submit_comment(
                    writes, slug, CommentCreate(**body), client_address=address, now=now, settings=settings
                )
            )
            for slug, body, address in submissions
        ]
        await asyncio.sleep(0.05)  # each has queued its comment
        release.set()
        await first
        return await asyncio.gather(*sent, return_exceptions=True)

    return asyncio.run(together())


def test_each_comment_of_a_batch_is_judged_as_if_those_before_it_were_stored_alone(writes, session, settings, clock):
    settings.comment_limit_per_network = 3
    article = make_article(session)
    closed = make_article(session, comments_open=False)
    same_network = "198.51.100.7"
    answers = in_one_batch(
        writes,
        [
            (article.slug, comment(1, "The pier reopened today."), same_network),
            (closed.slug, comment(2), same_network),
            (article.slug, comment(3, "The  pier reopened TODAY."), same_network),
            (article.slug, comment(4), "203.0.113.9"),
            (article.slug, comment(5), same_network),
            (article.slug, comment(6), same_network),
        ],
        settings=settings,
        now=clock.now,
    )
    first, refused_closed, duplicate, elsewhere, third, over_the_limit = answers
    assert isinstance(refused_closed, CommentsClosed)
    # Refused comments count for nothing; a duplicate filed as spam counts against the limit.
    assert isinstance(over_the_limit, TooManyComments)
    (stored_first, _, allowance), (stored_duplicate, _, _) = first, duplicate
    assert (stored_first.status, allowance.remaining) == ("pending", 2)
    assert stored_duplicate.status == "spam"
    assert stored_duplicate.reasons == [f"duplicate of recent comment {stored_first.id}"]
    assert elsewhere[0].status == "pending" and third[2].remaining == 0
    stored = session.exec(select(Comment.id, Comment.root_id).order_by(Comment.id)).all()
    assert [comment_id for comment_id, _ in stored] == [
        stored_first.id,
        stored_duplicate.id,
        elsewhere[0].id,
        third[0].id,
    ]
    assert all(comment_id == root_id for comment_id, root_id in stored), "each opens its own thread"


# Each statement is a round trip to PostgreSQL, in the turn every worker waits for.
def test_a_batch_runs_as_many_statements_for_twelve_comments_as_for_two(writes, engine, session, settings, clock):
    article = make_article(session)

    def statements_for(count: int, first: int) -> int:
        submissions = [(article.slug, comment(n), f"198.51.{n}.1") for n in range(first, first + count)]
        with counting_queries(engine) as statements:
            answers = in_one_batch(writes, submissions, settings=settings, now=clock.now)
        assert all(isinstance(answer, tuple) for answer in answers), answers
        return len(statements)

    assert statements_for(12, first=10) == statements_for(2, first=30)

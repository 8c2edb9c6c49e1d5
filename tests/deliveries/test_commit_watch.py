"""The worker hears of a commit when it happens, not at its next poll."""

import threading

from app.deliveries.commits import CommitWatch
from tests.factories.newsroom import make_article

# A deadline for what takes milliseconds, never a measure.
DEADLINE_SECONDS = 30


def test_a_content_commit_wakes_the_watch(engine, session):
    stop = threading.Event()
    watch = CommitWatch(engine, stop)
    try:
        # Its first look counts as a commit heard (whatever came before it).
        assert watch.wait(0, DEADLINE_SECONDS) >= 1
        seen = watch.commits
        make_article(session)
        assert watch.wait(seen, DEADLINE_SECONDS) > seen
    finally:
        stop.set()
        watch.close()


def test_stopping_wakes_whoever_waits(engine):
    stop = threading.Event()
    watch = CommitWatch(engine, stop)
    seen = watch.wait(0, DEADLINE_SECONDS)
    waited = threading.Thread(target=watch.wait, args=(seen, DEADLINE_SECONDS * 10))
    waited.start()
    stop.set()
    waited.join(DEADLINE_SECONDS)
    watch.close()
    assert not waited.is_alive()

"""SQLite writers take the write lock in turn, woken when it is free, instead of SQLite's sleeping retries."""

import threading
import time

from app.db import BUSY_TIMEOUT_MS, build_engine
from app.migrate import upgrade_database

BUMP = "UPDATE content_version SET version = version + 1"


def test_a_writer_waits_its_turn_and_goes_the_moment_the_lock_is_free(tmp_path):
    url = f"sqlite:///{tmp_path}/byline.db"
    upgrade_database(url)
    engine = build_engine(url)
    holding, release, done = threading.Event(), threading.Event(), []

    def first() -> None:
        with engine.begin() as connection:
            connection.exec_driver_sql(BUMP)
            holding.set()
            release.wait(10)
        done.append(("first", time.monotonic()))

    def second() -> None:
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            # SQLite alone would refuse at once: the wait is the queue's.
            driver.execute("PRAGMA busy_timeout=0")
            try:
                with connection.begin():
                    connection.exec_driver_sql(BUMP)
                done.append(("second", time.monotonic()))
            finally:
                driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    holder = threading.Thread(target=first)
    holder.start()
    assert holding.wait(10)
    waiter = threading.Thread(target=second)
    waiter.start()
    time.sleep(0.3)
    assert done == []
    release.set()
    holder.join(10)
    waiter.join(10)
    assert [name for name, _ in done] == ["first", "second"]
    assert done[1][1] - done[0][1] < 0.05
    engine.dispose()

"""SQLite writers of bursty paths take the write lock in turn: across threads and processes, and the
turn passes on however the transaction ends, a lost connection included."""

import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.db.engines import write_turn

# Holds the turn of the database named on the command line for a second, with nothing written.
HOLDER = """
import sys, time
from sqlmodel import Session
from app.db.engines import build_engine, write_turn
with Session(build_engine(sys.argv[1])) as session, write_turn(session):
    print("holding", flush=True)
    time.sleep(1)
"""

only_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def log_entries(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT term FROM term_document_count ORDER BY term")).scalars())


def write(engine, name: str) -> None:
    with Session(engine) as session, write_turn(session):
        session.execute(text("INSERT INTO term_document_count (term, documents) VALUES (:name, 1)"), {"name": name})
        session.commit()


@only_sqlite
def test_a_writer_of_another_process_waits_for_the_turn(database_url, engine):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, database_url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        began = time.monotonic()
        write(engine, "after-the-holder")
        waited = time.monotonic() - began
    finally:
        holder.wait(timeout=30)
    assert waited > 0.5
    assert log_entries(engine) == ["after-the-holder"]


def next_writer_finishes(engine) -> bool:
    finished = threading.Event()
    threading.Thread(target=lambda: (write(engine, "next"), finished.set()), daemon=True).start()
    return finished.wait(5)


@only_sqlite
def test_a_failed_write_is_rolled_back_before_the_turn_passes(engine):
    with Session(engine) as session:
        with pytest.raises(RuntimeError), write_turn(session):
            session.execute(text("INSERT INTO term_document_count (term, documents) VALUES ('lost', 1)"))
            raise RuntimeError("refused half-way")
        # The session is still open, yet SQLite's write lock is free for the next writer at once.
        probe = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        probe.close()
        assert next_writer_finishes(engine)
    assert log_entries(engine) == ["next"]


@only_sqlite
def test_the_turn_passes_on_when_the_connection_is_lost_mid_transaction(engine):
    with Session(engine) as session:
        with pytest.raises(RuntimeError), write_turn(session):
            session.execute(text("INSERT INTO term_document_count (term, documents) VALUES ('lost', 1)"))
            session.connection().invalidate()
            raise RuntimeError("connection lost")
        assert next_writer_finishes(engine)
    assert log_entries(engine) == ["next"]


@only_sqlite
def test_writers_of_many_threads_all_land_once(engine):
    threads = [
        threading.Thread(target=lambda n=n: [write(engine, f"writer-{n}-{k}") for k in range(10)]) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert log_entries(engine) == sorted(f"writer-{n}-{k}" for n in range(8) for k in range(10))


def test_on_postgresql_and_sqlite_a_committed_write_in_its_turn_stands(engine):
    write(engine, "standing")
    assert log_entries(engine) == ["standing"]

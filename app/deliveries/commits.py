"""Waking the worker as soon as a write commits, instead of at its next poll: a purge reaches the
caches within milliseconds of the edit that calls for it.

On PostgreSQL every content commit announces its version on `NOTIFY` (app.caching.content_version),
which a connection of the watch LISTENs to. On SQLite `PRAGMA data_version` on a connection of the
watch's own changes whenever another connection, of any process, commits; it is read every few
milliseconds, which costs microseconds. While the listener is down the worker falls back to polling.
"""

import logging
import sqlite3
import threading
from typing import cast

import psycopg
from sqlalchemy import Engine

from app.caching.content_version import NOTIFY_CHANNEL
from app.db.engines import libpq_url

log = logging.getLogger("byline.worker")
SQLITE_PROBE_SECONDS = 0.005
# How soon the listener notices that the worker is stopping.
LISTEN_SECONDS = 0.25
RECONNECT_SECONDS = 1.0


class CommitWatch:
    """A count of the commits heard of, and a way to wait for the next one, until `stop` is set."""

    def __init__(self, engine: Engine, stop: threading.Event) -> None:
        self._engine = engine
        self._stop = stop
        self._commits = 0
        self._changed = threading.Condition()
        self._closed = threading.Event()
        watch = self._listen if engine.dialect.name == "postgresql" else self._probe
        self._thread = threading.Thread(target=watch, name="byline-commit-watch", daemon=True)
        self._thread.start()

    @property
    def commits(self) -> int:
        return self._commits

    def wait(self, seen: int, timeout: float) -> int:
        """Until a commit after the `seen`-th is heard of, or `timeout` seconds pass; the count then.
        Read the count before a pass and wait with it after, so a commit during the pass is not missed."""
        with self._changed:
            self._changed.wait_for(lambda: self._commits != seen or self._ended(), timeout)
            return self._commits

    def _ended(self) -> bool:
        return self._stop.is_set() or self._closed.is_set()

    def _pause(self, seconds: float) -> bool:
        """Wait; whether the watch has ended meanwhile (its waiters are woken then)."""
        if self._stop.wait(seconds) or self._closed.is_set():
            with self._changed:
                self._changed.notify_all()
            return True
        return False

    def _heard(self) -> None:
        with self._changed:
            self._commits += 1
            self._changed.notify_all()

    def _listen(self) -> None:
        while True:
            try:
                with psycopg.connect(libpq_url(self._engine.url), autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    # Whatever committed while nobody listened.
                    self._heard()
                    while not self._pause(0):
                        for _ in connection.notifies(timeout=LISTEN_SECONDS, stop_after=1):
                            self._heard()
                    return
            except (psycopg.Error, OSError) as failure:
                log.warning("commit listener lost, polling meanwhile: %r", failure)
                if self._pause(RECONNECT_SECONDS):
                    return

    def _probe(self) -> None:
        pooled = self._engine.raw_connection()
        connection = cast(sqlite3.Connection, pooled.driver_connection)
        try:
            seen = None
            while not self._pause(SQLITE_PROBE_SECONDS):
                try:
                    version = connection.execute("PRAGMA data_version").fetchone()[0]
                except sqlite3.Error:
                    continue  # busy or gone for a moment: the worker's polls go on meanwhile
                if version != seen:
                    seen = version
                    self._heard()
        finally:
            pooled.close()

    def close(self) -> None:
        self._closed.set()
        with self._changed:
            self._changed.notify_all()
        self._thread.join(timeout=RECONNECT_SECONDS * 6)

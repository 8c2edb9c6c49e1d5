"""The newest content version committed through this server, shared by all its workers at once.

PostgreSQL's NOTIFY reaches other machines within milliseconds, but a reader's very next request
may reach a sibling worker sooner. Every worker of one `byline serve` maps the same small file
(`byline serve` names it in BYLINE_ANNOUNCE_FILE, which `create_worker_app` reads), so a write
committed by one is known to all before its answer is sent. Without the file (one process), the versions live in memory.
"""

import fcntl
import mmap
import os
import struct

from sqlalchemy import event
from sqlmodel import Session

from app.caching.content_version import BUMPED_TO
from app.db.session_events import listen_once

_VERSION = struct.Struct("<Q")


class Announcements:
    def __init__(self, path: str | None) -> None:
        self._path = path
        self._map: mmap.mmap | None = None
        # Per database, for one process holding several apps (tests).
        self._local: dict[str, int] = {}
        # Lifespans of one app may overlap (a test client inside another): the last one out removes it.
        self.installs = 0

    def _shared(self) -> tuple[str, mmap.mmap] | None:
        if self._path is None:
            return None
        if self._map is None:
            descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(descriptor).st_size < _VERSION.size:
                    os.ftruncate(descriptor, _VERSION.size)
                self._map = mmap.mmap(descriptor, _VERSION.size)
            finally:
                os.close(descriptor)
        return self._path, self._map

    def latest(self, database: str) -> int:
        shared = self._shared()
        return _VERSION.unpack_from(shared[1])[0] if shared else self._local.get(database, 0)

    def publish(self, database: str, version: int) -> None:
        shared = self._shared()
        if shared is None:
            self._local[database] = max(self._local.get(database, 0), version)
            return
        path, memory = shared
        # Two workers may publish at once; the lock keeps the larger version.
        with open(path, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _VERSION.unpack_from(memory)[0] < version:
                _VERSION.pack_into(memory, 0, version)

    def committed(self, session: Session) -> None:
        # Read, not taken: every app running in this process publishes it (tests run several).
        version = session.info.get(BUMPED_TO)
        if version is not None:
            self.publish(str(session.get_bind().engine.url), version)


def install(announcements: Announcements) -> None:
    """Have every session's commit publish the content version it made to `announcements`, until `uninstall`."""
    announcements.installs += 1
    listen_once("after_commit", announcements.committed)
    listen_once("after_rollback", _forget_rolled_back_version)


def uninstall(announcements: Announcements) -> None:
    announcements.installs -= 1
    if announcements.installs == 0:
        event.remove(Session, "after_commit", announcements.committed)


def _forget_rolled_back_version(session: Session) -> None:
    session.info.pop(BUMPED_TO, None)

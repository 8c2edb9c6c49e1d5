"""The newest content version committed through this server, and what each recent one purged,
shared by all its workers at once.

PostgreSQL's NOTIFY reaches other machines within milliseconds, but a reader's very next request
may reach a sibling worker sooner. Every worker of one `byline serve` maps the same small file
(`byline serve` names it in BYLINE_ANNOUNCE_FILE, which `create_worker_app` reads), so a write
committed by one is known to all before its answer is sent, and so are the surrogate keys it purged:
a sibling need not wait for the notification to tell which of its answers still hold (under a
desk's writes, reads waited 4 to 7 ms for it, a few thousand times a minute). Without the file (one
process), the versions and their keys live in memory.
"""

import fcntl
import mmap
import os
import struct

from sqlalchemy import event
from sqlmodel import Session

from app.caching.content_version import BUMPED_TO, PURGED
from app.db.session_events import listen_once

_VERSION = struct.Struct("<Q")
# The keys of the last SLOTS versions, each in the slot of its version modulo SLOTS: the version
# (0 while it is written), the length of the keys, then the keys, space-separated; keys longer than
# SLOT_KEYS are left to the notification.
SLOTS, SLOT_KEYS = 128, 1024
_SLOT = struct.Struct("<QI")
_SLOT_SIZE = _SLOT.size + SLOT_KEYS
_FILE_SIZE = _VERSION.size + SLOTS * _SLOT_SIZE


class Announcements:
    def __init__(self, path: str | None) -> None:
        self._path = path
        self._map: mmap.mmap | None = None
        # Per database, for one process holding several apps (tests).
        self._local: dict[str, int] = {}
        self._local_keys: dict[tuple[str, int], str] = {}
        # Lifespans of one app may overlap (a test client inside another): the last one out removes it.
        self.installs = 0

    def _shared(self) -> tuple[str, mmap.mmap] | None:
        if self._path is None:
            return None
        if self._map is None:
            descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(descriptor).st_size < _FILE_SIZE:
                    os.ftruncate(descriptor, _FILE_SIZE)
                self._map = mmap.mmap(descriptor, _FILE_SIZE)
            finally:
                os.close(descriptor)
        return self._path, self._map

    def latest(self, database: str) -> int:
        shared = self._shared()
        return _VERSION.unpack_from(shared[1])[0] if shared else self._local.get(database, 0)

    def purged(self, database: str, version: int) -> str | None:
        """The keys `version` purged, if a worker of this server committed it lately; None if unknown."""
        shared = self._shared()
        if shared is None:
            return self._local_keys.get((database, version))
        memory, at = shared[1], _slot(version)
        found, length = _SLOT.unpack_from(memory, at)
        if found != version:
            return None
        keys = memory[at + _SLOT.size : at + _SLOT.size + length]
        # Read without the writers' lock: a slot rewritten meanwhile no longer holds this version.
        return keys.decode() if _SLOT.unpack_from(memory, at) == (version, length) else None

    def publish(self, database: str, version: int, keys: str | None = None) -> None:
        """`version` was committed, purging `keys` (None: not known here)."""
        shared = self._shared()
        if shared is None:
            self._local[database] = max(self._local.get(database, 0), version)
            if keys is not None:
                self._local_keys[database, version] = keys
                self._local_keys.pop((database, version - SLOTS), None)
            return
        path, memory = shared
        encoded = keys.encode() if keys is not None else None
        # Two workers may publish at once; the lock keeps the larger version.
        with open(path, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if encoded is not None and len(encoded) <= SLOT_KEYS:
                # The keys before the version that says they are whole, so a reader sees both or neither.
                at = _slot(version)
                _SLOT.pack_into(memory, at, 0, 0)
                memory[at + _SLOT.size : at + _SLOT.size + len(encoded)] = encoded
                _SLOT.pack_into(memory, at, version, len(encoded))
            if _VERSION.unpack_from(memory)[0] < version:
                _VERSION.pack_into(memory, 0, version)

    def committed(self, session: Session) -> None:
        # Read, not taken: every app running in this process publishes it (tests run several).
        version = session.info.get(BUMPED_TO)
        if version is not None:
            purged = session.info.get(PURGED)
            keys = purged[1] if purged is not None and purged[0] == version else None
            self.publish(str(session.get_bind().engine.url), version, keys)


def _slot(version: int) -> int:
    return _VERSION.size + (version % SLOTS) * _SLOT_SIZE


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
    session.info.pop(PURGED, None)

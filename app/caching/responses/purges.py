"""What the writes since an answer was built purged, as one worker reads it from the purge log
(app.caching.content_version): an answer holds while no later version purged a key it names. An
answer that names no key shows anything, so any write ends it."""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam
from sqlmodel import col, select

from app.caching.content_version import ContentPurge


@dataclass(frozen=True)
class Built:
    """What an answer was built from: the content version and last release it saw, and the
    surrogate keys it names (None: none, so it may show anything)."""

    version: int
    last_release: datetime
    keys: frozenset[str] | None


def named_keys(header: bytes | None) -> frozenset[str] | None:
    """The keys a `Surrogate-Key` header names; None without one."""
    keys = frozenset(header.decode("latin-1").split()) if header else frozenset()
    return keys or None


# Built once: the log is read after every write, by every worker.
_PURGED_SINCE = select(col(ContentPurge.version), col(ContentPurge.keys)).where(
    col(ContentPurge.version) > bindparam("after"), col(ContentPurge.version) <= bindparam("through")
)


class Purges:
    """The version each key was last purged at, since `floor`: an answer built before the floor
    ends whatever it names (this worker started after it, or fell behind the log)."""

    # Keys remembered at most; beyond it, everything built so far ends.
    MAX_KEYS = 200_000

    def __init__(self) -> None:
        self.version: int | None = None
        self.floor = 0
        self._purged_at: dict[str, int] = {}
        # What later versions purged, as their notifications said, before the log is read.
        self._heard: dict[int, list[str]] = {}
        # The newest version whose purges are applied, read or heard.
        self._latest = 0
        # Notifications arrive on the event loop; the log is read on a worker thread.
        self._lock = threading.Lock()

    def catch_up(self, connection: Connection, version: int) -> None:
        """Read, in the snapshot `version` was read in, what the versions since the last read purged."""
        if self.version is not None and version == self.version:
            return
        if self.version is None or version < self.version:
            # The first read, or a database put back to an older state.
            self._restart(version)
            return
        rows = connection.execute(_PURGED_SINCE, {"after": self.version, "through": version}).all()
        if len(rows) != version - self.version or len(self._purged_at) > self.MAX_KEYS:
            # Pruned from the log, or written by a process that keeps none: nothing says what changed.
            self._restart(version)
            return
        with self._lock:
            self._apply(rows)
            self.version = version
            self._heard = {later: keys for later, keys in self._heard.items() if later > version}
            self._latest = max(self._latest, version)

    def hear(self, version: int, keys: list[str]) -> None:
        """What a version purged, as its notification said: answers that show none of it may be sent
        before the log is read."""
        with self._lock:
            if self.version is not None and version > self.version:
                self._heard[version] = keys
                self._apply([(version, " ".join(keys))])
                self._latest = max(self._latest, version)

    def settle(self, version: int) -> bool:
        """Take the versions through `version` as read, if each was heard with all it purged: the
        log says the same. False, changing nothing, if one was not."""
        with self._lock:
            if self.version is None or len(self._purged_at) > self.MAX_KEYS:
                return False  # a read of the log starts afresh
            if any(later not in self._heard for later in range(self.version + 1, version + 1)):
                return False
            self.version = max(self.version, version)
            self._heard = {later: keys for later, keys in self._heard.items() if later > version}
            return True

    def heard_through(self) -> int | None:
        """The newest version up to which every purge is known, heard or read."""
        with self._lock:
            if self.version is None:
                return None
            known = self.version
            while known + 1 in self._heard:
                known += 1
            return known

    def _apply(self, rows: Iterable[tuple[int, str]]) -> None:
        purged_at = self._purged_at
        for version, keys in rows:
            for key in keys.split():
                # Never lowered: a read of the log may end before versions already heard of.
                if purged_at.get(key, 0) < version:
                    purged_at[key] = version

    def _restart(self, version: int) -> None:
        with self._lock:
            self._purged_at.clear()
            self.floor = version
            self.version = version
            self._heard = {later: keys for later, keys in self._heard.items() if later > version}
            self._apply((later, " ".join(keys)) for later, keys in self._heard.items())
            self._latest = max([version, *self._heard])

    def untouched(self, built: Built) -> bool:
        """Whether no version after the answer's purged a key it names, of all the versions read from
        the log or heard of: what the log read on a worker thread learns counts at once, whichever
        state the event loop still hands out."""
        latest = self._latest
        if built.version >= latest:
            return built.version == latest
        if built.keys is None or built.version < self.floor:
            return False
        purged_at = self._purged_at
        return all(purged_at.get(key, 0) <= built.version for key in built.keys)

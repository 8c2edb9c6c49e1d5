"""What the writes since an answer was built purged, as one worker reads it from the purge log
(app.caching.content_version): an answer holds while no later version purged a key it names. An
answer that names no key shows anything, so any write ends it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

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


class Purges:
    """The version each key was last purged at, since `floor`: an answer built before the floor
    ends whatever it names (this worker started after it, or fell behind the log)."""

    # Keys remembered at most; beyond it, everything built so far ends.
    MAX_KEYS = 200_000

    def __init__(self) -> None:
        self.version: int | None = None
        self.floor = 0
        self._purged_at: dict[str, int] = {}

    def catch_up(self, session: Session, version: int) -> None:
        """Read, in the snapshot `version` was read in, what the versions since the last read purged."""
        if self.version is not None and version == self.version:
            return
        if self.version is None or version < self.version:
            # The first read, or a database put back to an older state.
            self._restart(version)
            return
        rows = session.exec(
            select(col(ContentPurge.version), col(ContentPurge.keys)).where(
                col(ContentPurge.version) > self.version, col(ContentPurge.version) <= version
            )
        ).all()
        if len(rows) != version - self.version or len(self._purged_at) > self.MAX_KEYS:
            # Pruned from the log, or written by a process that keeps none: nothing says what changed.
            self._restart(version)
            return
        self._apply(rows)
        self.version = version

    def _apply(self, rows: Iterable[tuple[int, str]]) -> None:
        for version, keys in rows:
            for key in keys.split():
                self._purged_at[key] = version

    def _restart(self, version: int) -> None:
        self._purged_at.clear()
        self.floor = version
        self.version = version

    def untouched(self, built: Built, version: int) -> bool:
        """Whether no version after the answer's, up to `version`, purged a key it names."""
        if built.version == version:
            return True
        if built.keys is None or built.version < self.floor or built.version > version:
            return False
        purged_at = self._purged_at
        return all(purged_at.get(key, 0) <= built.version for key in built.keys)

"""A database outage as this process knows it. After a connection attempt fails, further attempts
fail at once for a moment instead of each waiting on the network (a reconnect that cannot succeed
cost every read about a quarter of a second, and up to the connect timeout where packets are
dropped), so requests get their 503, or a cached answer, within milliseconds. Then one attempt
at a time goes out to learn whether the database is back."""

import threading
import time
from collections.abc import Callable

# How long a failed connection attempt is believed before the next one goes out.
HOLD_SECONDS = 1.0


class Outage:
    def __init__(self, *, probe_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        # A probe may take this long (the connect timeout): meanwhile the others still fail at once.
        self._probe_seconds = probe_seconds
        self._clock = clock
        self._next_attempt: float | None = None
        self._lock = threading.Lock()

    @property
    def ongoing(self) -> bool:
        """Whether the last connection attempt failed."""
        return self._next_attempt is not None

    def may_connect(self) -> bool:
        """Whether a connection attempt should go out now; during an outage, one per hold."""
        with self._lock:
            if self._next_attempt is None:
                return True
            now = self._clock()
            if now < self._next_attempt:
                return False
            self._next_attempt = now + self._probe_seconds
            return True

    def connected(self) -> None:
        self._next_attempt = None

    def failed(self) -> None:
        with self._lock:
            self._next_attempt = self._clock() + HOLD_SECONDS


_outages: dict[str, Outage] = {}
_outages_made = threading.Lock()


def outage_of(database: str, *, probe_seconds: float) -> Outage:
    """The one outage record of a database in this process, shared by every engine and pool that connects to it."""
    with _outages_made:
        return _outages.setdefault(database, Outage(probe_seconds=probe_seconds))

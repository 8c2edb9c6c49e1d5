"""Views counted in the worker's memory and written in batches: a beacon touches no database. What
it keeps about a reader is a keyed digest of their address, for a short while, to count their
repeated views once and to rate-limit them; the table gets counts per article and minute only."""

import asyncio
import functools
import hashlib
import logging
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import anyio.to_thread
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.articles.models import Article
from app.core.settings import Settings
from app.db.columns import core_table
from app.db.upserts import conflict_insert
from app.readership.errors import TooManyViews
from app.readership.models import ArticleViews

log = logging.getLogger("byline.readership")

# Obvious automated clients: crawlers, link previews, command-line and library HTTP clients.
BOTS = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|scan|monitor|headless|lighthouse|facebookexternalhit|"
    r"curl|wget|python-|httpx|aiohttp|go-http|java/|okhttp|libwww|node-fetch|axios",
    re.IGNORECASE,
)
_TABLE = core_table(ArticleViews)
# Digests a worker holds at most, of each kind: a few tens of megabytes.
MAX_HELD = 200_000
# The window over which an address's beacons are limited.
LIMIT_SECONDS = 60
# Digests whose time is up let go of with each beacon: more than one, so they never pile up.
FORGOTTEN_PER_VIEW = 2
T = TypeVar("T")


# Readers' browsers send a few hundred distinct User-Agents between them: searching each for the bot
# words took an eighth of a beacon's time, a lookup here far less.
@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str | None) -> bool:
    return not user_agent or BOTS.search(user_agent) is not None


def _hold_newest(held: OrderedDict[int, T], key: int, value: T) -> None:
    """Hold `value` as the newest; past MAX_HELD the oldest go first (a flood of new addresses is then counted)."""
    held[key] = value
    held.move_to_end(key)
    if len(held) > MAX_HELD:
        held.popitem(last=False)


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


class ViewCounter:
    """Counts of one worker since its last flush, keyed by (article id, minute)."""

    def __init__(self, settings: Settings, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        # BLAKE2b's keyed mode is a MAC in one call, twice as fast as HMAC-SHA256 here; its key is at most 64 bytes.
        self._key = hashlib.sha512(settings.secret_key.get_secret_value().encode()).digest()
        self._repeat = settings.most_read_repeat_seconds
        self._per_minute = settings.most_read_views_per_minute
        self._monotonic = monotonic
        self.counts: Counter[tuple[int, datetime]] = Counter()
        # Digest of (address, article) -> when a view of it counts again; the soonest first.
        self._seen: OrderedDict[int, float] = OrderedDict()
        # Digest of the address -> (start of its minute, beacons in it); the earliest start first.
        self._sent: OrderedDict[int, tuple[float, int]] = OrderedDict()

    def _digest(self, purpose: bytes, value: str) -> int:
        # 64 bits of a keyed digest: enough to tell readers apart, useless to find their address.
        return int.from_bytes(hashlib.blake2b(purpose + value.encode(), key=self._key, digest_size=8).digest())

    def _forget_ended(self, at: float) -> None:
        """Let go of the oldest digests whose time is up, a few with each beacon: sweeping all of them
        at once held every request of the worker back (20 ms for 200,000)."""
        for _ in range(FORGOTTEN_PER_VIEW):
            if not self._seen or next(iter(self._seen.values())) > at:
                break
            self._seen.popitem(last=False)
        for _ in range(FORGOTTEN_PER_VIEW):
            if not self._sent or at - next(iter(self._sent.values()))[0] < LIMIT_SECONDS:
                break
            self._sent.popitem(last=False)

    def view(self, article_id: int, address: str, now: datetime) -> bool:
        """Count a view unless the address viewed the article lately; too many beacons are a 429."""
        at = self._monotonic()
        self._forget_ended(at)
        sender = self._digest(b"views:", address)
        start, sent = self._sent.get(sender, (at, 0))
        if at - start >= LIMIT_SECONDS:
            start, sent = at, 0
        if sent >= self._per_minute:
            retry = max(1, int(start + LIMIT_SECONDS - at) + 1)
            raise TooManyViews("Too many views from your address.", limit=self._per_minute, retry_after=retry)
        if sent:
            self._sent[sender] = (start, sent + 1)
        else:
            _hold_newest(self._sent, sender, (start, 1))
        seen = self._digest(b"viewed:", f"{address} {article_id}")
        if self._seen.get(seen, 0.0) > at:
            return False
        _hold_newest(self._seen, seen, at + self._repeat)
        self.counts[(article_id, minute_of(now))] += 1
        return True

    def take(self) -> Counter[tuple[int, datetime]]:
        """The counts so far, leaving none."""
        taken, self.counts = self.counts, Counter()
        return taken

    def give_back(self, counts: Counter[tuple[int, datetime]]) -> None:
        self.counts.update(counts)

    async def flush_periodically(self, engine: Engine, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.flush(engine)

    async def flush(self, engine: Engine) -> None:
        """Write what was counted; kept for the next flush if the database refuses."""
        counts = self.take()
        if not counts:
            return
        try:
            await anyio.to_thread.run_sync(write_counts, engine, counts)
        except Exception:
            log.exception("views not written yet; kept for the next flush")
            self.give_back(counts)


def write_counts(engine: Engine, counts: Counter[tuple[int, datetime]]) -> None:
    """Add the counts to the table in one transaction: workers and servers add up, none overwrites."""
    with Session(engine) as session:
        ids = {article_id for article_id, _ in counts}
        # An article deleted since its views were counted takes them along.
        present = set(session.exec(select(Article.id).where(col(Article.id).in_(ids))).all())
        rows = [
            {"article_id": article_id, "minute": minute, "views": views}
            for (article_id, minute), views in counts.items()
            if article_id in present
        ]
        if rows:
            statement = conflict_insert(engine, _TABLE)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["article_id", "minute"], set_={"views": _TABLE.c.views + statement.excluded.views}
                ),
                rows,
            )
        session.commit()


WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}

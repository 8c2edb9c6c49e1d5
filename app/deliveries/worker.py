"""The delivery worker: fans new outbox events out into deliveries, then claims the due ones, sends
them (webhooks over HTTP, reply and account emails over SMTP) and records each attempt, over and over. Purges
go to the caches the settings name (deliveries/caches.py) on a loop of their own, so a slow webhook
receiver never holds up a purge, which wakes at every commit (deliveries/commits.py).

`byline worker` runs one; `byline serve` runs one per server process when BYLINE_SERVE_WORKER is on.
Any number may run against one database: leases keep two from sending the same delivery at once.
"""

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from app.articles import events as article_events
from app.core.clock import Clock, utcnow
from app.core.settings import Settings
from app.deliveries import fanout
from app.deliveries.caches import Cache, configured
from app.deliveries.commits import CommitWatch
from app.mail.sending import Mailer
from app.metrics.counters import DELIVERY_ATTEMPTS, PURGE_BATCHES, PURGE_SECONDS
from app.outbox import queue
from app.outbox.models import Channel
from app.outbox.queue import Claimed, Outcome
from app.webhooks.sender import WebhookSender

log = logging.getLogger("byline.worker")
# Purges one request batch may combine: an outage's backlog goes out in a few passes.
PURGE_BATCH = 1000


class Sender(Protocol):
    def __call__(self, claimed: Claimed, *, at: datetime) -> Outcome: ...


class DeliveryWorker:
    def __init__(self, engine: Engine, settings: Settings, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.webhooks = WebhookSender(engine, settings)
        # Without SMTP, emails wait in the outbox rather than being taken and lost.
        self.mailer = Mailer(settings) if settings.smtp_url is not None else None
        self.senders: Mapping[str, Sender] = {Channel.webhook.value: self.webhooks} | (
            {Channel.email.value: self.mailer} if self.mailer else {}
        )
        self.pool = ThreadPoolExecutor(settings.worker_concurrency, thread_name_prefix="byline-delivery")
        self.caches: list[Cache] = configured(settings)
        self.purge_pool = ThreadPoolExecutor(max(1, len(self.caches)), thread_name_prefix="byline-purge")

    def _fan_out(self, now: datetime) -> None:
        with Session(self.engine) as session:
            caches = [cache.name for cache in self.caches]
            fanout.fan_out(session, now=now, send_email=self.mailer is not None, caches=caches)

    def run_once(self) -> int:
        """One pass: announce articles gone live by themselves, queue new events, then attempt the due
        deliveries (in parallel) and wait for them.
        Returns how many deliveries were attempted."""
        now = self.clock()
        with Session(self.engine) as session:
            article_events.announce_go_lives(session, now=now)
        self._fan_out(now)
        with Session(self.engine) as session:
            claimed = queue.claim(
                session,
                now=now,
                lease_for=timedelta(seconds=self.settings.worker_lease_seconds),
                limit=self.settings.worker_concurrency,
                channels=list(self.senders),
            )
        list(self.pool.map(self._attempt, claimed))
        return len(claimed)

    def _attempt(self, claimed: Claimed) -> None:
        try:
            outcome = self.senders[claimed.channel](claimed, at=self.clock())
        except Exception as unexpected:
            log.exception("delivery %s failed unexpectedly", claimed.id)
            outcome = Outcome(delivered=False, duration_ms=0, error=f"Internal error: {type(unexpected).__name__}")
        with Session(self.engine) as session:
            result = queue.record(
                session,
                claimed,
                outcome,
                now=self.clock(),
                retry_for=timedelta(hours=self.settings.delivery_retry_hours),
            )
        DELIVERY_ATTEMPTS.labels(claimed.channel, result).inc()
        log.info(
            "delivery %s (%s of event %s, attempt %s): %s%s",
            claimed.id,
            claimed.event_type,
            claimed.event_id,
            claimed.attempts + 1,
            result,
            f" ({outcome.error})" if outcome.error else "",
        )

    def purge_once(self) -> int:
        """One pass of purges: queue new events, then send each cache its waiting purges (the caches
        in parallel) and wait for them. Returns how many purges were settled."""
        with Session(self.engine) as session:
            fanout.fan_out_purges(session, now=self.clock(), caches=[cache.name for cache in self.caches])
        return sum(self.purge_pool.map(self._purge, self.caches))

    def _purge(self, cache: Cache) -> int:
        with Session(self.engine) as session:
            claimed = queue.claim_purges(
                session,
                target=cache.name,
                now=self.clock(),
                lease_for=timedelta(seconds=self.settings.worker_lease_seconds),
                limit=PURGE_BATCH,
            )
        if claimed is None:
            return 0
        try:
            outcome = cache.purge(claimed.keys)
        except Exception as unexpected:
            log.exception("purge to %s failed unexpectedly", cache.name)
            outcome = Outcome(delivered=False, duration_ms=0, error=f"Internal error: {type(unexpected).__name__}")
        now = self.clock()
        with Session(self.engine) as session:
            result = queue.record_purges(session, claimed, delivered=outcome.delivered, now=now)
        PURGE_BATCHES.labels(cache.name, result).inc()
        if outcome.delivered:
            PURGE_SECONDS.labels(cache.name).observe(max(0.0, (now - claimed.oldest).total_seconds()))
        log.log(
            logging.INFO if outcome.delivered else logging.WARNING,
            "purge to %s (%s keys of %s events, attempt %s, %s ms): %s%s",
            cache.name,
            len(claimed.keys),
            len(claimed.ids),
            claimed.attempts + 1,
            outcome.duration_ms,
            result,
            f" ({outcome.error})" if outcome.error else "",
        )
        return len(claimed.ids)

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set; deliveries in flight then finish (each within the delivery timeout)."""
        with Session(self.engine) as session:
            waiting = fanout.waiting_emails(session) if self.mailer is None else 0
            purges = queue.waiting_purges(session)
        if waiting:
            log.warning("BYLINE_SMTP_URL is unset: %s email(s) wait in the outbox, unsent", waiting)
        for target in purges.keys() - {cache.name for cache in self.caches}:
            log.warning("%s purge(s) wait for %s, which the settings no longer name", purges[target], target)
        commits = CommitWatch(self.engine, stop) if self.caches else None
        purging = threading.Thread(
            target=self._loop, args=(stop, self.purge_once, commits), name="byline-purges", daemon=True
        )
        if commits is not None:
            purging.start()
        try:
            # Webhooks and emails keep to the poll: waking at every commit too, this loop's write
            # transactions would queue with the purges' for SQLite's one writer.
            self._loop(stop, self.run_once, None)
        finally:
            if purging.is_alive():
                purging.join()
            if commits is not None:
                commits.close()

    def _loop(self, stop: threading.Event, one_pass: Callable[[], int], commits: CommitWatch | None) -> None:
        while not stop.is_set():
            # Read before the pass: a commit during it starts the next one at once.
            seen = commits.commits if commits is not None else 0
            try:
                busy = one_pass()
            except (OperationalError, InterfaceError) as unavailable:
                # The database is down or busy: nothing is lost, the next pass tries again.
                log.warning("delivery pass skipped, database unavailable: %s", type(unavailable.orig).__name__)
                busy = 0
            except Exception:
                # One bad pass must not end the worker; leases return whatever it held.
                log.exception("delivery pass failed")
                busy = 0
            if busy:
                continue
            if commits is not None:
                commits.wait(seen, self.settings.worker_poll_seconds)
            else:
                stop.wait(self.settings.worker_poll_seconds)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.purge_pool.shutdown(wait=True)
        self.webhooks.close()
        for cache in self.caches:
            cache.close()


def start_in_background(engine: Engine, settings: Settings, clock: Clock) -> tuple[threading.Event, threading.Thread]:
    """A worker on a thread of a server process, for BYLINE_SERVE_WORKER; set the event to stop it."""
    stop = threading.Event()
    worker = DeliveryWorker(engine, settings, clock=clock)

    def run() -> None:
        try:
            worker.run(stop)
        finally:
            worker.close()

    thread = threading.Thread(target=run, name="byline-worker", daemon=True)
    thread.start()
    return stop, thread

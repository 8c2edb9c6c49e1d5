"""The metrics each worker counts. They are process-wide by nature (one set per worker); several
workers share one view through prometheus-client's multi-process mode: `byline serve` points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start."""

import asyncio
import os
import threading
from bisect import bisect_left
from collections import defaultdict
from functools import cache

from prometheus_client import Counter, Histogram, values

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
REQUESTS = Counter("byline_requests_total", "Requests answered.", ["method", "route", "status"])
LATENCY = Histogram("byline_request_seconds", "Time to answer a request.", ["route"], buckets=LATENCY_BUCKETS)
# How often a worker adds what it tallied to the shared counts; a scrape adds its own worker's first.
TALLY_SECONDS = 0.5
CACHE_LOOKUPS = Counter("byline_content_cache_lookups_total", "Content-cache lookups.", ["result"])
DELIVERY_ATTEMPTS = Counter(
    "byline_delivery_attempts_total",
    "Webhook and email delivery attempts: delivered, retrying (will be tried again) or failed (given up).",
    ["channel", "outcome"],
)
PURGE_BATCHES = Counter(
    "byline_purge_batches_total",
    "Batches of purges sent to a cache (Varnish, Fastly, Cloudflare): delivered, or retrying later.",
    ["cache", "outcome"],
)
PURGE_SECONDS = Histogram(
    "byline_purge_seconds",
    "From the commit of the oldest purge in a delivered batch until the cache confirmed it.",
    ["cache"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 60, 600),
)
RESPONSE_CACHE_LOOKUPS = Counter(
    "byline_response_cache_lookups_total",
    "Public reads: hit, miss, bypass (keyed, or state unknown), or stale (sent in place of a failure).",
    ["result"],
)


def count_where_the_environment_says() -> None:
    """In the shared files when PROMETHEUS_MULTIPROC_DIR is set now, else in memory. prometheus-client
    decides as it is first imported, which in a worker forked from a process that loaded it before
    `byline serve` set the folder (as the tests' launcher forks it) was too early. Every series is
    made by its labels, at first use, so none was made before this. A storage already of the right
    kind stays: a second one would write the same file as the first, each over the other's entries."""
    in_files = values.ValueClass is not values.MutexValue
    if in_files != any(name in os.environ for name in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir")):
        values.ValueClass = values.get_value_class()


@cache
def _series(method: str, template: str, status: int) -> tuple[Counter, Histogram]:
    # Looking a series up by its labels costs more than counting in it; routes, methods and statuses are few.
    return REQUESTS.labels(method, template, str(status)), LATENCY.labels(template)


class _Tally:
    """Requests counted in the worker and added to prometheus-client's shared files in bulk. There
    every count is a locked write to a mapped file, three per request: about a tenth of a cached
    answer's time, against a dictionary update here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: defaultdict[Counter, int] = defaultdict(int)
        # Per series: the sum of the seconds, then how many fell in each bucket (+Inf last).
        self._latencies: dict[Histogram, list[float]] = {}

    def add(self, requests: Counter, latency: Histogram, seconds: float) -> None:
        with self._lock:
            self._requests[requests] += 1
            counts = self._latencies.get(latency)
            if counts is None:
                counts = self._latencies[latency] = [0.0] * (len(LATENCY_BUCKETS) + 2)
            counts[0] += seconds
            counts[1 + bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def flush(self) -> None:
        with self._lock:
            requests, self._requests = self._requests, defaultdict(int)
            latencies, self._latencies = self._latencies, {}
        for series, count in requests.items():
            series.inc(count)
        for histogram, (total, *buckets) in latencies.items():
            # What Histogram.observe does per observation, once per series: its sum and its buckets.
            histogram._sum.inc(total)
            for bucket, observed in zip(histogram._buckets, buckets, strict=True):
                if observed:
                    bucket.inc(observed)


_tally = _Tally()
flush_requests = _tally.flush


async def flush_requests_periodically() -> None:
    """Until cancelled, then once more."""
    try:
        while True:
            await asyncio.sleep(TALLY_SECONDS)
            flush_requests()
    finally:
        flush_requests()


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    # Unmatched paths share one label: raw paths would let anyone grow the series without bound.
    requests, latency = _series(method, route or "unmatched", status)
    _tally.add(requests, latency, seconds)

"""The metrics each worker counts. They are process-wide by nature (one set per worker); several
workers share one view through prometheus-client's multi-process mode: `byline serve` points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start."""

from functools import cache

from prometheus_client import Counter, Histogram

REQUESTS = Counter("byline_requests_total", "Requests answered.", ["method", "route", "status"])
LATENCY = Histogram(
    "byline_request_seconds",
    "Time to answer a request.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
CACHE_LOOKUPS = Counter("byline_content_cache_lookups_total", "Content-cache lookups.", ["result"])
DELIVERY_ATTEMPTS = Counter(
    "byline_delivery_attempts_total",
    "Webhook and email delivery attempts: delivered, retrying (will be tried again) or failed (given up).",
    ["channel", "outcome"],
)
RESPONSE_CACHE_LOOKUPS = Counter(
    "byline_response_cache_lookups_total", "Public reads: hit, miss, or bypass (keyed, or state unknown).", ["result"]
)


@cache
def _series(method: str, template: str, status: int) -> tuple[Counter, Histogram]:
    # Looking a series up by its labels costs more than counting in it; routes, methods and statuses are few.
    return REQUESTS.labels(method, template, str(status)), LATENCY.labels(template)


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    # Unmatched paths share one label: raw paths would let anyone grow the series without bound.
    requests, latency = _series(method, route or "unmatched", status)
    requests.inc()
    latency.observe(seconds)

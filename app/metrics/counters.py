"""The metrics each worker counts. They are process-wide by nature (one set per worker); several
workers share one view through prometheus-client's multi-process mode: `byline serve` points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start."""

from prometheus_client import Counter, Histogram

REQUESTS = Counter("byline_requests_total", "Requests answered.", ["method", "route", "status"])
LATENCY = Histogram(
    "byline_request_seconds",
    "Time to answer a request.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
CACHE_LOOKUPS = Counter("byline_content_cache_lookups_total", "Content-cache lookups.", ["result"])
RESPONSE_CACHE_LOOKUPS = Counter(
    "byline_response_cache_lookups_total", "Public reads: hit, miss, or bypass (keyed, or state unknown).", ["result"]
)


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    # Unmatched paths share one label: raw paths would let anyone grow the series without bound.
    template = route or "unmatched"
    REQUESTS.labels(method, template, str(status)).inc()
    LATENCY.labels(template).observe(seconds)

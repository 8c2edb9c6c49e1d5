"""prometheus-client's internals that app/metrics/counters.py writes to, checked against the installed
library: a batch of requests added to a histogram's own sum and buckets must read as observe() would,
and the storage it picks as it is imported can be picked again."""

from importlib.metadata import version

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, values
from prometheus_client.multiprocess import MultiProcessCollector

from app.metrics.counters import LATENCY_BUCKETS, _Tally, count_where_the_environment_says

UPGRADE = (
    f"prometheus-client {version('prometheus-client')} differs in Histogram's _sum or _buckets, "
    "which app/metrics/counters.py adds to"
)
# Bounds exactly, between them, and past the last.
SECONDS = [0.001, 0.005, 0.0051, 0.02, 0.25, 0.3, 1, 4.9, 5, 60, 0.1, 0.1]


def _histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram("seconds", "Time.", ["route"], buckets=LATENCY_BUCKETS, registry=registry)


def _samples(registry: CollectorRegistry) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if not sample.name.endswith("_created")
    }


def test_a_flushed_tally_reads_as_each_request_observed() -> None:
    tallied, observed = CollectorRegistry(), CollectorRegistry()
    requests = Counter("requests", "Requests.", registry=tallied)
    series = _histogram(tallied).labels(route="/api/v1/articles")
    assert hasattr(series, "_sum") and hasattr(series, "_buckets"), UPGRADE
    tally = _Tally()
    for seconds in SECONDS:
        tally.add(requests, series, seconds)
    tally.flush()
    expected = _histogram(observed).labels(route="/api/v1/articles")
    for seconds in SECONDS:
        expected.observe(seconds)
    histogram = {key: value for key, value in _samples(tallied).items() if key[0].startswith("seconds")}
    assert histogram == pytest.approx(_samples(observed)), UPGRADE
    assert _samples(tallied)[("requests_total", ())] == len(SECONDS)


def test_counts_go_where_the_environment_says_when_the_worker_starts(tmp_path, monkeypatch) -> None:
    # A worker forked from a process that imported prometheus-client before `byline serve` named the folder.
    monkeypatch.setattr(values, "ValueClass", values.ValueClass)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    count_where_the_environment_says()
    Counter("shared", "Counted in a file.", ["route"], registry=CollectorRegistry()).labels("/").inc()
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    count_where_the_environment_says()
    Counter("private", "Counted in memory.", ["route"], registry=CollectorRegistry()).labels("/").inc()
    files = CollectorRegistry()
    MultiProcessCollector(files, path=str(tmp_path))
    counted = {sample.name for metric in files.collect() for sample in metric.samples}
    assert counted == {"shared_total"}, "prometheus-client no longer picks its storage by values.ValueClass"

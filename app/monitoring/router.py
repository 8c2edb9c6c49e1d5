"""GET /metrics: what the workers counted, plus what only the database knows, read at scrape time."""

import os
from collections.abc import Iterator

from fastapi import APIRouter, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.auth.dependencies import OptionalKey, ensure_scope
from app.auth.errors import MissingScope, NotAuthenticated
from app.auth.models import Scope
from app.comments.models import Comment, CommentStatus
from app.core.errors import ProblemError, problems
from app.metrics.counters import flush_requests
from app.outbox.models import OutboxEvent
from app.web.state import EnginesDep, SettingsDep

router = APIRouter(tags=["meta"])


class _DatabaseGauges(Collector):
    """Read at scrape time: the database is the one place every worker agrees on."""

    def __init__(self, engine: Engine, pools: list[Engine]) -> None:
        self.engine, self.pools = engine, pools

    def collect(self) -> Iterator[Metric]:
        with Session(self.engine) as session:
            backlog = session.exec(
                select(func.count()).select_from(OutboxEvent).where(col(OutboxEvent.delivered_at).is_(None))
            ).one()
            queue = session.exec(
                select(func.count()).select_from(Comment).where(Comment.status == CommentStatus.pending.value)
            ).one()
        yield GaugeMetricFamily("byline_outbox_backlog", "Events written but not yet delivered.", value=backlog)
        yield GaugeMetricFamily("byline_comments_pending", "Comments waiting for a moderator.", value=queue)
        in_use = sum(pool.pool.checkedout() for pool in self.pools)  # type: ignore[attr-defined]  # QueuePool and SingletonThreadPool both count
        yield GaugeMetricFamily(
            "byline_database_connections_in_use", "Connections this worker has checked out.", value=in_use
        )


class MetricsOff(ProblemError):
    """Metrics are switched off (`BYLINE_METRICS`)."""

    title = "Not Found"
    status = 404


@router.get(
    "/metrics",
    operation_id="meta-metrics",
    summary="Get metrics in the Prometheus text format",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text exposition format.",
        },
        **problems(MetricsOff, NotAuthenticated, MissingScope),
    },
)
def metrics(engines: EnginesDep, settings: SettingsDep, key: OptionalKey) -> Response:
    """Needs an `admin` key unless `BYLINE_METRICS=public`; `BYLINE_METRICS=off` hides it."""
    if settings.metrics == "off":
        raise MetricsOff("Metrics are switched off.")
    if settings.metrics == "key":
        ensure_scope(key, Scope.admin)
    # This worker's latest requests; the others add theirs every half second.
    flush_requests()
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        shared = CollectorRegistry()
        MultiProcessCollector(shared)
    else:
        shared = REGISTRY
    database = CollectorRegistry()
    database.register(_DatabaseGauges(engines.read_primary, list({engines.write, engines.read, engines.read_primary})))
    body = generate_latest(shared) + generate_latest(database)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

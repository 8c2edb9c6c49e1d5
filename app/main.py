"""The application factory: settings, engines, middleware, routers and error handlers."""

import asyncio
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from app.articles.editor_router import router as article_editing_router
from app.audit.router import router as audit_router
from app.auth import oidc
from app.auth.dependencies import presents_valid_key
from app.auth.invites_router import router as invites_router
from app.auth.keys_router import router as keys_router
from app.auth.oidc_router import PROVIDER
from app.auth.oidc_router import router as oidc_router
from app.auth.reset_router import router as reset_router
from app.auth.router import router as session_router
from app.auth.totp_router import router as totp_router
from app.auth.users_router import router as users_router
from app.caching.counts import ContentCache
from app.caching.responses import announce
from app.caching.responses.announce import Announcements
from app.caching.responses.announce_file import ANNOUNCE_FILE
from app.caching.responses.early import EarlyHits
from app.caching.responses.middleware import HttpCacheMiddleware
from app.caching.responses.state import LiveContent, open_watch
from app.caching.responses.store import ResponseStore
from app.caching.stored_answers import RenderedAnswerMiddleware, StoredAnswers
from app.changes.router import router as changes_router
from app.collections.router import router as collections_router
from app.comments import router as comments
from app.core.clock import Clock, utcnow
from app.core.logs import flush_logs, skip_unused_record_fields
from app.core.release import byline_version
from app.core.settings import Settings
from app.db.engines import ensure_planner_statistics, kept_engine, open_ahead, release
from app.db.write_batches import WriteBatches
from app.deliveries.worker import start_in_background
from app.desk.pages import desk_routes
from app.directories import routes as directories
from app.directories.routes import authors as authors_router
from app.directories.routes import sections as sections_router
from app.directories.routes import tags as tags_router
from app.feeds import router as feeds
from app.frontend.pages import site_routes
from app.ingest import router as ingest
from app.media import router as media
from app.media.collection import open_library
from app.media.dependencies import LIBRARY
from app.metrics.counters import count_where_the_environment_says, flush_requests_periodically
from app.monitoring.router import router as metrics_router
from app.pages import router as pages
from app.pages.router import router as articles_router
from app.readership.beacon import EarlyBeacons
from app.readership.router import router as readership_router
from app.readership.service import READERSHIP, readership
from app.related import router as related
from app.related.dependencies import NEIGHBOURS
from app.related.router import router as related_router
from app.related.semantic.setup import neighbours_for
from app.server import http_protocol
from app.server.http_protocol import Arrival
from app.server.supervisor import end_with_supervisor
from app.sitemaps.router import router as sitemaps_router
from app.web.docs import router as docs_router
from app.web.health import router as health_router
from app.web.middleware.access_log import AccessLogMiddleware
from app.web.middleware.body_limit import BodyLimitMiddleware
from app.web.middleware.cors import CrossOriginMiddleware
from app.web.middleware.forwarded import ForwardedClientMiddleware
from app.web.middleware.security_headers import SecurityHeadersMiddleware
from app.web.middleware.trailing_slash import TrailingSlashMiddleware
from app.web.openapi import DESCRIPTION, TAGS, install_openapi
from app.web.problem_pages import router as problem_pages_router
from app.web.problems import UnexpectedErrorMiddleware, install_problem_handlers
from app.web.state import AppState, Engines, StateKey
from app.webhooks.router import router as webhooks_router
from app.wiring import RELEASES, install_write_hooks


class ApiIndex(BaseModel):
    name: str
    version: str
    links: dict[str, str]


# The paths whose anonymous answers the response cache keeps: renditions too, sent from memory as
# fast as the API's cached reads.
CACHED_PREFIXES = ("/api/v1", "/feeds", "/sitemap", "/media")


class BylineApp(FastAPI):
    """The app, with the response cache's plain hits answered before its middleware (app.caching.responses.early)."""

    early_hits: EarlyHits | None = None
    early_beacons: EarlyBeacons | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.early_hits is not None and await self.early_hits.answered(scope, send):
            return
        if self.early_beacons is not None and await self.early_beacons.answered(scope, receive, send):
            return
        await super().__call__(scope, receive, send)

    def answer_on_arrival(self, scope: Scope) -> Arrival | None:
        if self.early_hits is not None and (hit := self.early_hits.on_arrival(scope)) is not None:
            return hit
        return self.early_beacons.on_arrival(scope) if self.early_beacons is not None else None


def create_app(
    settings: Settings | None = None, *, clock: Clock = utcnow, announcements: Announcements | None = None
) -> FastAPI:
    """`announcements`: where this process's workers share the versions they commit; by default, its memory."""
    settings = settings or Settings()
    announcements = announcements or Announcements(None)
    install_write_hooks()
    content = LiveContent(clock)
    stored_answers = StoredAnswers(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        write = kept_engine(
            settings.database_url, pool_size=settings.database_pool_size, sqlite_synchronous=settings.sqlite_synchronous
        )
        read_primary = kept_engine(settings.database_url, pool_size=settings.database_pool_size, for_writes=False)
        read = (
            kept_engine(settings.database_replica_url, pool_size=settings.database_pool_size, for_writes=False)
            if settings.database_replica_url
            else read_primary
        )
        if write.dialect.name == "sqlite":
            ensure_planner_statistics(read_primary)
        await anyio.to_thread.run_sync(open_ahead, read, settings.database_pool_open_ahead)
        engines = Engines(write=write, read=read, read_primary=read_primary)
        announce.install(announcements)
        watch = open_watch(read, write, clock, announcements, RELEASES)
        await watch.started(seconds=5)
        content.watch(watch)
        await stored_answers.open(read, write)
        write_batches = WriteBatches(write)
        neighbours = neighbours_for(read, settings)
        library = await anyio.to_thread.run_sync(open_library, settings, write)
        views = readership(settings)
        added: dict[StateKey[Any], object] = {LIBRARY: library, READERSHIP: views}
        if neighbours is not None:
            added[NEIGHBOURS] = neighbours
        if settings.oidc_issuer is not None:
            added[PROVIDER] = oidc.Provider(settings)
        app.state.byline = AppState(
            settings=settings,
            clock=clock,
            engines=engines,
            content_cache=ContentCache(RELEASES),
            content_watch=watch,
            stored_answers=stored_answers,
            write_batches=write_batches,
            added=added,
        )
        worker = start_in_background(write, settings, clock) if settings.serve_worker else None
        tallying = asyncio.create_task(flush_requests_periodically())
        counting = asyncio.create_task(views.counter.flush_periodically(write, settings.most_read_flush_seconds))
        yield
        tallying.cancel()
        counting.cancel()
        # Views counted since the last flush must not die with the worker (SIGTERM ends it here).
        await views.counter.flush(write)
        if worker:
            stop, thread = worker
            stop.set()
            # Deliveries in flight finish first; each is bounded by the delivery timeout.
            await anyio.to_thread.run_sync(thread.join)
        await anyio.to_thread.run_sync(write_batches.close)
        # Batched log lines must not die with the process, which ends by the signal that stopped it.
        flush_logs()
        await watch.close()
        announce.uninstall(announcements)
        await stored_answers.close()
        for engine in {write, read, read_primary}:
            release(engine)

    app = BylineApp(
        title="Byline",
        version=byline_version(),
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        redirect_slashes=False,
        # Byline counts and logs requests itself; FastAPI's own telemetry checks would cost every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # app.web.docs serves Swagger UI from the installed package; no page may load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        limits=comments.body_limits(settings) | ingest.body_limits(settings) | media.body_limits(settings),
        anonymous_limit=settings.comment_max_body_bytes,
        authenticated=presents_valid_key,
        read_timeout=settings.body_timeout_seconds,
        deadline=settings.body_deadline_seconds,
    )
    if settings.trusted_proxies:
        app.add_middleware(ForwardedClientMiddleware, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(TrailingSlashMiddleware, base_url=settings.base_url)
    if settings.stored_answers:
        app.add_middleware(
            RenderedAnswerMiddleware,
            answers=stored_answers,
            content=content,
            clock=clock,
            paths=pages.STORED_PATHS + comments.STORED_PATHS + related.STORED_PATHS + directories.STORED_PATHS,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    store = (
        ResponseStore(
            max_entries=settings.response_cache_entries, max_bytes=settings.response_cache_megabytes * 1024 * 1024
        )
        if settings.response_cache
        else None
    )
    app.add_middleware(
        HttpCacheMiddleware,
        prefixes=CACHED_PREFIXES,
        content=content,
        store=store,
        cache_control=settings.shared_cache_control,
        stale_if_error=settings.cache_stale_if_error,
    )
    app.early_hits = EarlyHits(store, CACHED_PREFIXES, content) if store is not None else None
    app.early_beacons = EarlyBeacons(app, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(CrossOriginMiddleware, trusted_origins=settings.cors_origins)
    install_problem_handlers(app)
    install_openapi(app, extra_models=(*ingest.DOCUMENTED_SHAPES, *feeds.DOCUMENTED_SHAPES, *media.DOCUMENTED_SHAPES))
    routers = (
        readership_router,
        docs_router,
        problem_pages_router,
        feeds.router,
        sitemaps_router,
        health_router,
        metrics_router,
        articles_router,
        article_editing_router,
        changes_router,
        related_router,
        comments.public,
        comments.subscriptions,
        comments.moderators,
        authors_router,
        sections_router,
        tags_router,
        collections_router,
        webhooks_router,
        session_router,
        reset_router,
        totp_router,
        invites_router,
        oidc_router,
        users_router,
        keys_router,
        audit_router,
        ingest.router,
        media.router,
        media.files,
    )
    for router in routers:
        # The routes each router built at import serve every app of the process as they are;
        # `include_router` would build them again for each app, at its first requests.
        app.router.routes.extend(router.routes)
    if settings.serve_frontend:
        app.router.routes.extend(site_routes())
    if settings.serve_desk:
        app.router.routes.extend(desk_routes())

    @app.get("/api/v1", tags=["meta"], operation_id="meta-index", summary="List the API's entry points")
    def index() -> ApiIndex:
        base = f"{settings.base_url}/api/v1"
        return ApiIndex(
            name="Byline",
            version=app.version,
            links={
                name: f"{base}/{name}" for name in ("articles", "authors", "sections", "tags", "collections", "changes")
            }
            | {"openapi": f"{settings.base_url}/openapi.json", "docs": f"{settings.base_url}/docs"},
        )

    return app


def create_worker_app() -> FastAPI:
    """The app of one `byline serve` worker process, configured from the environment."""
    end_with_supervisor()
    # Read once, here: the protocol and the app share them.
    settings = Settings()
    http_protocol.install(settings)
    count_where_the_environment_says()
    app = create_app(settings, announcements=Announcements(os.environ.get(ANNOUNCE_FILE)))
    skip_unused_record_fields()
    # What is loaded by now lives as long as the process: out of the collector's way, a full
    # collection takes about a millisecond instead of tens, every few requests.
    gc.collect()
    gc.freeze()
    return app

"""The ASGI application: GraphQL with GraphiQL, health checks and package downloads."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from tortoise.connection import get_connection

from . import db, graphiql, signing
from .config import Settings
from .cors import OriginPolicy
from .delivery import Notifier, PostgresListener
from .downloads import serve_package, sweep_at_start
from .http import GraphQLView
from .middleware import BodyLimit, BodyTimeout, OrmContext, RequestId
from .packages import from_settings
from .persisted import Documents, PersistedQueries
from .schema import build_schema
from .telemetry import metrics, tracing
from .telemetry.requests import Telemetry
from .webhooks.worker import Worker as WebhookWorker

log = logging.getLogger("pluginhub")


class NotMigrated(RuntimeError):
    pass


def create_app(settings: Settings) -> Starlette:
    settings = settings.with_secret_key()
    store = from_settings(settings)
    notifier = Notifier(poll_interval=2.0 if settings.is_sqlite else 5.0)
    origins = OriginPolicy.from_setting(settings.cors_origins)
    graphql = GraphQLView(build_schema(settings), settings, store, notifier, origins)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        orm = await db.open_context(settings)
        pending = await db.pending_migrations(orm)
        if pending:
            await orm.close_connections()
            raise NotMigrated(f"the database is not migrated ({', '.join(pending)}): run `pluginhub migrate`")
        app.state.orm = orm
        await sweep_at_start(settings, store, orm)
        worker = metrics.Worker(orm)
        worker.start()
        listener = None if settings.is_sqlite else PostgresListener(settings.database_url, notifier)
        if listener is not None:
            listener.start()
        webhooks = WebhookWorker(settings, notifier) if settings.webhook_worker else None
        if webhooks is not None:
            with db.activate(orm):
                webhooks.start()
        try:
            yield
        finally:
            if webhooks is not None:
                with db.activate(orm):
                    await webhooks.stop()
            if listener is not None:
                await listener.stop()
            await worker.stop()
            app.state.orm = None
            await store.store.close()
            await orm.close_connections()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await get_connection("default").execute_query("SELECT 1")
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def download(request: Request) -> Response:
        sha256 = request.path_params["sha256"]
        query = request.query_params
        name, expires, sig = query.get("name", ""), query.get("expires", ""), query.get("sig", "")
        if not signing.verify(settings.secret_key, sha256, name, expires, sig):
            return PlainTextResponse("link expired or invalid", status_code=403)
        return await serve_package(settings, store.store, sha256, name, int(expires))

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint(settings.metrics_token)),
            Route("/packages/{sha256:str}", download),
            Route("/graphql", PersistedQueries(graphql, Documents(settings))),
            WebSocketRoute("/graphql", graphql),
            graphiql.mount(),
        ],
        middleware=[
            Middleware(RequestId),
            *tracing.middleware(settings.tracing),
            Middleware(Telemetry),
            origins.middleware(),
            *gzip(settings.gzip_min_bytes),
            Middleware(BodyTimeout, read_timeout=settings.body_read_timeout, total_timeout=settings.body_timeout),
            Middleware(BodyLimit, max_body_bytes=settings.max_body_bytes, max_package_bytes=settings.max_package_bytes),
            Middleware(OrmContext),
        ],
        lifespan=lifespan,
    )
    app.state.orm = None
    app.state.settings = settings
    return app


def gzip(min_bytes: int) -> list[Middleware]:
    """Compress HTTP responses of at least `min_bytes` (0: never) that the client accepts gzipped.

    Starlette's middleware leaves WebSockets, streams and zip packages alone."""
    return [Middleware(GZipMiddleware, minimum_size=min_bytes, compresslevel=6)] if min_bytes > 0 else []


def from_env() -> Starlette:
    """The factory `pluginhub serve` hands to uvicorn (one call per worker)."""
    return create_app(Settings.from_env())

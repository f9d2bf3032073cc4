"""The ASGI application: GraphQL with GraphiQL, health checks and package downloads."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry import UNSET
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from tortoise.connection import get_connection

from . import db, graphiql, signing
from .config import Settings
from .cors import OriginPolicy
from .delivery import Notifier, PostgresListener
from .middleware import BodyLimit, OrmContext, RequestId
from .packages import PackageStore
from .persisted import Documents, PersistedQueries
from .resolvers.accounts import authenticate
from .schema import build_schema
from .schema.context import Context, Loaders
from .telemetry import metrics, tracing
from .telemetry.requests import Telemetry

log = logging.getLogger("pluginhub")


class NotMigrated(RuntimeError):
    pass


def bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, settings: Settings, store: PackageStore, notifier: Notifier, origins: OriginPolicy) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            multipart_uploads_enabled=True,
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.settings = settings
        self.store = store
        self.notifier = notifier
        self.origins = origins

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        """Cross-origin handshakes: the same list as CORS (see cors.py)."""
        return self.origins.allows(origin)

    async def render_graphql_ide(self, request: Any) -> Response:
        """GraphiQL from the package's own assets (see graphiql/)."""
        return graphiql.page(request)

    async def get_context(self, request: Any, response: Any) -> Context:
        token = bearer(request.headers.get("authorization"))
        viewer = await authenticate(token) if token else None
        scheme = {"ws": "http", "wss": "https"}.get(request.url.scheme, request.url.scheme)
        base_url = self.settings.public_url or f"{scheme}://{request.url.netloc}"
        return Context(
            settings=self.settings,
            store=self.store,
            notifier=self.notifier,
            viewer=viewer,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            base_url=base_url.rstrip("/"),
            request=request,
            response=response,
        )

    async def on_ws_connect(self, context: Context) -> Any:
        """Subscriptions authenticate once, with the token in the connection_init payload."""
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization")
        token = bearer(raw) if isinstance(raw, str) else None
        viewer = await authenticate(token) if token else None
        if viewer is None:
            raise ConnectionRejectionError(
                {
                    "message": 'send {"authorization": "Bearer <token>"} with a valid token in connection_init',
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            )
        context.viewer = viewer
        context.token = token
        context.loaders = Loaders(viewer)
        return UNSET


def create_app(settings: Settings) -> Starlette:
    settings = settings.with_secret_key()
    store = PackageStore(settings.storage_dir)
    notifier = Notifier(poll_interval=2.0 if settings.is_sqlite else 5.0)
    origins = OriginPolicy.from_setting(settings.cors_origins)
    graphql = GraphQLApp(settings, store, notifier, origins)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        orm = await db.open_context(settings)
        pending = await db.pending_migrations(orm)
        if pending:
            await orm.close_connections()
            raise NotMigrated(f"the database is not migrated ({', '.join(pending)}): run `pluginhub migrate`")
        app.state.orm = orm
        worker = metrics.Worker(orm)
        worker.start()
        listener = None if settings.is_sqlite else PostgresListener(settings.database_url, notifier)
        if listener is not None:
            listener.start()
        try:
            yield
        finally:
            if listener is not None:
                await listener.stop()
            await worker.stop()
            app.state.orm = None
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
        path = store.path(sha256)
        if not path.is_file():
            return PlainTextResponse("package not found", status_code=404)
        return FileResponse(path, filename=name, media_type="application/zip")

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint(settings.metrics_token)),
            Route("/packages/{sha256:str}", download),
            Route("/graphql", PersistedQueries(graphql, Documents(settings)), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            graphiql.mount(),
        ],
        middleware=[
            Middleware(RequestId),
            *tracing.middleware(settings.tracing),
            Middleware(Telemetry),
            origins.middleware(),
            *gzip(settings.gzip_min_bytes),
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

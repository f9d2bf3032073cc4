"""The request being answered, as logs and metrics see it.

`Telemetry` (ASGI middleware, inside `RequestId`) opens a `RequestInfo` for
each HTTP request or WebSocket connection and keeps it in a context
variable; the GraphQL extension (`operations`) adds the operation and the
viewer; every log line written meanwhile carries them (`logs`), uvicorn's
access line included, since uvicorn writes it while the app sends its
response. At the end the HTTP metrics are counted, by route template.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import metrics


@dataclass
class RequestInfo:
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    operation: str | None = None
    operation_type: str | None = None
    viewer: int | None = None
    status: int | None = None

    @property
    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
current: ContextVar[RequestInfo | None] = ContextVar("pluginhub_request", default=None)


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "(unmatched)"


class Telemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id=scope.get("state", {}).get("request_id", "-"))
        token = current.set(info)
        try:
            if scope["type"] == "websocket":
                await self._websocket(scope, receive, send)
            else:
                await self._http(scope, receive, send, info)
        finally:
            current.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, info: RequestInfo) -> None:
        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                info.status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_of(scope)
            metrics.HTTP_REQUESTS.labels(method, route, str(info.status or 500)).inc()
            metrics.HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - info.started)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics.WEBSOCKETS_OPEN.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            metrics.WEBSOCKETS_OPEN.dec()

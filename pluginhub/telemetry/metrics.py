"""Prometheus metrics: what they are, how they are served, and how worker processes share them.

With several server processes, each writes its samples to files in one
directory (prometheus-client's multiprocess mode) and `/metrics`, whichever
process answers, adds them up. `pluginhub serve` sets that directory up
before anything imports prometheus-client (see `multiprocess`). Without it (tests,
an embedding app) the metrics live in the process, as usual.

Labels stay bounded: operation names are the client's words, so only the
first `PLUGINHUB_METRICS_MAX_OPERATIONS` distinct names a process sees get
their own label, later ones count as `(other)`; outcomes are the closed list
of error codes; routes are the app's route templates.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import re
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import REGISTRY
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..resolvers.errors import RequestCode
from .multiprocess import MULTIPROC_ENV

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

OPERATIONS = Counter(
    "pluginhub_graphql_operations",
    "GraphQL operations finished, by operation name, type and outcome (ok, or the first error's code).",
    ["operation", "type", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "pluginhub_graphql_operation_duration_seconds",
    "Time to answer a query or mutation, parse to result.",
    ["operation", "type"],
    buckets=LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "pluginhub_http_requests", "HTTP requests answered, by method, route and status.", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "pluginhub_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
WEBSOCKETS_OPEN = Gauge("pluginhub_websocket_connections", "WebSocket connections open.", multiprocess_mode="livesum")
SUBSCRIPTIONS_OPEN = Gauge(
    "pluginhub_subscriptions_open", "Subscriptions running, by field.", ["subscription"], multiprocess_mode="livesum"
)
EVENTS_DELIVERED = Counter(
    "pluginhub_subscription_events_delivered", "Results sent to subscribers, by field.", ["subscription"]
)
POOL_CONNECTIONS = Gauge(
    "pluginhub_db_pool_connections",
    "PostgreSQL pool connections, in use or idle (absent on SQLite).",
    ["state"],
    multiprocess_mode="livesum",
)
POOL_MAX = Gauge("pluginhub_db_pool_max_connections", "The pool's upper bound.", multiprocess_mode="livesum")
WORKER = Gauge(
    "pluginhub_worker_up",
    "1 for each live server process (with its pid when there are several).",
    multiprocess_mode="liveall",
)

KNOWN_OUTCOMES = frozenset({"ok", *(code.value for code in RequestCode)})
NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
ANONYMOUS, OTHER = "(anonymous)", "(other)"


class OperationNames:
    """The label for an operation name: itself while few enough names were seen."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self.seen:
            return name
        if len(self.seen) < self.limit and NAME.fullmatch(name):
            self.seen.add(name)
            return name
        return OTHER


def outcome(code: Any) -> str:
    return code if isinstance(code, str) and code in KNOWN_OUTCOMES else "OTHER"


# ---------------------------------------------------------------- serving


def registry() -> CollectorRegistry:
    if os.environ.get(MULTIPROC_ENV):
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
        return combined
    return REGISTRY


def endpoint(token: str) -> Any:
    """`/metrics`: open, or behind `Authorization: Bearer <PLUGINHUB_METRICS_TOKEN>` when that is set."""

    async def metrics(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return PlainTextResponse(
                    "send Authorization: Bearer <PLUGINHUB_METRICS_TOKEN>",
                    status_code=401,
                    headers={"www-authenticate": 'Bearer realm="metrics"'},
                )
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        body = await asyncio.to_thread(encoder, registry())
        return Response(body, media_type=content_type, headers={"cache-control": "no-store"})

    return metrics


# ---------------------------------------------------------------- processes


class Worker:
    """One server process's own gauges: that it is up, and its database pool, every few seconds."""

    def __init__(self, orm: Any, interval: float = 5.0) -> None:
        self.orm = orm
        self.interval = interval
        self.task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        pool = getattr(self.orm.db("default"), "_pool", None)
        if pool is None:  # SQLite: one connection, no pool
            return
        size, idle = pool.get_size(), pool.get_idle_size()
        POOL_CONNECTIONS.labels("in_use").set(size - idle)
        POOL_CONNECTIONS.labels("idle").set(idle)
        POOL_MAX.set(pool.get_max_size())

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # a metric must never take the server down
                self.sample()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        WORKER.set(1)
        self.task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if os.environ.get(MULTIPROC_ENV):
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

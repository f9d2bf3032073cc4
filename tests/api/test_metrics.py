"""Prometheus metrics at /metrics, scraped after real traffic over HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.telemetry.metrics import OperationNames
from tests.conftest import BACKEND
from tests.liveserver import LiveServer, serve
from tests.wsclient import session

ME = "query Me { viewer { name } }"
PLUGIN_EVENTS = """
subscription Follow($pluginId: String!) { pluginEvents(pluginId: $pluginId) { cursor kind } }"""

pytestmark = pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")


async def scrape(http: httpx.AsyncClient, path: str = "/metrics", **headers: str) -> dict[tuple[str, frozenset], float]:
    answer = await http.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def settles(http: httpx.AsyncClient, expected: float, name: str, **labels: str) -> None:
    """Wait (boundedly) for a gauge the server updates as a connection or task ends."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while (seen := value(await scrape(http), name, **labels)) != expected:
        assert loop.time() < deadline, f"{name}{labels} stayed {seen}, expected {expected}"
        await asyncio.sleep(0.05)


async def test_operations_are_counted_by_name_type_and_outcome(client: httpx.AsyncClient, alice) -> None:
    before = await scrape(client)
    await client.post("/graphql", json={"query": ME}, headers=alice.headers)
    await client.post("/graphql", json={"query": ME})  # no token
    await client.post("/graphql", json={"query": "query Broken { viewer {"})
    await client.post(
        "/graphql",
        json={
            "query": "mutation Make($i: CreatePluginInput!) { createPlugin(input: $i) { plugin { name } } }",
            "variables": {"i": {"name": "Counted", "description": "x"}},
        },
        headers=alice.headers,
    )
    after = await scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ops = "pluginhub_graphql_operations_total"
    assert grew(ops, operation="Me", type="query", outcome="ok") == 1
    assert grew(ops, operation="Me", type="query", outcome="UNAUTHENTICATED") == 1
    assert grew(ops, operation="(anonymous)", type="unknown", outcome="GRAPHQL_PARSE_FAILED") == 1
    assert grew(ops, operation="Make", type="mutation", outcome="ok") == 1
    assert grew("pluginhub_graphql_operation_duration_seconds_count", operation="Me", type="query") == 2
    assert grew("pluginhub_http_requests_total", method="POST", route="/graphql", status="200") == 4
    assert grew("pluginhub_http_request_duration_seconds_count", method="POST", route="/graphql") == 4


async def test_routes_not_operations_label_other_requests(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    await client.get("/healthz")
    await client.get("/no/such/page/12345")
    after = await scrape(client)
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    unmatched = {"method": "GET", "route": "(unmatched)", "status": "404"}
    assert (
        value(after, "pluginhub_http_requests_total", **healthz)
        - value(before, "pluginhub_http_requests_total", **healthz)
        == 1
    )
    assert (
        value(after, "pluginhub_http_requests_total", **unmatched)
        - value(before, "pluginhub_http_requests_total", **unmatched)
        == 1
    )
    assert not any("12345" in str(labels) for _, labels in after)


def test_operation_names_beyond_the_limit_share_one_label() -> None:
    names = OperationNames(limit=2)
    assert [names.label(n) for n in ("A", "B", "C", "A", None, "x" * 200)] == [
        "A",
        "B",
        "(other)",
        "A",
        "(anonymous)",
        "(other)",
    ]


# ---------------------------------------------------------------- over a real server


@pytest_asyncio.fixture
async def limited(settings: Settings, app) -> AsyncIterator[LiveServer]:
    """A server that labels only two operation names, and keeps /metrics behind a token."""
    changed = dataclasses.replace(settings, metrics_max_operations=2, metrics_token="scrape-secret")
    async with serve(create_app(changed)) as server:
        yield server


async def test_client_chosen_names_cannot_grow_the_label_set(limited: LiveServer, alice) -> None:
    async with httpx.AsyncClient(base_url=limited.http_url) as http:
        auth = {"authorization": "Bearer scrape-secret"}
        before = await scrape(http, **auth)
        for n in range(6):
            await http.post("/graphql", json={"query": f"query Name{n} {{ viewer {{ name }} }}"}, headers=alice.headers)
        after = await scrape(http, **auth)
    names = {dict(labels)["operation"] for (name, labels) in after if name == "pluginhub_graphql_operations_total"}
    new = names - {
        dict(labels)["operation"] for (name, labels) in before if name == "pluginhub_graphql_operations_total"
    }
    assert len(new - {"(other)"}) <= 2
    other = {"operation": "(other)", "type": "query", "outcome": "ok"}
    assert (
        value(after, "pluginhub_graphql_operations_total", **other)
        - value(before, "pluginhub_graphql_operations_total", **other)
        >= 4
    )


async def test_metrics_behind_a_token_refuse_a_scrape_without_it(limited: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=limited.http_url) as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers={"authorization": "Bearer wrong"})).status_code == 401
        assert (await http.get("/metrics", headers={"authorization": "Bearer scrape-secret"})).status_code == 200


@pytest_asyncio.fixture
async def live(settings: Settings, app) -> AsyncIterator[LiveServer]:
    async with serve(create_app(settings)) as server:
        yield server


async def test_subscriptions_open_and_events_delivered_are_counted(live: LiveServer, console, alice, plugin) -> None:
    open_ = {"subscription": "pluginEvents"}
    async with httpx.AsyncClient(base_url=live.http_url) as http:
        before = await scrape(http)
        async with session(live.ws_url, alice.token) as ws:
            await ws.subscribe(PLUGIN_EVENTS, {"pluginId": plugin["pluginId"]})
            replayed = await ws.value()  # PLUGIN_CREATED, replayed
            assert replayed["kind"] == "PLUGIN_CREATED"
            during = await scrape(http)
            await ws.stop("1")
            await settles(
                http, value(before, "pluginhub_subscriptions_open", **open_), "pluginhub_subscriptions_open", **open_
            )
        await settles(http, value(before, "pluginhub_websocket_connections"), "pluginhub_websocket_connections")
    assert (
        value(during, "pluginhub_subscriptions_open", **open_) - value(before, "pluginhub_subscriptions_open", **open_)
        == 1
    )
    delivered = "pluginhub_subscription_events_delivered_total"
    assert value(during, delivered, **open_) - value(before, delivered, **open_) == 1
    assert value(during, "pluginhub_websocket_connections") - value(before, "pluginhub_websocket_connections") == 1


@pytest.mark.skipif(BACKEND != "postgres", reason="SQLite has no connection pool")
async def test_the_database_pool_is_reported(client: httpx.AsyncClient) -> None:
    samples = await scrape(client)
    assert value(samples, "pluginhub_db_pool_max_connections") >= 10
    assert ("pluginhub_db_pool_connections", frozenset({("state", "idle")})) in samples

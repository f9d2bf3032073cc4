"""While PostgreSQL drops the server's connections (issue 10; issue 15, reproducer 5).

The server's backends are really terminated (`pg_terminate_backend`) and
the database refuses new connections until the test lets it again: every
request that needs the database before any GraphQL runs (authentication)
answers a coded, retryable 503 with its request id, `/readyz` answers 503,
and once the database is back the same requests succeed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pytest

from tests.conftest import _admin, postgres_only
from tests.helpers import top_level_codes
from tests.wsclient import close_code, connect

pytestmark = [postgres_only, pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")]

VIEWER = "{ viewer { name } }"


@asynccontextmanager
async def database_down(database_url: str) -> AsyncIterator[None]:
    name = urlsplit(database_url).path.lstrip("/")
    await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        await _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        yield
    finally:
        await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


async def test_authentication_without_a_database_is_a_coded_retryable_503(client, alice, database_url, caplog):
    caplog.set_level(logging.ERROR)
    async with database_down(database_url):
        for accept in ("application/json", "application/graphql-response+json"):
            response = await client.post(
                "/graphql",
                json={"query": VIEWER},
                headers={**alice.headers, "accept": accept, "x-request-id": "outage-1"},
            )
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "1"
            body = response.json()
            assert top_level_codes(body) == ["SERVICE_UNAVAILABLE"]
            error = body["errors"][0]
            assert error["extensions"]["requestId"] == "outage-1"
            assert error["extensions"]["retryable"] is True
            assert "outage-1" in error["message"]
            assert "asyncpg" not in response.text and "connection" not in error["message"].lower()
        ready = await client.get("/readyz")
        assert ready.status_code == 503
    assert any("outage-1" in record.getMessage() and record.exc_info for record in caplog.records)
    response = await client.post("/graphql", json={"query": VIEWER}, headers=alice.headers)
    assert response.json() == {"data": {"viewer": {"name": "alice"}}}
    assert (await client.get("/readyz")).status_code == 200


async def test_a_request_without_a_token_needs_no_database(client, database_url):
    async with database_down(database_url):
        response = await client.post("/graphql", json={"query": "{ __typename }"})
        assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_connection_init_without_a_database_is_refused_politely(live, alice, database_url, protocol):
    async with database_down(database_url), connect(live.ws_url, protocol) as client:
        answer_or_close = await client.ws.send(
            '{"type": "connection_init", "payload": {"authorization": "Bearer %s"}}' % alice.token
        )
        assert answer_or_close is None
        if protocol == "graphql-ws":
            answer = await client.raw()
            assert answer["type"] == "connection_error"
            assert answer["payload"]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        else:
            assert await close_code(client) == 4403

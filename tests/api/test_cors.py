"""Pages on other origins: CORS preflights over HTTP and WebSocket handshakes, from one setting."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
import websockets

from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.cors import OriginPolicy
from tests.liveserver import LiveServer, serve
from tests.wsclient import TRANSPORT_WS, WsClient, bearer

CONSOLE = "http://localhost:5173"
ME = "query Me { viewer { name } }"
CLIENT_HEADERS = "authorization, content-type, x-request-id, apollographql-client-name, apollographql-client-version"

pytestmark = pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")


@pytest_asyncio.fixture
async def allowing(settings: Settings, app) -> AsyncIterator[LiveServer]:
    """A server that allows the console's dev server on any localhost port."""
    async with serve(create_app(dataclasses.replace(settings, cors_origins="http://localhost:*"))) as server:
        yield server


@pytest_asyncio.fixture
async def default(settings: Settings, app) -> AsyncIterator[LiveServer]:
    """A server with the default setting: no other origin allowed."""
    async with serve(create_app(settings)) as server:
        yield server


def preflight(origin: str, headers: str = CLIENT_HEADERS) -> dict[str, str]:
    return {"origin": origin, "access-control-request-method": "POST", "access-control-request-headers": headers}


async def test_a_preflight_from_an_allowed_origin_is_answered(allowing: LiveServer) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.options(f"{allowing.http_url}/graphql", headers=preflight(CONSOLE))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == CONSOLE
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = {h.strip() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {h.strip() for h in CLIENT_HEADERS.split(",")} <= {h.lower() for h in allowed}
    assert "access-control-allow-credentials" not in answer.headers


async def test_the_answer_to_an_allowed_origin_is_readable_by_its_page(allowing: LiveServer, alice) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{allowing.http_url}/graphql", json={"query": ME}, headers={"origin": CONSOLE, **alice.headers}
        )
    assert answer.json() == {"data": {"viewer": {"name": "alice"}}}
    assert answer.headers["access-control-allow-origin"] == CONSOLE
    assert answer.headers["access-control-expose-headers"] == "x-request-id"


@pytest.mark.parametrize("origin", ["http://localhost.evil.example:5173", "https://evil.example", "null"])
async def test_a_preflight_from_another_origin_is_refused(allowing: LiveServer, origin: str) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.options(f"{allowing.http_url}/graphql", headers=preflight(origin))
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    assert "origin" in answer.text


async def test_without_the_setting_every_other_origin_is_refused(default: LiveServer) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.options(f"{default.http_url}/graphql", headers=preflight(CONSOLE))
        simple = await http.post(f"{default.http_url}/graphql", json={"query": ME}, headers={"origin": CONSOLE})
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_a_header_clients_do_not_send_is_not_allowed(allowing: LiveServer) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.options(f"{allowing.http_url}/graphql", headers=preflight(CONSOLE, "x-something-else"))
    assert answer.status_code == 400


async def _handshake(server: LiveServer, origin: str, token: str) -> dict[str, object]:
    async with websockets.connect(server.ws_url, subprotocols=[TRANSPORT_WS], origin=origin, open_timeout=5) as ws:
        return await WsClient(ws, TRANSPORT_WS).init(bearer(token))


async def test_a_websocket_from_an_allowed_origin_is_accepted(allowing: LiveServer, alice) -> None:
    assert (await _handshake(allowing, CONSOLE, alice.token))["type"] == "connection_ack"


async def test_a_websocket_from_another_origin_is_refused(allowing: LiveServer, default: LiveServer, alice) -> None:
    for server, origin in ((allowing, "https://evil.example"), (default, CONSOLE)):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await _handshake(server, origin, alice.token)
        assert refused.value.response.status_code == 403


async def test_a_websocket_from_the_servers_own_origin_needs_no_setting(default: LiveServer, alice) -> None:
    assert (await _handshake(default, default.http_url, alice.token))["type"] == "connection_ack"


# ---------------------------------------------------------------- the list's forms


@pytest.mark.parametrize(
    ("entries", "origin", "allowed"),
    [
        ("*", "https://anything.example", True),
        ("http://localhost:*", "http://localhost", True),
        ("http://localhost:*", "http://localhost:5173", True),
        ("http://localhost:*", "https://localhost:5173", False),
        ("http://localhost:*", "http://localhost.evil.example", False),
        ("https://console.example.com", "https://console.example.com", True),
        ("https://console.example.com:443", "https://console.example.com", True),
        ("https://console.example.com", "https://console.example.com:8443", False),
        ("https://*.example.com", "https://pr-12.preview.example.com", True),
        ("https://*.example.com", "https://example.com", False),
        ("https://*.example.com", "https://evilexample.com", False),
        ("vscode-webview://*", "vscode-webview://1p9uc0fqn3anjd5", True),
        ("vscode-webview://*", "http://1p9uc0fqn3anjd5", False),
        ("http://localhost:5173, http://127.0.0.1:5173", "http://127.0.0.1:5173", True),
        ("", "http://localhost:5173", False),
        ("", "null", False),
        ("null", "null", True),
    ],
)
def test_the_list_allows_what_its_entries_say(entries: str, origin: str, allowed: bool) -> None:
    assert OriginPolicy.from_setting(entries).allows(origin) is allowed


@pytest.mark.parametrize("entry", ["localhost:5173", "http://", "https://example.com/path", "http://exa mple.com"])
def test_an_entry_that_is_not_an_origin_stops_the_server_from_starting(settings: Settings, entry: str) -> None:
    with pytest.raises(ValueError, match="PLUGINHUB_CORS_ORIGINS"):
        create_app(dataclasses.replace(settings, cors_origins=entry))

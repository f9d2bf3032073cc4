"""Over real sockets: WebSocket errors carry codes, bad tokens close politely,
disconnects are one info line, slow bodies are cut off (issues 10 and 15)."""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import logging

import httpx
import pytest

from tests.helpers import Console
from tests.wsclient import LEGACY_WS, PROTOCOLS, TRANSPORT_WS, close_code, connect, session

pytestmark = pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")

EVENTS_WITH_VERSION_EVENTS = """
subscription($pluginId: String!, $first: Int) {
  pluginEvents(pluginId: $pluginId) { kind version { events(first: $first) { totalCount } } }
}"""

EVENTS_AFTER = "subscription($p: String!, $after: String) { pluginEvents(pluginId: $p, after: $after) { kind } }"


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


async def until(predicate, what: str, within: float = 5.0) -> None:
    """Wait (bounded) for something that must happen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if predicate():
            return
        assert loop.time() < deadline, f"no {what} within {within}s"
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------- reproducer 13: codes on WebSocket errors


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_syntax_error_over_websocket_is_a_coded_error(live, alice, protocol):
    async with session(live.ws_url, alice.token, protocol) as client:
        await client.subscribe("subscription { pluginEvents(pluginId: ")
        assert await client.error_code() == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_validation_error_over_websocket_is_coded(live, alice, protocol):
    async with session(live.ws_url, alice.token, protocol) as client:
        await client.subscribe('subscription { pluginEvents(pluginId: "1") { shoeSize } }')
        assert await client.error_code() == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_nested_client_error_in_a_stream_is_coded(console: Console, live, alice, plugin, protocol):
    await console.upload(alice, plugin, "1.0.0")
    async with session(live.ws_url, alice.token, protocol) as client:
        await client.subscribe(EVENTS_WITH_VERSION_EVENTS, {"pluginId": plugin["pluginId"], "first": 1000})
        codes = set()
        for _ in range(2):  # PLUGIN_CREATED (no version), then VERSION_UPLOADED with the failing events
            message = await client.message()
            codes |= {(e.get("extensions") or {}).get("code") for e in message.errors}
        assert codes == {"VALIDATION"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_cursor_past_int8_over_websocket_is_a_validation_error(live, alice, plugin, protocol):
    async with session(live.ws_url, alice.token, protocol) as client:
        await client.subscribe(EVENTS_AFTER, {"p": plugin["pluginId"], "after": b64(f"[{2**63}]")})
        assert await client.error_code() == "VALIDATION"


# ---------------------------------------------------------------- reproducer 14: a token that is not text


async def test_a_lone_surrogate_token_closes_with_4403(live):
    async with connect(live.ws_url, TRANSPORT_WS) as client:
        await client.ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer phk_\ud800"}}))
        assert await close_code(client) == 4403


async def test_a_lone_surrogate_token_gets_connection_error_on_the_legacy_protocol(live):
    async with connect(live.ws_url, LEGACY_WS) as client:
        await client.ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer phk_\ud800"}}))
        answer = await client.raw()
        assert answer["type"] == "connection_error"
        assert answer["payload"]["extensions"]["code"] == "UNAUTHENTICATED"


# ---------------------------------------------------------------- disconnects: one info line, no trace


def traces(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("how", ["close", "abort"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_subscriber_that_leaves_during_the_replay_logs_no_trace(
    console: Console, live, alice, plugin, protocol, how, caplog
):
    """The server is still sending the replay when the client goes (cleanly, or as a laptop lid closes)."""
    caplog.set_level(logging.INFO)
    for i in range(20):
        await console.upload(alice, plugin, f"1.{i}.0")
    for _ in range(5):  # the moment the client leaves varies; five goes catch the bad one
        async with session(live.ws_url, alice.token, protocol) as client:
            await client.subscribe(EVENTS_AFTER, {"p": plugin["pluginId"]})
            if how == "abort":
                client.ws.transport.abort()
    async with httpx.AsyncClient(base_url=live.http_url) as http:  # a fence: the server handled what came before
        await console.upload(alice, plugin, "2.0.0")
        assert (await http.get("/healthz")).status_code == 200
    await asyncio.sleep(0.5)
    gc.collect()  # "Task exception was never retrieved" is logged when the task is collected
    assert traces(caplog) == [], [r.getMessage() for r in traces(caplog)]


async def test_an_http_client_that_leaves_mid_body_logs_one_info_line(live, caplog):
    caplog.set_level(logging.INFO)
    _, writer = await asyncio.open_connection(live.host, live.port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: multipart/form-data; boundary=b\r\n"
        b"content-length: 1000\r\n\r\n--b\r\n"
    )
    await writer.drain()
    await asyncio.sleep(0.1)
    writer.close()
    await until(lambda: any("disconnected" in r.getMessage() for r in caplog.records), "the info line")
    assert traces(caplog) == []


# ---------------------------------------------------------------- issue 10: slow uploads are cut off


async def test_a_stalled_request_body_is_cut_off_with_408(live):
    reader, writer = await asyncio.open_connection(live.host, live.port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: multipart/form-data; boundary=b\r\n"
        b"content-length: 100000\r\n\r\n--b\r\n"
    )
    await writer.drain()
    async with asyncio.timeout(5):  # the server's read timeout is 1s
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), head
        length = int(
            next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
        )
        body = json.loads(await reader.readexactly(length))
    writer.close()
    assert body["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


async def test_a_trickling_request_body_is_cut_off_at_the_total_timeout(live):
    reader, writer = await asyncio.open_connection(live.host, live.port)
    writer.write(b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n")
    async with asyncio.timeout(8):  # total timeout 3s; a byte every 0.5s never stalls for 1s
        while not reader.at_eof():
            writer.write(b" ")
            await writer.drain()
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 0.5)
            except TimeoutError:
                continue
            assert head.startswith(b"HTTP/1.1 408"), head
            break
    writer.close()


# ---------------------------------------------------------------- issue 10: links never from an untrusted Host


async def test_download_links_ignore_an_untrusted_host(console: Console, live, alice, plugin):
    version = await console.upload(alice, plugin, "1.0.0")
    query = "query($id: ID!) { node(id: $id) { ... on PluginVersion { package { downloadUrl } } } }"
    async with httpx.AsyncClient(base_url=live.http_url) as http:
        for host, expected in (
            (f"evil.example:{live.port}", live.http_url),
            (f"localhost:{live.port}", f"http://localhost:{live.port}"),
        ):
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": {"id": version["id"]}},
                headers={**alice.headers, "host": host},
            )
            url = response.json()["data"]["node"]["package"]["downloadUrl"]
            assert url.startswith(expected + "/packages/"), url
        download = await http.get(url.replace(f"http://localhost:{live.port}", ""))
        assert download.status_code == 200


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_deeply_nested_subscription_is_a_limit(live, alice, protocol):
    async with session(live.ws_url, alice.token, protocol) as client:
        await client.subscribe("subscription " + "{" * 400 + "}" * 400)
        assert await client.error_code() == "LIMIT_EXCEEDED"

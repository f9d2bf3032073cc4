"""A small GraphQL-over-WebSocket client for the tests, speaking both protocols.

- graphql-transport-ws: connection_init -> connection_ack; subscribe ->
  next / error / complete; ping -> pong.
- graphql-ws (legacy): connection_init -> connection_ack (then "ka"
  keep-alives, skipped here); start -> data / error / complete.

Every wait is bounded: a test that expects a message and gets none fails
with a TimeoutError instead of hanging. There is no "expect nothing for N
seconds": on a slow machine such a wait passes whatever happens. A test
shows that something sent nothing with a fence instead (`expect_next_is`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import websockets

from tests.helpers import bearer

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]

WAIT = 5.0  # seconds any single expected message may take


@dataclass
class Message:
    """A server message, the same shape for both protocols."""

    kind: str  # "next", "error" or "complete"
    id: str | None
    payload: Any

    @property
    def errors(self) -> list[dict[str, Any]]:
        if self.kind == "error":
            return self.payload if isinstance(self.payload, list) else [self.payload]
        if self.kind == "next":
            return self.payload.get("errors") or []
        return []


class WsClient:
    def __init__(self, ws: Any, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        self._ids = itertools.count(1)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def raw(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next message that is not a keep-alive ("ka"); pings are answered."""

        async def receive() -> dict[str, Any]:
            while True:
                message = json.loads(await self.ws.recv())
                kind = message.get("type")
                if kind == "ka":
                    continue
                if kind == "ping" and self.protocol == TRANSPORT_WS:
                    await self.send({"type": "pong"})
                    continue
                return message

        return await asyncio.wait_for(receive(), timeout)

    async def init(self, payload: dict[str, Any] | None) -> dict[str, Any]:
        """Send connection_init and return the server's first answer."""
        message: dict[str, Any] = {"type": "connection_init"}
        if payload is not None:
            message["payload"] = payload
        await self.send(message)
        return await self.raw()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation_id = str(next(self._ids))
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        await self.send({"id": operation_id, "type": kind, "payload": {"query": query, "variables": variables or {}}})
        return operation_id

    async def stop(self, operation_id: str) -> None:
        await self.send({"id": operation_id, "type": "complete" if self.protocol == TRANSPORT_WS else "stop"})

    async def message(self, timeout: float = WAIT) -> Message:
        raw = await self.raw(timeout)
        kind = raw.get("type")
        if kind in ("next", "data"):
            return Message("next", raw.get("id"), raw.get("payload") or {})
        if kind in ("error", "complete"):
            return Message(kind, raw.get("id"), raw.get("payload"))
        raise AssertionError(f"unexpected {self.protocol} message: {raw}")

    async def value(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next result's value (the one root field), failing on any error."""
        message = await self.message(timeout)
        assert message.kind == "next" and not message.errors, f"expected a result, got {message}"
        data = message.payload["data"]
        assert isinstance(data, dict) and len(data) == 1, message
        return next(iter(data.values()))

    async def values(self, count: int, timeout: float = WAIT) -> list[dict[str, Any]]:
        """The next `count` results, all within `timeout` seconds."""
        received: list[dict[str, Any]] = []

        async def collect() -> None:
            while len(received) < count:
                received.append(await self.value(timeout))

        try:
            await asyncio.wait_for(collect(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"expected {count} results within {timeout}s, got {len(received)}: {received}"
            ) from None
        return received

    async def error_code(self, timeout: float = WAIT) -> str | None:
        """The code of the error that ends an operation: an `error` message or a result carrying errors."""
        message = await self.message(timeout)
        errors = message.errors
        assert errors, f"expected an error, got {message}"
        return (errors[0].get("extensions") or {}).get("code")

    async def expect_next_is(
        self,
        is_marker: Callable[[dict[str, Any]], bool],
        what: str = "the fence's marker",
        *,
        operation: str | None = None,
        stopped: Collection[str] = (),
        timeout: float = WAIT,
    ) -> dict[str, Any]:
        """A fence: the very next result must be the marker's; its value.

        After an action that must send this subscriber nothing, the test
        performs a marker action that must send it something, and checks that
        the marker's message is the next one: anything the first action sent
        wrongly comes before it and fails the test (each operation delivers
        in order), however slow the machine.

        `operation`: the marker's operation, when the connection has several.
        `stopped`: operations the client stopped; each may still send its
        `complete` first, and nothing else.
        """
        pending_completes = set(stopped)
        message = await self.message(timeout)
        while message.kind == "complete" and message.id in pending_completes:
            pending_completes.discard(message.id)
            message = await self.message(timeout)
        assert message.kind == "next" and not message.errors, f"expected {what} next, got {message}"
        if operation is not None:
            assert message.id == operation, f"expected {what} next (operation {operation}), got {message}"
        data = message.payload["data"]
        assert isinstance(data, dict) and len(data) == 1, message
        value = next(iter(data.values()))
        assert is_marker(value), f"expected {what} next, got {value}"
        return value


@asynccontextmanager
async def connect(url: str, protocol: str = TRANSPORT_WS) -> AsyncIterator[WsClient]:
    """An open WebSocket, nothing sent yet."""
    async with websockets.connect(url, subprotocols=[protocol], open_timeout=WAIT, close_timeout=1) as ws:
        assert ws.subprotocol == protocol
        yield WsClient(ws, protocol)


@asynccontextmanager
async def session(url: str, token: str, protocol: str = TRANSPORT_WS) -> AsyncIterator[WsClient]:
    """A connection that was acknowledged with `token`."""
    async with connect(url, protocol) as client:
        ack = await client.init(bearer(token))
        assert ack.get("type") == "connection_ack", ack
        yield client


async def close_code(client: WsClient, timeout: float = WAIT) -> int | None:
    """Wait for the server to close the connection; its close code."""
    try:
        message = await client.raw(timeout)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    raise AssertionError(f"expected the server to close the connection, got {message}")

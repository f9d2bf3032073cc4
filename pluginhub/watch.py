"""`pluginhub watch`: a reference IDE client for the subscriptions.

It speaks graphql-transport-ws, prints every event (or resolution) as one
JSON line on stdout, and when the connection drops it reconnects with
exponential backoff and resumes after the last cursor it printed, so it
neither misses nor repeats an event.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from typing import Any, TextIO

import websockets
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")

EVENT_FIELDS = """
  id cursor kind occurredAt fromStatus toStatus reason
  plugin { pluginId } version { id version } actor { name }
  debugBinding { id status miniProgram { appId } } order { id status miniProgram { appId } }
"""
PLUGIN_EVENTS = (
    "subscription($id: String!, $after: String) { pluginEvents(pluginId: $id, after: $after) { %s } }" % EVENT_FIELDS
)
APP_EVENTS = (
    "subscription($id: String!, $after: String) { miniProgramEvents(appId: $id, after: $after) { %s } }" % EVENT_FIELDS
)
RESOLVED = """
subscription($app: String!, $plugin: String!, $scene: Scene!, $token: String) {
  resolvedVersion(appId: $app, pluginId: $plugin, scene: $scene, debugToken: $token) {
    __typename
    ... on ResolvedPluginVersion { source scene version { id version status package { sha256 downloadUrl } } }
    ... on PluginUnavailable { reason message }
  }
}"""


class Refused(Exception):
    """The server said no (bad token, no such plugin): retrying will not help."""


@dataclass
class Watch:
    url: str
    token: str
    plugin_id: str | None = None
    app_id: str | None = None
    scene: str | None = None
    debug_token: str | None = None
    after: str | None = None
    max_backoff: float = 30.0
    out: TextIO = sys.stdout
    acknowledged: bool = False

    def subscription(self) -> dict[str, Any]:
        if self.scene:
            variables = {"app": self.app_id, "plugin": self.plugin_id, "scene": self.scene, "token": self.debug_token}
            return {"query": RESOLVED, "variables": variables}
        query = PLUGIN_EVENTS if self.plugin_id else APP_EVENTS
        return {"query": query, "variables": {"id": self.plugin_id or self.app_id, "after": self.after}}

    async def run(self) -> None:
        backoff = 0.5
        while True:
            self.acknowledged = False
            try:
                await self.session()
                return
            except Refused:
                raise
            except (TimeoutError, OSError, websockets.WebSocketException) as exc:
                print(f"pluginhub watch: connection lost ({exc}); reconnecting in {backoff:.1f}s", file=sys.stderr)
            if self.acknowledged:  # the last connection worked: start the backoff over
                backoff = 0.5
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def session(self) -> None:
        async with websockets.connect(self.url, subprotocols=[PROTOCOL], open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}))
            try:
                ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            except websockets.ConnectionClosed as closed:
                if closed.rcvd and closed.rcvd.code == 4403:
                    raise Refused("the server refused the token") from None
                raise
            if ack.get("type") != "connection_ack":
                raise Refused(f"unexpected reply to connection_init: {ack}")
            self.acknowledged = True
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": self.subscription()}))
            async for raw in ws:
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif kind == "next":
                    self.emit(message["payload"])
                elif kind == "error":
                    raise Refused(json.dumps(message.get("payload")))
                elif kind == "complete":
                    return

    def emit(self, payload: dict[str, Any]) -> None:
        if payload.get("errors"):
            raise Refused(json.dumps(payload["errors"]))
        (value,) = payload["data"].values()
        if isinstance(value, dict) and "cursor" in value:
            self.after = value["cursor"]  # resume from here after a reconnect
        print(json.dumps(value, ensure_ascii=False), file=self.out, flush=True)


def websocket_url(url: str) -> str:
    if url.startswith("http"):
        url = "ws" + url[4:]
    return url if url.rstrip("/").endswith("/graphql") else url.rstrip("/") + "/graphql"

"""A real HTTP receiver for webhook tests: a uvicorn server on loopback, run by the test.

It records every request (headers and raw body) and answers by a script: a
list of behaviours consumed one per request ("fail", "hang", "redirect",
"slow"), then "ok" for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # the event loop's clock when it arrived
    answered: int | None = None

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("x-pluginhub-signature", ""))


@dataclass
class Receiver:
    port: int
    script: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)  # per path: requests being answered now
    overlaps: list[str] = field(default_factory=list)
    delay: float = 0.0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answered_ok(self, path: str | None = None) -> list[Received]:
        return [r for r in self.received if r.answered == 200 and (path is None or r.path == path)]

    async def handle(self, request: Request) -> Response:
        record = Received(
            request.url.path, dict(request.headers), await request.body(), asyncio.get_running_loop().time()
        )
        self.received.append(record)
        self.arrived.set()
        path = request.url.path
        self.in_flight[path] = self.in_flight.get(path, 0) + 1
        if self.in_flight[path] > 1:
            self.overlaps.append(path)
        try:
            behaviour = self.script.pop(0) if self.script else "ok"
            if self.delay:
                await asyncio.sleep(self.delay)
            if behaviour == "hang":
                await self.release.wait()
                behaviour = "ok"
            if behaviour == "slow":
                await asyncio.sleep(30)
            if behaviour == "fail":
                record.answered = 500
                return PlainTextResponse("no", status_code=500)
            if behaviour == "redirect":
                record.answered = 302
                return RedirectResponse(self.url("/elsewhere"), status_code=302)
            record.answered = 200
            return PlainTextResponse("ok")
        finally:
            self.in_flight[path] -= 1

    async def wait_for(self, count: int, within: float = 30.0, ok_only: bool = True) -> list[Received]:
        """Bounded wait for something that must happen."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            got = self.answered_ok() if ok_only else self.received
            if len(got) >= count:
                return got
            assert loop.time() < deadline, f"only {len(got)} of {count} requests within {within}s: {self.received}"
            await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver(free_port())
    app = Starlette(routes=[Route("/{path:path}", receiver.handle, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=receiver.port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the receiver did not start"
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.should_exit = True
        server.force_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)

"""A real uvicorn server for the tests that need sockets: WebSockets, slow bodies, disconnects."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest_asyncio
import uvicorn

from pluginhub.app import create_app
from pluginhub.config import Settings


@dataclass
class LiveServer:
    host: str
    port: int

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/graphql"


@pytest_asyncio.fixture(scope="module")
async def live(settings: Settings, app) -> AsyncIterator[LiveServer]:
    """uvicorn serving the app on a free port, in the session's event loop; bodies time out after 1s of silence."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    application = create_app(replace(settings, body_read_timeout=1, body_timeout=3))
    config = uvicorn.Config(application, host="127.0.0.1", port=port, ws="websockets", lifespan="on", log_level="info")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(15):
            while not server.started:
                if task.done():
                    task.result()
                    raise AssertionError("uvicorn stopped before it started")
                await asyncio.sleep(0.02)
        yield LiveServer("127.0.0.1", port)
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, 10)
        except TimeoutError:
            server.force_exit = True
            task.cancel()
        sock.close()

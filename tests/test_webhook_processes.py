"""Webhook delivery across real server processes (`pluginhub serve`).

- A server killed (SIGKILL) while a delivery is in flight loses nothing: the
  next server sends that delivery again once the lease runs out, then the
  rest, in order (both backends).
- Two servers on one PostgreSQL database never send deliveries of the same
  webhook at the same moment, and each delivery exactly once when every
  answer is a success.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pluginhub.models import WebhookDelivery
from tests.conftest import BACKEND
from tests.helpers import Console
from tests.webhook_receiver import free_port, receiving

pytestmark = pytest.mark.slow

COMMAND = [sys.executable, "-m", "pluginhub.cli", "serve", "--host", "127.0.0.1"]
WEBHOOK_ENV = {
    "PLUGINHUB_WEBHOOK_ALLOW_PRIVATE": "1",
    "PLUGINHUB_WEBHOOK_TIMEOUT": "3",  # roomy on a busy machine: a timeout would mean a second attempt
    "PLUGINHUB_WEBHOOK_LEASE": "2",  # held at least timeout + 5 s: a killed server's lease ends within ~8 s
    "PLUGINHUB_WEBHOOK_RETRY_BASE": "0.1",
    "PLUGINHUB_WEBHOOK_POLL": "0.5",
}

CREATE = """
mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret userErrors { code message } } }"""


class Server:
    def __init__(self, settings, cwd: Path, name: str) -> None:
        self.port = free_port()
        self.log = cwd / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLUGINHUB_")}
        env.update(
            PLUGINHUB_DATABASE_URL=settings.database_url,
            PLUGINHUB_STORAGE_DIR=settings.storage_dir,
            PLUGINHUB_SECRET_KEY=settings.secret_key,
            PYTHONUNBUFFERED="1",
            **WEBHOOK_ENV,
        )
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [*COMMAND, "--port", str(self.port)],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:
            while True:
                assert self.process.poll() is None, self.log.read_text()
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert loop.time() < deadline, self.log.read_text()
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """As a crash would: no shutdown, no lease released."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def servers(settings, tmp_path: Path) -> Iterator[Any]:
    started: list[Server] = []

    def start(name: str) -> Server:
        server = Server(settings, tmp_path, name)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


async def until(check, within: float = 60.0, what: str = "") -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not (value := await check()):
        assert loop.time() < deadline, f"not within {within}s: {what}"
        await asyncio.sleep(0.1)
    return value


async def test_a_server_killed_mid_delivery_loses_nothing(servers, settings, alice, plugin):
    async with receiving() as receiver:
        receiver.script = ["hang"]  # the first request is never answered by this server's lifetime
        first = servers("first")
        await first.ready()
        async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
            console = Console(http, settings)
            await console.mutate(CREATE, {"pluginId": plugin["pluginId"], "url": receiver.url()}, alice)
            for minor in range(3):
                await console.upload(alice, plugin, f"1.{minor}.0")
        await asyncio.wait_for(receiver.arrived.wait(), 30)
        first.kill()  # mid-delivery: the request is in flight, nothing recorded
        assert (await WebhookDelivery.all().order_by("id").first()).attempts == 0
        second = servers("second")
        await second.ready()
        got = await receiver.wait_for(4, within=60)
        await until(lambda: _settled(4), what="four deliveries recorded")
    kinds = [r.event["kind"] for r in receiver.received]
    assert kinds == ["WEBHOOK_CREATED", "WEBHOOK_CREATED", "VERSION_UPLOADED", "VERSION_UPLOADED", "VERSION_UPLOADED"]
    assert receiver.received[0].headers["x-pluginhub-delivery"] == receiver.received[1].headers["x-pluginhub-delivery"]
    positions = [_cursor_key(r.event["cursor"]) for r in got]
    assert positions == sorted(set(positions)) and len(positions) == 4  # every event once, in cursor order


async def _settled(count: int) -> bool:
    return await WebhookDelivery.filter(status="SUCCEEDED").count() == count


@pytest.mark.concurrency
@pytest.mark.skipif(BACKEND != "postgres", reason="several server processes need PostgreSQL")
async def test_two_servers_never_send_a_webhook_s_deliveries_at_once(servers, settings, alice, plugin):
    async with receiving() as receiver:
        receiver.delay = 0.05  # long enough for a second sender to overlap, were it allowed
        a, b = servers("a"), servers("b")
        await asyncio.gather(a.ready(), b.ready())
        async with (
            httpx.AsyncClient(base_url=a.url, timeout=30) as http_a,
            httpx.AsyncClient(base_url=b.url, timeout=30) as http_b,
        ):
            consoles = [Console(http_a, settings), Console(http_b, settings)]
            for n in range(3):
                url = receiver.url(f"/hook{n}")
                await consoles[n % 2].mutate(CREATE, {"pluginId": plugin["pluginId"], "url": url}, alice)
            for minor in range(10):
                await consoles[minor % 2].upload(alice, plugin, f"1.{minor}.0")
            expected = 3 * (3 + 10) - 3  # each hook: its own creation, the later creations, the uploads
            await receiver.wait_for(expected, within=90)
            await until(lambda: _settled(expected), what="every delivery recorded")
    assert receiver.overlaps == []
    for n in range(3):
        got = [r for r in receiver.received if r.path == f"/hook{n}"]
        ids = [r.headers["x-pluginhub-delivery"] for r in got]
        assert len(ids) == len(set(ids)), f"a delivery of hook{n} was sent twice"
        positions = [_cursor_key(r.event["cursor"]) for r in got]
        assert len(got) == 13 - n
        assert positions == sorted(set(positions)), f"hook{n} got events out of order or twice"


def _cursor_key(cursor: str) -> int:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[0]

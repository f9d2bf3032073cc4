"""Several real server processes on one PostgreSQL database.

Each server is `pluginhub serve` in its own process; subscribers connect to
one, mutations go to another, and only PostgreSQL's LISTEN/NOTIFY (and the
event log) link them. Every process started here is stopped in teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from pluginhub.config import Settings
from tests.helpers import Console, Person, event_log, pairs
from tests.processes import child_env, free_port
from tests.wsclient import WsClient, session

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("PLUGINHUB_TEST_BACKEND") != "postgres",
        reason="needs PostgreSQL (PLUGINHUB_TEST_BACKEND=postgres)",
    ),
    pytest.mark.slow,
]

COMMAND = [sys.executable, "-m", "pluginhub.cli"]
READY_WITHIN = 30.0  # seconds for a server process to answer /healthz
LISTENER = "pluginhub-listener"

PLUGIN_EVENTS = """
subscription($pluginId: String!, $after: String) {
  pluginEvents(pluginId: $pluginId, after: $after) { cursor kind version { version } }
}"""

LISTENERS = """
SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()
"""

KILL_LISTENERS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE application_name = $1 AND datname = current_database()
"""


def stop_group(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """SIGTERM the process group this test started (the server and its workers); SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except ProcessLookupError:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


class Server:
    """`pluginhub serve` on a fixed port; it can be stopped and started again there."""

    def __init__(self, settings: Settings, cwd: Path, name: str, workers: int = 1) -> None:
        self.settings = settings
        self.cwd = cwd
        self.name = name
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = cwd / f"{name}.log"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        args = [*COMMAND, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                args,
                cwd=self.cwd,
                env=child_env(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, workers included
            )

    async def ready(self) -> None:
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_WITHIN
        async with httpx.AsyncClient(base_url=self.http_url, timeout=2) as http:
            while True:
                assert self.process.poll() is None, f"server {self.name} exited:\n{self.log()}"
                try:
                    response = await http.get("/healthz")
                    if response.status_code == 200:
                        assert response.json() == {"status": "ok"}
                        return
                except httpx.TransportError:
                    pass
                assert loop.time() < deadline, f"server {self.name}: no /healthz within {READY_WITHIN}s:\n{self.log()}"
                await asyncio.sleep(0.1)

    async def stop(self, grace: float = 10.0) -> int | None:
        """Stop it as a deployment would (SIGTERM); its exit code."""
        if self.process is None:
            return None
        process = self.process
        await asyncio.to_thread(stop_group, process, grace)
        return process.returncode


@pytest.fixture
def servers(settings: Settings, tmp_path: Path) -> Any:
    """A factory of server processes; every one is stopped at teardown."""
    started: list[Server] = []

    def make(name: str, workers: int = 1) -> Server:
        server = Server(settings, tmp_path, name, workers)
        started.append(server)
        return server

    yield make
    for server in started:
        if server.process is not None:
            stop_group(server.process)


async def start_all(*servers: Server) -> None:
    for server in servers:
        server.start()
    await asyncio.gather(*(server.ready() for server in servers))


async def remote_console(server: Server, settings: Settings) -> tuple[Console, httpx.AsyncClient]:
    http = httpx.AsyncClient(base_url=server.http_url, timeout=30)
    return Console(http, settings), http


async def listener_pids(settings: Settings) -> set[int]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return {row["pid"] for row in await conn.fetch(LISTENERS, LISTENER)}
    finally:
        await conn.close()


async def at_least_listeners(settings: Settings, count: int) -> set[int]:
    pids = await listener_pids(settings)
    return pids if len(pids) >= count else set()


async def eventually(condition: Callable[[], Any], within: float, what: str) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await condition()
        if value:
            return value
        assert loop.time() < deadline, f"{what}: not within {within}s"
        await asyncio.sleep(0.1)


@pytest_asyncio.fixture
async def two_servers(servers, settings: Settings) -> AsyncIterator[tuple[Server, Server, Console]]:
    """Servers A and B running; a console that talks to B."""
    a, b = servers("a"), servers("b")
    await start_all(a, b)
    console, http = await remote_console(b, settings)
    try:
        yield a, b, console
    finally:
        await http.aclose()


# ---------------------------------------------------------------- tests


async def test_a_subscriber_on_one_server_gets_an_event_committed_through_another(
    two_servers, console: Console, alice: Person
):
    a, _b, via_b = two_servers
    plugin = await via_b.create_plugin(alice, "Cross Process")
    version = await via_b.upload(alice, plugin, "1.0.0")
    history = await event_log(via_b, alice, plugin)

    async with session(a.ws_url, alice.token) as client:
        await client.subscribe(PLUGIN_EVENTS, {"pluginId": plugin["pluginId"]})
        assert pairs(await client.values(len(history))) == history

        loop = asyncio.get_running_loop()
        await via_b.act(alice, "updateVersion", version, description="from B")
        committed = loop.time()
        (event,) = await client.values(1, timeout=3)
        assert event["kind"] == "VERSION_UPDATED"
        assert loop.time() - committed < 3
        assert pairs([event]) == (await event_log(via_b, alice, plugin))[-1:]


async def test_the_listener_reconnects_and_subscribers_catch_up(
    two_servers, console: Console, alice: Person, settings: Settings
):
    a, _b, via_b = two_servers
    plugin = await via_b.create_plugin(alice, "Listener Loss")
    version = await via_b.upload(alice, plugin, "1.0.0")
    history = await event_log(via_b, alice, plugin)

    # Every process on the database LISTENs: A, B and the test's own app.
    before = await eventually(
        lambda: at_least_listeners(settings, 3), 10, "three listener connections (A, B and the test's app)"
    )

    async with session(a.ws_url, alice.token) as client:
        await client.subscribe(PLUGIN_EVENTS, {"pluginId": plugin["pluginId"]})
        assert pairs(await client.values(len(history))) == history

        conn = await asyncpg.connect(settings.database_url)
        try:
            killed = await conn.fetch(KILL_LISTENERS, LISTENER)
        finally:
            await conn.close()
        assert len(killed) == len(before) and all(row[0] for row in killed)

        # Committed at once, while A's LISTEN connection is gone or coming back.
        for n in range(3):
            await via_b.act(alice, "updateVersion", version, description=f"while A was deaf {n}")

        received = await client.values(3, timeout=4)
        assert pairs(received) == (await event_log(via_b, alice, plugin))[len(history) :]
        assert len({event["cursor"] for event in received}) == 3

        # New listener connections replace the killed ones.
        async def replaced() -> set[int]:
            now = await listener_pids(settings)
            return now if len(now - before) >= len(before) else set()

        await eventually(replaced, 5, "new listener connections after pg_terminate_backend")

        # And NOTIFY works again through the new connection. This edit is also the fence for the
        # catch-up above: its event must be the next message, with no event delivered twice before it.
        loop = asyncio.get_running_loop()
        await via_b.act(alice, "updateVersion", version, description="after recovery")
        committed = loop.time()
        newest = (await event_log(via_b, alice, plugin))[-1]
        await client.expect_next_is(lambda event: pairs([event]) == [newest], "the edit after recovery", timeout=3)
        assert loop.time() - committed < 3
        assert client.ws.close_code is None, "the subscriber's own connection to A was dropped"


def serving_pid(server: Server, client_port: int) -> int | None:
    """Which process of the server's group holds the server side of the TCP connection from `client_port`.

    Linux only: the connection's socket inode from /proc/net/tcp, then the
    process whose file descriptors include that socket.
    """
    assert server.process is not None
    wanted = (f"{server.port:04X}", f"{client_port:04X}")
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
        if (local, remote) == wanted:
            inode = fields[9]
    if inode is None:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != server.process.pid:
                continue
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return int(entry.name)
        except (ProcessLookupError, PermissionError, FileNotFoundError):
            continue
    return None


async def test_serve_with_two_workers_delivers_events(servers, console: Console, alice: Person, settings: Settings):
    server = servers("workers", workers=2)
    await start_all(server)
    via, http = await remote_console(server, settings)
    try:
        plugin = await via.create_plugin(alice, "Two Workers")
        version = await via.upload(alice, plugin, "1.0.0")
        history = await event_log(via, alice, plugin)

        async with contextlib.AsyncExitStack() as stack:
            # Subscribers until both workers have one: one of them will not serve the mutation.
            clients: dict[int, WsClient] = {}
            for _ in range(40):
                client = await stack.enter_async_context(session(server.ws_url, alice.token))
                pid = serving_pid(server, client.ws.local_address[1])
                assert pid is not None and pid != server.process.pid, "no worker holds the connection"
                if pid not in clients:
                    clients[pid] = client
                    await client.subscribe(PLUGIN_EVENTS, {"pluginId": plugin["pluginId"]})
                    assert pairs(await client.values(len(history))) == history
                if len(clients) == 2:
                    break
            assert len(clients) == 2, "every connection went to one worker: is it running two?"

            loop = asyncio.get_running_loop()
            for n in range(2):
                await via.act(alice, "updateVersion", version, description=f"edit {n}")
            committed = loop.time()
            log = await event_log(via, alice, plugin)
            for client in clients.values():
                assert pairs(await client.values(2, timeout=3)) == log[len(history) :]
            assert loop.time() - committed < 3
    finally:
        await http.aclose()
    assert await server.stop() is not None


async def test_watch_prints_each_event_once_across_a_server_restart(
    two_servers, console: Console, alice: Person, settings: Settings, tmp_path: Path
):
    a, _b, via_b = two_servers
    plugin = await via_b.create_plugin(alice, "Watched")
    version = await via_b.upload(alice, plugin, "1.0.0")
    history = await event_log(via_b, alice, plugin)

    stderr = (tmp_path / "watch.err").open("w")
    watch = await asyncio.create_subprocess_exec(
        *COMMAND,
        "watch",
        "--plugin",
        plugin["pluginId"],
        "--url",
        f"http://127.0.0.1:{a.port}/graphql",
        cwd=tmp_path,
        env=child_env(settings, PLUGINHUB_TOKEN=alice.token),
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )
    printed: list[dict[str, Any]] = []

    async def read(count: int, within: float) -> None:
        async def lines() -> None:
            goal = len(printed) + count
            while len(printed) < goal:
                line = await watch.stdout.readline()
                assert line, f"watch exited ({watch.returncode}):\n{(tmp_path / 'watch.err').read_text()}"
                printed.append(json.loads(line))

        try:
            await asyncio.wait_for(lines(), within)
        except TimeoutError:
            raise AssertionError(
                f"watch printed {len(printed)} lines, not {count} more within {within}s:\n"
                f"{(tmp_path / 'watch.err').read_text()}"
            ) from None

    try:
        await read(len(history), 20)  # the replay (startup of the process included)
        assert pairs(printed) == history

        await via_b.act(alice, "updateVersion", version, description="while A is up")
        await read(1, 3)
        assert printed[-1]["kind"] == "VERSION_UPDATED"

        assert await a.stop() is not None
        await via_b.act(alice, "updateVersion", version, description="while A is down")
        a.start()
        await a.ready()
        await via_b.act(alice, "updateVersion", version, description="after A is back")

        await read(2, 20)  # reconnecting with backoff
        log = await event_log(via_b, alice, plugin)
        assert pairs(printed) == log
        cursors = [event["cursor"] for event in printed]
        assert len(set(cursors)) == len(cursors), "watch printed an event twice"

        # And nothing more: the next line is a fence edit's, so anything printed twice comes first and fails.
        await via_b.act(alice, "updateVersion", version, description="fence")
        await read(1, 3)
        assert pairs(printed) == await event_log(via_b, alice, plugin)
        assert watch.returncode is None, "watch stopped instead of following"
    finally:
        if watch.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(watch.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(watch.wait(), 5)
            except TimeoutError:
                os.killpg(watch.pid, signal.SIGKILL)
                await watch.wait()
        stderr.close()

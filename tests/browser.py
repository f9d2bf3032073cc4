"""Headless Chromium driven over the DevTools protocol, with the network cut to one origin.

No npm and no browser download: Debian's `chromium` (or $PLUGINHUB_TEST_CHROMIUM)
and the `websockets` package the project already depends on. Every request the
page makes is paused by the `Fetch` domain: those to the allowed origin go on,
all others fail and are recorded in `Browser.blocked`; DNS for any other host
fails too (`--host-resolver-rules`), so nothing can leave by another path.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import websockets

WAIT = 20.0  # seconds for the browser to start, or for a page to reach a state


def chromium_path() -> str | None:
    given = os.environ.get("PLUGINHUB_TEST_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    def __init__(self, ws: Any, allowed_origin: str) -> None:
        self.ws = ws
        self.allowed_origin = allowed_origin.rstrip("/")
        self.requested: list[str] = []
        self.blocked: list[str] = []
        self.console: list[str] = []
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if "id" in message:
                future = self._pending.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
            elif message.get("method") == "Fetch.requestPaused":
                task = asyncio.create_task(self._decide(message["params"]))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            elif message.get("method") == "Runtime.consoleAPICalled":
                args = message["params"].get("args", [])
                self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in args))

    async def _decide(self, params: dict[str, Any]) -> None:
        url = params["request"]["url"]
        self.requested.append(url)
        if url == self.allowed_origin or url.startswith(self.allowed_origin + "/"):
            await self.send("Fetch.continueRequest", requestId=params["requestId"])
        else:
            self.blocked.append(url)
            await self.send("Fetch.failRequest", requestId=params["requestId"], errorReason="BlockedByClient")

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        answer = await asyncio.wait_for(future, WAIT)
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = WAIT) -> Any:
        """Poll until `expression` is truthy; fail with what the page logged if it never is."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if loop.time() > deadline:
                raise AssertionError(
                    f"{expression!r} stayed falsy for {timeout}s; blocked={self.blocked} console={self.console[-5:]}"
                )
            await asyncio.sleep(0.1)

    async def open(self, url: str) -> None:
        await self.send("Page.navigate", url=url)


@contextlib.asynccontextmanager
async def launch(executable: str, allowed_origin: str) -> AsyncIterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="pluginhub-chromium-") as profile:
        process = subprocess.Popen(  # noqa: ASYNC220 (started once; everything after it awaits)
            [
                executable,
                "--headless=new",
                "--no-sandbox",  # the tests may run as root
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            endpoint = await asyncio.wait_for(asyncio.to_thread(_devtools_endpoint, process), WAIT)
            threading.Thread(target=_drain, args=(process,), daemon=True).start()
            port = re.search(r":(\d+)/", endpoint)
            assert port is not None, endpoint
            async with httpx.AsyncClient() as http:
                targets = (await http.get(f"http://127.0.0.1:{port[1]}/json/list")).json()
            page = next(t for t in targets if t["type"] == "page")
            async with websockets.connect(page["webSocketDebuggerUrl"], max_size=None) as ws:
                browser = Browser(ws, allowed_origin)
                await browser.send("Fetch.enable", patterns=[{"urlPattern": "*"}])
                await browser.send("Runtime.enable")
                await browser.send("Page.enable")
                try:
                    yield browser
                finally:
                    browser._reader.cancel()
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _devtools_endpoint(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("DevTools listening on "):
            return line.split(" on ", 1)[1].strip()
    raise AssertionError(f"chromium exited ({process.wait()}) without opening the DevTools port")


def _drain(process: subprocess.Popen[str]) -> None:
    """Keep reading Chromium's log so that it never blocks on a full pipe."""
    assert process.stderr is not None
    for _line in process.stderr:
        pass

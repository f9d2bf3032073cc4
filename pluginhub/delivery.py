"""Telling subscribers that new events may have been committed.

Subscribers never trust a notification's content: on every wake-up they read
the event log after their own cursor, so a lost or duplicated notification
costs a query, never an event. Cursors follow commit order (see
`resolvers.events`), so reading "after my cursor" has no gaps.

- In every process a `Notifier` wakes that process's subscribers.
- On SQLite (one process) the server wakes it after each mutation.
- On PostgreSQL, `pg_notify` is sent inside each writing transaction and
  delivered on commit to every process's `PostgresListener`, which wakes its
  notifier. After a lost connection the listener reconnects with backoff and
  wakes everyone, so subscribers catch up on what was committed meanwhile.
- Subscribers also re-read the log every `poll_interval` seconds as a last
  safety net (for writes from other processes on SQLite, say).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

log = logging.getLogger("pluginhub.delivery")

CHANNEL = "pluginhub_events"
LISTENER_NAME = "pluginhub-listener"


class Notifier:
    def __init__(self, poll_interval: float) -> None:
        self.poll_interval = poll_interval
        self._waiters: set[asyncio.Event] = set()

    def wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    @contextlib.contextmanager
    def listen(self) -> Iterator[Wakeup]:
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            yield Wakeup(waiter, self.poll_interval)
        finally:
            self._waiters.discard(waiter)


class Wakeup:
    """One subscriber's alarm: clear it, read the log, then wait for the next ring."""

    def __init__(self, event: asyncio.Event, timeout: float) -> None:
        self._event = event
        self._timeout = timeout

    def clear(self) -> None:
        self._event.clear()

    async def wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), self._timeout)


class PostgresListener:
    """LISTENs on the event channel for this process and keeps doing so."""

    def __init__(self, database_url: str, notifier: Notifier, max_backoff: float = 5.0) -> None:
        self.database_url = database_url
        self.notifier = notifier
        self.max_backoff = max_backoff
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pluginhub-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                await self._listen_once()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: try again
                log.warning("event listener lost its connection (%s); retrying in %.1fs", exc, backoff)
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _listen_once(self) -> None:
        import asyncpg

        url = urlsplit(self.database_url)
        connection = await asyncpg.connect(
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            user=unquote(url.username or "postgres"),
            password=unquote(url.password or "") or None,
            database=url.path.lstrip("/") or "postgres",
            server_settings={"application_name": LISTENER_NAME},
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _conn: lost.set())
        try:
            await connection.add_listener(CHANNEL, lambda *_args: self.notifier.wake())
            self.connected.set()
            self.notifier.wake()  # catch up on whatever was committed while we were away
            log.info("event listener connected")
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), 5.0)
                if not lost.is_set():
                    await connection.execute("SELECT 1")  # notice a silently dead connection
            raise ConnectionError("listener connection closed")
        finally:
            if not connection.is_closed():
                await connection.close(timeout=2)

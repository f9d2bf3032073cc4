"""The webhook worker: one per server process, started and stopped with it.

It wakes when events are committed (the process notifier: in process on
SQLite, LISTEN/NOTIFY on PostgreSQL), when a retry falls due, and every poll
interval as a safety net. Each pass queues deliveries for new events
(`outbox.feed`), leases webhooks with a delivery due (`outbox.claim`) and
sends each leased webhook's deliveries, oldest first, in its own task, so a
slow receiver holds up only its own webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import os
import socket
import uuid
from collections.abc import Coroutine
from typing import Any

import httpx

from .. import __version__, sealing
from ..config import Settings
from ..delivery import Notifier
from ..models import Webhook, WebhookDelivery
from ..resolvers import outbox
from ..resolvers.event_documents import global_id
from . import transport

log = logging.getLogger("pluginhub.webhooks")

CONCURRENCY = 8  # webhooks sent to at once by one process
PER_LEASE = 50  # deliveries sent under one lease before others get a turn
STOP_WITHIN = 10.0  # seconds a stopping worker waits for its loops to finish their step


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Worker:
    def __init__(self, settings: Settings, notifier: Notifier) -> None:
        self.settings = settings
        self.notifier = notifier
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.retry = outbox.Retry(settings.webhook_retry_base, settings.webhook_retry_max)
        self.timeout = settings.webhook_timeout
        self.lease = max(settings.webhook_lease, settings.webhook_timeout + 5)
        self.poll = settings.webhook_poll or (2.0 if settings.is_sqlite else 5.0)
        self.busy: dict[int, asyncio.Task[None]] = {}
        self._kick = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        self._client = transport.client(self.settings.webhook_allow_private, f"pluginhub-webhooks/{__version__}")
        self._task = asyncio.create_task(self._run(), name="pluginhub-webhooks")

    async def stop(self) -> None:
        """Stop sending; what was in flight stays PENDING and is sent again by whoever runs next.

        Only HTTP requests are cancelled: a task cancelled inside a database
        transaction can leave the SQLite client locked (tortoise's transaction
        entry is not cancel-safe), so the loops are asked to finish their
        current step instead, within a bound."""
        self._stopping.set()
        await self._finish([self._task] if self._task is not None else [])
        await self._finish(list(self.busy.values()))
        with contextlib.suppress(Exception):
            await outbox.release_all(self.owner)
        if self._client is not None:
            await self._client.aclose()

    @staticmethod
    async def _finish(tasks: list[asyncio.Task[None]]) -> None:
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=STOP_WITHIN)
        for task in late:  # stuck on the database: nothing better left to do
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        with self.notifier.listen() as wakeup:
            while not self._stopping.is_set():
                wakeup.clear()
                self._kick.clear()
                delay = self.poll
                try:
                    delay = await self._pass()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook worker pass failed; trying again in %.1fs", self.poll)
                await self._sleep(wakeup.wait(), delay)

    async def _pass(self) -> float:
        """One look at the outbox; how long to sleep before the next one."""
        if await outbox.feed() >= outbox.FEED_BATCH:
            return 0.0
        room = CONCURRENCY - len(self.busy)
        if room > 0:
            for webhook_id in await outbox.claim(self.owner, room, self.lease, set(self.busy)):
                task = asyncio.create_task(self._work(webhook_id), name=f"pluginhub-webhook-{webhook_id}")
                self.busy[webhook_id] = task
                task.add_done_callback(functools.partial(self._done, webhook_id))
        due = await outbox.seconds_until_due()
        return self.poll if due is None else min(max(due, 0.01), self.poll)

    def _done(self, webhook_id: int, _task: object) -> None:
        self.busy.pop(webhook_id, None)
        self._kick.set()

    async def _sleep(self, woken: Coroutine[Any, Any, None], delay: float) -> None:
        waiters = {
            asyncio.ensure_future(woken),
            asyncio.ensure_future(self._kick.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        }
        try:
            await asyncio.wait(waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _work(self, webhook_id: int) -> None:
        try:
            for _ in range(PER_LEASE):
                if self._stopping.is_set():
                    return  # stop() lets the lease go
                step = await outbox.next_delivery(webhook_id, self.owner)
                if step is None:
                    return
                webhook, delivery = step
                outcome = await self._unless_stopping(self.send(webhook, delivery))
                if outcome is None:
                    return  # stopped mid-request: the delivery stays PENDING
                step_result = await outbox.record(webhook_id, delivery.id, self.owner, outcome, self.retry, self.lease)
                if step_result.turned_inactive:
                    self.notifier.wake()  # its event is for this process's subscribers too
                if not step_result.go_on:
                    return
            await outbox.release(webhook_id, self.owner)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook %s: delivery failed unexpectedly", webhook_id)
            with contextlib.suppress(Exception):
                await outbox.release(webhook_id, self.owner)

    async def _unless_stopping(self, sending: Coroutine[Any, Any, outbox.Outcome]) -> outbox.Outcome | None:
        """The request's outcome, or None when the worker stops first (the request is then cancelled)."""
        request = asyncio.ensure_future(sending)
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not request.done():
                request.cancel()
        if request.cancelled():
            return None
        return request.result()

    async def send(self, webhook: Webhook, delivery: WebhookDelivery) -> outbox.Outcome:
        """POST the delivery; 2xx within the timeout is success, anything else a failure to retry."""
        assert self._client is not None
        try:
            secret = sealing.unseal(self.settings.secret_key, webhook.sealed_secret, webhook.plugin_id)
        except sealing.Unsealable as exc:
            return outbox.Outcome(False, error=str(exc))
        body = delivery.payload.encode()
        headers = {
            "content-type": "application/json",
            "x-pluginhub-event": json.loads(delivery.payload)["kind"],
            "x-pluginhub-delivery": global_id("WebhookDelivery", delivery.id) or "",
            "x-pluginhub-signature": signature(secret, body),
        }
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("POST", webhook.url, content=body, headers=headers) as response:
                    status = response.status_code
        except TimeoutError:
            return outbox.Outcome(False, error=f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return outbox.Outcome(False, error=(str(exc) or type(exc).__name__)[:500])
        if 200 <= status < 300:
            return outbox.Outcome(True, status)
        if 300 <= status < 400:
            return outbox.Outcome(False, status, f"HTTP {status}: redirects are not followed")
        return outbox.Outcome(False, status, f"HTTP {status}")

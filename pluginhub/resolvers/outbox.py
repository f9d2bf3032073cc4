"""Webhook delivery, the database side: the event log is the outbox.

- `feed` turns new events into deliveries: each active webhook follows its
  plugin's log from `position`, and the move of `position` and the new
  deliveries commit together, guarded by the old position, so two
  processes never queue the same event twice.
- A process sends a webhook's deliveries only while it holds the webhook's
  lease (`claim`: `FOR UPDATE SKIP LOCKED` on PostgreSQL, an atomic
  conditional update on SQLite), one at a time, oldest first: a delivery is
  sent by one process at a time, and later ones wait behind a failing one.
- `record` keeps the outcome: success, or a retry after
  `base × 2^(attempts-1)` seconds (at most `max`); the 20th failure in a row
  turns the webhook inactive, fails what was queued and says so in an event.
- A lease outlives a killed process only until `lease_until`: the delivery
  is then sent again by whoever claims the webhook next (at least once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from .. import clock
from ..models import PluginEvent, PluginEventKind, Webhook, WebhookDelivery, WebhookDeliveryStatus
from . import event_documents
from .events import is_postgres, record_event

MAX_FAILURES = 20
FEED_BATCH = 500
PENDING = WebhookDeliveryStatus.PENDING


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Recorded:
    go_on: bool  # the lease holder may send the webhook's next delivery now
    turned_inactive: bool = False


@dataclass(frozen=True)
class Retry:
    base: float
    max: float

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.base * 2 ** max(attempts - 1, 0), self.max))


def payload(row: dict[str, Any]) -> str:
    return json.dumps(event_documents.document(row), ensure_ascii=False, separators=(",", ":"))


def wants(webhook: Webhook, kind: Any) -> bool:
    return not webhook.kinds or getattr(kind, "value", kind) in webhook.kinds


async def feed() -> int:
    """Queue a delivery for each new event every active webhook wants; how many were queued.

    Everything up to the newest committed event is looked at (cursor order is
    commit order), so a webhook whose plugin had no new event still moves on.
    """
    newest = await PluginEvent.all().order_by("-id").first()
    if newest is None:
        return 0
    horizon = newest.id
    hooks = await Webhook.filter(active=True, position__lt=horizon)
    if not hooks:
        return 0
    low = min(hook.position for hook in hooks)
    events = await event_documents.rows(
        FEED_BATCH, plugin_id__in=list({hook.plugin_id for hook in hooks}), id__gt=low, id__lte=horizon
    )
    if len(events) == FEED_BATCH:
        horizon = events[-1]["id"]
    queued = 0
    for hook in hooks:
        if hook.position >= horizon:
            continue  # ahead of a truncated batch: never move a webhook back
        mine = [
            e
            for e in events
            if e["plugin_id"] == hook.plugin_id and hook.position < e["id"] <= horizon and wants(hook, e["kind"])
        ]
        async with in_transaction():
            moved = await Webhook.filter(id=hook.id, position=hook.position, active=True).update(position=horizon)
            if not moved or not mine:
                continue
            now = clock.now()
            await WebhookDelivery.bulk_create(
                [
                    WebhookDelivery(webhook_id=hook.id, event_id=e["id"], payload=payload(e), next_attempt_at=now)
                    for e in mine
                ]
            )
            await Webhook.filter(id=hook.id, due_at=None).update(due_at=now)
            queued += len(mine)
    return queued


def _free(now: datetime) -> Q:
    return Q(lease_until=None) | Q(lease_until__lt=now)


async def claim(owner: str, limit: int, lease: float, busy: set[int]) -> list[int]:
    """Lease up to `limit` webhooks with a delivery due now; their ids."""
    now = clock.now()
    async with in_transaction():
        due = Webhook.filter(_free(now), active=True, due_at__lte=now).exclude(id__in=list(busy) or [0])
        due = due.order_by("due_at", "id").limit(limit)
        if is_postgres():
            due = due.select_for_update(skip_locked=True)
        ids = [hook.id for hook in await due]
        if ids:
            until = now + timedelta(seconds=lease)
            await Webhook.filter(_free(now), id__in=ids).update(lease_owner=owner, lease_until=until)
    if not ids:
        return []
    return [hook.id for hook in await Webhook.filter(id__in=ids, lease_owner=owner)]


async def release(webhook_id: int, owner: str) -> None:
    await Webhook.filter(id=webhook_id, lease_owner=owner).update(lease_owner=None, lease_until=None)


async def release_all(owner: str) -> None:
    await Webhook.filter(lease_owner=owner).update(lease_owner=None, lease_until=None)


async def next_delivery(webhook_id: int, owner: str) -> tuple[Webhook, WebhookDelivery] | None:
    """The webhook's oldest pending delivery, if it is due and the lease is still ours."""
    hook = await Webhook.get_or_none(id=webhook_id, lease_owner=owner)
    if hook is None:
        return None
    head = await _head(webhook_id)
    now = clock.now()
    if hook.active and head is not None and (head.next_attempt_at is None or head.next_attempt_at <= now):
        return hook, head
    async with in_transaction():
        # Under the row lock `feed` takes too, so a delivery it queues meanwhile is not missed.
        hook = await Webhook.filter(id=webhook_id, lease_owner=owner).select_for_update().first()
        if hook is not None:
            head = await _head(webhook_id)
            hook.update_from_dict({"lease_owner": None, "lease_until": None, "due_at": _due(head)})
            await hook.save(update_fields=["lease_owner", "lease_until", "due_at"])
    return None


async def _head(webhook_id: int) -> WebhookDelivery | None:
    return await WebhookDelivery.filter(webhook_id=webhook_id, status=PENDING).order_by("id").first()


def _due(head: WebhookDelivery | None) -> datetime | None:
    if head is None:
        return None
    return head.next_attempt_at or clock.now()


async def seconds_until_due() -> float | None:
    """How long until the next delivery of an active webhook is due (None: nothing queued)."""
    first = await Webhook.filter(active=True, due_at__not_isnull=True).order_by("due_at").first()
    if first is None or first.due_at is None:
        return None
    return max((first.due_at - clock.now()).total_seconds(), 0.0)


async def record(
    webhook_id: int, delivery_id: int, owner: str, outcome: Outcome, retry: Retry, lease: float
) -> Recorded:
    """Keep an attempt's outcome."""
    async with in_transaction():
        hook = await Webhook.filter(id=webhook_id).select_for_update().first()
        if hook is None or hook.lease_owner != owner:
            return Recorded(False)  # deleted, or the lease expired and another process took over
        delivery = await WebhookDelivery.get_or_none(id=delivery_id, webhook_id=webhook_id, status=PENDING)
        if delivery is None:
            return Recorded(False)
        now = clock.now()
        delivery.attempts += 1
        delivery.last_status_code = outcome.status_code
        delivery.update_from_dict({"last_error": outcome.error})
        hook.last_delivery_at = now
        if outcome.ok:
            delivery.status = WebhookDeliveryStatus.SUCCEEDED
            delivery.delivered_at, delivery.next_attempt_at = now, None
            hook.consecutive_failures = 0
            more = await WebhookDelivery.filter(webhook_id=webhook_id, status=PENDING).exclude(id=delivery_id).exists()
            hook.due_at = now if more else None
            hook.lease_until = now + timedelta(seconds=lease)
        else:
            hook.consecutive_failures += 1
            hook.update_from_dict({"lease_owner": None, "lease_until": None})
            if hook.consecutive_failures >= MAX_FAILURES:
                await _turn_inactive(hook, delivery, outcome)
            else:
                delivery.next_attempt_at = hook.due_at = now + retry.delay(delivery.attempts)
        await delivery.save()
        await hook.save()
    return Recorded(outcome.ok and hook.active, turned_inactive=hook.disabled_by_failures)


async def _turn_inactive(hook: Webhook, delivery: WebhookDelivery, outcome: Outcome) -> None:
    hook.active, hook.disabled_by_failures, hook.due_at = False, True, None
    delivery.status, delivery.next_attempt_at = WebhookDeliveryStatus.FAILED, None
    await fail_pending(hook.id, "not sent: the webhook turned inactive after 20 failures in a row", exclude=delivery.id)
    await record_event(
        PluginEventKind.WEBHOOK_UPDATED,
        plugin_id=hook.plugin_id,
        actor_id=None,
        reason=f"webhook {hook.id} turned inactive after {MAX_FAILURES} failed deliveries in a row "
        f"(last: {outcome.error or outcome.status_code}); update it to turn it on again",
    )


async def fail_pending(webhook_id: int, why: str, exclude: int | None = None) -> None:
    """Give up on every delivery still queued for the webhook."""
    queued = WebhookDelivery.filter(webhook_id=webhook_id, status=PENDING)
    if exclude is not None:
        queued = queued.exclude(id=exclude)
    await queued.update(status=WebhookDeliveryStatus.FAILED, next_attempt_at=None, last_error=why)

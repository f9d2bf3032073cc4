"""Webhooks and their delivery log (owners only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import strawberry

from ... import models
from .. import enums
from ..arguments import After, Before, First, Last
from ..connections import Connection
from ..context import Info
from .base import ModelNode
from .events import PluginEvent


@strawberry.type(
    name="WebhookDelivery", description="One event sent (or to be sent) to a webhook: the webhook's delivery log."
)
class WebhookDelivery(ModelNode):
    model: ClassVar = models.WebhookDelivery
    status: enums.WebhookDeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempts: int = strawberry.field(description="How many times it was sent.")
    last_status_code: int | None = strawberry.field(description="The HTTP status of the last attempt, if any.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed, if it did.")
    next_attempt_at: datetime | None = strawberry.field(
        description="Not sent before this time (a retry's time); it also waits behind any earlier pending "
        "delivery of the webhook. Null once it succeeded or failed."
    )
    delivered_at: datetime | None = strawberry.field(description="When the receiver answered 2xx.")

    @strawberry.field(description="The event sent; the request body is this event as JSON.")
    async def event(self, root: strawberry.Parent[Any], info: Info) -> PluginEvent:
        return await info.context.loaders.event.load(root.event_id)


@strawberry.type(
    name="Webhook",
    description="Where a plugin's events are POSTed, signed with the webhook's secret (owners only).",
)
class Webhook(ModelNode):
    model: ClassVar = models.Webhook
    url: str = strawberry.field(description="The http(s) URL events are POSTed to.")
    active: bool = strawberry.field(
        description="Whether events are delivered. Turned off after 20 failed deliveries in a row, until updated."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    last_delivery_at: datetime | None = strawberry.field(description="When a delivery was last attempted.")
    consecutive_failures: int = strawberry.field(description="Failed attempts since the last success.")

    @strawberry.field(description="The event kinds it receives; empty: every kind.")
    def kinds(self, root: strawberry.Parent[Any]) -> list[enums.PluginEventKind]:
        return [models.PluginEventKind(kind) for kind in root.kinds]

    @strawberry.field(description="The delivery log, newest first.")
    async def deliveries(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookDelivery]:
        ctx = info.context
        return Connection.of(await ctx.loaders.delivery_pages.load((root.id, ctx.page(first, after, last, before))))

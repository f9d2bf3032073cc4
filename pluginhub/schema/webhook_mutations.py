"""Webhook inputs, payloads and mutations (the plugin's owner)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import strawberry

from ..resolvers import webhooks
from . import enums, ids
from .context import Info
from .inputs import described, given, optional
from .mutation import INPUT, run
from .payloads import UserError
from .types import Webhook, WebhookDelivery


@strawberry.input(description="A new webhook of one of your plugins (at most 10 per plugin).")
class CreateWebhookInput:
    plugin_id: str = described("The plugin's 16-digit pluginId.")
    url: str = described("An http(s) URL that resolves to public addresses only; at most 2048 characters.")
    kinds: list[enums.PluginEventKind] | None = optional("The event kinds to send; omitted or empty: every kind.")
    secret: str | None = optional(
        "Signs every delivery: 16-256 printable characters. Omitted: one is generated and returned once."
    )


@strawberry.input(
    description="Changes to a webhook; omitted fields stay. Any update turns a webhook that failures "
    "turned off on again."
)
class UpdateWebhookInput:
    webhook_id: strawberry.ID = described("The webhook's id.")
    url: str | None = optional("A new http(s) URL (public addresses only).")
    kinds: list[enums.PluginEventKind] | None = optional("The event kinds to send; empty: every kind.")
    active: bool | None = optional("false: stop sending (what is queued fails); true: send again.")


@strawberry.input(description="Names one webhook.")
class WebhookInput:
    webhook_id: strawberry.ID = described("The webhook's id.")


@strawberry.input(description="Names one delivery to send again.")
class RedeliverInput:
    delivery_id: strawberry.ID = described("The delivery's id (from Webhook.deliveries).")


@strawberry.type(description="A webhook after a change, or why it was refused.")
class WebhookPayload:
    webhook: Webhook | None = described("The webhook after the change; null when userErrors is not empty.")
    secret: str | None = described("The signing secret: set by createWebhook only, and shown this once.")
    user_errors: list[UserError] = described("Rules the input broke; nothing changed.")


@strawberry.type(description="The new delivery queued by redeliverWebhook, or why it was refused.")
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = described("The new delivery; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke; nothing changed.")


@dataclass
class _Created:
    created: Any
    user_errors: list[UserError]


def _policy(info: Info) -> webhooks.Policy:
    settings = info.context.settings
    return webhooks.Policy(secret_key=settings.secret_key, allow_private=settings.webhook_allow_private)


def webhook_id(input: Any) -> int:
    return ids.key_of(input.webhook_id, "Webhook", ["input", "webhookId"])


def delivery_id(input: Any) -> int:
    return ids.key_of(input.delivery_id, "WebhookDelivery", ["input", "deliveryId"])


@strawberry.type(description="Webhook mutations.")
class WebhookMutations:
    @strawberry.mutation(
        description="Create a webhook: each event of the plugin (of `kinds`) is POSTed to `url` as JSON, signed "
        "with the secret. The secret is in the payload this once."
    )
    async def create_webhook(self, info: Info, input: Annotated[CreateWebhookInput, INPUT]) -> WebhookPayload:
        me = info.context.me
        result = await run(
            _Created,
            lambda: webhooks.create_webhook(
                me,
                _policy(info),
                plugin_id=input.plugin_id,
                url=input.url,
                kinds=given(input.kinds),
                secret=given(input.secret),
            ),
        )
        created = result.created
        return WebhookPayload(
            webhook=created.webhook if created else None,
            secret=created.secret if created else None,
            user_errors=result.user_errors,
        )

    @strawberry.mutation(description="Change a webhook's url, kinds or active flag.")
    async def update_webhook(self, info: Info, input: Annotated[UpdateWebhookInput, INPUT]) -> WebhookPayload:
        me = info.context.me
        result = await run(
            _Created,
            lambda: webhooks.update_webhook(
                me,
                _policy(info),
                webhook_id(input),
                url=given(input.url),
                kinds=given(input.kinds),
                active=given(input.active),
            ),
        )
        return WebhookPayload(webhook=result.created, secret=None, user_errors=result.user_errors)

    @strawberry.mutation(description="Delete a webhook and its delivery log.")
    async def delete_webhook(self, info: Info, input: Annotated[WebhookInput, INPUT]) -> WebhookPayload:
        me = info.context.me
        result = await run(_Created, lambda: webhooks.delete_webhook(me, webhook_id(input)))
        return WebhookPayload(webhook=result.created, secret=None, user_errors=result.user_errors)

    @strawberry.mutation(
        description="Send a delivery's event again, as a new delivery with the same body, after what the "
        "webhook has queued. The webhook must be active and the delivery no longer PENDING."
    )
    async def redeliver_webhook(self, info: Info, input: Annotated[RedeliverInput, INPUT]) -> WebhookDeliveryPayload:
        me = info.context.me
        return await run(WebhookDeliveryPayload, lambda: webhooks.redeliver(me, delivery_id(input)))

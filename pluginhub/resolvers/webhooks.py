"""Webhooks: a plugin's owner creates, changes, deletes and redelivers them.

At most 10 per plugin. The URL must be http(s) and, unless private
addresses are allowed, resolve to public addresses only (`addresses`). The
secret signs every delivery; it is generated when not given, returned once,
and kept encrypted (`sealing`). Each change records a WEBHOOK_* event whose
reason names the URL's origin only: paths and queries often hold tokens.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from .. import addresses, clock, sealing
from ..models import PluginEventKind, Webhook, WebhookDelivery, WebhookDeliveryStatus
from . import access
from .errors import ErrorCode, UserError, invalid_transition, not_found, validation
from .events import record_event
from .identifiers import check_public_id
from .loaders import NEWEST_FIRST, _pages_by_group
from .locks import lock_plugin
from .outbox import fail_pending
from .pagination import Page, PageArgs
from .viewer import Party, Viewer

MAX_WEBHOOKS = 10
MAX_URL = 2048
SECRET_PREFIX = "whsec_"
SECRET_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)
MIN_SECRET, MAX_SECRET = 16, 256
OWNER = frozenset({Party.PLUGIN_OWNER})


@dataclass(frozen=True)
class Policy:
    """What the server was started with: the key that seals secrets, and whether private addresses are allowed."""

    secret_key: str
    allow_private: bool


@dataclass(frozen=True)
class Created:
    webhook: Webhook
    secret: str


def origin(url: str) -> str:
    """The part of a URL an event may name: scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def _kinds(kinds: list[PluginEventKind] | None) -> list[str]:
    return sorted({kind.value for kind in kinds or []})


def _describe(kinds: list[str]) -> str:
    return ", ".join(kinds) if kinds else "every kind"


def check_url_shape(url: str, field: list[str]) -> tuple[str, str, int]:
    """(url, host, port) of a well-formed http(s) URL; VALIDATION or WEBHOOK_URL_REFUSED otherwise."""
    url = url.strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise validation(f"url must be an absolute URL of at most {MAX_URL} characters, without spaces", field)
    try:
        parts = urlsplit(url)
        port = parts.port
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise validation("url is not a valid URL", field) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UserError(ErrorCode.WEBHOOK_URL_REFUSED, "url must be http or https", field)
    if not parts.hostname:
        raise validation("url needs a host", field)
    return url, parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80)


async def check_url(url: str, field: list[str], policy: Policy) -> str:
    url, host, port = check_url_shape(url, field)
    if not policy.allow_private:
        try:
            await addresses.public_addresses(host, port, allow_private=False)
        except addresses.Refused as exc:
            raise UserError(ErrorCode.WEBHOOK_URL_REFUSED, f"url refused: {exc}", field) from None
    return url


def check_secret(secret: str | None) -> str:
    if secret is None:
        return SECRET_PREFIX + secrets.token_urlsafe(32)
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not set(secret) <= SECRET_CHARACTERS:
        raise validation(
            f"secret must be {MIN_SECRET} to {MAX_SECRET} printable ASCII characters without spaces",
            ["input", "secret"],
        )
    return secret


async def _owned(viewer: Viewer, webhook_id: int) -> Webhook:
    """A webhook of the viewer's own plugin; anyone else cannot see it (NOT_FOUND)."""
    webhook = await access.visible_webhook(viewer, webhook_id)
    if webhook is None:
        raise not_found("webhook", ["input", "webhookId"])
    access.require_side(viewer, OWNER, frozenset({Party.PLUGIN_OWNER}))
    return webhook


async def create_webhook(
    viewer: Viewer, policy: Policy, *, plugin_id: str, url: str, kinds: list[PluginEventKind] | None, secret: str | None
) -> Created:
    field = ["input", "pluginId"]
    check_public_id(plugin_id, field, "pluginId")
    check_url_shape(url, ["input", "url"])
    secret = check_secret(secret)
    await access.managed_plugin(viewer, plugin_id, field)
    url = await check_url(url, ["input", "url"], policy)
    wanted = _kinds(kinds)
    async with in_transaction():
        await lock_plugin(plugin_id)
        if await Webhook.filter(plugin_id=plugin_id).count() >= MAX_WEBHOOKS:
            raise validation(f"a plugin has at most {MAX_WEBHOOKS} webhooks: delete one first", field)
        webhook = await Webhook.create(
            plugin_id=plugin_id,
            url=url,
            kinds=wanted,
            sealed_secret=sealing.seal(policy.secret_key, secret, plugin_id),
            created_by_id=viewer.account_id,
        )
        event = await record_event(
            PluginEventKind.WEBHOOK_CREATED,
            plugin_id=plugin_id,
            actor_id=viewer.account_id,
            reason=f"webhook {webhook.id} to {origin(url)} for {_describe(wanted)}",
        )
        webhook.position = event.id - 1  # its own creation is the first event it may deliver
        await webhook.save(update_fields=["position"])
    return Created(webhook, secret)


async def update_webhook(
    viewer: Viewer,
    policy: Policy,
    webhook_id: int,
    *,
    url: str | None,
    kinds: list[PluginEventKind] | None,
    active: bool | None,
) -> Webhook:
    """Omitted fields stay. A webhook that failures turned off is on again after any update
    (that is the fix); one its owner turned off stays off until `active: true`."""
    if url is not None:
        check_url_shape(url, ["input", "url"])
    seen = await _owned(viewer, webhook_id)
    if url is not None:
        url = await check_url(url, ["input", "url"], policy)
    async with in_transaction():
        webhook = await Webhook.filter(id=webhook_id).select_for_update().first()
        if webhook is None:
            raise not_found("webhook", ["input", "webhookId"])
        changed = []
        if url is not None and url != webhook.url:
            webhook.url = url
            changed.append(f"url to {origin(url)}")
        if kinds is not None and _kinds(kinds) != webhook.kinds:
            webhook.kinds = _kinds(kinds)
            changed.append(f"kinds to {_describe(webhook.kinds)}")
        turn_on = (active is True or (active is None and webhook.disabled_by_failures)) and not webhook.active
        turn_off = active is False and webhook.active
        if turn_off:
            webhook.active, webhook.due_at = False, None
            await fail_pending(webhook.id, "not sent: the webhook was turned inactive")
            changed.append("turned inactive")
        if turn_on:
            webhook.active, webhook.consecutive_failures = True, 0
            changed.append("turned active")
        webhook.disabled_by_failures = webhook.disabled_by_failures and not webhook.active
        event = await record_event(
            PluginEventKind.WEBHOOK_UPDATED,
            plugin_id=seen.plugin_id,
            actor_id=viewer.account_id,
            reason=f"webhook {webhook.id}: " + ("; ".join(changed) or "nothing changed"),
        )
        if turn_on:
            webhook.position = event.id - 1  # it resumes with this event; those while it was off are skipped
        await webhook.save()
    return webhook


async def delete_webhook(viewer: Viewer, webhook_id: int) -> Webhook:
    seen = await _owned(viewer, webhook_id)
    async with in_transaction():
        await lock_plugin(seen.plugin_id)
        webhook = await Webhook.get_or_none(id=webhook_id)
        if webhook is None:
            raise not_found("webhook", ["input", "webhookId"])
        await webhook.delete()
        await record_event(
            PluginEventKind.WEBHOOK_DELETED,
            plugin_id=seen.plugin_id,
            actor_id=viewer.account_id,
            reason=f"webhook {webhook_id} to {origin(webhook.url)} deleted",
        )
    return webhook


async def redeliver(viewer: Viewer, delivery_id: int) -> WebhookDelivery:
    """Queue the same body again as a new delivery, behind what the webhook already has queued."""
    seen = await access.visible_delivery(viewer, delivery_id)
    if seen is None:
        raise not_found("delivery", ["input", "deliveryId"])
    access.require_side(viewer, OWNER, frozenset({Party.PLUGIN_OWNER}))
    async with in_transaction():
        webhook = await Webhook.filter(id=seen.webhook_id).select_for_update().first()
        if webhook is None:
            raise not_found("delivery", ["input", "deliveryId"])
        if not webhook.active:
            raise invalid_transition("the webhook is inactive: update it to turn it on, then redeliver")
        if seen.status == WebhookDeliveryStatus.PENDING:
            raise invalid_transition("the delivery is still PENDING: it will be sent (again) by itself")
        now = clock.now()
        again = await WebhookDelivery.create(
            webhook_id=webhook.id, event_id=seen.event_id, payload=seen.payload, next_attempt_at=now
        )
        if webhook.due_at is None:
            webhook.due_at = now
            await webhook.save(update_fields=["due_at"])
    return again


# ---------------------------------------------------------------- lists (owners only: see Plugin.webhooks)


WebhookPageKey = tuple[Any, PageArgs]


async def webhook_pages(keys: Sequence[WebhookPageKey]) -> list[Page[Webhook]]:
    """A plugin's webhooks, newest first, one statement for every plugin of a level."""

    def base() -> QuerySet[Webhook]:
        return Webhook.all()

    return await _pages_by_group(keys, base, "plugin_id", NEWEST_FIRST)


async def delivery_pages(keys: Sequence[WebhookPageKey]) -> list[Page[WebhookDelivery]]:
    """A webhook's delivery log, newest first."""

    def base() -> QuerySet[WebhookDelivery]:
        return WebhookDelivery.all()

    return await _pages_by_group(keys, base, "webhook_id", NEWEST_FIRST)

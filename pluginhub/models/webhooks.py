"""Webhooks and their delivery log.

A webhook follows its plugin's event log from `position` (the last event id
it has turned into deliveries). A process sends a webhook's deliveries only
while it holds the webhook's lease (`lease_owner` until `lease_until`), so
each delivery is sent by one process at a time, in order.
"""

from tortoise import fields
from tortoise.models import Model

from .accounts import Account
from .enums import WebhookDeliveryStatus
from .events import PluginEvent
from .plugins import Plugin


class Webhook(Model):
    id = fields.IntField(primary_key=True)
    plugin: fields.ForeignKeyRelation[Plugin] = fields.ForeignKeyField(
        "models.Plugin", related_name="webhooks", on_delete=fields.RESTRICT
    )
    plugin_id: str
    url = fields.CharField(max_length=2048)
    kinds: list[str] = fields.JSONField(default=list)  # empty: every kind
    sealed_secret = fields.TextField()  # see pluginhub.sealing: encrypted with a key derived from the secret key
    active = fields.BooleanField(default=True)
    disabled_by_failures = fields.BooleanField(default=False)
    consecutive_failures = fields.IntField(default=0)
    position = fields.BigIntField(default=0)
    due_at = fields.DatetimeField(null=True)  # when the oldest pending delivery may be sent; null: none pending
    lease_owner = fields.CharField(max_length=64, null=True)
    lease_until = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    last_delivery_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook"
        indexes = (("plugin_id", "id"), ("active", "due_at"))


class WebhookDelivery(Model):
    id = fields.BigIntField(primary_key=True)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    webhook_id: int
    event: fields.ForeignKeyRelation[PluginEvent] = fields.ForeignKeyField(
        "models.PluginEvent", related_name=False, on_delete=fields.RESTRICT
    )
    event_id: int
    status = fields.CharEnumField(WebhookDeliveryStatus, max_length=16, default=WebhookDeliveryStatus.PENDING)
    payload = fields.TextField()  # the exact JSON body, so a redelivery is byte for byte the same
    attempts = fields.IntField(default=0)
    last_status_code = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_delivery"
        indexes = (("webhook_id", "status", "id"),)

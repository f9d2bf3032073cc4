"""An event as a JSON document: what `pluginhub events export` writes and webhooks POST.

Field names follow the GraphQL API (`PluginEvent`), ids are the API's global
ids and `cursor` is the cursor `events(after:)` and the subscriptions take,
so a consumer can move between the two.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from tortoise.queryset import ValuesQuery

from ..models import PluginEvent
from .loaders import EVENT_ORDER

# The columns a document needs, read with one joined query.
COLUMNS = (
    "id",
    "kind",
    "plugin_id",
    "version_id",
    "version__version",
    "from_status",
    "to_status",
    "reason",
    "occurred_at",
    "actor_id",
    "actor__name",
    "mini_program_id",
    "debug_binding_id",
    "order_id",
)

FIELDS = (
    "id",
    "cursor",
    "kind",
    "pluginId",
    "versionId",
    "version",
    "fromStatus",
    "toStatus",
    "reason",
    "occurredAt",
    "actorId",
    "actorName",
    "appId",
    "debugBindingId",
    "orderId",
)


def global_id(type_name: str, key: Any) -> str | None:
    """The API's Relay global id (`base64("Type:key")`), or None for no key."""
    return None if key is None else base64.b64encode(f"{type_name}:{key}".encode()).decode()


def moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def rows(limit: int, **filters: Any) -> ValuesQuery[Any]:
    """Up to `limit` event rows a document is made of, oldest first."""
    return PluginEvent.filter(**filters).order_by("id").limit(limit).values(*COLUMNS)


def document(row: dict[str, Any]) -> dict[str, Any]:
    kind = row["kind"]
    return {
        "id": global_id("PluginEvent", row["id"]),
        "cursor": EVENT_ORDER.cursor_of([row["id"]]),
        "kind": getattr(kind, "value", kind),
        "pluginId": row["plugin_id"],
        "versionId": global_id("PluginVersion", row["version_id"]),
        "version": row["version__version"],
        "fromStatus": row["from_status"],
        "toStatus": row["to_status"],
        "reason": row["reason"],
        "occurredAt": moment(row["occurred_at"]),
        "actorId": global_id("Account", row["actor_id"]),
        "actorName": row["actor__name"],
        "appId": row["mini_program_id"],
        "debugBindingId": global_id("DebugBinding", row["debug_binding_id"]),
        "orderId": global_id("PluginOrder", row["order_id"]),
    }

"""Tortoise models: the data and the invariants the database itself keeps."""

from .accounts import Account, ApiToken, Entity
from .enums import (
    DebugBindingStatus,
    HostRelation,
    OrderStatus,
    PluginEventKind,
    ReleaseMode,
    Role,
    Scene,
    VersionAction,
    VersionStatus,
    WebhookDeliveryStatus,
)
from .events import PluginEvent
from .plugins import MiniProgram, OnlineRecord, Plugin, PluginVersion
from .relations import DebugBinding, PluginOrder
from .storage import StoredChunk, StoredPackage
from .webhooks import Webhook, WebhookDelivery

__all__ = [
    "Account",
    "ApiToken",
    "DebugBinding",
    "DebugBindingStatus",
    "Entity",
    "HostRelation",
    "MiniProgram",
    "OnlineRecord",
    "OrderStatus",
    "Plugin",
    "PluginEvent",
    "PluginEventKind",
    "PluginOrder",
    "PluginVersion",
    "ReleaseMode",
    "Role",
    "Scene",
    "StoredChunk",
    "StoredPackage",
    "VersionAction",
    "VersionStatus",
    "Webhook",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
]

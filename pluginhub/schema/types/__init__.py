"""The object types, one module per domain; they read ORM rows and ask `resolvers.access`.

Types that refer to each other in a cycle do so through `strawberry.lazy`.
"""

from strawberry.types.base import get_object_definition

from .accounts import Account, Entity
from .events import PluginEvent
from .mini_programs import MiniProgram
from .plugins import Plugin
from .relations import DebugBinding, PluginOrder
from .resolution import PluginUnavailable, PluginVersionResolution, ResolvedPluginVersion
from .versions import PluginVersion
from .webhooks import Webhook, WebhookDelivery

NODE_TYPES = {
    get_object_definition(t, strict=True).name: t
    for t in (
        Entity,
        Account,
        MiniProgram,
        Plugin,
        PluginVersion,
        PluginEvent,
        DebugBinding,
        PluginOrder,
        Webhook,
        WebhookDelivery,
    )
}

__all__ = [
    "NODE_TYPES",
    "Account",
    "DebugBinding",
    "Entity",
    "MiniProgram",
    "Plugin",
    "PluginEvent",
    "PluginOrder",
    "PluginUnavailable",
    "PluginVersion",
    "PluginVersionResolution",
    "ResolvedPluginVersion",
    "Webhook",
    "WebhookDelivery",
]

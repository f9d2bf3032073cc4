"""`node(id:)`: find any object by its type and key, as its viewer may see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.models import Model

from . import access
from .identifiers import INT32_MAX, INT64_MAX, PUBLIC_ID, int_key
from .viewer import Viewer

Finder = Callable[[Viewer, str], Awaitable[Model | None]]


def _by_public_id(find: Callable[[Viewer, str], Awaitable[Model | None]]) -> Finder:
    async def finder(viewer: Viewer, raw: str) -> Model | None:
        return await find(viewer, raw) if PUBLIC_ID.fullmatch(raw) else None

    return finder


def _by_int(find: Callable[[Viewer, int], Awaitable[Model | None]], limit: int = INT32_MAX) -> Finder:
    async def finder(viewer: Viewer, raw: str) -> Model | None:
        key = int_key(raw, limit)
        return await find(viewer, key) if key is not None else None

    return finder


FINDERS: dict[str, Finder] = {
    "Entity": _by_int(access.visible_entity),
    "Account": _by_int(access.visible_account),
    "MiniProgram": _by_public_id(access.visible_mini_program),
    "Plugin": _by_public_id(access.visible_plugin),
    "PluginVersion": _by_int(access.visible_version),
    "PluginEvent": _by_int(access.visible_event, INT64_MAX),
    "DebugBinding": _by_int(access.visible_binding),
    "PluginOrder": _by_int(access.visible_order),
    "Webhook": _by_int(access.visible_webhook),
    "WebhookDelivery": _by_int(access.visible_delivery, INT64_MAX),
}


async def find_node(viewer: Viewer, type_name: str, key: str) -> Model | None:
    finder = FINDERS.get(type_name)
    return await finder(viewer, key) if finder else None

"""`node(id:)`: find any object by its type and key, as its viewer may see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.expressions import Q
from tortoise.models import Model

from ..models import Account, DebugBinding, Entity, Plugin, PluginEvent, PluginOrder
from .access import (
    event_filter,
    event_scope,
    own_app_ids,
    own_plugin_ids,
    plugin_filter,
    visible_mini_program,
    visible_plugin,
    visible_version,
)
from .bindings import visible_binding
from .identifiers import PUBLIC_ID
from .orders import visible_order
from .viewer import Viewer


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


async def _plugin(viewer: Viewer, raw: str) -> Model | None:
    return await visible_plugin(viewer, raw) if PUBLIC_ID.fullmatch(raw) else None


async def _mini_program(viewer: Viewer, raw: str) -> Model | None:
    return await visible_mini_program(viewer, raw) if PUBLIC_ID.fullmatch(raw) else None


async def _version(viewer: Viewer, raw: str) -> Model | None:
    key = _int(raw)
    return await visible_version(viewer, key) if key is not None else None


async def _entity(viewer: Viewer, raw: str) -> Model | None:
    """An entity is seen by its own accounts, and by whoever sees one of its
    plugins or works with one of its hosts."""
    key = _int(raw)
    if key is None:
        return None
    if viewer.owns(key) or await Plugin.filter(plugin_filter(viewer), entity_id=key).exists():
        return await Entity.get_or_none(id=key)
    counterpart = Q(mini_program__entity_id=key, plugin__entity_id=viewer.entity_id)
    if await DebugBinding.filter(counterpart).exists() or await PluginOrder.filter(counterpart).exists():
        return await Entity.get_or_none(id=key)
    return None


async def _account(viewer: Viewer, raw: str) -> Model | None:
    """Accounts are seen by their own entity, by reviewers (uploaders and
    actors of every plugin), and by the other side of a binding or order they
    acted on."""
    key = _int(raw)
    if key is None:
        return None
    account = await Account.get_or_none(id=key)
    if account is None or viewer.owns(account.entity_id) or viewer.is_reviewer:
        return account
    shared = Q(mini_program_id__in=await own_app_ids(viewer)) | Q(plugin_id__in=await own_plugin_ids(viewer))
    if await PluginEvent.filter(shared, actor_id=key).exists():
        return account
    return None


async def _event(viewer: Viewer, raw: str) -> Model | None:
    key = _int(raw)
    if key is None:
        return None
    event = await PluginEvent.filter(id=key).select_related("plugin").first()
    if event is None or not await visible_plugin(viewer, event.plugin_id):
        return None
    scope = event_scope(viewer, event.plugin.entity_id)
    return await PluginEvent.filter(event_filter(scope, await own_app_ids(viewer)), id=key).first()


async def _binding(viewer: Viewer, raw: str) -> Model | None:
    key = _int(raw)
    return await visible_binding(viewer, key) if key is not None else None


async def _order(viewer: Viewer, raw: str) -> Model | None:
    key = _int(raw)
    return await visible_order(viewer, key) if key is not None else None


FINDERS: dict[str, Callable[[Viewer, str], Awaitable[Model | None]]] = {
    "Entity": _entity,
    "Account": _account,
    "MiniProgram": _mini_program,
    "Plugin": _plugin,
    "PluginVersion": _version,
    "PluginEvent": _event,
    "DebugBinding": _binding,
    "PluginOrder": _order,
}


async def find_node(viewer: Viewer, type_name: str, key: str) -> Model | None:
    finder = FINDERS.get(type_name)
    return await finder(viewer, key) if finder else None



"""Plugins and mini-programs: creating them, editing them, finding them."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from ..models import MiniProgram, Plugin, PluginEventKind, PluginVersion, VersionStatus
from . import validation
from .access import managed_plugin, plugin_filter, visible_mini_program, visible_plugin
from .errors import RequestCode, RequestError
from .events import record_event
from .identifiers import PUBLIC_ID, check_public_id, check_query_id, new_public_id
from .locks import lock_plugin
from .pagination import Ordering, Page, PageArgs, paginate
from .viewer import Viewer

MAX_NAME = 100
MAX_PLUGIN_DESCRIPTION = 2000
NEWEST_PLUGINS = Ordering((("created_at", True), ("plugin_id", True)))
NEWEST_MINI_PROGRAMS = Ordering((("created_at", True), ("app_id", True)))
OLDEST_SUBMISSION = Ordering((("submitted_at", False), ("id", False)))


def _name(value: str) -> str:
    return validation.text(value, ["input", "name"], what="name", min_len=1, max_len=MAX_NAME)


def _plugin_description(value: str) -> str:
    return validation.text(
        value, ["input", "description"], what="description", min_len=0, max_len=MAX_PLUGIN_DESCRIPTION
    )


PublicModel = TypeVar("PublicModel", Plugin, MiniProgram)


async def _create_with_public_id(model: type[PublicModel], key: str, **values: Any) -> PublicModel:
    """Public ids are random: retry the rare collision instead of leaking a 500."""
    for _ in range(5):
        try:
            async with in_transaction():
                created: PublicModel = await model.create(**{**values, key: new_public_id()})
                return created
        except IntegrityError:
            continue
    raise RuntimeError(f"could not allocate a unique {key}")


async def create_plugin(viewer: Viewer, *, name: str, description: str) -> Plugin:
    viewer.require_developer()
    name, description = _name(name), _plugin_description(description)
    async with in_transaction():
        plugin = await _create_with_public_id(
            Plugin, "plugin_id", entity_id=viewer.entity_id, name=name, description=description
        )
        await record_event(PluginEventKind.PLUGIN_CREATED, plugin_id=plugin.plugin_id, actor_id=viewer.account_id)
    return plugin


async def update_plugin(viewer: Viewer, *, plugin_id: str, name: str | None, description: str | None) -> Plugin:
    field = ["input", "pluginId"]
    check_public_id(plugin_id, field, "pluginId")
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = _name(name)
    if description is not None:
        changes["description"] = _plugin_description(description)
    await managed_plugin(viewer, plugin_id, field)
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        plugin.update_from_dict(changes)
        await plugin.save()
        await record_event(
            PluginEventKind.PLUGIN_UPDATED,
            plugin_id=plugin_id,
            actor_id=viewer.account_id,
            reason="changed: " + (", ".join(sorted(changes)) or "nothing"),
        )
    return plugin


async def create_mini_program(viewer: Viewer, *, name: str) -> MiniProgram:
    viewer.require_developer()
    return await _create_with_public_id(MiniProgram, "app_id", entity_id=viewer.entity_id, name=_name(name))


# ---------------------------------------------------------------- queries


async def plugin(viewer: Viewer, plugin_id: str) -> Plugin | None:
    return await visible_plugin(viewer, check_query_id(plugin_id, "pluginId"))


async def mini_program(viewer: Viewer, app_id: str) -> MiniProgram | None:
    return await visible_mini_program(viewer, check_query_id(app_id, "appId"))


def plugin_search(viewer: Viewer, search: str | None) -> QuerySet[Plugin]:
    qs = Plugin.filter(plugin_filter(viewer))
    term = (search or "").strip()
    if term:
        match = Q(name__icontains=term) | Q(description__icontains=term)
        if PUBLIC_ID.fullmatch(term):
            match |= Q(plugin_id=term)
        qs = qs.filter(match)
    return qs


async def plugins(viewer: Viewer, args: PageArgs, search: str | None) -> Page[Plugin]:
    return await paginate(plugin_search(viewer, search), NEWEST_PLUGINS, args)


async def mini_programs(viewer: Viewer, args: PageArgs) -> Page[MiniProgram]:
    return await paginate(MiniProgram.filter(entity_id=viewer.entity_id), NEWEST_MINI_PROGRAMS, args)


async def review_queue(viewer: Viewer, args: PageArgs) -> Page[PluginVersion]:
    if not viewer.is_reviewer:
        raise RequestError(RequestCode.FORBIDDEN, "the review queue is for reviewer accounts")
    qs = PluginVersion.filter(status=VersionStatus.AUDITING, deleted_at=None)
    return await paginate(qs, OLDEST_SUBMISSION, args)

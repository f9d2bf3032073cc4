"""Batch functions behind the per-request DataLoaders.

Each takes every key a query level asked for and answers them with one SQL
statement, so the number of statements follows the depth of a query, not the
number of rows in it. The schema wraps them in DataLoaders; they stay plain
Python here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from ..models import DebugBinding, PluginEvent, PluginOrder, PluginVersion
from . import access
from .event_filters import EventFilter
from .pagination import Ordering, Page, PageArgs, paginate_many
from .slots import PluginSlots, load_slots
from .viewer import Party, Viewer

M = TypeVar("M", bound=Model)

NEWEST_VERSIONS = Ordering((("version_key", True), ("id", True)))
EVENT_ORDER = Ordering((("id", False),))
NEWEST_FIRST = Ordering((("id", True),))


async def by_pk(model: type[M], keys: Sequence[Any], **filters: Any) -> list[M | None]:
    pk = model._meta.pk_attr
    rows = await model.filter(**{f"{pk}__in": list(set(keys))}, **filters)
    found = {row.pk: row for row in rows}
    return [found.get(key) for key in keys]


async def live_versions(keys: Sequence[int]) -> list[PluginVersion | None]:
    """Deleted versions disappear from every lookup."""
    return await by_pk(PluginVersion, keys, deleted_at=None)


async def slots(keys: Sequence[str]) -> list[PluginSlots]:
    found = await load_slots(list(set(keys)))
    return [found[key] for key in keys]


async def _pages_by_group(
    keys: Sequence[tuple[Any, ...]],
    base_for: Any,
    parent: str,
    ordering: Ordering,
) -> list[Page[Any]]:
    """Keys are (parent, *group, args): one batched query per distinct (group, args)."""
    groups: dict[tuple[tuple[Any, ...], PageArgs], list[Any]] = defaultdict(list)
    for parent_id, *group, args in keys:
        groups[(tuple(group), args)].append(parent_id)
    pages: dict[Hashable, Page[Any]] = {}
    for (shared, args), parents in groups.items():
        found = await paginate_many(base_for(*shared), parent, parents, ordering, args)
        for parent_id, page in found.items():
            pages[(parent_id, *shared, args)] = page
    return [pages[tuple(key)] for key in keys]


# A version page key: (plugin_id, sees_all, statuses, args)
VersionPageKey = tuple[str, bool, tuple[str, ...], PageArgs]


async def version_pages(keys: Sequence[VersionPageKey]) -> list[Page[PluginVersion]]:
    def base(sees_all: bool, statuses: tuple[str, ...]) -> QuerySet[PluginVersion]:
        qs = PluginVersion.filter(access.version_filter(sees_all))
        if statuses:
            qs = qs.filter(status__in=list(statuses))
        return qs

    return await _pages_by_group(keys, base, "plugin_id", NEWEST_VERSIONS)


# An event page key: (plugin or version id, the viewer's side to the plugin, filter, args)
EventPageKey = tuple[Any, Party, EventFilter, PageArgs]


async def _event_pages(viewer: Viewer, parent: str, keys: Sequence[EventPageKey]) -> list[Page[PluginEvent]]:
    needs_apps = any(side != Party.PLUGIN_OWNER for _, side, _, _ in keys)
    app_ids = await access.own_app_ids(viewer) if needs_apps else []

    def base(side: Party, only: EventFilter) -> QuerySet[PluginEvent]:
        return PluginEvent.filter(access.event_filter(side, app_ids), only.q())

    return await _pages_by_group(keys, base, parent, EVENT_ORDER)


async def plugin_event_pages(viewer: Viewer, keys: Sequence[EventPageKey]) -> list[Page[PluginEvent]]:
    return await _event_pages(viewer, "plugin_id", keys)


async def version_event_pages(viewer: Viewer, keys: Sequence[EventPageKey]) -> list[Page[PluginEvent]]:
    return await _event_pages(viewer, "version_id", keys)


async def versions_by_number(keys: Sequence[tuple[str, str]]) -> list[PluginVersion | None]:
    rows = await PluginVersion.filter(
        plugin_id__in=list({p for p, _ in keys}), version__in=list({v for _, v in keys}), deleted_at=None
    )
    found = {(row.plugin_id, row.version): row for row in rows}
    return [found.get(key) for key in keys]


# A binding or order page key: (parent id, the viewer's side to the parent, statuses, args)
RelationPageKey = tuple[str, Party, tuple[str, ...], PageArgs]


async def _relation_pages(
    viewer: Viewer, model: type[Model], parent: str, parent_side: Party, keys: Sequence[RelationPageKey]
) -> list[Page[Any]]:
    filters = {side: await access.relation_filter(viewer, side, parent_side) for side in {key[1] for key in keys}}

    def base(side: Party, statuses: tuple[str, ...]) -> QuerySet[Any]:
        qs = model.filter(filters[side])
        return qs.filter(status__in=list(statuses)) if statuses else qs

    return await _pages_by_group(keys, base, parent, NEWEST_FIRST)


async def plugin_binding_pages(viewer: Viewer, keys: Sequence[RelationPageKey]) -> list[Page[DebugBinding]]:
    return await _relation_pages(viewer, DebugBinding, "plugin_id", Party.PLUGIN_OWNER, keys)


async def host_binding_pages(viewer: Viewer, keys: Sequence[RelationPageKey]) -> list[Page[DebugBinding]]:
    return await _relation_pages(viewer, DebugBinding, "mini_program_id", Party.HOST_OWNER, keys)


async def host_order_pages(viewer: Viewer, keys: Sequence[RelationPageKey]) -> list[Page[PluginOrder]]:
    return await _relation_pages(viewer, PluginOrder, "mini_program_id", Party.HOST_OWNER, keys)


async def plugin_order_pages(viewer: Viewer, keys: Sequence[RelationPageKey]) -> list[Page[PluginOrder]]:
    return await _relation_pages(viewer, PluginOrder, "plugin_id", Party.PLUGIN_OWNER, keys)

"""Who may see what, as query filters and checks.

What a viewer may not see does not exist for it (NOT_FOUND); what it may see
but not change is FORBIDDEN. Every entry point goes through these helpers so
the rules live in one place.
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from ..models import (
    DebugBinding,
    MiniProgram,
    Plugin,
    PluginEventKind,
    PluginOrder,
    PluginVersion,
    VersionStatus,
)
from .errors import ErrorCode, UserError, not_found
from .viewer import Viewer

VERSION_EVENT_KINDS = [
    k for k in PluginEventKind if not k.name.startswith(("DEBUG_", "PLUGIN_ORDERED", "ORDER_"))
]


def _own_apps(viewer: Viewer) -> Subquery:
    return Subquery(MiniProgram.filter(entity_id=viewer.entity_id).values("app_id"))


def plugin_filter(viewer: Viewer) -> Q:
    """Plugins the viewer sees: its own, listed ones, and those its hosts are bound to or ordered."""
    if viewer.is_reviewer:
        return Q()
    apps = _own_apps(viewer)
    return Q(
        Q(entity_id=viewer.entity_id),
        Q(listed_in_market=True),
        Q(plugin_id__in=Subquery(DebugBinding.filter(mini_program_id__in=apps).values("plugin_id"))),
        Q(plugin_id__in=Subquery(PluginOrder.filter(mini_program_id__in=apps).values("plugin_id"))),
        join_type="OR",
    )


def sees_all_versions(viewer: Viewer, plugin: Plugin) -> bool:
    return viewer.is_reviewer or viewer.owns(plugin.entity_id)


# What part of a plugin's event log a viewer sees.
OWNER, REVIEWER, HOST = "owner", "reviewer", "host"


def event_scope(viewer: Viewer, entity_id: int) -> str:
    if viewer.owns(entity_id):
        return OWNER
    return REVIEWER if viewer.is_reviewer else HOST


def event_filter(scope: str, own_app_ids: list[str]) -> Q:
    """Owners see every event of their plugin, reviewers the version history,
    host owners the events of their own hosts' bindings and orders.

    The viewer's appIds come as a list, not a subquery, so the filter can be
    inlined into the batched page queries.
    """
    if scope == OWNER:
        return Q()
    host_events = Q(mini_program_id__in=own_app_ids)
    if scope == REVIEWER:
        return Q(Q(kind__in=VERSION_EVENT_KINDS), host_events, join_type="OR")
    return host_events


async def own_app_ids(viewer: Viewer) -> list[str]:
    return await MiniProgram.filter(entity_id=viewer.entity_id).values_list("app_id", flat=True)


async def own_plugin_ids(viewer: Viewer) -> list[str]:
    return await Plugin.filter(entity_id=viewer.entity_id).values_list("plugin_id", flat=True)


# How a list of bindings or orders is cut down for a viewer who is not the
# owner of the list's parent: to its own hosts, or to its own plugins.
ALL, OWN_HOSTS, OWN_PLUGINS = "all", "own_hosts", "own_plugins"


async def relation_filter(viewer: Viewer, restrict: str) -> Q:
    if restrict == OWN_HOSTS:
        return Q(mini_program_id__in=await own_app_ids(viewer))
    if restrict == OWN_PLUGINS:
        return Q(plugin_id__in=await own_plugin_ids(viewer))
    return Q()


async def visible_plugin(viewer: Viewer, plugin_id: str) -> Plugin | None:
    return await Plugin.filter(plugin_filter(viewer), plugin_id=plugin_id).first()


async def managed_plugin(viewer: Viewer, plugin_id: str, field: list[str]) -> Plugin:
    """A plugin the viewer may change: NOT_FOUND if unseen, FORBIDDEN if only seen."""
    plugin = await visible_plugin(viewer, plugin_id)
    if plugin is None:
        raise not_found("plugin", field)
    require_owner(viewer, plugin.entity_id)
    return plugin


def require_owner(viewer: Viewer, entity_id: int) -> None:
    if not viewer.owns(entity_id):
        raise UserError(ErrorCode.FORBIDDEN, "only the owning entity may do this")
    viewer.require_developer()


async def visible_version(viewer: Viewer, version_id: int) -> PluginVersion | None:
    version = await PluginVersion.filter(id=version_id, deleted_at=None).select_related("plugin").first()
    if version is None:
        return None
    plugin = version.plugin
    if sees_all_versions(viewer, plugin):
        return version
    if version.status == VersionStatus.ONLINE and await visible_plugin(viewer, plugin.plugin_id):
        return version
    return None


async def visible_mini_program(viewer: Viewer, app_id: str) -> MiniProgram | None:
    return await MiniProgram.filter(app_id=app_id, entity_id=viewer.entity_id).first()

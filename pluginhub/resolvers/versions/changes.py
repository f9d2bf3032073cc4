"""How every change to a version runs.

Each change checks who may act, then in one transaction takes the plugin's
lock, re-reads the version and the plugin's places, and asks the rule table
(`transitions.check`) whether the action is allowed now; the losers of a
race get a UserError, and the change and its event commit together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.transactions import in_transaction

from ...models import PluginEventKind, PluginVersion, VersionAction, VersionStatus
from .. import access, transitions
from ..errors import invalid_transition, not_found
from ..events import record_event
from ..identifiers import check_public_id
from ..locks import lock_plugin
from ..slots import slots_of
from ..transitions import Situation
from ..viewer import Party, Viewer

VERSION_ID = ["input", "versionId"]
PLUGIN_ID = ["input", "pluginId"]


@asynccontextmanager
async def changing(viewer: Viewer, version_id: int, action: VersionAction) -> AsyncIterator[Situation]:
    """The version as it stands under the plugin's lock, once the action is allowed."""
    seen = await access.visible_version(viewer, version_id)
    if seen is None:
        raise not_found("version", VERSION_ID)
    if transitions.RULES[action].party == Party.REVIEWER:
        viewer.require_reviewer()
    else:
        access.require_owner(viewer, seen.plugin.entity_id)
    async with in_transaction():
        plugin = await lock_plugin(seen.plugin_id)
        version = await PluginVersion.get_or_none(id=version_id, deleted_at=None)
        if version is None:
            raise not_found("version", VERSION_ID)
        situation = Situation(version, plugin, await slots_of(plugin.plugin_id))
        transitions.check(action, situation)
        yield situation


@asynccontextmanager
async def changing_plugin(viewer: Viewer, plugin_id: str, action: VersionAction) -> AsyncIterator[Situation]:
    """The same for a plugin-level action, on the version holding its place (see PLUGIN_ACTION_SLOTS)."""
    check_public_id(plugin_id, PLUGIN_ID, "pluginId")
    await access.managed_plugin(viewer, plugin_id, PLUGIN_ID)
    slot, missing = transitions.PLUGIN_ACTION_SLOTS[action]
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        slots = await slots_of(plugin_id)
        version = slots.get(slot)
        if version is None:
            raise invalid_transition(missing)
        situation = Situation(version, plugin, slots)
        transitions.check(action, situation)
        yield situation


async def move(
    viewer: Viewer,
    version: PluginVersion,
    to: VersionStatus,
    kind: PluginEventKind,
    reason: str | None = None,
    **changes: object,
) -> PluginVersion:
    """Change a version's status (and fields) and record the event."""
    from_status = version.status
    version.status = to
    for name, value in changes.items():
        setattr(version, name, value)
    await version.save()
    await record_event(
        kind,
        plugin_id=version.plugin_id,
        version_id=version.id,
        actor_id=viewer.account_id,
        from_status=from_status,
        to_status=to,
        reason=reason,
    )
    return version


async def clear_experience(viewer: Viewer, version: PluginVersion, reason: str) -> None:
    if not version.is_experience:
        return
    version.is_experience = False
    await version.save(update_fields=["is_experience"])
    await record_event(
        PluginEventKind.EXPERIENCE_CLEARED,
        plugin_id=version.plugin_id,
        version_id=version.id,
        actor_id=viewer.account_id,
        reason=reason,
    )

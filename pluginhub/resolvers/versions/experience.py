"""The experience version that bound hosts load while developing, and deleting versions."""

from __future__ import annotations

from ... import clock
from ...models import Plugin, PluginEventKind, PluginVersion, VersionAction
from ..events import record_event
from ..viewer import Viewer
from .changes import changing, changing_plugin, clear_experience


async def set_experience_version(viewer: Viewer, version_id: int) -> PluginVersion:
    """At most one per plugin: setting one clears the flag on the other."""
    async with changing(viewer, version_id, VersionAction.SET_EXPERIENCE) as s:
        version = s.version
        if s.slots.experience is not None:
            await clear_experience(
                viewer, s.slots.experience, f"version {version.version} became the experience version"
            )
        version.is_experience = True
        await version.save(update_fields=["is_experience"])
        await record_event(
            PluginEventKind.EXPERIENCE_SET,
            plugin_id=version.plugin_id,
            version_id=version.id,
            actor_id=viewer.account_id,
        )
        return version


async def clear_experience_version(viewer: Viewer, plugin_id: str) -> Plugin:
    async with changing_plugin(viewer, plugin_id, VersionAction.CLEAR_EXPERIENCE) as s:
        await clear_experience(viewer, s.version, "cleared")
        return s.plugin


async def delete_version(viewer: Viewer, version_id: int) -> PluginVersion:
    """Soft: the version leaves every list and lookup; its events stay."""
    async with changing(viewer, version_id, VersionAction.DELETE) as s:
        version = s.version
        version.deleted_at = clock.now()
        version.is_experience = False
        await version.save(update_fields=["deleted_at", "is_experience"])
        await record_event(
            PluginEventKind.VERSION_DELETED,
            plugin_id=version.plugin_id,
            version_id=version.id,
            actor_id=viewer.account_id,
            from_status=version.status,
            reason=f"version {version.version} deleted",
        )
        return version

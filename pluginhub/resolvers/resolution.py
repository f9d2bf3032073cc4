"""Which plugin version a host loads, scene by scene.

1. DEVELOP or PREVIEW, an AUTHORIZED binding, and an experience version:
   that version (EXPERIENCE).
2. Otherwise the host needs an ACTIVE order, else NOT_ORDERED.
3. With an order: the GRAY version if the host is in its rollout, else the
   ONLINE version, else NO_ONLINE_VERSION.

A host is in a rollout when its appId is listed or its bucket falls under
the percentage. The bucket is a stable hash of pluginId and appId, so the
same host always gets the same answer, and raising the percentage only ever
adds hosts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from ..models import (
    DebugBinding,
    DebugBindingStatus,
    MiniProgram,
    OrderStatus,
    Plugin,
    PluginOrder,
    PluginVersion,
    Scene,
)
from . import access
from .slots import slots_of
from .viewer import Viewer

BUCKETS = 10_000


class Source(StrEnum):
    EXPERIENCE = "EXPERIENCE"
    GRAY = "GRAY"
    ONLINE = "ONLINE"


class Unavailable(StrEnum):
    NOT_ORDERED = "NOT_ORDERED"
    NO_ONLINE_VERSION = "NO_ONLINE_VERSION"


@dataclass(frozen=True)
class Resolved:
    plugin: Plugin
    mini_program: MiniProgram
    scene: Scene
    source: Source
    version: PluginVersion


@dataclass(frozen=True)
class PluginUnavailable:
    reason: Unavailable
    message: str


def bucket(plugin_id: str, app_id: str) -> int:
    """0..9999, uniform and stable for a (plugin, host) pair."""
    digest = hashlib.sha256(f"{plugin_id}:{app_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def in_rollout(version: PluginVersion, app_id: str) -> bool:
    if app_id in (version.gray_app_ids or []):
        return True
    return bucket(version.plugin_id, app_id) < (version.gray_percentage or 0) * (BUCKETS // 100)


async def resolve(mini_program: MiniProgram, plugin: Plugin, scene: Scene) -> Resolved | PluginUnavailable:
    app_id, plugin_id = mini_program.app_id, plugin.plugin_id
    slots = await slots_of(plugin_id)

    def resolved(source: Source, version: PluginVersion) -> Resolved:
        return Resolved(plugin, mini_program, scene, source, version)

    debugging = scene in (Scene.DEVELOP, Scene.PREVIEW) and slots.experience is not None
    if debugging and await DebugBinding.exists(
        plugin_id=plugin_id, mini_program_id=app_id, status=DebugBindingStatus.AUTHORIZED
    ):
        return resolved(Source.EXPERIENCE, slots.experience)  # type: ignore[arg-type]
    if not await PluginOrder.exists(plugin_id=plugin_id, mini_program_id=app_id, status=OrderStatus.ACTIVE):
        return PluginUnavailable(Unavailable.NOT_ORDERED, f"{app_id} has no active order of plugin {plugin_id}")
    if slots.gray is not None and in_rollout(slots.gray, app_id):
        return resolved(Source.GRAY, slots.gray)
    if slots.online is not None:
        return resolved(Source.ONLINE, slots.online)
    return PluginUnavailable(Unavailable.NO_ONLINE_VERSION, f"plugin {plugin_id} has no ONLINE version")


async def resolve_plugin_version(
    viewer: Viewer, *, app_id: str, plugin_id: str, scene: Scene, debug_token: str | None
) -> Resolved | PluginUnavailable:
    mini_program, plugin = await access.authorize_resolution(viewer, app_id, plugin_id, debug_token)
    return await resolve(mini_program, plugin, scene)

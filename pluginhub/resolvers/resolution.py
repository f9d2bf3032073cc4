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

from tortoise.expressions import Q

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
from .slots import PluginSlots, slots_of
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


def rollout_orders(version: PluginVersion) -> Q | None:
    """`in_rollout` as a condition on a plugin's order rows, which keep each
    host's bucket (`PluginOrder.rollout_bucket`), so SQL can count a rollout;
    None when no host can be in it. The same two tests as `in_rollout`."""
    limit = (version.gray_percentage or 0) * (BUCKETS // 100)
    terms = [Q(rollout_bucket__lt=limit)] if limit > 0 else []
    if version.gray_app_ids:
        terms.append(Q(mini_program_id__in=list(version.gray_app_ids)))
    return Q(*terms, join_type="OR") if terms else None


Choice = tuple[Source, PluginVersion] | Unavailable


def choose(slots: PluginSlots, scene: Scene, app_id: str, *, bound: bool, ordered: bool) -> Choice:
    """The rules above, given what is known of one host: its AUTHORIZED
    binding (`bound`) and ACTIVE order (`ordered`)."""
    if scene in (Scene.DEVELOP, Scene.PREVIEW) and slots.experience is not None and bound:
        return Source.EXPERIENCE, slots.experience
    if not ordered:
        return Unavailable.NOT_ORDERED
    if slots.gray is not None and in_rollout(slots.gray, app_id):
        return Source.GRAY, slots.gray
    if slots.online is not None:
        return Source.ONLINE, slots.online
    return Unavailable.NO_ONLINE_VERSION


def release_choices(slots: PluginSlots, ordered: set[str], app_ids: list[str]) -> dict[str, Choice]:
    """What each of a page of hosts loads in RELEASE now, by the same rules as `resolve`."""
    return {app_id: choose(slots, Scene.RELEASE, app_id, bound=False, ordered=app_id in ordered) for app_id in app_ids}


async def resolve(mini_program: MiniProgram, plugin: Plugin, scene: Scene) -> Resolved | PluginUnavailable:
    app_id, plugin_id = mini_program.app_id, plugin.plugin_id
    slots = await slots_of(plugin_id)
    debugging = scene in (Scene.DEVELOP, Scene.PREVIEW) and slots.experience is not None
    bound = debugging and await DebugBinding.exists(
        plugin_id=plugin_id, mini_program_id=app_id, status=DebugBindingStatus.AUTHORIZED
    )
    ordered = await PluginOrder.exists(plugin_id=plugin_id, mini_program_id=app_id, status=OrderStatus.ACTIVE)
    choice = choose(slots, scene, app_id, bound=bound, ordered=ordered)
    if choice == Unavailable.NOT_ORDERED:
        return PluginUnavailable(choice, f"{app_id} has no active order of plugin {plugin_id}")
    if isinstance(choice, Unavailable):
        return PluginUnavailable(choice, f"plugin {plugin_id} has no ONLINE version")
    source, version = choice
    return Resolved(plugin, mini_program, scene, source, version)


async def resolve_plugin_version(
    viewer: Viewer, *, app_id: str, plugin_id: str, scene: Scene, debug_token: str | None
) -> Resolved | PluginUnavailable:
    mini_program, plugin = await access.authorize_resolution(viewer, app_id, plugin_id, debug_token)
    return await resolve(mini_program, plugin, scene)

"""Release: gray rollouts, going online, returning to development, rollback.

A rollout only widens; going online retires the previous ONLINE version and
lists the plugin; rollback walks the online history back one step.
"""

from __future__ import annotations

from ... import clock
from ...models import MiniProgram, OnlineRecord, Plugin, PluginEventKind, PluginVersion, VersionAction, VersionStatus
from ..errors import invalid_transition, validation
from ..events import record_event
from ..identifiers import PUBLIC_ID
from ..viewer import Viewer
from .changes import changing, changing_plugin, clear_experience, move

S = VersionStatus
MAX_GRAY_APP_IDS = 1000
APP_IDS = ["input", "appIds"]
NO_ROLLOUT = {"gray_percentage": None, "gray_app_ids": None, "gray_started_at": None}


async def _known_app_ids(app_ids: list[str]) -> list[str]:
    if len(app_ids) > MAX_GRAY_APP_IDS:
        raise validation(f"at most {MAX_GRAY_APP_IDS} appIds", APP_IDS)
    for i, app_id in enumerate(app_ids):
        if not PUBLIC_ID.fullmatch(app_id):
            raise validation("appId must be 16 decimal digits", [*APP_IDS, str(i)])
    unique = list(dict.fromkeys(app_ids))
    known: set[str] = set()
    if unique:
        known = {str(app_id) for app_id in await MiniProgram.filter(app_id__in=unique).values_list("app_id", flat=True)}
    for i, app_id in enumerate(app_ids):
        if app_id not in known:
            raise validation(f"no mini-program has appId {app_id}", [*APP_IDS, str(i)])
    return unique


def _rollout(version: PluginVersion) -> str:
    return f"{version.gray_percentage}% and {len(version.gray_app_ids or [])} listed appIds"


async def gray_release(
    viewer: Viewer, version_id: int, *, percentage: int | None, app_ids: list[str] | None
) -> PluginVersion:
    if percentage is None and not app_ids:
        raise validation("give a percentage, at least one appId, or both", ["input"])
    if percentage is not None and not 1 <= percentage <= 100:
        raise validation("percentage must be between 1 and 100", ["input", "percentage"])
    listed = await _known_app_ids(app_ids) if app_ids is not None else None
    async with changing(viewer, version_id, VersionAction.GRAY_RELEASE) as s:
        version = s.version
        if version.status != S.GRAY:
            version.gray_percentage = percentage or 0
            version.gray_app_ids = listed or []
            return await move(
                viewer, version, S.GRAY, PluginEventKind.GRAY_STARTED, _rollout(version), gray_started_at=clock.now()
            )
        _widen(version, percentage, listed)
        await version.save()
        await record_event(
            PluginEventKind.GRAY_UPDATED,
            plugin_id=version.plugin_id,
            version_id=version.id,
            actor_id=viewer.account_id,
            from_status=S.GRAY,
            to_status=S.GRAY,
            reason=_rollout(version),
        )
        return version


def _widen(version: PluginVersion, percentage: int | None, listed: list[str] | None) -> None:
    """A running rollout only widens: to narrow it, return the version to development."""
    old_percentage = version.gray_percentage or 0
    old_ids: list[str] = version.gray_app_ids or []
    if percentage is not None and percentage < old_percentage:
        raise validation(
            f"a rollout only widens: percentage cannot drop below {old_percentage} "
            "(return the version to development to narrow it)",
            ["input", "percentage"],
        )
    if listed is not None and (missing := [a for a in old_ids if a not in listed]):
        raise validation(
            f"a rollout only widens: appIds already in it cannot be removed ({', '.join(missing[:5])})", APP_IDS
        )
    version.gray_percentage = old_percentage if percentage is None else percentage
    version.gray_app_ids = old_ids if listed is None else listed


async def go_online(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, VersionAction.GO_ONLINE) as s:
        version, plugin = s.version, s.plugin
        if s.slots.online is not None:
            await _take_offline(viewer, s.slots.online, PluginEventKind.WENT_OFFLINE, f"replaced by {version.version}")
        await OnlineRecord.create(plugin_id=plugin.plugin_id, version_id=version.id)
        plugin.listed_in_market = True
        plugin.highest_online_key = max(plugin.highest_online_key or 0, version.version_key)
        await plugin.save(update_fields=["listed_in_market", "highest_online_key"])
        return await move(viewer, version, S.ONLINE, PluginEventKind.WENT_ONLINE, online_at=clock.now(), **NO_ROLLOUT)


async def _take_offline(viewer: Viewer, version: PluginVersion, kind: PluginEventKind, reason: str) -> None:
    """An OFFLINE version can't be the experience version, so it loses the flag too."""
    await move(viewer, version, S.OFFLINE, kind, reason)
    await clear_experience(viewer, version, "the version went offline")


async def return_to_development(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, VersionAction.RETURN_TO_DEVELOPMENT) as s:
        return await move(viewer, s.version, S.DEVELOPMENT, PluginEventKind.RETURNED_TO_DEVELOPMENT, **NO_ROLLOUT)


async def rollback_online_version(viewer: Viewer, plugin_id: str) -> Plugin:
    async with changing_plugin(viewer, plugin_id, VersionAction.ROLLBACK) as s:
        current = s.version
        history = await OnlineRecord.filter(plugin_id=plugin_id, rolled_back_at=None).order_by("-id").limit(2)
        if len(history) < 2 or history[0].version_id != current.id:
            raise invalid_transition("there is no earlier online version to roll back to")
        top, previous_record = history
        top.rolled_back_at = clock.now()
        await top.save(update_fields=["rolled_back_at"])
        previous = await PluginVersion.get(id=previous_record.version_id)
        await _take_offline(viewer, current, PluginEventKind.ROLLED_BACK, f"rolled back to {previous.version}")
        await move(
            viewer,
            previous,
            S.ONLINE,
            PluginEventKind.WENT_ONLINE,
            f"rollback from {current.version}",
            online_at=clock.now(),
        )
        return s.plugin

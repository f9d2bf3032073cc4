"""The plugin version lifecycle: upload, review, gray release, online, rollback.

Every change runs in one transaction that first takes `lock_plugin`, so the
one-per-plugin rules are checked against the committed state and the losers
of a race get a UserError.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from ..models import (
    MiniProgram,
    OnlineRecord,
    Plugin,
    PluginEventKind,
    PluginVersion,
    VersionAction,
    VersionStatus,
)
from ..packages import PackageInvalid, PackageSource, PackageStore, PackageTooLarge, StagedPackage
from . import validation
from .access import managed_plugin, require_owner, visible_version
from .errors import ErrorCode, UserError, not_found
from .events import record_event
from .locks import lock_plugin
from .identifiers import PUBLIC_ID, check_public_id, version_from_key, version_key
from .transitions import TRANSITIONS, Actor, check_transition
from .viewer import Viewer

S = VersionStatus
A = VersionAction
MAX_GRAY_APP_IDS = 1000


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class PluginSlots:
    """Which versions of a plugin hold the places there is only one of."""

    auditing: PluginVersion | None = None
    gray: PluginVersion | None = None
    online: PluginVersion | None = None
    experience: PluginVersion | None = None
    online_history: int = 0  # live steps of the online history


async def load_slots(plugin_ids: list[str]) -> dict[str, PluginSlots]:
    slots = {pid: PluginSlots() for pid in plugin_ids}
    held = await PluginVersion.filter(
        Q(status__in=[S.AUDITING, S.GRAY, S.ONLINE]) | Q(is_experience=True),
        plugin_id__in=plugin_ids,
        deleted_at=None,
    )
    for version in held:
        if version.status in (S.AUDITING, S.GRAY, S.ONLINE):
            setattr(slots[version.plugin_id], version.status.value.lower(), version)
        if version.is_experience:
            slots[version.plugin_id].experience = version
    history = (
        await OnlineRecord.filter(plugin_id__in=plugin_ids, rolled_back_at=None)
        .annotate(n=Count("id"))
        .group_by("plugin_id")
        .values("plugin_id", "n")
    )
    for row in history:
        slots[row["plugin_id"]].online_history = row["n"]
    return slots


def available_actions(viewer: Viewer, version: PluginVersion, entity_id: int, slots: PluginSlots) -> list[A]:
    """Exactly the actions this viewer could take on this version right now."""
    owner = viewer.owns(entity_id) and not viewer.is_reviewer
    guards = {
        A.SUBMIT: slots.auditing is None and bool(version.features),
        A.GRAY_RELEASE: slots.gray is None or slots.gray.id == version.id,
        A.SET_EXPERIENCE: not version.is_experience,
        A.CLEAR_EXPERIENCE: version.is_experience,
        A.ROLLBACK: slots.gray is None and slots.online_history >= 2,
    }
    actions = []
    for action, transition in TRANSITIONS.items():
        allowed_actor = viewer.is_reviewer if transition.actor == Actor.REVIEWER else owner
        if allowed_actor and version.status in transition.sources and guards.get(action, True):
            actions.append(action)
    return actions


VERSION_ID = ["input", "versionId"]


@asynccontextmanager
async def changing(viewer: Viewer, version_id: int, action: A) -> AsyncIterator[tuple[PluginVersion, Plugin, PluginSlots]]:
    """Check who may act, lock the plugin, re-read the version and check the transition."""
    seen = await visible_version(viewer, version_id)
    if seen is None:
        raise not_found("version", VERSION_ID)
    if TRANSITIONS[action].actor == Actor.REVIEWER:
        viewer.require_reviewer()
    else:
        require_owner(viewer, seen.plugin.entity_id)
    async with in_transaction():
        plugin = await lock_plugin(seen.plugin_id)
        version = await PluginVersion.get_or_none(id=version_id, deleted_at=None)
        if version is None:
            raise not_found("version", VERSION_ID)
        check_transition(action, version.status)
        slots = (await load_slots([plugin.plugin_id]))[plugin.plugin_id]
        yield version, plugin, slots


async def _move(
    viewer: Viewer,
    version: PluginVersion,
    to: VersionStatus,
    kind: PluginEventKind,
    reason: str | None = None,
    **changes: object,
) -> PluginVersion:
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


async def _clear_experience(viewer: Viewer, version: PluginVersion, reason: str) -> None:
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


# ---------------------------------------------------------------- upload and edit


def _file_name(name: str | None) -> str:
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    return base[:255] or "package.zip"


async def upload_version(
    viewer: Viewer,
    store: PackageStore,
    max_package_bytes: int,
    *,
    plugin_id: str,
    version: str,
    description: str,
    features: list[str],
    package: PackageSource,
) -> PluginVersion:
    check_public_id(plugin_id, ["input", "pluginId"], "pluginId")
    key = version_key(version, ["input", "version"])
    description = validation.description(description, ["input", "description"])
    features = validation.features(features, ["input", "features"])
    plugin = await managed_plugin(viewer, plugin_id, ["input", "pluginId"])
    try:
        async with store.stage(package, max_package_bytes) as staged:
            return await _create_version(viewer, plugin.plugin_id, version, key, description, features, staged, package)
    except PackageTooLarge as exc:
        raise UserError(ErrorCode.PACKAGE_TOO_LARGE, str(exc), ["input", "package"]) from None
    except PackageInvalid as exc:
        raise UserError(ErrorCode.PACKAGE_INVALID, str(exc), ["input", "package"]) from None


async def _create_version(
    viewer: Viewer,
    plugin_id: str,
    version: str,
    key: int,
    description: str,
    features: list[str],
    staged: StagedPackage,
    package: PackageSource,
) -> PluginVersion:
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        existing = await PluginVersion.get_or_none(plugin_id=plugin_id, version=version, deleted_at=None)
        if existing is not None:
            if existing.package_sha256 == staged.sha256:
                return existing
            raise UserError(
                ErrorCode.VERSION_EXISTS,
                f"version {version} already exists with a different package",
                ["input", "version"],
            )
        if plugin.highest_online_key is not None and key <= plugin.highest_online_key:
            raise UserError(
                ErrorCode.VERSION_NOT_GREATER,
                f"version {version} must be greater than {version_from_key(plugin.highest_online_key)}, "
                "the highest version that has been online",
                ["input", "version"],
            )
        staged.keep()
        created = await PluginVersion.create(
            plugin_id=plugin_id,
            version=version,
            version_key=key,
            description=description,
            features=features,
            package_sha256=staged.sha256,
            package_size=staged.size,
            package_file_name=_file_name(package.filename),
            uploaded_by_id=viewer.account_id,
        )
        await record_event(
            PluginEventKind.VERSION_UPLOADED,
            plugin_id=plugin_id,
            version_id=created.id,
            actor_id=viewer.account_id,
            to_status=S.DEVELOPMENT,
        )
        return created


async def update_version(
    viewer: Viewer, version_id: int, *, description: str | None, features: list[str] | None
) -> PluginVersion:
    changes: dict[str, object] = {}
    if description is not None:
        changes["description"] = validation.description(description, ["input", "description"])
    if features is not None:
        changes["features"] = validation.features(features, ["input", "features"])
    async with changing(viewer, version_id, A.UPDATE) as (version, _, _):
        for name, value in changes.items():
            setattr(version, name, value)
        await version.save()
        await record_event(
            PluginEventKind.VERSION_UPDATED,
            plugin_id=version.plugin_id,
            version_id=version.id,
            actor_id=viewer.account_id,
            reason="changed: " + (", ".join(sorted(changes)) or "nothing"),
        )
        return version


# ---------------------------------------------------------------- review


async def submit_version(viewer: Viewer, version_id: int, *, self_check_confirmed: bool) -> PluginVersion:
    async with changing(viewer, version_id, A.SUBMIT) as (version, _, slots):
        if not self_check_confirmed:
            raise UserError(
                ErrorCode.SELF_CHECK_REQUIRED,
                "confirm the self-check before submitting for review",
                ["input", "selfCheckConfirmed"],
            )
        if not version.features:
            raise UserError(ErrorCode.FEATURES_REQUIRED, "add at least one feature package before submitting")
        if slots.auditing is not None:
            raise UserError(
                ErrorCode.ALREADY_IN_REVIEW,
                f"version {slots.auditing.version} of this plugin is already in review",
            )
        return await _move(
            viewer, version, S.AUDITING, PluginEventKind.SUBMITTED, submitted_at=now(), reject_reason=None
        )


async def withdraw_version(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, A.WITHDRAW) as (version, _, _):
        return await _move(viewer, version, S.DEVELOPMENT, PluginEventKind.WITHDRAWN)


async def approve_version(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, A.APPROVE) as (version, _, _):
        return await _move(viewer, version, S.APPROVED, PluginEventKind.APPROVED, reviewed_at=now())


async def reject_version(viewer: Viewer, version_id: int, *, reason: str) -> PluginVersion:
    reason = validation.text(reason, ["input", "reason"], what="the reason", min_len=1, max_len=500)
    async with changing(viewer, version_id, A.REJECT) as (version, _, _):
        return await _move(
            viewer, version, S.REJECTED, PluginEventKind.REJECTED, reason, reject_reason=reason, reviewed_at=now()
        )


# ---------------------------------------------------------------- release


async def _known_app_ids(app_ids: list[str]) -> list[str]:
    field = ["input", "appIds"]
    if len(app_ids) > MAX_GRAY_APP_IDS:
        raise UserError(ErrorCode.VALIDATION, f"at most {MAX_GRAY_APP_IDS} appIds", field)
    for i, app_id in enumerate(app_ids):
        if not PUBLIC_ID.fullmatch(app_id):
            raise UserError(ErrorCode.VALIDATION, "appId must be 16 decimal digits", [*field, str(i)])
    unique = list(dict.fromkeys(app_ids))
    known = set(await MiniProgram.filter(app_id__in=unique).values_list("app_id", flat=True)) if unique else set()
    for i, app_id in enumerate(app_ids):
        if app_id not in known:
            raise UserError(ErrorCode.VALIDATION, f"no mini-program has appId {app_id}", [*field, str(i)])
    return unique


async def gray_release(
    viewer: Viewer, version_id: int, *, percentage: int | None, app_ids: list[str] | None
) -> PluginVersion:
    if percentage is None and not app_ids:
        raise UserError(ErrorCode.VALIDATION, "give a percentage, at least one appId, or both", ["input"])
    if percentage is not None and not 1 <= percentage <= 100:
        raise UserError(ErrorCode.VALIDATION, "percentage must be between 1 and 100", ["input", "percentage"])
    listed = await _known_app_ids(app_ids) if app_ids is not None else None
    async with changing(viewer, version_id, A.GRAY_RELEASE) as (version, _, slots):
        if version.status == S.GRAY:
            old_percentage = version.gray_percentage or 0
            old_ids: list[str] = version.gray_app_ids or []
            if percentage is not None and percentage < old_percentage:
                raise UserError(
                    ErrorCode.VALIDATION,
                    f"a rollout only widens: percentage cannot drop below {old_percentage} "
                    "(return the version to development to narrow it)",
                    ["input", "percentage"],
                )
            if listed is not None and (missing := [a for a in old_ids if a not in listed]):
                raise UserError(
                    ErrorCode.VALIDATION,
                    f"a rollout only widens: appIds already in it cannot be removed ({', '.join(missing[:5])})",
                    ["input", "appIds"],
                )
            version.gray_percentage = old_percentage if percentage is None else percentage
            version.gray_app_ids = old_ids if listed is None else listed
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
        if slots.gray is not None:
            raise UserError(
                ErrorCode.INVALID_TRANSITION,
                f"version {slots.gray.version} of this plugin is already in gray release; "
                "take it online or return it to development first",
            )
        version.gray_percentage = percentage or 0
        version.gray_app_ids = listed or []
        return await _move(
            viewer, version, S.GRAY, PluginEventKind.GRAY_STARTED, _rollout(version), gray_started_at=now()
        )


def _rollout(version: PluginVersion) -> str:
    return f"{version.gray_percentage}% and {len(version.gray_app_ids or [])} listed appIds"


async def go_online(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, A.GO_ONLINE) as (version, plugin, slots):
        if slots.online is not None:
            await _take_offline(viewer, slots.online, PluginEventKind.WENT_OFFLINE, f"replaced by {version.version}")
        await OnlineRecord.create(plugin_id=plugin.plugin_id, version_id=version.id)
        plugin.listed_in_market = True
        plugin.highest_online_key = max(plugin.highest_online_key or 0, version.version_key)
        await plugin.save(update_fields=["listed_in_market", "highest_online_key"])
        return await _move(
            viewer,
            version,
            S.ONLINE,
            PluginEventKind.WENT_ONLINE,
            online_at=now(),
            gray_percentage=None,
            gray_app_ids=None,
            gray_started_at=None,
        )


async def _take_offline(viewer: Viewer, version: PluginVersion, kind: PluginEventKind, reason: str) -> None:
    """An OFFLINE version can't be the experience version, so it loses the flag too."""
    await _move(viewer, version, S.OFFLINE, kind, reason)
    await _clear_experience(viewer, version, "the version went offline")


async def return_to_development(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, A.RETURN_TO_DEVELOPMENT) as (version, _, _):
        return await _move(
            viewer,
            version,
            S.DEVELOPMENT,
            PluginEventKind.RETURNED_TO_DEVELOPMENT,
            gray_percentage=None,
            gray_app_ids=None,
            gray_started_at=None,
        )


async def rollback_online_version(viewer: Viewer, plugin_id: str) -> Plugin:
    field = ["input", "pluginId"]
    check_public_id(plugin_id, field, "pluginId")
    await managed_plugin(viewer, plugin_id, field)
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        slots = (await load_slots([plugin_id]))[plugin_id]
        current = slots.online
        if current is None:
            raise UserError(ErrorCode.INVALID_TRANSITION, "the plugin has no ONLINE version to roll back")
        if slots.gray is not None:
            raise UserError(
                ErrorCode.INVALID_TRANSITION,
                f"version {slots.gray.version} is in gray release; finish or return it to development first",
            )
        history = await OnlineRecord.filter(plugin_id=plugin_id, rolled_back_at=None).order_by("-id").limit(2)
        if len(history) < 2 or history[0].version_id != current.id:
            raise UserError(ErrorCode.INVALID_TRANSITION, "there is no earlier online version to roll back to")
        top, previous_record = history
        top.rolled_back_at = now()
        await top.save(update_fields=["rolled_back_at"])
        previous = await PluginVersion.get(id=previous_record.version_id)
        await _take_offline(viewer, current, PluginEventKind.ROLLED_BACK, f"rolled back to {previous.version}")
        await _move(viewer, previous, S.ONLINE, PluginEventKind.WENT_ONLINE, f"rollback from {current.version}", online_at=now())
        return plugin


# ---------------------------------------------------------------- experience and delete


async def set_experience_version(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, A.SET_EXPERIENCE) as (version, _, slots):
        if version.is_experience:
            return version
        if slots.experience is not None:
            await _clear_experience(viewer, slots.experience, f"version {version.version} became the experience version")
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
    """Clearing when there is no experience version is a no-op, not an error."""
    field = ["input", "pluginId"]
    check_public_id(plugin_id, field, "pluginId")
    await managed_plugin(viewer, plugin_id, field)
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        experience = (await load_slots([plugin_id]))[plugin_id].experience
        if experience is not None:
            await _clear_experience(viewer, experience, "cleared")
        return plugin


async def delete_version(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, A.DELETE) as (version, _, _):
        version.deleted_at = now()
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

"""Uploading a version with its package, and editing it while in development."""

from __future__ import annotations

from pathlib import PurePosixPath

from tortoise.transactions import in_transaction

from ...models import PluginEventKind, PluginVersion, VersionAction, VersionStatus
from ...packages import PackageInvalid, PackageSource, PackageStore, PackageTooLarge, StagedPackage
from .. import validation
from ..access import managed_plugin
from ..errors import ErrorCode, UserError
from ..events import record_event
from ..identifiers import check_public_id, version_from_key, version_key
from ..locks import lock_plugin
from ..viewer import Viewer
from .changes import changing

PACKAGE = ["input", "package"]
VERSION = ["input", "version"]


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
    key = version_key(version, VERSION)
    description = validation.description(description, ["input", "description"])
    features = validation.features(features, ["input", "features"])
    plugin = await managed_plugin(viewer, plugin_id, ["input", "pluginId"])
    try:
        async with store.stage(package, max_package_bytes) as staged:
            return await _create_version(viewer, plugin.plugin_id, version, key, description, features, staged, package)
    except PackageTooLarge as exc:
        raise UserError(ErrorCode.PACKAGE_TOO_LARGE, str(exc), PACKAGE) from None
    except PackageInvalid as exc:
        raise UserError(ErrorCode.PACKAGE_INVALID, str(exc), PACKAGE) from None


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
    """Re-sending the same version with the same bytes returns it and changes nothing."""
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        existing = await PluginVersion.get_or_none(plugin_id=plugin_id, version=version, deleted_at=None)
        if existing is not None:
            if existing.package_sha256 == staged.sha256:
                return existing
            raise UserError(
                ErrorCode.VERSION_EXISTS, f"version {version} already exists with a different package", VERSION
            )
        if plugin.highest_online_key is not None and key <= plugin.highest_online_key:
            raise UserError(
                ErrorCode.VERSION_NOT_GREATER,
                f"version {version} must be greater than {version_from_key(plugin.highest_online_key)}, "
                "the highest version that has been online",
                VERSION,
            )
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
        await staged.keep()  # after the row: see storage.references
        await record_event(
            PluginEventKind.VERSION_UPLOADED,
            plugin_id=plugin_id,
            version_id=created.id,
            actor_id=viewer.account_id,
            to_status=VersionStatus.DEVELOPMENT,
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
    async with changing(viewer, version_id, VersionAction.UPDATE) as situation:
        version = situation.version
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

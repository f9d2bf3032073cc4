"""Review: the owner submits or withdraws a version, a reviewer decides."""

from __future__ import annotations

from ... import clock
from ...models import PluginEventKind, PluginVersion, VersionAction, VersionStatus
from .. import validation
from ..errors import ErrorCode, UserError
from ..viewer import Viewer
from .changes import changing, move

MAX_REJECT_REASON = 500


async def submit_version(viewer: Viewer, version_id: int, *, self_check_confirmed: bool) -> PluginVersion:
    if not self_check_confirmed:
        raise UserError(
            ErrorCode.SELF_CHECK_REQUIRED,
            "confirm the self-check before submitting for review",
            ["input", "selfCheckConfirmed"],
        )
    async with changing(viewer, version_id, VersionAction.SUBMIT) as s:
        return await move(
            viewer,
            s.version,
            VersionStatus.AUDITING,
            PluginEventKind.SUBMITTED,
            submitted_at=clock.now(),
            reject_reason=None,
        )


async def withdraw_version(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, VersionAction.WITHDRAW) as s:
        return await move(viewer, s.version, VersionStatus.DEVELOPMENT, PluginEventKind.WITHDRAWN)


async def approve_version(viewer: Viewer, version_id: int) -> PluginVersion:
    async with changing(viewer, version_id, VersionAction.APPROVE) as s:
        return await move(viewer, s.version, VersionStatus.APPROVED, PluginEventKind.APPROVED, reviewed_at=clock.now())


async def reject_version(viewer: Viewer, version_id: int, *, reason: str) -> PluginVersion:
    reason = validation.text(reason, ["input", "reason"], what="the reason", min_len=1, max_len=MAX_REJECT_REASON)
    async with changing(viewer, version_id, VersionAction.REJECT) as s:
        return await move(
            viewer,
            s.version,
            VersionStatus.REJECTED,
            PluginEventKind.REJECTED,
            reason,
            reject_reason=reason,
            reviewed_at=clock.now(),
        )

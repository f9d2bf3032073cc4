"""Plugin versions, their packages and gray rollouts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from ... import models, signing
from ...resolvers import access, transitions
from ...resolvers.event_filters import NO_FILTER
from .. import enums
from ..arguments import After, First
from ..connections import Connection
from ..context import Info
from .accounts import Account
from .base import ModelNode, owned_id
from .events import PluginEvent

if TYPE_CHECKING:
    from .plugins import Plugin

LazyPlugin = Annotated["Plugin", strawberry.lazy("pluginhub.schema.types.plugins")]


@strawberry.type(name="PluginPackage", description="The built package a version was uploaded with.")
class PluginPackage:
    id: strawberry.ID = strawberry.field(
        description="Stable for the version's package, so client caches (Apollo, Relay, urql) can keep it."
    )
    sha256: str = strawberry.field(description="SHA-256 of the package bytes, hex.")
    size: int = strawberry.field(description="Size in bytes.")
    file_name: str = strawberry.field(description="The file name it was uploaded under.")
    download_url: str = strawberry.field(
        description="A signed link that downloads the package without a token. It stays valid for at least "
        "the configured time (one hour by default) and is the same on every read within that window."
    )


@strawberry.type(name="GrayRelease", description="Which hosts a GRAY version is rolled out to.")
class GrayRelease:
    id: strawberry.ID = strawberry.field(
        description="Stable for the version's rollout, so client caches update it in place as it changes."
    )
    percentage: int = strawberry.field(
        description="Share of ordering hosts (0-100) chosen by a stable hash of pluginId and appId."
    )
    app_ids: list[str] = strawberry.field(description="Hosts always in the rollout, whatever the percentage.")
    started_at: datetime = strawberry.field(description="When the rollout started.")


@strawberry.type(name="PluginVersion", description="One uploaded version of a plugin and where it stands.")
class PluginVersion(ModelNode):
    model: ClassVar = models.PluginVersion
    version: str = strawberry.field(description="MAJOR.MINOR.PATCH; fixed at upload.")
    status: enums.VersionStatus = strawberry.field(description="Where the version stands in its lifecycle.")
    description: str = strawberry.field(description="What changed in this version (at most 500 characters).")
    features: list[str] = strawberry.field(description="The feature packages it provides (0-20 names).")
    is_experience: bool = strawberry.field(
        description="Whether this is the experience version that bound hosts load when developing and previewing."
    )
    reject_reason: str | None = strawberry.field(
        description="The reviewer's reason after a rejection, until the version is submitted again."
    )
    uploaded_at: datetime = strawberry.field(description="When it was uploaded.")
    submitted_at: datetime | None = strawberry.field(description="When it was last submitted for review.")
    reviewed_at: datetime | None = strawberry.field(description="When a reviewer last decided on it.")
    online_at: datetime | None = strawberry.field(description="When it last went online.")

    @strawberry.field(description="The plugin this version belongs to.")
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> LazyPlugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The uploaded package, with a signed download link.")
    def package(self, root: strawberry.Parent[Any], info: Info) -> PluginPackage:
        ctx = info.context
        path = signing.stable_download_path(
            ctx.settings.secret_key, root.package_sha256, root.package_file_name, ctx.settings.download_url_ttl
        )
        return PluginPackage(
            id=owned_id("PluginPackage", root.pk),
            sha256=root.package_sha256,
            size=root.package_size,
            file_name=root.package_file_name,
            download_url=ctx.base_url + path,
        )

    @strawberry.field(description="The rollout, while the version is GRAY; null otherwise.")
    def gray_release(self, root: strawberry.Parent[Any]) -> GrayRelease | None:
        if root.status != models.VersionStatus.GRAY or root.gray_started_at is None:
            return None
        return GrayRelease(
            id=owned_id("GrayRelease", root.pk),
            percentage=root.gray_percentage or 0,
            app_ids=list(root.gray_app_ids or []),
            started_at=root.gray_started_at,
        )

    @strawberry.field(description="Who uploaded it; shown to the owning entity and reviewers only.")
    async def uploaded_by(self, root: strawberry.Parent[Any], info: Info) -> Account | None:
        plugin = await info.context.loaders.plugin.load(root.plugin_id)
        if root.uploaded_by_id is None or not access.uploader_visible(info.context.me, plugin):
            return None
        return await info.context.loaders.account.load(root.uploaded_by_id)

    @strawberry.field(
        description="Exactly what you may do with this version now; a console draws its buttons from this."
    )
    async def available_actions(self, root: strawberry.Parent[Any], info: Info) -> list[enums.VersionAction]:
        loaders = info.context.loaders
        plugin = await loaders.plugin.load(root.plugin_id)
        slots = await loaders.slots.load(root.plugin_id)
        situation = transitions.Situation(root, plugin, slots)
        return transitions.allowed(info.context.me, situation)

    @strawberry.field(description="This version's events, oldest first.")
    async def events(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[PluginEvent]:
        ctx = info.context
        plugin = await ctx.loaders.plugin.load(root.plugin_id)
        side = access.plugin_side(ctx.me, plugin.entity_id)
        page = await ctx.loaders.version_event_pages.load((root.id, side, NO_FILTER, ctx.page(first, after)))
        return Connection.of(page)

"""The object types. They read ORM rows; relations go through DataLoaders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay
from tortoise.models import Model

from .. import models, signing
from ..resolvers import access, resolution
from ..resolvers.loaders import EVENT_ORDER
from ..resolvers.versions import available_actions
from . import enums
from .arguments import After, Before, First, Last
from .connections import Connection
from .context import Info


class ModelNode(relay.Node):
    """A Node backed by an ORM row: its global id is `TypeName:<primary key>`."""

    model: ClassVar[type[Model]]

    @classmethod
    def resolve_id(cls, root: Any, *, info: Info) -> str:
        return str(root.pk)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, cls.model)


@strawberry.type(name="Entity", description="A legal entity (主体) that owns mini-programs and plugins.")
class Entity(ModelNode):
    model: ClassVar = models.Entity
    name: str = strawberry.field(description="The entity's registered name.")


@strawberry.type(name="Account", description="A person signed in with an API token.")
class Account(ModelNode):
    model: ClassVar = models.Account
    name: str = strawberry.field(description="The account's display name.")
    role: enums.Role = strawberry.field(description="Developer or reviewer.")

    @strawberry.field(description="The entity the account acts for.")
    async def entity(self, root: strawberry.Parent[Any], info: Info) -> Entity:
        return await info.context.loaders.entity.load(root.entity_id)


@strawberry.type(name="MiniProgram", description="A host mini-program that can debug, order and load plugins.")
class MiniProgram(ModelNode):
    model: ClassVar = models.MiniProgram
    app_id: str = strawberry.field(description="The public appId: 16 decimal digits.")
    name: str = strawberry.field(description="The mini-program's name.")
    created_at: datetime = strawberry.field(description="When it was created.")

    @strawberry.field(description="The entity that owns the mini-program.")
    async def entity(self, root: strawberry.Parent[Any], info: Info) -> Entity:
        return await info.context.loaders.entity.load(root.entity_id)

    @strawberry.field(
        description="Joint-debugging bindings of this host, newest first "
        "(to a plugin's owner: only the bindings with its own plugins)."
    )
    async def debug_bindings(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        status: Annotated[
            list[enums.DebugBindingStatus] | None, strawberry.argument(description="Only bindings in these states.")
        ] = None,
    ) -> Connection[DebugBinding]:
        ctx = info.context
        restrict = access.ALL if ctx.me.owns(root.entity_id) else access.OWN_PLUGINS
        key = (root.app_id, restrict, _statuses(status), ctx.page(first, after, last, before))
        return Connection.of(await ctx.loaders.host_binding_pages.load(key))

    @strawberry.field(
        description="Orders this host placed, newest first (to a plugin's owner: only the orders of its own plugins)."
    )
    async def orders(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        status: Annotated[
            list[enums.OrderStatus] | None, strawberry.argument(description="Only orders in these states.")
        ] = None,
    ) -> Connection[PluginOrder]:
        ctx = info.context
        restrict = access.ALL if ctx.me.owns(root.entity_id) else access.OWN_PLUGINS
        key = (root.app_id, restrict, _statuses(status), ctx.page(first, after, last, before))
        return Connection.of(await ctx.loaders.host_order_pages.load(key))


def _statuses(values: list[Any] | None) -> tuple[str, ...]:
    return tuple(sorted({v.value for v in values or []}))


@strawberry.type(name="DebugAuthorization", description="Who authorized a joint-debugging binding, and its token.")
class DebugAuthorization:
    authorized_at: datetime = strawberry.field(description="When the binding was authorized.")
    same_entity: bool = strawberry.field(
        description="True when host and plugin belong to one entity, so the invitation was authorized at once."
    )
    token: str = strawberry.field(
        description="The authorization token the plugin side puts in its debugging setup and passes as "
        "`debugToken`. It stops working the moment the binding is unbound."
    )
    _authorized_by_id: strawberry.Private[int | None]

    @strawberry.field(description="The account that authorized it, if it still exists.")
    async def authorized_by(self, info: Info) -> Account | None:
        if self._authorized_by_id is None:
            return None
        return await info.context.loaders.account.load(self._authorized_by_id)


@strawberry.type(name="DebugBinding", description="A plugin's invitation of a host mini-program into joint debugging.")
class DebugBinding(ModelNode):
    model: ClassVar = models.DebugBinding
    status: enums.DebugBindingStatus = strawberry.field(description="Where the invitation stands.")
    requested_at: datetime = strawberry.field(description="When the host was invited.")
    ended_at: datetime | None = strawberry.field(description="When it was cancelled, rejected or unbound.")

    @strawberry.field(description="The plugin being debugged.")
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> Plugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The host mini-program.")
    async def mini_program(self, root: strawberry.Parent[Any], info: Info) -> MiniProgram:
        return await info.context.loaders.mini_program.load(root.mini_program_id)

    @strawberry.field(description="The plugin-side account that sent the invitation, if it still exists.")
    async def requested_by(self, root: strawberry.Parent[Any], info: Info) -> Account | None:
        if root.requested_by_id is None:
            return None
        return await info.context.loaders.account.load(root.requested_by_id)

    @strawberry.field(description="Set once the host authorized the binding; both sides see it.")
    def authorization(self, root: strawberry.Parent[Any]) -> DebugAuthorization | None:
        if root.authorized_at is None or root.token is None:
            return None
        return DebugAuthorization(
            authorized_at=root.authorized_at,
            same_entity=root.same_entity,
            token=root.token,
            _authorized_by_id=root.authorized_by_id,
        )


@strawberry.type(name="PluginOrder", description="A host mini-program's order of a plugin: what production loading needs.")
class PluginOrder(ModelNode):
    model: ClassVar = models.PluginOrder
    status: enums.OrderStatus = strawberry.field(description="Whether the order is in force.")
    ordered_at: datetime = strawberry.field(description="When it was placed.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")

    @strawberry.field(description="The plugin ordered.")
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> Plugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The host that ordered it.")
    async def mini_program(self, root: strawberry.Parent[Any], info: Info) -> MiniProgram:
        return await info.context.loaders.mini_program.load(root.mini_program_id)


@strawberry.type(name="PluginPackage", description="The built package a version was uploaded with.")
class PluginPackage:
    sha256: str = strawberry.field(description="SHA-256 of the package bytes, hex.")
    size: int = strawberry.field(description="Size in bytes.")
    file_name: str = strawberry.field(description="The file name it was uploaded under.")
    download_url: str = strawberry.field(
        description="A signed link that downloads the package without a token. It stays valid for at least "
        "the configured time (one hour by default) and is the same on every read within that window."
    )


@strawberry.type(name="GrayRelease", description="Which hosts a GRAY version is rolled out to.")
class GrayRelease:
    percentage: int = strawberry.field(
        description="Share of ordering hosts (0-100) chosen by a stable hash of pluginId and appId."
    )
    app_ids: list[str] = strawberry.field(description="Hosts always in the rollout, whatever the percentage.")
    started_at: datetime = strawberry.field(description="When the rollout started.")


@strawberry.type(name="PluginEvent", description="One recorded change to a plugin, its versions, bindings or orders.")
class PluginEvent(ModelNode):
    model: ClassVar = models.PluginEvent
    kind: enums.PluginEventKind = strawberry.field(description="What happened.")
    from_status: str | None = strawberry.field(description="The status before the change, when a status changed.")
    to_status: str | None = strawberry.field(description="The status after the change, when a status changed.")
    reason: str | None = strawberry.field(description="Why, or what changed, in words.")
    occurred_at: datetime = strawberry.field(description="When it was committed.")

    @strawberry.field(
        description="Where the event stands in the log; pass it as `after` to `events` or to a subscription to resume."
    )
    def cursor(self, root: strawberry.Parent[Any]) -> str:
        return EVENT_ORDER.cursor(root)

    @strawberry.field(description="The plugin the event belongs to.")
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> Plugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The version concerned, if any (null once that version is deleted).")
    async def version(self, root: strawberry.Parent[Any], info: Info) -> PluginVersion | None:
        if root.version_id is None:
            return None
        return await info.context.loaders.version.load(root.version_id)

    @strawberry.field(description="The debug binding concerned, if any.")
    async def debug_binding(self, root: strawberry.Parent[Any], info: Info) -> DebugBinding | None:
        if root.debug_binding_id is None:
            return None
        return await info.context.loaders.binding.load(root.debug_binding_id)

    @strawberry.field(description="The order concerned, if any.")
    async def order(self, root: strawberry.Parent[Any], info: Info) -> PluginOrder | None:
        if root.order_id is None:
            return None
        return await info.context.loaders.order.load(root.order_id)

    @strawberry.field(description="The account that made the change, if it still exists.")
    async def actor(self, root: strawberry.Parent[Any], info: Info) -> Account | None:
        if root.actor_id is None:
            return None
        return await info.context.loaders.account.load(root.actor_id)


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
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> Plugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The uploaded package, with a signed download link.")
    def package(self, root: strawberry.Parent[Any], info: Info) -> PluginPackage:
        ctx = info.context
        path = signing.stable_download_path(
            ctx.settings.secret_key, root.package_sha256, root.package_file_name, ctx.settings.download_url_ttl
        )
        return PluginPackage(
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
            percentage=root.gray_percentage or 0, app_ids=list(root.gray_app_ids or []), started_at=root.gray_started_at
        )

    @strawberry.field(description="Who uploaded it; shown to the owning entity and reviewers only.")
    async def uploaded_by(self, root: strawberry.Parent[Any], info: Info) -> Account | None:
        plugin = await info.context.loaders.plugin.load(root.plugin_id)
        if root.uploaded_by_id is None or not access.sees_all_versions(info.context.me, plugin):
            return None
        return await info.context.loaders.account.load(root.uploaded_by_id)

    @strawberry.field(
        description="Exactly what you may do with this version now; a console draws its buttons from this."
    )
    async def available_actions(self, root: strawberry.Parent[Any], info: Info) -> list[enums.VersionAction]:
        loaders = info.context.loaders
        plugin = await loaders.plugin.load(root.plugin_id)
        slots = await loaders.slots.load(root.plugin_id)
        return available_actions(info.context.me, root, plugin.entity_id, slots)  # type: ignore[return-value]

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
        scope = access.event_scope(ctx.me, plugin.entity_id)
        page = await ctx.loaders.version_event_pages.load((root.id, scope, ctx.page(first, after)))
        return Connection.of(page)


async def _slot(plugin: Any, info: Info, name: str, public: bool = False) -> Any:
    """One of the versions a plugin has at most one of; outsiders see only the online one."""
    if not public and not access.sees_all_versions(info.context.me, plugin):
        return None
    return getattr(await info.context.loaders.slots.load(plugin.plugin_id), name)


@strawberry.type(name="Plugin", description="A plugin: its public face, and for its owners its versions and history.")
class Plugin(ModelNode):
    model: ClassVar = models.Plugin
    plugin_id: str = strawberry.field(description="The public pluginId: 16 decimal digits.")
    name: str = strawberry.field(description="The plugin's name.")
    description: str = strawberry.field(description="What the plugin does.")
    created_at: datetime = strawberry.field(description="When it was created.")
    listed_in_market: bool = strawberry.field(
        description="Whether hosts can find and order it; true once a version has gone online."
    )

    @strawberry.field(description="The entity that owns the plugin.")
    async def entity(self, root: strawberry.Parent[Any], info: Info) -> Entity:
        return await info.context.loaders.entity.load(root.entity_id)

    @strawberry.field(
        description="Versions, newest first. Outside the owning entity only the ONLINE version is listed."
    )
    async def versions(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        status: Annotated[
            list[enums.VersionStatus] | None, strawberry.argument(description="Only versions in these states.")
        ] = None,
    ) -> Connection[PluginVersion]:
        ctx = info.context
        key = (root.plugin_id, access.sees_all_versions(ctx.me, root), _statuses(status), ctx.page(first, after, last, before))
        return Connection.of(await ctx.loaders.version_pages.load(key))

    @strawberry.field(description="One version by its number, if you may see it.")
    async def version(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        version: Annotated[str, strawberry.argument(description="The version number, e.g. 1.2.0.")],
    ) -> PluginVersion | None:
        row = await info.context.loaders.version_by_number.load((root.plugin_id, version))
        if row is None:
            return None
        if access.sees_all_versions(info.context.me, root) or row.status == models.VersionStatus.ONLINE:
            return row
        return None

    @strawberry.field(description="The version hosts load in production, if any.")
    async def online_version(self, root: strawberry.Parent[Any], info: Info) -> PluginVersion | None:
        return await _slot(root, info, "online", public=True)

    @strawberry.field(description="The version in gray release, if any (owners and reviewers).")
    async def gray_version(self, root: strawberry.Parent[Any], info: Info) -> PluginVersion | None:
        return await _slot(root, info, "gray")

    @strawberry.field(description="The version in review, if any (owners and reviewers).")
    async def auditing_version(self, root: strawberry.Parent[Any], info: Info) -> PluginVersion | None:
        return await _slot(root, info, "auditing")

    @strawberry.field(description="The experience version bound hosts load when developing (owners and reviewers).")
    async def experience_version(self, root: strawberry.Parent[Any], info: Info) -> PluginVersion | None:
        return await _slot(root, info, "experience")

    @strawberry.field(
        description="Joint-debugging bindings, newest first (to a host's owner: only those of its own hosts)."
    )
    async def debug_bindings(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        status: Annotated[
            list[enums.DebugBindingStatus] | None, strawberry.argument(description="Only bindings in these states.")
        ] = None,
    ) -> Connection[DebugBinding]:
        ctx = info.context
        restrict = access.ALL if ctx.me.owns(root.entity_id) else access.OWN_HOSTS
        key = (root.plugin_id, restrict, _statuses(status), ctx.page(first, after, last, before))
        return Connection.of(await ctx.loaders.plugin_binding_pages.load(key))

    @strawberry.field(description="The plugin's events you may see, oldest first.")
    async def events(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[PluginEvent]:
        ctx = info.context
        scope = access.event_scope(ctx.me, root.entity_id)
        page = await ctx.loaders.plugin_event_pages.load((root.plugin_id, scope, ctx.page(first, after)))
        return Connection.of(page)


@strawberry.type(name="ResolvedPluginVersion", description="The version a host loads in a scene, and why.")
class ResolvedPluginVersion:
    plugin: Plugin = strawberry.field(description="The plugin.")
    mini_program: MiniProgram = strawberry.field(description="The host.")
    scene: enums.Scene = strawberry.field(description="The scene asked about.")
    source: enums.ResolutionSource = strawberry.field(description="Which rule chose the version.")
    version: PluginVersion = strawberry.field(description="The version to load.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, resolution.Resolved)


@strawberry.type(name="PluginUnavailable", description="The host has nothing of the plugin to load, and why.")
class PluginUnavailable:
    reason: enums.UnavailableReason = strawberry.field(description="Why not.")
    message: str = strawberry.field(description="The same, for a person.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, resolution.PluginUnavailable)


PluginVersionResolution = Annotated[
    ResolvedPluginVersion | PluginUnavailable,
    strawberry.union("PluginVersionResolution", description="A version to load, or why there is none."),
]

NODE_TYPES: dict[str, type[ModelNode]] = {
    t.__strawberry_definition__.name: t  # type: ignore[attr-defined]
    for t in (Entity, Account, MiniProgram, Plugin, PluginVersion, PluginEvent, DebugBinding, PluginOrder)
}

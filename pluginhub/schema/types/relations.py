"""How hosts meet plugins: joint-debugging bindings and orders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from ... import models
from .. import enums
from ..context import Info
from .accounts import Account
from .base import ModelNode, owned_id

if TYPE_CHECKING:
    from .mini_programs import MiniProgram
    from .plugins import Plugin

LazyPlugin = Annotated["Plugin", strawberry.lazy("pluginhub.schema.types.plugins")]
LazyMiniProgram = Annotated["MiniProgram", strawberry.lazy("pluginhub.schema.types.mini_programs")]


@strawberry.type(name="DebugAuthorization", description="Who authorized a joint-debugging binding, and its token.")
class DebugAuthorization:
    id: strawberry.ID = strawberry.field(
        description="Stable for the binding's authorization, so client caches can keep it."
    )
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
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> LazyPlugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The host mini-program.")
    async def mini_program(self, root: strawberry.Parent[Any], info: Info) -> LazyMiniProgram:
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
            id=owned_id("DebugAuthorization", root.pk),
            authorized_at=root.authorized_at,
            same_entity=root.same_entity,
            token=root.token,
            _authorized_by_id=root.authorized_by_id,
        )


@strawberry.type(
    name="PluginOrder", description="A host mini-program's order of a plugin: what production loading needs."
)
class PluginOrder(ModelNode):
    model: ClassVar = models.PluginOrder
    status: enums.OrderStatus = strawberry.field(description="Whether the order is in force.")
    ordered_at: datetime = strawberry.field(description="When it was placed.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")

    @strawberry.field(description="The plugin ordered.")
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> LazyPlugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The host that ordered it.")
    async def mini_program(self, root: strawberry.Parent[Any], info: Info) -> LazyMiniProgram:
        return await info.context.loaders.mini_program.load(root.mini_program_id)

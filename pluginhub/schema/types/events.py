"""The event log as clients read it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from ... import models
from ...resolvers.loaders import EVENT_ORDER
from .. import enums
from ..context import Info
from .accounts import Account
from .base import ModelNode

if TYPE_CHECKING:
    from .plugins import Plugin
    from .relations import DebugBinding, PluginOrder
    from .versions import PluginVersion

LazyPlugin = Annotated["Plugin", strawberry.lazy("pluginhub.schema.types.plugins")]
LazyVersion = Annotated["PluginVersion", strawberry.lazy("pluginhub.schema.types.versions")]
LazyBinding = Annotated["DebugBinding", strawberry.lazy("pluginhub.schema.types.relations")]
LazyOrder = Annotated["PluginOrder", strawberry.lazy("pluginhub.schema.types.relations")]


@strawberry.type(name="PluginEvent", description="One recorded change to a plugin, its versions, bindings or orders.")
class PluginEvent(ModelNode):
    model: ClassVar = models.PluginEvent
    kind: enums.PluginEventKind = strawberry.field(description="What happened.")
    from_status: str | None = strawberry.field(description="The status before the change, when a status changed.")
    to_status: str | None = strawberry.field(description="The status after the change, when a status changed.")
    reason: str | None = strawberry.field(description="Why, or what changed, in words.")
    occurred_at: datetime = strawberry.field(description="When it was committed.")

    @strawberry.field(description="`fromStatus` typed, when the event is about a version.")
    def from_version_status(self, root: strawberry.Parent[Any]) -> enums.VersionStatus | None:
        return _typed(root, root.from_status, "version")

    @strawberry.field(description="`toStatus` typed, when the event is about a version.")
    def to_version_status(self, root: strawberry.Parent[Any]) -> enums.VersionStatus | None:
        return _typed(root, root.to_status, "version")

    @strawberry.field(description="`fromStatus` typed, when the event is about a debug binding.")
    def from_binding_status(self, root: strawberry.Parent[Any]) -> enums.DebugBindingStatus | None:
        return _typed(root, root.from_status, "binding")

    @strawberry.field(description="`toStatus` typed, when the event is about a debug binding.")
    def to_binding_status(self, root: strawberry.Parent[Any]) -> enums.DebugBindingStatus | None:
        return _typed(root, root.to_status, "binding")

    @strawberry.field(description="`fromStatus` typed, when the event is about an order.")
    def from_order_status(self, root: strawberry.Parent[Any]) -> enums.OrderStatus | None:
        return _typed(root, root.from_status, "order")

    @strawberry.field(description="`toStatus` typed, when the event is about an order.")
    def to_order_status(self, root: strawberry.Parent[Any]) -> enums.OrderStatus | None:
        return _typed(root, root.to_status, "order")

    @strawberry.field(
        description="Where the event stands in the log; pass it as `after` to `events` or to a subscription to resume."
    )
    def cursor(self, root: strawberry.Parent[Any]) -> str:
        return EVENT_ORDER.cursor(root)

    @strawberry.field(description="The plugin the event belongs to.")
    async def plugin(self, root: strawberry.Parent[Any], info: Info) -> LazyPlugin:
        return await info.context.loaders.plugin.load(root.plugin_id)

    @strawberry.field(description="The version concerned, if any (null once that version is deleted).")
    async def version(self, root: strawberry.Parent[Any], info: Info) -> LazyVersion | None:
        if root.version_id is None:
            return None
        return await info.context.loaders.version.load(root.version_id)

    @strawberry.field(description="The debug binding concerned, if any.")
    async def debug_binding(self, root: strawberry.Parent[Any], info: Info) -> LazyBinding | None:
        if root.debug_binding_id is None:
            return None
        return await info.context.loaders.binding.load(root.debug_binding_id)

    @strawberry.field(description="The order concerned, if any.")
    async def order(self, root: strawberry.Parent[Any], info: Info) -> LazyOrder | None:
        if root.order_id is None:
            return None
        return await info.context.loaders.order.load(root.order_id)

    @strawberry.field(description="The account that made the change, if it still exists.")
    async def actor(self, root: strawberry.Parent[Any], info: Info) -> Account | None:
        if root.actor_id is None:
            return None
        return await info.context.loaders.account.load(root.actor_id)


SUBJECT_STATUS: dict[str, type[Any]] = {
    "order": models.OrderStatus,
    "binding": models.DebugBindingStatus,
    "version": models.VersionStatus,
}


def _typed(root: Any, value: str | None, subject: str) -> Any:
    """The status string as its enum, when the event's subject is `subject`: an order's
    event names its order, a binding's its binding; the others are a version's."""
    actual = "order" if root.order_id is not None else "binding" if root.debug_binding_id is not None else "version"
    if value is None or actual != subject:
        return None
    enum = SUBJECT_STATUS[subject]
    return enum(value) if value in enum._value2member_map_ else None

"""Host mini-programs and the lists of their bindings and orders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

import strawberry

from ... import models
from ...resolvers import access
from .. import enums
from ..arguments import After, Before, First, Last
from ..connections import Connection
from ..context import Info
from .accounts import Entity
from .base import ModelNode, statuses
from .relations import DebugBinding, PluginOrder


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
        side = access.host_side(ctx.me, root.entity_id)
        key = (root.app_id, side, statuses(status), ctx.page(first, after, last, before))
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
        side = access.host_side(ctx.me, root.entity_id)
        key = (root.app_id, side, statuses(status), ctx.page(first, after, last, before))
        return Connection.of(await ctx.loaders.host_order_pages.load(key))

"""Plugins: the public face, and for owners and reviewers the versions and history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

import strawberry

from ... import models
from ...resolvers import access, identifiers
from ...resolvers.event_filters import EventFilter
from ...resolvers.pagination import empty_page
from ...resolvers.viewer import Party
from .. import enums, ids
from ..arguments import After, Before, First, Last
from ..connections import Connection
from ..context import Info
from .accounts import Entity
from .base import ModelNode, statuses
from .events import PluginEvent
from .plugin_users import PluginHost, VersionAdoption
from .relations import DebugBinding, PluginOrder
from .versions import PluginVersion
from .webhooks import Webhook


async def _slot(plugin: Any, info: Info, name: str) -> Any:
    """One of the versions a plugin has at most one of, if the viewer may see that place."""
    if not access.slot_visible(info.context.me, plugin, name):
        return None
    return (await info.context.loaders.slots.load(plugin.plugin_id)).get(name)


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
        sees_all = access.sees_all_versions(ctx.me, root)
        key = (root.plugin_id, sees_all, statuses(status), ctx.page(first, after, last, before))
        return Connection.of(await ctx.loaders.version_pages.load(key))

    @strawberry.field(description="One version by its number, if you may see it.")
    async def version(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        version: Annotated[str, strawberry.argument(description="The version number, e.g. 1.2.0.")],
    ) -> PluginVersion | None:
        number = identifiers.check_query_version(version)
        row = await info.context.loaders.version_by_number.load((root.plugin_id, number))
        if row is None or not access.version_visible(info.context.me, root, row):
            return None
        return row

    @strawberry.field(description="The version hosts load in production, if any.")
    async def online_version(self, root: strawberry.Parent[Any], info: Info) -> PluginVersion | None:
        return await _slot(root, info, "online")

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
        side = access.plugin_side(ctx.me, root.entity_id)
        key = (root.plugin_id, side, statuses(status), ctx.page(first, after, last, before))
        return Connection.of(await ctx.loaders.plugin_binding_pages.load(key))

    @strawberry.field(description="The plugin's events you may see, oldest first, optionally filtered.")
    async def events(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        kinds: Annotated[
            list[enums.PluginEventKind] | None, strawberry.argument(description="Only events of these kinds.")
        ] = None,
        actor_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only events made by this account (its id).")
        ] = None,
        since: Annotated[
            datetime | None, strawberry.argument(description="Only events that occurred at or after this time.")
        ] = None,
        until: Annotated[
            datetime | None, strawberry.argument(description="Only events that occurred before this time.")
        ] = None,
    ) -> Connection[PluginEvent]:
        ctx = info.context
        side = access.plugin_side(ctx.me, root.entity_id)
        actor = None if actor_id is None else ids.query_key_of(actor_id, "Account", "actorId")
        only = EventFilter.checked([k.value for k in kinds or []], actor, since, until)
        page = await ctx.loaders.plugin_event_pages.load((root.plugin_id, side, only, ctx.page(first, after)))
        return Connection.of(page)

    @strawberry.field(
        description="Hosts bound to or ordering the plugin, by appId, with what each loads in RELEASE now "
        "(owners only; empty for anyone else)."
    )
    async def hosts(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        relation: Annotated[
            list[enums.HostRelation] | None, strawberry.argument(description="Only hosts with these relations.")
        ] = None,
    ) -> Connection[PluginHost]:  # type: ignore[type-var]
        ctx = info.context
        args = ctx.page(first, after, last, before)
        if not access.sees_plugin_users(ctx.me, root):
            return Connection.of(empty_page(args))
        return Connection.of(await ctx.loaders.host_pages.load((root.plugin_id, statuses(relation), args)))

    @strawberry.field(description="The plugin's orders, newest first (owners only; empty for anyone else).")
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
        args = ctx.page(first, after, last, before)
        if not access.sees_plugin_users(ctx.me, root):
            return Connection.of(empty_page(args))
        key = (root.plugin_id, Party.PLUGIN_OWNER, statuses(status), args)
        return Connection.of(await ctx.loaders.plugin_order_pages.load(key))

    @strawberry.field(
        description="For the GRAY and the ONLINE version, how many ordered hosts load it in RELEASE now "
        "(owners only; empty for anyone else)."
    )
    async def adoption(self, root: strawberry.Parent[Any], info: Info) -> list[VersionAdoption]:
        ctx = info.context
        if not access.sees_plugin_users(ctx.me, root):
            return []
        return await ctx.loaders.adoption.load(root.plugin_id)

    @strawberry.field(description="The plugin's webhooks, newest first (owners only; empty for anyone else).")
    async def webhooks(
        self,
        root: strawberry.Parent[Any],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Webhook]:
        ctx = info.context
        args = ctx.page(first, after, last, before)
        if not access.sees_plugin_users(ctx.me, root):
            return Connection.of(empty_page(args))
        return Connection.of(await ctx.loaders.webhook_pages.load((root.plugin_id, args)))

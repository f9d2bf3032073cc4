"""Queries: entry points into the graph, each filtered to what the viewer may see."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from ..models import Scene as DomainScene
from ..resolvers import nodes, plugins, resolution
from ..resolvers.errors import RequestCode, RequestError
from . import ids
from .arguments import After, AppId, Before, DebugToken, First, Last, PluginId, SceneArg
from .connections import Connection
from .context import Info
from .types import NODE_TYPES, Account, MiniProgram, Plugin, PluginVersion, PluginVersionResolution


async def _node(info: Info, raw: str) -> relay.Node | None:
    gid = ids.parse(raw)
    if gid is None:
        raise RequestError(RequestCode.VALIDATION, f"{raw!r} is not a valid id")
    if gid.type_name not in NODE_TYPES:
        return None
    return await nodes.find_node(info.context.me, gid.type_name, gid.node_id)


@strawberry.type(description="Everything that reads data. Every field but introspection needs a bearer token.")
class Query:
    @strawberry.field(description="Any object by its global id, if you may see it.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")]
    ) -> relay.Node | None:
        return await _node(info, id)

    @strawberry.field(description="Several objects by global id, in the same order; null where not visible.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids, at most 100.")],
    ) -> list[relay.Node | None]:
        if len(ids) > info.context.settings.max_page_size:
            raise RequestError(RequestCode.VALIDATION, f"at most {info.context.settings.max_page_size} ids")
        return [await _node(info, raw) for raw in ids]

    @strawberry.field(description="The account the token belongs to.")
    async def viewer(self, info: Info) -> Account:
        return await info.context.loaders.account.load(info.context.me.account_id)

    @strawberry.field(description="A plugin by its 16-digit pluginId, if you may see it.")
    async def plugin(
        self, info: Info, plugin_id: Annotated[str, strawberry.argument(description="16 decimal digits.")]
    ) -> Plugin | None:
        return await plugins.plugin(info.context.me, plugin_id)

    @strawberry.field(
        description="Plugins you may see (your own, listed ones, and those your hosts debug or ordered), newest first."
    )
    async def plugins(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Case-insensitive text in the name or description, or an exact pluginId."),
        ] = None,
    ) -> Connection[Plugin]:
        ctx = info.context
        return Connection.of(await plugins.plugins(ctx.me, ctx.page(first, after, last, before), search))

    @strawberry.field(description="One of your entity's mini-programs by its 16-digit appId.")
    async def mini_program(
        self, info: Info, app_id: Annotated[str, strawberry.argument(description="16 decimal digits.")]
    ) -> MiniProgram | None:
        return await plugins.mini_program(info.context.me, app_id)

    @strawberry.field(description="Your entity's mini-programs, newest first.")
    async def mini_programs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[MiniProgram]:
        ctx = info.context
        return Connection.of(await plugins.mini_programs(ctx.me, ctx.page(first, after, last, before)))

    @strawberry.field(description="Versions waiting for review, oldest submission first (reviewers only).")
    async def review_queue(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[PluginVersion]:
        ctx = info.context
        return Connection.of(await plugins.review_queue(ctx.me, ctx.page(first, after)))

    @strawberry.field(
        description="Which version of a plugin a host loads in a scene: for the host's owner, or for anyone "
        "passing the binding's authorization token as debugToken."
    )
    async def resolve_plugin_version(
        self,
        info: Info,
        app_id: AppId,
        plugin_id: PluginId,
        scene: SceneArg,
        debug_token: DebugToken = None,
    ) -> PluginVersionResolution:
        return await resolution.resolve_plugin_version(
            info.context.me,
            app_id=app_id,
            plugin_id=plugin_id,
            scene=DomainScene(scene.value),
            debug_token=debug_token,
        )

"""Subscriptions: event streams and the live version resolution.

The account comes from the `connection_init` payload (see http.view.GraphQLView.on_ws_connect).
Each message is resolved with fresh DataLoaders, so a long-lived connection
never serves data cached from an earlier message.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError

from ..models import Scene as DomainScene
from ..resolvers import streams
from ..resolvers.errors import RequestError
from .arguments import AppId, DebugToken, PluginId, SceneArg
from .context import Info, Loaders
from .types import PluginEvent, PluginVersionResolution

AFTER = strawberry.argument(
    description="Resume after this event cursor; omit it to replay every visible event from the start."
)


async def _relay(info: Info, source: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
    try:
        async for item in source:
            info.context.loaders = Loaders(info.context.viewer)
            yield item
    except RequestError as exc:
        raise GraphQLError(exc.message, extensions={"code": exc.code}) from None


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws or graphql-ws).")
class Subscription:
    @strawberry.subscription(
        description="Every event of a plugin you may see: first those after `after`, then each new one as it "
        "is committed, in order, without gaps or repeats."
    )
    async def plugin_events(
        self,
        info: Info,
        plugin_id: PluginId,
        after: Annotated[str | None, AFTER] = None,
    ) -> AsyncGenerator[PluginEvent, None]:
        ctx = info.context
        source = streams.plugin_events(ctx.me, ctx.feed, plugin_id, after)
        async for event in _relay(info, source):
            yield event

    @strawberry.subscription(
        description="The events of the debug bindings and orders of one of your mini-programs: first those "
        "after `after`, then each new one, in order."
    )
    async def mini_program_events(
        self,
        info: Info,
        app_id: Annotated[str, strawberry.argument(description="Your mini-program's 16-digit appId.")],
        after: Annotated[str | None, AFTER] = None,
    ) -> AsyncGenerator[PluginEvent, None]:
        ctx = info.context
        source = streams.mini_program_events(ctx.me, ctx.feed, app_id, after)
        async for event in _relay(info, source):
            yield event

    @strawberry.subscription(
        description="The version a host loads in a scene: the answer now, then a new one each time it changes."
    )
    async def resolved_version(
        self,
        info: Info,
        app_id: AppId,
        plugin_id: PluginId,
        scene: SceneArg,
        debug_token: DebugToken = None,
    ) -> AsyncGenerator[PluginVersionResolution, None]:
        ctx = info.context
        source = streams.resolved_version(
            ctx.me,
            ctx.feed,
            app_id=app_id,
            plugin_id=plugin_id,
            scene=DomainScene(scene.value),
            debug_token=debug_token,
        )
        async for result in _relay(info, source):
            yield result

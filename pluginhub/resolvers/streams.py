"""The event streams behind the subscriptions: replay, then follow live.

A stream keeps its own cursor and reads the log after it whenever it is
woken (and every poll interval), so events committed while the replay runs,
or while a notification was lost, are still read once and in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Protocol

from tortoise.expressions import Q

from ..models import PluginEvent, Scene
from . import access
from .errors import RequestCode, RequestError
from .identifiers import check_query_id
from .loaders import EVENT_ORDER
from .resolution import PluginUnavailable, Resolved, resolve
from .viewer import Party, Viewer

BATCH = 100


class Wakeup(Protocol):
    def clear(self) -> None: ...

    async def wait(self) -> None: ...


class Feed(Protocol):
    """What a stream needs from the connection it serves."""

    def listen(self) -> AbstractContextManager[Wakeup]:
        """Register with the process's notifier (see pluginhub.delivery)."""

    async def check(self) -> None:
        """Raise if the subscriber may no longer receive (its token was revoked)."""


def start_cursor(after: str | None) -> int:
    """No cursor: replay the whole visible log."""
    return 0 if after is None else EVENT_ORDER.decode(after, PluginEvent)[0]


async def follow(feed: Feed, visible: Callable[[], Awaitable[Q]], cursor: int) -> AsyncIterator[PluginEvent]:
    """`visible` is asked again at every read: what a viewer may see can grow
    while it listens (a host created after subscribing, say)."""
    with feed.listen() as wakeup:
        while True:
            wakeup.clear()
            await feed.check()
            batch = await PluginEvent.filter(await visible(), id__gt=cursor).order_by("id").limit(BATCH)
            for event in batch:
                cursor = event.id
                yield event
            if len(batch) < BATCH:
                await wakeup.wait()


async def plugin_events(viewer: Viewer, feed: Feed, plugin_id: str, after: str | None) -> AsyncIterator[PluginEvent]:
    plugin = await access.visible_plugin(viewer, check_query_id(plugin_id, "pluginId"))
    if plugin is None:
        raise RequestError(RequestCode.NOT_FOUND, "no such plugin visible to you")
    cursor = start_cursor(after)
    side = access.plugin_side(viewer, plugin.entity_id)

    async def visible() -> Q:
        app_ids = await access.own_app_ids(viewer) if side != Party.PLUGIN_OWNER else []
        return Q(access.event_filter(side, app_ids), plugin_id=plugin_id)

    async for event in follow(feed, visible, cursor):
        yield event


async def mini_program_events(viewer: Viewer, feed: Feed, app_id: str, after: str | None) -> AsyncIterator[PluginEvent]:
    """The events of the bindings and orders of one of the viewer's own hosts."""
    if await access.visible_mini_program(viewer, check_query_id(app_id, "appId")) is None:
        raise RequestError(RequestCode.NOT_FOUND, "no such mini-program of yours")
    cursor = start_cursor(after)

    async def visible() -> Q:
        return Q(mini_program_id=app_id)

    async for event in follow(feed, visible, cursor):
        yield event


def _signature(result: Resolved | PluginUnavailable) -> tuple[object, ...]:
    if isinstance(result, Resolved):
        return ("resolved", result.source, result.version.id)
    return ("unavailable", result.reason)


async def resolved_version(
    viewer: Viewer,
    feed: Feed,
    *,
    app_id: str,
    plugin_id: str,
    scene: Scene,
    debug_token: str | None,
) -> AsyncIterator[Resolved | PluginUnavailable]:
    """The resolution now, then again each time the answer changes.

    Any event of the plugin may change it, so each one triggers a new
    resolution; only a different answer is sent. A caller admitted by a
    debug token is cut off when that token dies (the binding is unbound).
    """
    mini_program, plugin = await access.authorize_resolution(viewer, app_id, plugin_id, debug_token)
    by_token = not viewer.owns(mini_program.entity_id)
    cursor = await _newest_event_id(plugin_id)
    sent: tuple[object, ...] | None = None
    with feed.listen() as wakeup:
        while True:
            wakeup.clear()
            await feed.check()
            if by_token and not await access.binding_for_debug_token(debug_token or "", plugin_id, app_id):
                raise RequestError(RequestCode.FORBIDDEN, "the debug token stopped working: the binding was unbound")
            result = await resolve(mini_program, plugin, scene)
            if _signature(result) != sent:
                sent = _signature(result)
                yield result
            while (newest := await _newest_event_id(plugin_id)) <= cursor:
                await wakeup.wait()
                wakeup.clear()
                await feed.check()
            cursor = newest


async def _newest_event_id(plugin_id: str) -> int:
    newest = await PluginEvent.filter(plugin_id=plugin_id).order_by("-id").first()
    return newest.id if newest else 0

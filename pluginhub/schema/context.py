"""What every resolver gets: the viewer, the settings, the store, the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from ..config import Settings
from ..delivery import Notifier, Wakeup
from ..models import Account, DebugBinding, Entity, MiniProgram, Plugin, PluginEvent, PluginOrder
from ..packages import PackageStore
from ..resolvers import loaders, plugin_users, webhooks
from ..resolvers.accounts import authenticate
from ..resolvers.errors import RequestCode, RequestError
from ..resolvers.pagination import PageArgs
from ..resolvers.viewer import Viewer

SIGN_IN = "sign in with an `Authorization: Bearer <token>` header"


class SharedLoader(DataLoader[Any, Any]):
    """A DataLoader whose answers outlive any one field waiting for them.

    Several fields that ask for the same key share one future. graphql-core
    cancels the pending siblings of a field that fails (`gather_with_cancel`),
    and cancelling a task cancels the future it awaits: without the shield a
    sibling's error would cancel the shared answer under every other field
    waiting for it, and the request would end in a CancelledError.
    """

    def load(self, key: Any) -> Awaitable[Any]:
        return asyncio.shield(super().load(key))


ViewerBatch = Callable[[Viewer, Sequence[Any]], Awaitable[Sequence[Any]]]


def _as(viewer: Viewer | None, batch: ViewerBatch) -> Callable[[Sequence[Any]], Awaitable[Sequence[Any]]]:
    """A batch function that reads as `viewer`; signed out, it refuses."""

    async def load(keys: Sequence[Any]) -> Sequence[Any]:
        if viewer is None:
            raise RequestError(RequestCode.UNAUTHENTICATED, SIGN_IN)
        return await batch(viewer, keys)

    return load


class Loaders:
    """One set per request, so nothing cached outlives the request that saw it.

    They hold ORM rows, which the schema's types resolve from: hence `Any`.
    """

    def __init__(self, viewer: Viewer | None) -> None:
        self.entity: SharedLoader = SharedLoader(load_fn=partial(loaders.by_pk, Entity))
        self.account: SharedLoader = SharedLoader(load_fn=partial(loaders.by_pk, Account))
        self.plugin: SharedLoader = SharedLoader(load_fn=partial(loaders.by_pk, Plugin))
        self.mini_program: SharedLoader = SharedLoader(load_fn=partial(loaders.by_pk, MiniProgram))
        self.version: SharedLoader = SharedLoader(load_fn=loaders.live_versions)
        self.version_by_number: SharedLoader = SharedLoader(load_fn=loaders.versions_by_number)
        self.slots: SharedLoader = SharedLoader(load_fn=loaders.slots)
        self.version_pages: SharedLoader = SharedLoader(load_fn=loaders.version_pages)
        self.binding: SharedLoader = SharedLoader(load_fn=partial(loaders.by_pk, DebugBinding))
        self.order: SharedLoader = SharedLoader(load_fn=partial(loaders.by_pk, PluginOrder))
        self.plugin_event_pages: SharedLoader = SharedLoader(load_fn=_as(viewer, loaders.plugin_event_pages))
        self.version_event_pages: SharedLoader = SharedLoader(load_fn=_as(viewer, loaders.version_event_pages))
        self.plugin_binding_pages: SharedLoader = SharedLoader(load_fn=_as(viewer, loaders.plugin_binding_pages))
        self.host_binding_pages: SharedLoader = SharedLoader(load_fn=_as(viewer, loaders.host_binding_pages))
        self.host_order_pages: SharedLoader = SharedLoader(load_fn=_as(viewer, loaders.host_order_pages))
        self.plugin_order_pages: SharedLoader = SharedLoader(load_fn=_as(viewer, loaders.plugin_order_pages))
        self.host_pages: SharedLoader = SharedLoader(load_fn=plugin_users.host_pages)
        self.adoption: SharedLoader = SharedLoader(load_fn=plugin_users.adoptions)
        self.event: SharedLoader = SharedLoader(load_fn=partial(loaders.by_pk, PluginEvent))
        self.webhook_pages: SharedLoader = SharedLoader(load_fn=webhooks.webhook_pages)
        self.delivery_pages: SharedLoader = SharedLoader(load_fn=webhooks.delivery_pages)


@dataclass
class Feed:
    """A WebSocket connection as the event streams see it."""

    notifier: Notifier
    token: str | None

    def listen(self) -> AbstractContextManager[Wakeup]:
        return self.notifier.listen()

    async def check(self) -> None:
        """A token revoked while the connection is open ends its subscriptions."""
        if self.token is None or await authenticate(self.token) is None:
            raise RequestError(RequestCode.UNAUTHENTICATED, "the token was revoked")


@dataclass
class Context:
    settings: Settings
    store: PackageStore
    notifier: Notifier
    viewer: Viewer | None
    request_id: str
    base_url: str
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None  # a WebSocket's connection_init payload
    token: str | None = None  # the bearer token the viewer signed in with
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.viewer)

    @property
    def feed(self) -> Feed:
        return Feed(self.notifier, self.token)

    @property
    def me(self) -> Viewer:
        """The viewer, for resolvers that only run once authentication passed."""
        if self.viewer is None:
            raise RequestError(RequestCode.UNAUTHENTICATED, SIGN_IN)
        return self.viewer

    def page(
        self, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> PageArgs:
        return PageArgs.checked(
            first,
            after,
            last,
            before,
            default_size=self.settings.default_page_size,
            max_size=self.settings.max_page_size,
        )


Info = StrawberryInfo[Context, None]

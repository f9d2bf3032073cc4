"""What every resolver gets: the viewer, the settings, the store, the loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from ..config import Settings
from ..delivery import Notifier, Wakeup
from ..models import Account, DebugBinding, Entity, MiniProgram, Plugin, PluginOrder
from ..packages import PackageStore
from ..resolvers import loaders
from ..resolvers.accounts import authenticate
from ..resolvers.errors import RequestCode, RequestError
from ..resolvers.pagination import PageArgs
from ..resolvers.viewer import Viewer

SIGN_IN = "sign in with an `Authorization: Bearer <token>` header"


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
        self.entity: DataLoader[Any, Any] = DataLoader(load_fn=partial(loaders.by_pk, Entity))
        self.account: DataLoader[Any, Any] = DataLoader(load_fn=partial(loaders.by_pk, Account))
        self.plugin: DataLoader[Any, Any] = DataLoader(load_fn=partial(loaders.by_pk, Plugin))
        self.mini_program: DataLoader[Any, Any] = DataLoader(load_fn=partial(loaders.by_pk, MiniProgram))
        self.version: DataLoader[Any, Any] = DataLoader(load_fn=loaders.live_versions)
        self.version_by_number: DataLoader[Any, Any] = DataLoader(load_fn=loaders.versions_by_number)
        self.slots: DataLoader[Any, Any] = DataLoader(load_fn=loaders.slots)
        self.version_pages: DataLoader[Any, Any] = DataLoader(load_fn=loaders.version_pages)
        self.binding: DataLoader[Any, Any] = DataLoader(load_fn=partial(loaders.by_pk, DebugBinding))
        self.order: DataLoader[Any, Any] = DataLoader(load_fn=partial(loaders.by_pk, PluginOrder))
        self.plugin_event_pages: DataLoader[Any, Any] = DataLoader(load_fn=_as(viewer, loaders.plugin_event_pages))
        self.version_event_pages: DataLoader[Any, Any] = DataLoader(load_fn=_as(viewer, loaders.version_event_pages))
        self.plugin_binding_pages: DataLoader[Any, Any] = DataLoader(load_fn=_as(viewer, loaders.plugin_binding_pages))
        self.host_binding_pages: DataLoader[Any, Any] = DataLoader(load_fn=_as(viewer, loaders.host_binding_pages))
        self.host_order_pages: DataLoader[Any, Any] = DataLoader(load_fn=_as(viewer, loaders.host_order_pages))


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

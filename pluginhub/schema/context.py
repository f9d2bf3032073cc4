"""What every resolver gets: the viewer, the settings, the store, the loaders."""

from __future__ import annotations

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
from ..resolvers.errors import RequestError
from ..resolvers.pagination import PageArgs
from ..resolvers.viewer import Viewer


class Loaders:
    """One set per request, so nothing cached outlives the request that saw it."""

    def __init__(self, viewer: Viewer | None) -> None:
        self.entity = DataLoader(load_fn=partial(loaders.by_pk, Entity))
        self.account = DataLoader(load_fn=partial(loaders.by_pk, Account))
        self.plugin = DataLoader(load_fn=partial(loaders.by_pk, Plugin))
        self.mini_program = DataLoader(load_fn=partial(loaders.by_pk, MiniProgram))
        self.version = DataLoader(load_fn=loaders.live_versions)
        self.version_by_number = DataLoader(load_fn=loaders.versions_by_number)
        self.slots = DataLoader(load_fn=loaders.slots)
        self.version_pages = DataLoader(load_fn=loaders.version_pages)
        self.plugin_event_pages = DataLoader(load_fn=partial(loaders.plugin_event_pages, viewer))
        self.version_event_pages = DataLoader(load_fn=partial(loaders.version_event_pages, viewer))
        self.binding = DataLoader(load_fn=partial(loaders.by_pk, DebugBinding))
        self.order = DataLoader(load_fn=partial(loaders.by_pk, PluginOrder))
        self.plugin_binding_pages = DataLoader(load_fn=partial(loaders.plugin_binding_pages, viewer))
        self.host_binding_pages = DataLoader(load_fn=partial(loaders.host_binding_pages, viewer))
        self.host_order_pages = DataLoader(load_fn=partial(loaders.host_order_pages, viewer))


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
            raise RequestError("UNAUTHENTICATED", "the token was revoked")


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
            raise RequestError("UNAUTHENTICATED", "sign in with an `Authorization: Bearer <token>` header")
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

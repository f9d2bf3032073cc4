"""Who uses a plugin: its hosts, what each loads, and how many load each version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from ...resolvers.plugin_users import Adoption, Host
from ...resolvers.resolution import Unavailable
from .. import enums
from ..context import Info
from .relations import DebugBinding, PluginOrder
from .versions import PluginVersion

if TYPE_CHECKING:
    from .mini_programs import MiniProgram

LazyMiniProgram = Annotated["MiniProgram", strawberry.lazy("pluginhub.schema.types.mini_programs")]


@strawberry.type(
    name="PluginHost",
    description="A host that has an ACTIVE order of the plugin or an AUTHORIZED binding with it (owners only).",
)
class PluginHost:
    @strawberry.field(description="The host's public face: appId, name, entity.")
    async def mini_program(self, root: strawberry.Parent[Host], info: Info) -> LazyMiniProgram:
        return await info.context.loaders.mini_program.load(root.app_id)

    @strawberry.field(description="Whether it is bound, ordered or both.")
    def relation(self, root: strawberry.Parent[Host]) -> enums.HostRelation:
        return root.relation

    @strawberry.field(description="Its ACTIVE order, if any.")
    def order(self, root: strawberry.Parent[Host]) -> PluginOrder | None:
        return root.order

    @strawberry.field(description="Its AUTHORIZED joint-debugging binding, if any.")
    def debug_binding(self, root: strawberry.Parent[Host]) -> DebugBinding | None:
        return root.binding

    @strawberry.field(
        description="The version it loads in RELEASE now, by the rules of resolvePluginVersion; "
        "null when it loads nothing (not ordered, or nothing online)."
    )
    def release_version(self, root: strawberry.Parent[Host]) -> PluginVersion | None:
        return None if isinstance(root.release, Unavailable) else root.release[1]

    @strawberry.field(description="Why it loads that version (GRAY or ONLINE); null when it loads nothing.")
    def release_source(self, root: strawberry.Parent[Host]) -> enums.ResolutionSource | None:
        return None if isinstance(root.release, Unavailable) else root.release[0]


@strawberry.type(name="VersionAdoption", description="How many ordered hosts load a version in RELEASE now.")
class VersionAdoption:
    @strawberry.field(description="The version.")
    def version(self, root: strawberry.Parent[Adoption]) -> PluginVersion:
        return root.version

    @strawberry.field(description="GRAY: the hosts in its rollout; ONLINE: every other ordered host.")
    def source(self, root: strawberry.Parent[Adoption]) -> enums.ResolutionSource:
        return root.source

    @strawberry.field(description="Ordered hosts that load it in RELEASE now.")
    def host_count(self, root: strawberry.Parent[Adoption]) -> int:
        return root.host_count

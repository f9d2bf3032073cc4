"""Which version a host loads: a version, or why there is none."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from ...resolvers import resolution
from .. import enums
from .mini_programs import MiniProgram
from .plugins import Plugin
from .versions import PluginVersion


@strawberry.type(name="ResolvedPluginVersion", description="The version a host loads in a scene, and why.")
class ResolvedPluginVersion:
    plugin: Plugin = strawberry.field(description="The plugin.")
    mini_program: MiniProgram = strawberry.field(description="The host.")
    scene: enums.Scene = strawberry.field(description="The scene asked about.")
    source: enums.ResolutionSource = strawberry.field(description="Which rule chose the version.")
    version: PluginVersion = strawberry.field(description="The version to load.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, resolution.Resolved)


@strawberry.type(name="PluginUnavailable", description="The host has nothing of the plugin to load, and why.")
class PluginUnavailable:
    reason: enums.UnavailableReason = strawberry.field(description="Why not.")
    message: str = strawberry.field(description="The same, for a person.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, resolution.PluginUnavailable)


PluginVersionResolution = Annotated[
    ResolvedPluginVersion | PluginUnavailable,
    strawberry.union("PluginVersionResolution", description="A version to load, or why there is none."),
]

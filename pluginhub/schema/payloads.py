"""Mutation payloads: the object after the change, or the rules the input broke."""

from __future__ import annotations

import strawberry

from . import enums
from .inputs import described
from .types import DebugBinding, MiniProgram, Plugin, PluginOrder, PluginVersion


@strawberry.type(name="UserError", description="A rule the request broke. Nothing was changed.")
class UserError:
    code: enums.ErrorCode = described("Machine-readable reason.")
    message: str = described("What went wrong, for a person.")
    field: list[str] | None = described('Path to the input field at fault, e.g. ["input", "version"].')


# ---------------------------------------------------------------- payloads


@strawberry.type(description="The created plugin, or why not.")
class CreatePluginPayload:
    plugin: Plugin | None = described("The new plugin; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke.")


@strawberry.type(description="The updated plugin, or why not.")
class UpdatePluginPayload:
    plugin: Plugin | None = described("The plugin after the change; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke.")


@strawberry.type(description="The created mini-program, or why not.")
class CreateMiniProgramPayload:
    mini_program: MiniProgram | None = described("The new mini-program; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke.")


@strawberry.type(description="A version after a change, or why it was refused.")
class VersionPayload:
    version: PluginVersion | None = described("The version after the change; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke; nothing changed.")


@strawberry.type(description="A plugin after a change, or why it was refused.")
class PluginPayload:
    plugin: Plugin | None = described("The plugin after the change; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke; nothing changed.")


@strawberry.type(description="A debug binding after a change, or why it was refused.")
class DebugBindingPayload:
    debug_binding: DebugBinding | None = described("The binding after the change; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke; nothing changed.")


@strawberry.type(description="An order after a change, or why it was refused.")
class OrderPayload:
    order: PluginOrder | None = described("The order after the change; null when userErrors is not empty.")
    user_errors: list[UserError] = described("Rules the input broke; nothing changed.")

"""Mutation inputs and payloads, and the one place a UserError becomes data."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from ..resolvers import errors
from . import enums
from .types import DebugBinding, MiniProgram, Plugin, PluginOrder, PluginVersion

P = TypeVar("P")


def described(text: str) -> Any:
    return strawberry.field(description=text)


def optional(text: str) -> Any:
    return strawberry.field(description=text, default=strawberry.UNSET)


@strawberry.type(name="UserError", description="A rule the request broke. Nothing was changed.")
class UserError:
    code: enums.ErrorCode = described("Machine-readable reason.")
    message: str = described("What went wrong, for a person.")
    field: list[str] | None = described("Path to the input field at fault, e.g. [\"input\", \"version\"].")


async def attempt(payload: Callable[..., P], work: Awaitable[Any]) -> P:
    """Run a mutation; a broken rule comes back as `userErrors` with the object null.

    Every payload holds one object field beside `user_errors`.
    """
    (name,) = [f.name for f in dataclasses.fields(payload) if f.name != "user_errors"]  # type: ignore[arg-type]
    try:
        result = await work
    except errors.UserError as exc:
        user_error = UserError(code=enums.ErrorCode(exc.code.value), message=exc.message, field=exc.field)
        return payload(**{name: None, "user_errors": [user_error]})
    return payload(**{name: result, "user_errors": []})


def decode_id(raw: str, type_name: str, field: list[str]) -> int:
    """A Relay global id of the expected type, as its integer key."""
    try:
        gid = relay.GlobalID.from_id(raw)
    except Exception:
        raise errors.UserError(errors.ErrorCode.VALIDATION, f"{raw!r} is not a valid id", field) from None
    if gid.type_name != type_name or not gid.node_id.isdigit() or len(gid.node_id) > 18:
        raise errors.UserError(errors.ErrorCode.VALIDATION, f"expected the id of a {type_name}", field)
    return int(gid.node_id)


# ---------------------------------------------------------------- inputs


@strawberry.input(description="A new plugin.")
class CreatePluginInput:
    name: str = described("1-100 characters.")
    description: str = described("What the plugin does; at most 2000 characters.")


@strawberry.input(description="Changes to a plugin; omitted fields stay as they are.")
class UpdatePluginInput:
    plugin_id: str = described("The plugin's 16-digit pluginId.")
    name: str | None = optional("New name, 1-100 characters.")
    description: str | None = optional("New description, at most 2000 characters.")


@strawberry.input(description="A new host mini-program.")
class CreateMiniProgramInput:
    name: str = described("1-100 characters.")


@strawberry.input(description="A new version with its package (GraphQL multipart request).")
class UploadVersionInput:
    plugin_id: str = described("The plugin's 16-digit pluginId.")
    version: str = described("MAJOR.MINOR.PATCH, greater than every version that has been online.")
    description: str = described("What changed; at most 500 characters.")
    features: list[str] = described("Feature package names: 0-20, each 1-64 characters.")
    package: Upload = described("A zip archive with a plugin.json (a JSON object) at its root.")


@strawberry.input(description="Changes to a version in DEVELOPMENT or REJECTED; omitted fields stay.")
class UpdateVersionInput:
    version_id: strawberry.ID = described("The version's id.")
    description: str | None = optional("At most 500 characters.")
    features: list[str] | None = optional("0-20 names, each 1-64 characters.")


@strawberry.input(description="Send a version for review.")
class SubmitVersionInput:
    version_id: strawberry.ID = described("The version's id.")
    self_check_confirmed: bool = described("Must be true: you confirm the plugin passed the self-check list.")


@strawberry.input(description="Names one version.")
class VersionInput:
    version_id: strawberry.ID = described("The version's id.")


@strawberry.input(description="Turn a version down.")
class RejectVersionInput:
    version_id: strawberry.ID = described("The version's id.")
    reason: str = described("Why, 1-500 characters; the developer sees it as rejectReason.")


@strawberry.input(description="Start or widen a gray rollout; give a percentage, appIds, or both.")
class GrayReleaseInput:
    version_id: strawberry.ID = described("The version's id.")
    percentage: int | None = optional("1-100: share of hosts by stable hash; never lower than before.")
    app_ids: list[str] | None = optional("Up to 1000 known appIds always in the rollout; none may be removed.")


@strawberry.input(description="Names one plugin.")
class PluginInput:
    plugin_id: str = described("The plugin's 16-digit pluginId.")


@strawberry.input(description="Invite a host mini-program into joint debugging of a plugin.")
class AddDebugHostInput:
    plugin_id: str = described("Your plugin's 16-digit pluginId.")
    app_id: str = described("The host's 16-digit appId; it may belong to any entity.")


@strawberry.input(description="Names one debug binding.")
class DebugBindingInput:
    binding_id: strawberry.ID = described("The binding's id.")


@strawberry.input(description="Order a listed plugin for one of your mini-programs.")
class OrderPluginInput:
    app_id: str = described("Your mini-program's 16-digit appId.")
    plugin_id: str = described("The plugin's 16-digit pluginId.")


@strawberry.input(description="Names one order.")
class OrderInput:
    order_id: strawberry.ID = described("The order's id.")


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


def given(value: Any) -> Any:
    """UNSET and null both mean: leave as it is."""
    return None if value is strawberry.UNSET else value

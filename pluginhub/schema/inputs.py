"""Mutation inputs: what each mutation takes, every field described for GraphiQL."""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from ..packages import PackageSource
from ..resolvers.errors import ErrorCode, UserError


def described(text: str) -> Any:
    return strawberry.field(description=text)


def optional(text: str) -> Any:
    return strawberry.field(description=text, default=strawberry.UNSET)


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


def package_source(value: object) -> PackageSource:
    """The uploaded file; anything else in its place (a string, a number, an
    object sent inside plain JSON) is refused, naming the multipart request."""
    if not isinstance(value, UploadFile):
        raise UserError(
            ErrorCode.VALIDATION,
            "package must be a file sent with the GraphQL multipart request spec "
            '(multipart/form-data with "operations", "map" and the file)',
            ["input", "package"],
        )
    return value


def given(value: Any) -> Any:
    """UNSET and null both mean: leave as it is."""
    return None if value is strawberry.UNSET else value

"""Mutations: each decodes its input, calls one resolver and wraps the result in its payload."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry

from ..resolvers import bindings, errors, orders, plugins
from ..resolvers.versions import experience, release, review, upload
from . import enums, ids
from .context import Info
from .inputs import (
    AddDebugHostInput,
    CreateMiniProgramInput,
    CreatePluginInput,
    DebugBindingInput,
    GrayReleaseInput,
    OrderInput,
    OrderPluginInput,
    PluginInput,
    RejectVersionInput,
    SubmitVersionInput,
    UpdatePluginInput,
    UpdateVersionInput,
    UploadVersionInput,
    VersionInput,
    given,
    package_source,
)
from .payloads import (
    CreateMiniProgramPayload,
    CreatePluginPayload,
    DebugBindingPayload,
    OrderPayload,
    PluginPayload,
    UpdatePluginPayload,
    UserError,
    VersionPayload,
)

P = TypeVar("P")
INPUT = strawberry.argument(description="What to do; see the input type's fields.")


async def run(payload: Callable[..., P], work: Callable[[], Awaitable[Any]]) -> P:
    """Run a mutation's work; a broken rule (ids included) comes back as `userErrors` with the object null.

    Every payload holds one object field beside `user_errors`.
    """
    (name,) = [f.name for f in dataclasses.fields(payload) if f.name != "user_errors"]  # type: ignore[arg-type]
    try:
        result = await work()
    except errors.UserError as exc:
        user_error = UserError(code=enums.ErrorCode(exc.code.value), message=exc.message, field=exc.field)
        return payload(**{name: None, "user_errors": [user_error]})
    return payload(**{name: result, "user_errors": []})


def version_id(input: Any) -> int:
    return ids.key_of(input.version_id, "PluginVersion", ["input", "versionId"])


def binding_id(input: Any) -> int:
    return ids.key_of(input.binding_id, "DebugBinding", ["input", "bindingId"])


def order_id(input: Any) -> int:
    return ids.key_of(input.order_id, "PluginOrder", ["input", "orderId"])


@strawberry.type(description="Everything that changes data. Each mutation takes one `input` and returns a payload.")
class Mutation:
    @strawberry.mutation(description="Create a plugin owned by your entity.")
    async def create_plugin(self, info: Info, input: Annotated[CreatePluginInput, INPUT]) -> CreatePluginPayload:
        me = info.context.me
        return await run(
            CreatePluginPayload, lambda: plugins.create_plugin(me, name=input.name, description=input.description)
        )

    @strawberry.mutation(description="Rename or re-describe one of your plugins.")
    async def update_plugin(self, info: Info, input: Annotated[UpdatePluginInput, INPUT]) -> UpdatePluginPayload:
        me = info.context.me
        return await run(
            UpdatePluginPayload,
            lambda: plugins.update_plugin(
                me, plugin_id=input.plugin_id, name=given(input.name), description=given(input.description)
            ),
        )

    @strawberry.mutation(description="Create a host mini-program owned by your entity.")
    async def create_mini_program(
        self, info: Info, input: Annotated[CreateMiniProgramInput, INPUT]
    ) -> CreateMiniProgramPayload:
        me = info.context.me
        return await run(CreateMiniProgramPayload, lambda: plugins.create_mini_program(me, name=input.name))

    @strawberry.mutation(
        description="Upload a new version in DEVELOPMENT. Sending the same version with the same bytes again "
        "returns the existing version and changes nothing."
    )
    async def upload_version(self, info: Info, input: Annotated[UploadVersionInput, INPUT]) -> VersionPayload:
        ctx = info.context
        return await run(
            VersionPayload,
            lambda: upload.upload_version(
                ctx.me,
                ctx.store,
                ctx.settings.max_package_bytes,
                plugin_id=input.plugin_id,
                version=input.version,
                description=input.description,
                features=input.features,
                package=package_source(input.package),
            ),
        )

    @strawberry.mutation(description="Edit a version in DEVELOPMENT or REJECTED.")
    async def update_version(self, info: Info, input: Annotated[UpdateVersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(
            VersionPayload,
            lambda: upload.update_version(
                me, version_id(input), description=given(input.description), features=given(input.features)
            ),
        )

    @strawberry.mutation(description="DEVELOPMENT or REJECTED → AUDITING. One version per plugin in review.")
    async def submit_version(self, info: Info, input: Annotated[SubmitVersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(
            VersionPayload,
            lambda: review.submit_version(me, version_id(input), self_check_confirmed=input.self_check_confirmed),
        )

    @strawberry.mutation(description="AUDITING → DEVELOPMENT.")
    async def withdraw_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(VersionPayload, lambda: review.withdraw_version(me, version_id(input)))

    @strawberry.mutation(description="AUDITING → APPROVED (reviewers).")
    async def approve_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(VersionPayload, lambda: review.approve_version(me, version_id(input)))

    @strawberry.mutation(description="AUDITING → REJECTED with a reason (reviewers).")
    async def reject_version(self, info: Info, input: Annotated[RejectVersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(VersionPayload, lambda: review.reject_version(me, version_id(input), reason=input.reason))

    @strawberry.mutation(
        description="APPROVED → GRAY, or widen the rollout of a GRAY version. One GRAY version per plugin."
    )
    async def gray_release(self, info: Info, input: Annotated[GrayReleaseInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(
            VersionPayload,
            lambda: release.gray_release(
                me, version_id(input), percentage=given(input.percentage), app_ids=given(input.app_ids)
            ),
        )

    @strawberry.mutation(
        description="APPROVED or GRAY → ONLINE; the previous ONLINE version goes OFFLINE and the plugin is listed."
    )
    async def go_online(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(VersionPayload, lambda: release.go_online(me, version_id(input)))

    @strawberry.mutation(description="APPROVED, REJECTED or GRAY → DEVELOPMENT, clearing any gray rollout.")
    async def return_to_development(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(VersionPayload, lambda: release.return_to_development(me, version_id(input)))

    @strawberry.mutation(
        description="Make a version (not OFFLINE) the experience version; the previous one loses the flag."
    )
    async def set_experience_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(VersionPayload, lambda: experience.set_experience_version(me, version_id(input)))

    @strawberry.mutation(description="Remove the experience flag from the plugin's experience version.")
    async def clear_experience_version(self, info: Info, input: Annotated[PluginInput, INPUT]) -> PluginPayload:
        me = info.context.me
        return await run(PluginPayload, lambda: experience.clear_experience_version(me, input.plugin_id))

    @strawberry.mutation(
        description="Delete a version in DEVELOPMENT, REJECTED or APPROVED. It leaves every list; its events stay."
    )
    async def delete_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        me = info.context.me
        return await run(VersionPayload, lambda: experience.delete_version(me, version_id(input)))

    @strawberry.mutation(
        description="Take the ONLINE version offline and put the one online before it back, one step at a time."
    )
    async def rollback_online_version(self, info: Info, input: Annotated[PluginInput, INPUT]) -> PluginPayload:
        me = info.context.me
        return await run(PluginPayload, lambda: release.rollback_online_version(me, input.plugin_id))

    @strawberry.mutation(
        description="Invite a host into joint debugging (plugin owner). PENDING until the host authorizes, "
        "or AUTHORIZED at once when the host belongs to the plugin's entity. At most 20 active bindings."
    )
    async def add_debug_host(self, info: Info, input: Annotated[AddDebugHostInput, INPUT]) -> DebugBindingPayload:
        me = info.context.me
        return await run(
            DebugBindingPayload, lambda: bindings.add_debug_host(me, plugin_id=input.plugin_id, app_id=input.app_id)
        )

    @strawberry.mutation(description="PENDING → CANCELLED: withdraw an invitation (plugin owner).")
    async def cancel_debug_host(self, info: Info, input: Annotated[DebugBindingInput, INPUT]) -> DebugBindingPayload:
        me = info.context.me
        return await run(DebugBindingPayload, lambda: bindings.cancel_debug_host(me, binding_id(input)))

    @strawberry.mutation(description="PENDING → AUTHORIZED, issuing the authorization token (host owner).")
    async def authorize_debug_binding(
        self, info: Info, input: Annotated[DebugBindingInput, INPUT]
    ) -> DebugBindingPayload:
        me = info.context.me
        return await run(DebugBindingPayload, lambda: bindings.authorize_debug_binding(me, binding_id(input)))

    @strawberry.mutation(description="PENDING → REJECTED: turn an invitation down (host owner).")
    async def reject_debug_binding(self, info: Info, input: Annotated[DebugBindingInput, INPUT]) -> DebugBindingPayload:
        me = info.context.me
        return await run(DebugBindingPayload, lambda: bindings.reject_debug_binding(me, binding_id(input)))

    @strawberry.mutation(description="AUTHORIZED → UNBOUND (either side); the token stops working at once.")
    async def unbind_debug_host(self, info: Info, input: Annotated[DebugBindingInput, INPUT]) -> DebugBindingPayload:
        me = info.context.me
        return await run(DebugBindingPayload, lambda: bindings.unbind_debug_host(me, binding_id(input)))

    @strawberry.mutation(description="Order a plugin listed in the market for one of your mini-programs.")
    async def order_plugin(self, info: Info, input: Annotated[OrderPluginInput, INPUT]) -> OrderPayload:
        me = info.context.me
        return await run(OrderPayload, lambda: orders.order_plugin(me, app_id=input.app_id, plugin_id=input.plugin_id))

    @strawberry.mutation(description="ACTIVE → CANCELLED (the host's owner).")
    async def cancel_order(self, info: Info, input: Annotated[OrderInput, INPUT]) -> OrderPayload:
        me = info.context.me
        return await run(OrderPayload, lambda: orders.cancel_order(me, order_id(input)))

"""Mutations: each maps its input to a resolver and the result to a payload."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..resolvers import bindings, orders, plugins, versions
from .context import Info
from .payloads import (
    AddDebugHostInput,
    DebugBindingInput,
    DebugBindingPayload,
    OrderInput,
    OrderPayload,
    OrderPluginInput,
    CreateMiniProgramInput,
    CreateMiniProgramPayload,
    CreatePluginInput,
    CreatePluginPayload,
    GrayReleaseInput,
    PluginInput,
    PluginPayload,
    RejectVersionInput,
    SubmitVersionInput,
    UpdatePluginInput,
    UpdatePluginPayload,
    UpdateVersionInput,
    UploadVersionInput,
    VersionInput,
    VersionPayload,
    attempt,
    decode_id,
    given,
)


INPUT = strawberry.argument(description="What to do; see the input type's fields.")


def _version_id(raw: strawberry.ID) -> int:
    return decode_id(raw, "PluginVersion", ["input", "versionId"])


async def _version_change(info: Info, action, input: VersionInput) -> VersionPayload:
    async def run():
        return await action(info.context.me, _version_id(input.version_id))

    return await attempt(VersionPayload, run())


async def _binding_change(info: Info, action, input: DebugBindingInput) -> DebugBindingPayload:
    async def run():
        return await action(info.context.me, decode_id(input.binding_id, "DebugBinding", ["input", "bindingId"]))

    return await attempt(DebugBindingPayload, run())


@strawberry.type(description="Everything that changes data. Each mutation takes one `input` and returns a payload.")
class Mutation:
    @strawberry.mutation(description="Create a plugin owned by your entity.")
    async def create_plugin(self, info: Info, input: Annotated[CreatePluginInput, INPUT]) -> CreatePluginPayload:
        work = plugins.create_plugin(info.context.me, name=input.name, description=input.description)
        return await attempt(CreatePluginPayload, work)

    @strawberry.mutation(description="Rename or re-describe one of your plugins.")
    async def update_plugin(self, info: Info, input: Annotated[UpdatePluginInput, INPUT]) -> UpdatePluginPayload:
        work = plugins.update_plugin(
            info.context.me, plugin_id=input.plugin_id, name=given(input.name), description=given(input.description)
        )
        return await attempt(UpdatePluginPayload, work)

    @strawberry.mutation(description="Create a host mini-program owned by your entity.")
    async def create_mini_program(self, info: Info, input: Annotated[CreateMiniProgramInput, INPUT]) -> CreateMiniProgramPayload:
        return await attempt(CreateMiniProgramPayload, plugins.create_mini_program(info.context.me, name=input.name))

    @strawberry.mutation(
        description="Upload a new version in DEVELOPMENT. Sending the same version with the same bytes again "
        "returns the existing version and changes nothing."
    )
    async def upload_version(self, info: Info, input: Annotated[UploadVersionInput, INPUT]) -> VersionPayload:
        ctx = info.context
        work = versions.upload_version(
            ctx.me,
            ctx.store,
            ctx.settings.max_package_bytes,
            plugin_id=input.plugin_id,
            version=input.version,
            description=input.description,
            features=input.features,
            package=input.package,
        )
        return await attempt(VersionPayload, work)

    @strawberry.mutation(description="Edit a version in DEVELOPMENT or REJECTED.")
    async def update_version(self, info: Info, input: Annotated[UpdateVersionInput, INPUT]) -> VersionPayload:
        async def run():
            return await versions.update_version(
                info.context.me,
                _version_id(input.version_id),
                description=given(input.description),
                features=given(input.features),
            )

        return await attempt(VersionPayload, run())

    @strawberry.mutation(description="DEVELOPMENT or REJECTED → AUDITING. One version per plugin in review.")
    async def submit_version(self, info: Info, input: Annotated[SubmitVersionInput, INPUT]) -> VersionPayload:
        async def run():
            return await versions.submit_version(
                info.context.me, _version_id(input.version_id), self_check_confirmed=input.self_check_confirmed
            )

        return await attempt(VersionPayload, run())

    @strawberry.mutation(description="AUDITING → DEVELOPMENT.")
    async def withdraw_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        return await _version_change(info, versions.withdraw_version, input)

    @strawberry.mutation(description="AUDITING → APPROVED (reviewers).")
    async def approve_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        return await _version_change(info, versions.approve_version, input)

    @strawberry.mutation(description="AUDITING → REJECTED with a reason (reviewers).")
    async def reject_version(self, info: Info, input: Annotated[RejectVersionInput, INPUT]) -> VersionPayload:
        async def run():
            return await versions.reject_version(info.context.me, _version_id(input.version_id), reason=input.reason)

        return await attempt(VersionPayload, run())

    @strawberry.mutation(
        description="APPROVED → GRAY, or widen the rollout of a GRAY version. One GRAY version per plugin."
    )
    async def gray_release(self, info: Info, input: Annotated[GrayReleaseInput, INPUT]) -> VersionPayload:
        async def run():
            return await versions.gray_release(
                info.context.me,
                _version_id(input.version_id),
                percentage=given(input.percentage),
                app_ids=given(input.app_ids),
            )

        return await attempt(VersionPayload, run())

    @strawberry.mutation(
        description="APPROVED or GRAY → ONLINE; the previous ONLINE version goes OFFLINE and the plugin is listed."
    )
    async def go_online(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        return await _version_change(info, versions.go_online, input)

    @strawberry.mutation(description="APPROVED, REJECTED or GRAY → DEVELOPMENT, clearing any gray rollout.")
    async def return_to_development(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        return await _version_change(info, versions.return_to_development, input)

    @strawberry.mutation(
        description="Make a version (not OFFLINE) the experience version; the previous one loses the flag."
    )
    async def set_experience_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        return await _version_change(info, versions.set_experience_version, input)

    @strawberry.mutation(description="Remove the experience flag from the plugin's experience version, if any.")
    async def clear_experience_version(self, info: Info, input: Annotated[PluginInput, INPUT]) -> PluginPayload:
        return await attempt(PluginPayload, versions.clear_experience_version(info.context.me, input.plugin_id))

    @strawberry.mutation(
        description="Delete a version in DEVELOPMENT, REJECTED or APPROVED. It leaves every list; its events stay."
    )
    async def delete_version(self, info: Info, input: Annotated[VersionInput, INPUT]) -> VersionPayload:
        return await _version_change(info, versions.delete_version, input)

    @strawberry.mutation(
        description="Take the ONLINE version offline and put the one online before it back, one step at a time."
    )
    async def rollback_online_version(self, info: Info, input: Annotated[PluginInput, INPUT]) -> PluginPayload:
        return await attempt(PluginPayload, versions.rollback_online_version(info.context.me, input.plugin_id))

    @strawberry.mutation(
        description="Invite a host into joint debugging (plugin owner). PENDING until the host authorizes, "
        "or AUTHORIZED at once when the host belongs to the plugin's entity. At most 20 active bindings."
    )
    async def add_debug_host(self, info: Info, input: Annotated[AddDebugHostInput, INPUT]) -> DebugBindingPayload:
        work = bindings.add_debug_host(info.context.me, plugin_id=input.plugin_id, app_id=input.app_id)
        return await attempt(DebugBindingPayload, work)

    @strawberry.mutation(description="PENDING → CANCELLED: withdraw an invitation (plugin owner).")
    async def cancel_debug_host(self, info: Info, input: Annotated[DebugBindingInput, INPUT]) -> DebugBindingPayload:
        return await _binding_change(info, bindings.cancel_debug_host, input)

    @strawberry.mutation(description="PENDING → AUTHORIZED, issuing the authorization token (host owner).")
    async def authorize_debug_binding(self, info: Info, input: Annotated[DebugBindingInput, INPUT]) -> DebugBindingPayload:
        return await _binding_change(info, bindings.authorize_debug_binding, input)

    @strawberry.mutation(description="PENDING → REJECTED: turn an invitation down (host owner).")
    async def reject_debug_binding(self, info: Info, input: Annotated[DebugBindingInput, INPUT]) -> DebugBindingPayload:
        return await _binding_change(info, bindings.reject_debug_binding, input)

    @strawberry.mutation(description="AUTHORIZED → UNBOUND (either side); the token stops working at once.")
    async def unbind_debug_host(self, info: Info, input: Annotated[DebugBindingInput, INPUT]) -> DebugBindingPayload:
        return await _binding_change(info, bindings.unbind_debug_host, input)

    @strawberry.mutation(description="Order a plugin listed in the market for one of your mini-programs.")
    async def order_plugin(self, info: Info, input: Annotated[OrderPluginInput, INPUT]) -> OrderPayload:
        work = orders.order_plugin(info.context.me, app_id=input.app_id, plugin_id=input.plugin_id)
        return await attempt(OrderPayload, work)

    @strawberry.mutation(description="ACTIVE → CANCELLED (the host's owner).")
    async def cancel_order(self, info: Info, input: Annotated[OrderInput, INPUT]) -> OrderPayload:
        async def run():
            return await orders.cancel_order(info.context.me, decode_id(input.order_id, "PluginOrder", ["input", "orderId"]))

        return await attempt(OrderPayload, run())

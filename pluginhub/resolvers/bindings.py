"""Joint debugging: a plugin invites hosts, hosts authorize, either side ends it.

Binding changes lock the plugin's row like version changes do, so the limit
of 20 active bindings and the one-active-binding-per-pair rule hold when
many invitations arrive at once.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.transactions import in_transaction

from ..models import DebugBinding, DebugBindingStatus, MiniProgram, PluginEventKind
from .access import managed_plugin
from .errors import ErrorCode, UserError, not_found
from .events import record_event
from .locks import lock_plugin
from .identifiers import check_public_id
from .transitions import ACTIVE_BINDING, BINDING_TRANSITIONS, BindingAction, Side, check_binding_transition
from .versions import now
from .viewer import Viewer

MAX_ACTIVE_BINDINGS = 20
DEBUG_TOKEN_PREFIX = "dbg_"
BINDING_ID = ["input", "bindingId"]

KINDS = {
    BindingAction.CANCEL: PluginEventKind.DEBUG_HOST_CANCELLED,
    BindingAction.AUTHORIZE: PluginEventKind.DEBUG_BINDING_AUTHORIZED,
    BindingAction.REJECT: PluginEventKind.DEBUG_BINDING_REJECTED,
    BindingAction.UNBIND: PluginEventKind.DEBUG_HOST_UNBOUND,
}


def new_debug_token() -> str:
    return DEBUG_TOKEN_PREFIX + secrets.token_urlsafe(32)


async def host(app_id: str, field: list[str]) -> MiniProgram:
    check_public_id(app_id, field, "appId")
    mini_program = await MiniProgram.get_or_none(app_id=app_id)
    if mini_program is None:
        raise not_found("mini-program", field)
    return mini_program


async def add_debug_host(viewer: Viewer, *, plugin_id: str, app_id: str) -> DebugBinding:
    check_public_id(plugin_id, ["input", "pluginId"], "pluginId")
    check_public_id(app_id, ["input", "appId"], "appId")
    plugin = await managed_plugin(viewer, plugin_id, ["input", "pluginId"])
    mini_program = await host(app_id, ["input", "appId"])
    same_entity = mini_program.entity_id == plugin.entity_id
    async with in_transaction():
        await lock_plugin(plugin_id)
        active = DebugBinding.filter(plugin_id=plugin_id, status__in=ACTIVE_BINDING)
        if await active.filter(mini_program_id=app_id).exists():
            raise UserError(
                ErrorCode.BINDING_EXISTS, f"{app_id} already has an active binding with this plugin", ["input", "appId"]
            )
        if await active.count() >= MAX_ACTIVE_BINDINGS:
            raise UserError(
                ErrorCode.BINDING_LIMIT_REACHED,
                f"a plugin has at most {MAX_ACTIVE_BINDINGS} active (pending or authorized) debug bindings",
            )
        at = now()
        binding = await DebugBinding.create(
            plugin_id=plugin_id,
            mini_program_id=app_id,
            status=DebugBindingStatus.AUTHORIZED if same_entity else DebugBindingStatus.PENDING,
            requested_by_id=viewer.account_id,
            requested_at=at,
            same_entity=same_entity,
            authorized_by_id=viewer.account_id if same_entity else None,
            authorized_at=at if same_entity else None,
            token=new_debug_token() if same_entity else None,
        )
        await record_event(
            PluginEventKind.DEBUG_HOST_ADDED,
            plugin_id=plugin_id,
            debug_binding_id=binding.id,
            mini_program_id=app_id,
            actor_id=viewer.account_id,
            to_status=binding.status,
            reason="the host belongs to the plugin's entity: authorized at once" if same_entity else None,
        )
        return binding


def binding_sides(viewer: Viewer, binding: DebugBinding) -> set[Side]:
    sides = set()
    if viewer.owns(binding.plugin.entity_id):
        sides.add(Side.PLUGIN)
    if viewer.owns(binding.mini_program.entity_id):
        sides.add(Side.HOST)
    return sides


async def visible_binding(viewer: Viewer, binding_id: int) -> DebugBinding | None:
    """Both sides see a binding; nobody else does."""
    binding = await DebugBinding.get_or_none(id=binding_id).select_related("plugin", "mini_program")
    if binding is None or not binding_sides(viewer, binding):
        return None
    return binding


@asynccontextmanager
async def changing(viewer: Viewer, binding_id: int, action: BindingAction) -> AsyncIterator[DebugBinding]:
    seen = await visible_binding(viewer, binding_id)
    if seen is None:
        raise not_found("debug binding", BINDING_ID)
    side = BINDING_TRANSITIONS[action].side
    if side != Side.EITHER and side not in binding_sides(viewer, seen):
        raise UserError(ErrorCode.FORBIDDEN, f"only the {side.value.lower()} side may do this")
    viewer.require_developer()
    async with in_transaction():
        await lock_plugin(seen.plugin_id)
        binding = await DebugBinding.get(id=binding_id)
        transition = check_binding_transition(action, binding.status)
        from_status = binding.status
        binding.status = transition.target
        yield binding
        await binding.save()
        await record_event(
            KINDS[action],
            plugin_id=binding.plugin_id,
            debug_binding_id=binding.id,
            mini_program_id=binding.mini_program_id,
            actor_id=viewer.account_id,
            from_status=from_status,
            to_status=binding.status,
        )


async def cancel_debug_host(viewer: Viewer, binding_id: int) -> DebugBinding:
    async with changing(viewer, binding_id, BindingAction.CANCEL) as binding:
        binding.ended_at = now()
    return binding


async def authorize_debug_binding(viewer: Viewer, binding_id: int) -> DebugBinding:
    async with changing(viewer, binding_id, BindingAction.AUTHORIZE) as binding:
        binding.authorized_by_id = viewer.account_id
        binding.authorized_at = now()
        binding.token = new_debug_token()
    return binding


async def reject_debug_binding(viewer: Viewer, binding_id: int) -> DebugBinding:
    async with changing(viewer, binding_id, BindingAction.REJECT) as binding:
        binding.ended_at = now()
    return binding


async def unbind_debug_host(viewer: Viewer, binding_id: int) -> DebugBinding:
    """The token stops working at once: it is only honoured on an AUTHORIZED binding."""
    async with changing(viewer, binding_id, BindingAction.UNBIND) as binding:
        binding.ended_at = now()
    return binding


async def authorized_binding_for_token(token: str, plugin_id: str, app_id: str) -> DebugBinding | None:
    if not token.startswith(DEBUG_TOKEN_PREFIX) or len(token) > 128:
        return None
    return await DebugBinding.get_or_none(
        token=token, plugin_id=plugin_id, mini_program_id=app_id, status=DebugBindingStatus.AUTHORIZED
    )

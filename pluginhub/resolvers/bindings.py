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

from .. import clock
from ..models import DebugBinding, DebugBindingStatus, MiniProgram, PluginEventKind
from . import access
from .errors import ErrorCode, UserError, not_found
from .events import record_event
from .identifiers import check_public_id
from .locks import lock_plugin
from .transitions import ACTIVE_BINDING, BINDING_RULES, BindingAction, check_binding
from .viewer import Viewer

MAX_ACTIVE_BINDINGS = 20
BINDING_ID = ["input", "bindingId"]

KINDS = {
    BindingAction.CANCEL: PluginEventKind.DEBUG_HOST_CANCELLED,
    BindingAction.AUTHORIZE: PluginEventKind.DEBUG_BINDING_AUTHORIZED,
    BindingAction.REJECT: PluginEventKind.DEBUG_BINDING_REJECTED,
    BindingAction.UNBIND: PluginEventKind.DEBUG_HOST_UNBOUND,
}


def new_debug_token() -> str:
    return access.DEBUG_TOKEN_PREFIX + secrets.token_urlsafe(32)


async def host(app_id: str, field: list[str]) -> MiniProgram:
    check_public_id(app_id, field, "appId")
    mini_program = await MiniProgram.get_or_none(app_id=app_id)
    if mini_program is None:
        raise not_found("mini-program", field)
    return mini_program


async def add_debug_host(viewer: Viewer, *, plugin_id: str, app_id: str) -> DebugBinding:
    check_public_id(plugin_id, ["input", "pluginId"], "pluginId")
    check_public_id(app_id, ["input", "appId"], "appId")
    plugin = await access.managed_plugin(viewer, plugin_id, ["input", "pluginId"])
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
        at = clock.now()
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


@asynccontextmanager
async def changing(viewer: Viewer, binding_id: int, action: BindingAction) -> AsyncIterator[DebugBinding]:
    seen = await access.visible_binding(viewer, binding_id)
    if seen is None:
        raise not_found("debug binding", BINDING_ID)
    sides = access.relation_sides(viewer, seen.plugin.entity_id, seen.mini_program.entity_id)
    access.require_side(viewer, BINDING_RULES[action].parties, sides)
    async with in_transaction():
        await lock_plugin(seen.plugin_id)
        binding = await DebugBinding.get(id=binding_id)
        rule = check_binding(action, binding.status)
        from_status = binding.status
        binding.status = rule.target
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
        binding.ended_at = clock.now()
    return binding


async def authorize_debug_binding(viewer: Viewer, binding_id: int) -> DebugBinding:
    async with changing(viewer, binding_id, BindingAction.AUTHORIZE) as binding:
        binding.authorized_by_id = viewer.account_id
        binding.authorized_at = clock.now()
        binding.token = new_debug_token()
    return binding


async def reject_debug_binding(viewer: Viewer, binding_id: int) -> DebugBinding:
    async with changing(viewer, binding_id, BindingAction.REJECT) as binding:
        binding.ended_at = clock.now()
    return binding


async def unbind_debug_host(viewer: Viewer, binding_id: int) -> DebugBinding:
    """The token stops working at once: it is only honoured on an AUTHORIZED binding."""
    async with changing(viewer, binding_id, BindingAction.UNBIND) as binding:
        binding.ended_at = clock.now()
    return binding

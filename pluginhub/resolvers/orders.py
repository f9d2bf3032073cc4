"""Orders: a host's owner orders a listed plugin, and may cancel the order."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from .. import clock
from ..models import OrderStatus, PluginEventKind, PluginOrder
from . import access
from .errors import ErrorCode, UserError, invalid_transition, not_found
from .events import record_event
from .identifiers import check_public_id
from .locks import lock_plugin
from .resolution import bucket
from .viewer import Party, Viewer

ORDER_ID = ["input", "orderId"]
HOST_SIDE = frozenset({Party.HOST_OWNER})


async def order_plugin(viewer: Viewer, *, app_id: str, plugin_id: str) -> PluginOrder:
    """A plugin the caller cannot see answers NOT_FOUND; one it sees but is unlisted, NOT_LISTED."""
    check_public_id(app_id, ["input", "appId"], "appId")
    check_public_id(plugin_id, ["input", "pluginId"], "pluginId")
    if await access.visible_mini_program(viewer, app_id) is None:
        raise not_found("mini-program", ["input", "appId"])
    viewer.require_developer()
    if await access.visible_plugin(viewer, plugin_id) is None:
        raise not_found("plugin", ["input", "pluginId"])
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        if not plugin.listed_in_market:
            raise UserError(ErrorCode.NOT_LISTED, "the plugin is not listed in the market", ["input", "pluginId"])
        if await PluginOrder.exists(plugin_id=plugin_id, mini_program_id=app_id, status=OrderStatus.ACTIVE):
            raise UserError(ErrorCode.ORDER_EXISTS, f"{app_id} already has an active order of this plugin")
        order = await PluginOrder.create(
            plugin_id=plugin_id,
            mini_program_id=app_id,
            ordered_by_id=viewer.account_id,
            rollout_bucket=bucket(plugin_id, app_id),
        )
        await record_event(
            PluginEventKind.PLUGIN_ORDERED,
            plugin_id=plugin_id,
            order_id=order.id,
            mini_program_id=app_id,
            actor_id=viewer.account_id,
            to_status=OrderStatus.ACTIVE,
        )
        return order


async def cancel_order(viewer: Viewer, order_id: int) -> PluginOrder:
    seen = await access.visible_order(viewer, order_id)
    if seen is None:
        raise not_found("order", ORDER_ID)
    sides = access.relation_sides(viewer, seen.plugin.entity_id, seen.mini_program.entity_id)
    access.require_side(viewer, HOST_SIDE, sides)
    async with in_transaction():
        await lock_plugin(seen.plugin_id)
        order = await PluginOrder.get(id=order_id)
        if order.status != OrderStatus.ACTIVE:
            raise invalid_transition(f"the order is already {order.status.value}")
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = clock.now()
        await order.save()
        await record_event(
            PluginEventKind.ORDER_CANCELLED,
            plugin_id=order.plugin_id,
            order_id=order.id,
            mini_program_id=order.mini_program_id,
            actor_id=viewer.account_id,
            from_status=OrderStatus.ACTIVE,
            to_status=OrderStatus.CANCELLED,
        )
        return order

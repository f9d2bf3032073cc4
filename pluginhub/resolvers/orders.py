"""Orders: a host's owner orders a listed plugin, and may cancel the order."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from ..models import OrderStatus, PluginEventKind, PluginOrder
from .access import visible_plugin
from .bindings import host
from .errors import ErrorCode, UserError, not_found
from .events import record_event
from .locks import lock_plugin
from .identifiers import check_public_id
from .versions import now
from .viewer import Viewer

ORDER_ID = ["input", "orderId"]


def _require_host_owner(viewer: Viewer, entity_id: int) -> None:
    if not viewer.owns(entity_id):
        raise UserError(ErrorCode.FORBIDDEN, "only the host's owner may do this")
    viewer.require_developer()


async def order_plugin(viewer: Viewer, *, app_id: str, plugin_id: str) -> PluginOrder:
    """A plugin the caller cannot see answers NOT_FOUND; one it sees but is unlisted, NOT_LISTED."""
    check_public_id(app_id, ["input", "appId"], "appId")
    check_public_id(plugin_id, ["input", "pluginId"], "pluginId")
    mini_program = await host(app_id, ["input", "appId"])
    if not viewer.owns(mini_program.entity_id):
        raise not_found("mini-program", ["input", "appId"])
    viewer.require_developer()
    if await visible_plugin(viewer, plugin_id) is None:
        raise not_found("plugin", ["input", "pluginId"])
    async with in_transaction():
        plugin = await lock_plugin(plugin_id)
        if not plugin.listed_in_market:
            raise UserError(ErrorCode.NOT_LISTED, "the plugin is not listed in the market", ["input", "pluginId"])
        if await PluginOrder.exists(plugin_id=plugin_id, mini_program_id=app_id, status=OrderStatus.ACTIVE):
            raise UserError(ErrorCode.ORDER_EXISTS, f"{app_id} already has an active order of this plugin")
        order = await PluginOrder.create(plugin_id=plugin_id, mini_program_id=app_id, ordered_by_id=viewer.account_id)
        await record_event(
            PluginEventKind.PLUGIN_ORDERED,
            plugin_id=plugin_id,
            order_id=order.id,
            mini_program_id=app_id,
            actor_id=viewer.account_id,
            to_status=OrderStatus.ACTIVE,
        )
        return order


async def visible_order(viewer: Viewer, order_id: int) -> PluginOrder | None:
    """The host's owner and the plugin's owner see an order; nobody else does."""
    order = await PluginOrder.get_or_none(id=order_id).select_related("plugin", "mini_program")
    if order is None or not (viewer.owns(order.mini_program.entity_id) or viewer.owns(order.plugin.entity_id)):
        return None
    return order


async def cancel_order(viewer: Viewer, order_id: int) -> PluginOrder:
    seen = await visible_order(viewer, order_id)
    if seen is None:
        raise not_found("order", ORDER_ID)
    _require_host_owner(viewer, seen.mini_program.entity_id)
    async with in_transaction():
        await lock_plugin(seen.plugin_id)
        order = await PluginOrder.get(id=order_id)
        if order.status != OrderStatus.ACTIVE:
            raise UserError(ErrorCode.INVALID_TRANSITION, f"the order is already {order.status.value}")
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = now()
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

"""Who may see what: every visibility rule of the API, and nothing else.

What a viewer may not see does not exist for it (NOT_FOUND); what it may see
but not change is FORBIDDEN. The schema asks these functions and never
decides on its own; lists use the filters, single objects the checks.

- A plugin is seen by its entity, by reviewers, and by anyone when it is
  listed in the market or bound to or ordered by one of their hosts.
- Of a plugin's versions, an outsider sees only the ONLINE one.
- A binding or an order is seen by its two sides: the plugin's entity and
  the host's entity.
- Events: a plugin's owner sees all of them, a reviewer the version history,
  anyone else the events of its own hosts' bindings and orders. Webhook
  events are the owner's alone: webhook URLs often carry credentials.
- A plugin's users (hosts, orders, adoption) and its webhooks and their
  deliveries are seen by the plugin's owner alone.
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from ..models import (
    Account,
    DebugBinding,
    DebugBindingStatus,
    Entity,
    MiniProgram,
    Plugin,
    PluginEvent,
    PluginEventKind,
    PluginOrder,
    PluginVersion,
    VersionStatus,
    Webhook,
    WebhookDelivery,
)
from .errors import ErrorCode, RequestCode, RequestError, UserError, not_found
from .identifiers import check_query_id
from .viewer import Party, Viewer

DEBUG_TOKEN_PREFIX = "dbg_"
HOST_EVENT_KINDS = frozenset(k for k in PluginEventKind if k.name.startswith(("DEBUG_", "PLUGIN_ORDERED", "ORDER_")))
OWNER_EVENT_KINDS = frozenset(k for k in PluginEventKind if k.name.startswith("WEBHOOK_"))
VERSION_EVENT_KINDS = [k for k in PluginEventKind if k not in HOST_EVENT_KINDS | OWNER_EVENT_KINDS]


# ---------------------------------------------------------------- how a viewer stands to a thing


def plugin_side(viewer: Viewer, entity_id: int) -> Party:
    """To a plugin: its owner, a reviewer, or anyone else, who sees it through its own hosts."""
    if viewer.owns(entity_id):
        return Party.PLUGIN_OWNER
    return Party.REVIEWER if viewer.is_reviewer else Party.HOST_OWNER


def host_side(viewer: Viewer, entity_id: int) -> Party:
    """To a host: its owner, or anyone else, who sees it through its own plugins."""
    return Party.HOST_OWNER if viewer.owns(entity_id) else Party.PLUGIN_OWNER


def relation_sides(viewer: Viewer, plugin_entity_id: int, host_entity_id: int) -> frozenset[Party]:
    """The sides of a binding or order the viewer is on (none: it may not see it)."""
    sides = set()
    if viewer.owns(plugin_entity_id):
        sides.add(Party.PLUGIN_OWNER)
    if viewer.owns(host_entity_id):
        sides.add(Party.HOST_OWNER)
    return frozenset(sides)


def require_side(viewer: Viewer, allowed: frozenset[Party], sides: frozenset[Party]) -> None:
    """FORBIDDEN unless the viewer, a developer, is on one of the `allowed` sides."""
    if not allowed & sides:
        names = " or ".join(sorted(p.value.lower().replace("_", " ") for p in allowed))
        raise UserError(ErrorCode.FORBIDDEN, f"only the {names} may do this")
    viewer.require_developer()


# ---------------------------------------------------------------- plugins


def _own_apps(viewer: Viewer) -> Subquery:
    return Subquery(MiniProgram.filter(entity_id=viewer.entity_id).values("app_id"))


def plugin_filter(viewer: Viewer) -> Q:
    """Plugins the viewer sees: its own, listed ones, and those its hosts are bound to or ordered."""
    if viewer.is_reviewer:
        return Q()
    apps = _own_apps(viewer)
    return Q(
        Q(entity_id=viewer.entity_id),
        Q(listed_in_market=True),
        Q(plugin_id__in=Subquery(DebugBinding.filter(mini_program_id__in=apps).values("plugin_id"))),
        Q(plugin_id__in=Subquery(PluginOrder.filter(mini_program_id__in=apps).values("plugin_id"))),
        join_type="OR",
    )


async def visible_plugin(viewer: Viewer, plugin_id: str) -> Plugin | None:
    return await Plugin.filter(plugin_filter(viewer), plugin_id=plugin_id).first()


async def managed_plugin(viewer: Viewer, plugin_id: str, field: list[str]) -> Plugin:
    """A plugin the viewer may change: NOT_FOUND if unseen, FORBIDDEN if only seen."""
    plugin = await visible_plugin(viewer, plugin_id)
    if plugin is None:
        raise not_found("plugin", field)
    require_owner(viewer, plugin.entity_id)
    return plugin


def require_owner(viewer: Viewer, entity_id: int) -> None:
    require_side(viewer, frozenset({Party.PLUGIN_OWNER}), frozenset({plugin_side(viewer, entity_id)}))


# ---------------------------------------------------------------- versions


def sees_all_versions(viewer: Viewer, plugin: Plugin) -> bool:
    """Owners and reviewers see every version; an outsider only the ONLINE one."""
    return plugin_side(viewer, plugin.entity_id) != Party.HOST_OWNER


def version_visible(viewer: Viewer, plugin: Plugin, version: PluginVersion) -> bool:
    return sees_all_versions(viewer, plugin) or version.status == VersionStatus.ONLINE


def version_filter(sees_all: bool) -> Q:
    """The versions of a list the viewer sees (`sees_all` from `sees_all_versions`)."""
    return Q(deleted_at=None) if sees_all else Q(deleted_at=None, status=VersionStatus.ONLINE)


PUBLIC_SLOTS = frozenset({"online"})


def slot_visible(viewer: Viewer, plugin: Plugin, slot: str) -> bool:
    """Of the one-per-plugin places (online, gray, auditing, experience), outsiders see the online one."""
    return slot in PUBLIC_SLOTS or sees_all_versions(viewer, plugin)


def uploader_visible(viewer: Viewer, plugin: Plugin) -> bool:
    return sees_all_versions(viewer, plugin)


async def visible_version(viewer: Viewer, version_id: int) -> PluginVersion | None:
    version = await PluginVersion.filter(id=version_id, deleted_at=None).select_related("plugin").first()
    if version is None or not version_visible(viewer, version.plugin, version):
        return None
    if not sees_all_versions(viewer, version.plugin) and await visible_plugin(viewer, version.plugin_id) is None:
        return None
    return version


# ---------------------------------------------------------------- mini-programs, bindings and orders


async def visible_mini_program(viewer: Viewer, app_id: str) -> MiniProgram | None:
    """A viewer looks up only its own entity's mini-programs by appId."""
    return await MiniProgram.filter(app_id=app_id, entity_id=viewer.entity_id).first()


async def own_app_ids(viewer: Viewer) -> list[str]:
    return await MiniProgram.filter(entity_id=viewer.entity_id).values_list("app_id", flat=True)  # type: ignore[return-value]


async def own_plugin_ids(viewer: Viewer) -> list[str]:
    return await Plugin.filter(entity_id=viewer.entity_id).values_list("plugin_id", flat=True)  # type: ignore[return-value]


async def relation_filter(viewer: Viewer, side: Party, parent_side: Party) -> Q:
    """The rows of a list of bindings or orders the viewer sees.

    `parent_side` owns the list's parent (PLUGIN_OWNER for a plugin's list,
    HOST_OWNER for a host's) and `side` is how the viewer stands to that
    parent. The parent's owner sees every row; anyone else only the rows of
    its own hosts (in a plugin's list) or its own plugins (in a host's).
    """
    if side == parent_side:
        return Q()
    if parent_side == Party.PLUGIN_OWNER:
        return Q(mini_program_id__in=await own_app_ids(viewer))
    return Q(plugin_id__in=await own_plugin_ids(viewer))


async def visible_binding(viewer: Viewer, binding_id: int) -> DebugBinding | None:
    """Both sides see a binding; nobody else does."""
    binding = await DebugBinding.get_or_none(id=binding_id).select_related("plugin", "mini_program")
    if binding is None or not relation_sides(viewer, binding.plugin.entity_id, binding.mini_program.entity_id):
        return None
    return binding


async def visible_order(viewer: Viewer, order_id: int) -> PluginOrder | None:
    """The host's owner and the plugin's owner see an order; nobody else does."""
    order = await PluginOrder.get_or_none(id=order_id).select_related("plugin", "mini_program")
    if order is None or not relation_sides(viewer, order.plugin.entity_id, order.mini_program.entity_id):
        return None
    return order


# ---------------------------------------------------------------- plugin users and webhooks


def sees_plugin_users(viewer: Viewer, plugin: Plugin) -> bool:
    """Who uses a plugin (hosts, orders, adoption) and its webhooks: its owner only."""
    return plugin_side(viewer, plugin.entity_id) == Party.PLUGIN_OWNER


async def visible_webhook(viewer: Viewer, webhook_id: int) -> Webhook | None:
    webhook = await Webhook.get_or_none(id=webhook_id).select_related("plugin")
    if webhook is None or not sees_plugin_users(viewer, webhook.plugin):
        return None
    return webhook


async def visible_delivery(viewer: Viewer, delivery_id: int) -> WebhookDelivery | None:
    delivery = await WebhookDelivery.get_or_none(id=delivery_id).select_related("webhook__plugin")
    if delivery is None or not sees_plugin_users(viewer, delivery.webhook.plugin):
        return None
    return delivery


# ---------------------------------------------------------------- events


def event_filter(side: Party, own_app_ids: list[str]) -> Q:
    """The events of one plugin that a viewer on `side` (see `plugin_side`) sees.

    The viewer's appIds come as a list, not a subquery, so the filter can be
    inlined into the batched page queries.
    """
    if side == Party.PLUGIN_OWNER:
        return Q()
    host_events = Q(mini_program_id__in=own_app_ids)
    if side == Party.REVIEWER:
        return Q(Q(kind__in=VERSION_EVENT_KINDS), host_events, join_type="OR")
    return host_events


async def visible_event(viewer: Viewer, event_id: int) -> PluginEvent | None:
    event = await PluginEvent.filter(id=event_id).select_related("plugin").first()
    if event is None or await visible_plugin(viewer, event.plugin_id) is None:
        return None
    side = plugin_side(viewer, event.plugin.entity_id)
    app_ids = await own_app_ids(viewer) if side != Party.PLUGIN_OWNER else []
    return await PluginEvent.filter(event_filter(side, app_ids), id=event_id).first()


# ---------------------------------------------------------------- entities and accounts


async def visible_entity(viewer: Viewer, entity_id: int) -> Entity | None:
    """An entity is seen by its own accounts, and by whoever sees one of its
    plugins or works with one of its hosts."""
    if viewer.owns(entity_id) or await Plugin.filter(plugin_filter(viewer), entity_id=entity_id).exists():
        return await Entity.get_or_none(id=entity_id)
    counterpart = Q(mini_program__entity_id=entity_id, plugin__entity_id=viewer.entity_id)
    if await DebugBinding.filter(counterpart).exists() or await PluginOrder.filter(counterpart).exists():
        return await Entity.get_or_none(id=entity_id)
    return None


async def visible_account(viewer: Viewer, account_id: int) -> Account | None:
    """Accounts are seen by their own entity, and as the actor of an event the
    viewer may see (a reviewer thus sees uploaders, through their uploads)."""
    account = await Account.get_or_none(id=account_id)
    if account is None or viewer.owns(account.entity_id):
        return account
    if await PluginEvent.filter(await events_seen_by(viewer), actor_id=account_id).exists():
        return account
    return None


async def events_seen_by(viewer: Viewer) -> Q:
    """Every event the viewer may see, across plugins: `event_filter` for each side it stands on."""
    seen = [Q(plugin__entity_id=viewer.entity_id), Q(mini_program_id__in=await own_app_ids(viewer))]
    if viewer.is_reviewer:
        seen.append(Q(kind__in=VERSION_EVENT_KINDS))
    return Q(*seen, join_type="OR")


# ---------------------------------------------------------------- version resolution


async def binding_for_debug_token(token: str, plugin_id: str, app_id: str) -> DebugBinding | None:
    """The binding a debug token admits to, while it is AUTHORIZED."""
    if not token.startswith(DEBUG_TOKEN_PREFIX) or len(token) > 128:
        return None
    return await DebugBinding.get_or_none(
        token=token, plugin_id=plugin_id, mini_program_id=app_id, status=DebugBindingStatus.AUTHORIZED
    )


async def authorize_resolution(
    viewer: Viewer, app_id: str, plugin_id: str, debug_token: str | None
) -> tuple[MiniProgram, Plugin]:
    """Who may ask which version a host loads: the host's owner, or anyone
    holding the binding's live token.

    A caller who sees both the host and the plugin but may not ask gets
    FORBIDDEN; anyone else NOT_FOUND, which says nothing about what exists.
    """
    check_query_id(app_id, "appId")
    check_query_id(plugin_id, "pluginId")
    mini_program = await MiniProgram.get_or_none(app_id=app_id)
    plugin = await visible_plugin(viewer, plugin_id)
    if mini_program is not None and debug_token and await binding_for_debug_token(debug_token, plugin_id, app_id):
        return mini_program, plugin or await Plugin.get(plugin_id=plugin_id)
    if mini_program is not None and plugin is not None:
        if viewer.owns(mini_program.entity_id):
            return mini_program, plugin
        related = Q(mini_program_id=app_id, plugin__entity_id=viewer.entity_id)
        if await DebugBinding.filter(related).exists() or await PluginOrder.filter(related).exists():
            raise RequestError(
                RequestCode.FORBIDDEN, "resolve as the host's owner, or pass the binding's live token as debugToken"
            )
    raise RequestError(RequestCode.NOT_FOUND, "no such mini-program and plugin visible to you")

"""Plugin users: the hosts bound to or ordering a plugin, and what they load.

A host is a user of a plugin when it has an ACTIVE order (ORDERED), an
AUTHORIZED binding (BOUND), or both. What each loads in RELEASE comes from
`resolution.release_choices`, the rules `resolvePluginVersion` applies, for a
whole page at once. Adoption counts ordered hosts per version in one grouped
SQL statement: each order keeps its host's gray bucket, so the rollout test
(`resolution.rollout_orders`) runs in the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.connection import get_connection
from tortoise.expressions import Case, Q, Value, When
from tortoise.functions import Count

from ..models import (
    DebugBinding,
    DebugBindingStatus,
    HostRelation,
    MiniProgram,
    OrderStatus,
    PluginOrder,
    PluginVersion,
)
from .errors import RequestCode, RequestError
from .identifiers import PUBLIC_ID
from .pagination import Ordering, Page, PageArgs
from .resolution import Choice, Source, release_choices, rollout_orders
from .slots import PluginSlots, load_slots

HOST_ORDER = Ordering((("app_id", False),))

RELATION_SQL = {
    HostRelation.BOUND: "(h.ordered = 0 AND h.bound = 1)",
    HostRelation.ORDERED: "(h.ordered = 1 AND h.bound = 0)",
    HostRelation.BOUND_AND_ORDERED: "(h.ordered = 1 AND h.bound = 1)",
}


@dataclass(frozen=True)
class Host:
    plugin_id: str
    app_id: str
    relation: HostRelation
    order: PluginOrder | None
    binding: DebugBinding | None
    release: Choice


@dataclass(frozen=True)
class Adoption:
    version: PluginVersion
    source: Source
    host_count: int


def _relation(ordered: bool, bound: bool) -> HostRelation:
    if ordered and bound:
        return HostRelation.BOUND_AND_ORDERED
    return HostRelation.ORDERED if ordered else HostRelation.BOUND


class _Sql:
    """A statement's parameters, with the placeholders of the connection's dialect."""

    def __init__(self) -> None:
        self.postgres = get_connection("default").capabilities.dialect == "postgres"
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"

    def many(self, values: Sequence[Any]) -> str:
        return ", ".join(self(v) for v in values)


def _hosts_sql(sql: _Sql, plugin_ids: list[str], relations: tuple[str, ...], args: PageArgs | None = None) -> str:
    """Each (plugin, host) pair with whether it is ordered and bound, filtered by relation
    and, for a page, by its cursors. One plugin's unfiltered page reads only its first
    rows from each table (the active-pair indexes keep them in appId order).

    Placeholders are taken in the order they appear in the text (SQLite's are positional)."""
    relation_filter = " OR ".join(RELATION_SQL[HostRelation(r)] for r in relations) or "1 = 1"
    members = [
        (
            "SELECT plugin_id, mini_program_id AS app_id, 1 AS ordered, 0 AS bound FROM plugin_order",
            OrderStatus.ACTIVE,
        ),
        (
            "SELECT plugin_id, mini_program_id AS app_id, 0 AS ordered, 1 AS bound FROM debug_binding",
            DebugBindingStatus.AUTHORIZED,
        ),
    ]
    parts = []
    for select, status in members:
        # The status is written out, not a parameter, so the partial unique indexes on active pairs apply.
        part = f"{select} WHERE status = '{status.value}' AND plugin_id IN ({sql.many(plugin_ids)})"
        if args is not None and args.after is not None:
            part += f" AND mini_program_id > {sql(_cursor(args.after))}"
        if args is not None and args.before is not None:
            part += f" AND mini_program_id < {sql(_cursor(args.before))}"
        if args is not None and len(plugin_ids) == 1 and not relations:
            direction = "DESC" if args.backward else "ASC"
            part = f"SELECT * FROM ({part} ORDER BY mini_program_id {direction} LIMIT {sql(args.size + 1)}) AS firsts"
        parts.append(part)
    return (
        "SELECT h.plugin_id, h.app_id, h.ordered, h.bound FROM ("
        "SELECT plugin_id, app_id, MAX(ordered) AS ordered, MAX(bound) AS bound FROM ("
        f"{parts[0]} UNION ALL {parts[1]}"
        f") AS relations GROUP BY plugin_id, app_id) AS h WHERE ({relation_filter})"
    )


def _cursor(raw: str) -> str:
    (app_id,) = HOST_ORDER.decode(raw, MiniProgram)
    if not PUBLIC_ID.fullmatch(app_id):
        raise RequestError(RequestCode.VALIDATION, f"malformed cursor {raw!r}")
    return str(app_id)


async def _page_rows(plugin_ids: list[str], relations: tuple[str, ...], args: PageArgs) -> list[dict[str, Any]]:
    sql = _Sql()
    inner = _hosts_sql(sql, plugin_ids, relations, args)
    direction = "DESC" if args.backward else "ASC"
    statement = (
        "SELECT * FROM (SELECT h.*, ROW_NUMBER() OVER (PARTITION BY h.plugin_id ORDER BY h.app_id "
        f"{direction}) AS page_position FROM ({inner}) AS h) AS numbered "
        f"WHERE page_position <= {sql(args.size + 1)}"
    )
    rows: list[dict[str, Any]] = await get_connection("default").execute_query_dict(statement, sql.values)
    return rows


async def _counts(plugin_ids: list[str], relations: tuple[str, ...]) -> dict[str, int]:
    sql = _Sql()
    statement = (
        f"SELECT h.plugin_id, COUNT(*) AS n FROM ({_hosts_sql(sql, plugin_ids, relations)}) AS h GROUP BY h.plugin_id"
    )
    rows = await get_connection("default").execute_query_dict(statement, sql.values)
    return {row["plugin_id"]: int(row["n"]) for row in rows}


# A host page key: (plugin_id, relations, args)
HostPageKey = tuple[str, tuple[str, ...], PageArgs]


async def host_pages(keys: Sequence[HostPageKey]) -> list[Page[Any]]:
    """One page of hosts per key; each distinct (relations, args) is one statement, and the
    orders, bindings and one-per-plugin places of every page are read once for all, as
    are the totals (one grouped count per relation filter, only if asked for)."""
    groups: dict[tuple[tuple[str, ...], PageArgs], list[str]] = {}
    for plugin_id, relations, args in keys:
        groups.setdefault((relations, args), []).append(plugin_id)
    found: dict[HostPageKey, list[dict[str, Any]]] = {}
    counts: dict[tuple[str, ...], _SharedCount] = {}
    for (relations, args), plugin_ids in groups.items():
        unique = list(dict.fromkeys(plugin_ids))
        by_plugin: dict[str, list[dict[str, Any]]] = {p: [] for p in unique}
        for row in await _page_rows(unique, relations, args):
            by_plugin[row["plugin_id"]].append(row)
        for plugin_id in unique:
            found[(plugin_id, relations, args)] = sorted(by_plugin[plugin_id], key=lambda r: r["app_id"])
        counts.setdefault(relations, _SharedCount(relations)).plugin_ids.update(unique)
    hosts = await _hosts(found)
    return [_host_page(hosts, key, found[key], counts[key[1]]) for key in keys]


class _SharedCount:
    """The totals of every page with one relation filter, counted in one statement when first asked."""

    def __init__(self, relations: tuple[str, ...]) -> None:
        self.relations = relations
        self.plugin_ids: set[str] = set()
        self._counts: asyncio.Future[dict[str, int]] | None = None

    def of(self, plugin_id: str) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            if self._counts is None:
                self._counts = asyncio.ensure_future(_counts(sorted(self.plugin_ids), self.relations))
            return (await self._counts).get(plugin_id, 0)

        return count


async def _hosts(found: dict[HostPageKey, list[dict[str, Any]]]) -> dict[tuple[str, str], Host]:
    rows = [row for page in found.values() for row in page]
    if not rows:
        return {}
    plugin_ids = list({row["plugin_id"] for row in rows})
    app_ids = list({row["app_id"] for row in rows})
    orders = {
        (o.plugin_id, o.mini_program_id): o
        for o in await PluginOrder.filter(
            plugin_id__in=plugin_ids, mini_program_id__in=app_ids, status=OrderStatus.ACTIVE
        )
    }
    bindings = {
        (b.plugin_id, b.mini_program_id): b
        for b in await DebugBinding.filter(
            plugin_id__in=plugin_ids, mini_program_id__in=app_ids, status=DebugBindingStatus.AUTHORIZED
        )
    }
    slots: dict[str, PluginSlots] = await load_slots(plugin_ids)
    hosts: dict[tuple[str, str], Host] = {}
    for plugin_id in plugin_ids:
        pairs = [row["app_id"] for row in rows if row["plugin_id"] == plugin_id]
        ordered = {app_id for app_id in pairs if (plugin_id, app_id) in orders}
        choices = release_choices(slots[plugin_id], ordered, pairs)
        for app_id in pairs:
            pair = (plugin_id, app_id)
            hosts[pair] = Host(
                plugin_id,
                app_id,
                _relation(pair in orders, pair in bindings),
                orders.get(pair),
                bindings.get(pair),
                choices[app_id],
            )
    return hosts


def _host_page(
    hosts: dict[tuple[str, str], Host], key: HostPageKey, rows: list[dict[str, Any]], total: _SharedCount
) -> Page[Any]:
    plugin_id, _, args = key
    more = len(rows) > args.size
    if args.backward:
        rows = rows[-args.size :] if more else rows
        has_next, has_previous = args.before is not None, more
    else:
        rows = rows[: args.size]
        has_next, has_previous = more, args.after is not None
    page_hosts = [hosts[(plugin_id, row["app_id"])] for row in rows]
    cursors = [HOST_ORDER.cursor_of([host.app_id]) for host in page_hosts]
    return Page(page_hosts, cursors, has_next, has_previous, total.of(plugin_id))


async def adoption(slots: dict[str, PluginSlots]) -> dict[str, list[Adoption]]:
    """For the GRAY and the ONLINE version of each plugin, how many ordered hosts load it in
    RELEASE now: one grouped statement over the plugins' ACTIVE orders, however many."""
    orders = PluginOrder.filter(plugin_id__in=list(slots), status=OrderStatus.ACTIVE)
    rollouts = []
    for plugin_id, places in slots.items():
        in_gray = rollout_orders(places.gray) if places.gray is not None else None
        if in_gray is not None:
            rollouts.append(Q(in_gray, plugin_id=plugin_id))
    counts = {(plugin_id, gray): 0 for plugin_id in slots for gray in (True, False)}
    if slots:
        gray = Case(When(Q(*rollouts, join_type="OR"), then="1"), default="0") if rollouts else Value("0")
        rows = (
            await orders.annotate(gray=gray)
            .annotate(n=Count("id"))
            .group_by("plugin_id", "gray")
            .values("plugin_id", "gray", "n")
        )
        for row in rows:
            counts[(row["plugin_id"], str(row["gray"]) == "1")] += int(row["n"])
    found: dict[str, list[Adoption]] = {}
    for plugin_id, places in slots.items():
        found[plugin_id] = []
        if places.gray is not None:
            found[plugin_id].append(Adoption(places.gray, Source.GRAY, counts[(plugin_id, True)]))
        if places.online is not None:
            found[plugin_id].append(Adoption(places.online, Source.ONLINE, counts[(plugin_id, False)]))
    return found


async def adoptions(keys: Sequence[str]) -> list[list[Adoption]]:
    """The batch behind `Plugin.adoption`: one statement for the places, one for the counts."""
    found = await adoption(await load_slots(list(set(keys))))
    return [found[key] for key in keys]

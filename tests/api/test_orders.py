"""Orders: a host's owner orders a listed plugin and may cancel the order;
`MiniProgram.orders` lists them and `node(id)` finds one for either side.

Every refusal is checked the same way: the expected userError code, the
payload's order null, and nothing written (the host's orders and the plugin's
event log exactly as before).
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from pluginhub.models import PluginEvent, PluginOrder
from tests.helpers import Console, Person, codes, global_id, plugin_events

# ---------------------------------------------------------------- documents

HOST_ORDERS = """
query($appId: String!, $status: [OrderStatus!], $first: Int, $after: String, $last: Int, $before: String) {
  miniProgram(appId: $appId) {
    appId
    orders(status: $status, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id status orderedAt cancelledAt plugin { pluginId } miniProgram { appId } } }
    }
  }
}"""

ORDER_NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on PluginOrder { status orderedAt cancelledAt plugin { pluginId } miniProgram { appId } }
  }
}"""

ORDER_PLUGIN_RAW = """
mutation($input: OrderPluginInput!) {
  orderPlugin(input: $input) { order { id } userErrors { code message field } }
}"""

CANCEL_ORDER_RAW = """
mutation($input: OrderInput!) {
  cancelOrder(input: $input) { order { id } userErrors { code message field } }
}"""

PLUGIN_LISTED = """
query($pluginId: String!) { plugin(pluginId: $pluginId) { listedInMarket } }"""

NO_SUCH_ID = "1000000000000000"
NO_SUCH_ORDER = global_id("PluginOrder", 999999999)


# ---------------------------------------------------------------- local fixtures and helpers


async def listed_plugin(console: Console, owner: Person, reviewer: Person, name: str) -> dict[str, Any]:
    """A plugin of `owner` with 1.0.0 online, so listed in the market."""
    plugin = await console.create_plugin(owner, name)
    version = await console.submit(owner, await console.upload(owner, plugin, "1.0.0"))
    await console.act(reviewer, "approveVersion", version)
    await console.act(owner, "goOnline", version)
    return plugin


async def host_orders(console: Console, who: Person, app: dict[str, Any], **arguments: Any) -> dict[str, Any]:
    data = await console.query(HOST_ORDERS, {"appId": app["appId"], **arguments}, who)
    return data["miniProgram"]["orders"]


def order_ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def written() -> tuple[list[tuple[Any, ...]], int]:
    """Every order row and the number of events: what a refused mutation must leave alone."""
    rows = (
        await PluginOrder.all()
        .order_by("id")
        .values_list("id", "plugin_id", "mini_program_id", "status", "cancelled_at")
    )
    return [tuple(row) for row in rows], await PluginEvent.all().count()


async def refused_order(console: Console, who: Person, app_id: str, plugin_id: str, code: str) -> dict[str, Any]:
    before = await written()
    payload = await console.mutate(ORDER_PLUGIN_RAW, {"appId": app_id, "pluginId": plugin_id}, who)
    assert codes(payload) == [code], payload
    assert payload["order"] is None
    assert await written() == before
    return payload


async def refused_cancel(console: Console, who: Person, order_id: str, code: str) -> dict[str, Any]:
    before = await written()
    payload = await console.mutate(CANCEL_ORDER_RAW, {"orderId": order_id}, who)
    assert codes(payload) == [code], payload
    assert payload["order"] is None
    assert await written() == before
    return payload


# ---------------------------------------------------------------- ordering


async def test_host_owner_orders_a_listed_plugin(console: Console, alice, bob, plugin, online_version, mini_program):
    payload = await console.order_payload(bob, mini_program, plugin)

    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["status"] == "ACTIVE"
    assert order["orderedAt"]
    assert order["cancelledAt"] is None
    assert order["plugin"] == {"pluginId": plugin["pluginId"]}
    assert order["miniProgram"] == {"appId": mini_program["appId"]}
    assert await PluginOrder.filter(mini_program_id=mini_program["appId"], status="ACTIVE").count() == 1


async def test_ordering_records_an_event_both_sides_see(
    console: Console, alice, bob, plugin, online_version, mini_program
):
    order = await console.order(bob, mini_program, plugin)
    expected = {
        "kind": "PLUGIN_ORDERED",
        "fromStatus": None,
        "toStatus": "ACTIVE",
        "reason": None,
        "actor": {"name": "bob"},
        "version": None,
        "debugBinding": None,
        "order": {"id": order["id"], "status": "ACTIVE"},
    }

    # The host's owner sees only the events of its own hosts' bindings and orders.
    (seen,) = await plugin_events(console, bob, plugin)
    assert seen == {**expected, "id": seen["id"]}
    # The plugin's owner sees the whole log, the same event last.
    owner_log = await plugin_events(console, alice, plugin)
    assert owner_log[-1] == seen
    assert [event["kind"] for event in owner_log].count("PLUGIN_ORDERED") == 1


async def test_a_visible_but_unlisted_plugin_answers_not_listed(
    console: Console, alice, bob, plugin, mini_program, pending_binding
):
    """The debug invitation makes alice's plugin visible to bob; nothing of it ever went online."""
    seen = await console.query(PLUGIN_LISTED, {"pluginId": plugin["pluginId"]}, bob)
    assert seen["plugin"] == {"listedInMarket": False}

    await refused_order(console, bob, mini_program["appId"], plugin["pluginId"], "NOT_LISTED")


async def test_a_plugin_in_gray_release_is_not_listed_yet(
    console: Console, bob, plugin, mini_program, pending_binding, gray_version
):
    await refused_order(console, bob, mini_program["appId"], plugin["pluginId"], "NOT_LISTED")


async def test_an_invisible_unlisted_plugin_does_not_exist(
    console: Console, bob, plugin, development_version, mini_program
):
    unseen = await refused_order(console, bob, mini_program["appId"], plugin["pluginId"], "NOT_FOUND")
    missing = await refused_order(console, bob, mini_program["appId"], NO_SUCH_ID, "NOT_FOUND")
    # No hint that the unseen plugin exists: the same answer as for no plugin at all.
    assert unseen["userErrors"] == missing["userErrors"]
    assert unseen["userErrors"][0]["field"] == ["input", "pluginId"]


async def test_a_second_active_order_of_the_same_pair_answers_order_exists(
    console: Console, bob, plugin, mini_program, active_order
):
    await refused_order(console, bob, mini_program["appId"], plugin["pluginId"], "ORDER_EXISTS")

    assert order_ids(await host_orders(console, bob, mini_program)) == [active_order["id"]]


async def test_another_host_of_the_same_entity_may_order_the_same_plugin(
    console: Console, bob, plugin, mini_program, active_order
):
    second = await console.create_mini_program(bob, "Blue Harbor Cafe")

    order = await console.order(bob, second, plugin)

    assert order["status"] == "ACTIVE"
    assert order["id"] != active_order["id"]


async def test_after_cancelling_the_host_may_order_again(console: Console, bob, plugin, mini_program, active_order):
    cancelled = await console.cancel_order_payload(bob, active_order)
    assert cancelled["userErrors"] == []

    again = await console.order(bob, mini_program, plugin)

    assert again["status"] == "ACTIVE"
    assert again["id"] != active_order["id"]
    listed = await host_orders(console, bob, mini_program)
    assert [(edge["node"]["id"], edge["node"]["status"]) for edge in listed["edges"]] == [
        (again["id"], "ACTIVE"),
        (active_order["id"], "CANCELLED"),
    ]


async def test_ordering_for_someone_elses_mini_program_answers_not_found(
    console: Console, alice, bob, dave, plugin, online_version, mini_program
):
    # alice owns the plugin, not the host; dave owns neither.
    for who in (alice, dave):
        unseen = await refused_order(console, who, mini_program["appId"], plugin["pluginId"], "NOT_FOUND")
        missing = await refused_order(console, who, NO_SUCH_ID, plugin["pluginId"], "NOT_FOUND")
        assert unseen["userErrors"] == missing["userErrors"]
        assert unseen["userErrors"][0]["field"] == ["input", "appId"]


@pytest.mark.parametrize(
    ("app_id", "plugin_id", "field"),
    [
        ("12345", None, ["input", "appId"]),
        ("abcdefghijklmnop", None, ["input", "appId"]),
        ("12345678901234567", None, ["input", "appId"]),
        (None, "", ["input", "pluginId"]),
        (None, "123456789012345x", ["input", "pluginId"]),
        (None, " 1234567890123456", ["input", "pluginId"]),
    ],
)
async def test_malformed_ids_to_order_plugin_answer_validation(
    console: Console, bob, plugin, online_version, mini_program, app_id, plugin_id, field
):
    app_id = mini_program["appId"] if app_id is None else app_id
    plugin_id = plugin["pluginId"] if plugin_id is None else plugin_id

    payload = await refused_order(console, bob, app_id, plugin_id, "VALIDATION")
    assert payload["userErrors"][0]["field"] == field


# ---------------------------------------------------------------- cancelling


async def test_cancel_moves_an_active_order_to_cancelled(
    console: Console, alice, bob, plugin, mini_program, active_order
):
    payload = await console.cancel_order_payload(bob, active_order)

    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["id"] == active_order["id"]
    assert order["status"] == "CANCELLED"
    assert order["cancelledAt"]
    assert order["cancelledAt"] >= order["orderedAt"]
    assert order["orderedAt"] == active_order["orderedAt"]
    row = await PluginOrder.get(mini_program_id=mini_program["appId"])
    assert row.status == "CANCELLED" and row.cancelled_at is not None


async def test_cancel_records_an_event_both_sides_see(console: Console, alice, bob, plugin, mini_program, active_order):
    await console.cancel_order_payload(bob, active_order)
    expected = {
        "kind": "ORDER_CANCELLED",
        "fromStatus": "ACTIVE",
        "toStatus": "CANCELLED",
        "reason": None,
        "actor": {"name": "bob"},
        "version": None,
        "debugBinding": None,
        "order": {"id": active_order["id"], "status": "CANCELLED"},
    }

    bobs = await plugin_events(console, bob, plugin)
    assert [event["kind"] for event in bobs] == ["PLUGIN_ORDERED", "ORDER_CANCELLED"]
    assert bobs[-1] == {**expected, "id": bobs[-1]["id"]}
    assert (await plugin_events(console, alice, plugin))[-1] == bobs[-1]


async def test_cancelling_a_cancelled_order_answers_invalid_transition(
    console: Console, bob, mini_program, active_order
):
    first = await console.cancel_order_payload(bob, active_order)
    assert first["userErrors"] == []

    await refused_cancel(console, bob, active_order["id"], "INVALID_TRANSITION")

    (node,) = (await host_orders(console, bob, mini_program))["edges"]
    assert node["node"]["cancelledAt"] == first["order"]["cancelledAt"]


async def test_the_plugin_owner_may_not_cancel_the_hosts_order(
    console: Console, alice, bob, mini_program, active_order
):
    await refused_cancel(console, alice, active_order["id"], "FORBIDDEN")

    assert (await host_orders(console, bob, mini_program))["edges"][0]["node"]["status"] == "ACTIVE"


async def test_a_third_entity_cannot_find_the_order(console: Console, bob, dave, rita, mini_program, active_order):
    for who in (dave, rita):
        await refused_cancel(console, who, active_order["id"], "NOT_FOUND")

    assert (await host_orders(console, bob, mini_program))["edges"][0]["node"]["status"] == "ACTIVE"


async def test_cancelling_an_order_that_does_not_exist_answers_not_found(console: Console, bob, active_order):
    await refused_cancel(console, bob, NO_SUCH_ORDER, "NOT_FOUND")


@pytest.mark.parametrize("order_id", ["", "not-an-id", global_id("PluginOrder", "abc")])
async def test_malformed_order_ids_answer_validation(console: Console, bob, active_order, order_id):
    payload = await refused_cancel(console, bob, order_id, "VALIDATION")
    assert payload["userErrors"][0]["field"] == ["input", "orderId"]


async def test_the_id_of_another_type_answers_validation(console: Console, bob, mini_program, active_order):
    payload = await refused_cancel(console, bob, mini_program["id"], "VALIDATION")
    assert payload["userErrors"][0]["field"] == ["input", "orderId"]


# ---------------------------------------------------------------- MiniProgram.orders


@pytest_asyncio.fixture
async def three_orders(console: Console, alice, bob, rita, mini_program):
    """bob's host ordered plugins A, B and C in that order and cancelled B.

    Another host of bob's, and another entity's host, ordered A too: neither
    may show up in the list.
    """
    plugins = [await listed_plugin(console, alice, rita, f"Plugin {name}") for name in "ABC"]
    orders = [await console.order(bob, mini_program, plugin) for plugin in plugins]
    cancelled = await console.cancel_order_payload(bob, orders[1])
    assert cancelled["userErrors"] == []

    other_host = await console.create_mini_program(bob, "Blue Harbor Cafe")
    await console.order(bob, other_host, plugins[0])
    outsider = await console.person("Orange Grove", "olga")
    await console.order(outsider, await console.create_mini_program(outsider, "Orange Grove Shop"), plugins[0])
    return orders


async def test_host_orders_are_listed_newest_first(console: Console, bob, mini_program, three_orders):
    a, b, c = three_orders

    listed = await host_orders(console, bob, mini_program)

    assert listed["totalCount"] == 3
    assert order_ids(listed) == [c["id"], b["id"], a["id"]]
    assert [edge["node"]["status"] for edge in listed["edges"]] == ["ACTIVE", "CANCELLED", "ACTIVE"]
    assert {edge["node"]["miniProgram"]["appId"] for edge in listed["edges"]} == {mini_program["appId"]}
    assert listed["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (["ACTIVE"], ["C", "A"]),
        (["CANCELLED"], ["B"]),
        (["ACTIVE", "CANCELLED"], ["C", "B", "A"]),
        (None, ["C", "B", "A"]),
    ],
)
async def test_host_orders_filter_by_status(console: Console, bob, mini_program, three_orders, status, expected):
    by_name = dict(zip("ABC", (order["id"] for order in three_orders), strict=True))

    listed = await host_orders(console, bob, mini_program, status=status)

    assert order_ids(listed) == [by_name[name] for name in expected]
    assert listed["totalCount"] == len(expected)


async def test_host_orders_page_forward_and_back(console: Console, bob, mini_program, three_orders):
    a, b, c = three_orders

    first = await host_orders(console, bob, mini_program, first=2)
    assert order_ids(first) == [c["id"], b["id"]]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]

    rest = await host_orders(console, bob, mini_program, first=2, after=first["pageInfo"]["endCursor"])
    assert order_ids(rest) == [a["id"]]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["pageInfo"]["hasPreviousPage"] is True

    oldest = await host_orders(console, bob, mini_program, last=1)
    assert order_ids(oldest) == [a["id"]]
    back = await host_orders(console, bob, mini_program, last=2, before=oldest["pageInfo"]["startCursor"])
    assert order_ids(back) == [c["id"], b["id"]]

    active_page = await host_orders(console, bob, mini_program, status=["ACTIVE"], first=1)
    assert order_ids(active_page) == [c["id"]]
    active_rest = await host_orders(
        console, bob, mini_program, status=["ACTIVE"], first=1, after=active_page["pageInfo"]["endCursor"]
    )
    assert order_ids(active_rest) == [a["id"]]


async def test_a_host_without_orders_lists_none(console: Console, bob, mini_program, plugin, online_version):
    listed = await host_orders(console, bob, mini_program)

    assert listed == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "edges": [],
    }


# ---------------------------------------------------------------- node(id)


async def test_both_sides_find_an_order_by_id(console: Console, alice, bob, plugin, mini_program, active_order):
    expected = {
        "__typename": "PluginOrder",
        "id": active_order["id"],
        "status": "ACTIVE",
        "orderedAt": active_order["orderedAt"],
        "cancelledAt": None,
        "plugin": {"pluginId": plugin["pluginId"]},
        "miniProgram": {"appId": mini_program["appId"]},
    }
    for who in (bob, alice):
        assert (await console.query(ORDER_NODE, {"id": active_order["id"]}, who))["node"] == expected


async def test_a_cancelled_order_is_still_found_by_both_sides(console: Console, alice, bob, active_order):
    await console.cancel_order_payload(bob, active_order)

    for who in (bob, alice):
        node = (await console.query(ORDER_NODE, {"id": active_order["id"]}, who))["node"]
        assert node["status"] == "CANCELLED"
        assert node["cancelledAt"]


async def test_an_order_is_null_for_a_third_entity(console: Console, dave, rita, active_order):
    for who in (dave, rita):
        assert (await console.query(ORDER_NODE, {"id": active_order["id"]}, who))["node"] is None

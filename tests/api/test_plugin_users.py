"""Plugin users: hosts, orders and adoption, for the plugin's owner only."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import pytest_asyncio

from pluginhub.models import MiniProgram, PluginOrder
from pluginhub.resolvers.resolution import bucket
from tests.helpers import Console, top_level_codes

HOSTS = """
query($pluginId: String!, $first: Int, $after: String, $last: Int, $before: String, $relation: [HostRelation!]) {
  plugin(pluginId: $pluginId) {
    hosts(first: $first, after: $after, last: $last, before: $before, relation: $relation) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        miniProgram { appId name entity { name } }
        relation
        order { id status }
        debugBinding { id status }
        releaseVersion { version }
        releaseSource
      } }
    }
  }
}"""

ORDERS = """
query($pluginId: String!, $status: [OrderStatus!], $first: Int, $after: String, $last: Int, $before: String) {
  plugin(pluginId: $pluginId) {
    orders(status: $status, first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage }
      edges { cursor node { id status miniProgram { appId } } }
    }
  }
}"""

ADOPTION = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) { adoption { version { version } source hostCount } }
}"""

RESOLVE = """
query($appId: String!, $pluginId: String!) {
  resolvePluginVersion(appId: $appId, pluginId: $pluginId, scene: RELEASE) {
    __typename ... on ResolvedPluginVersion { source version { version } }
  }
}"""

NESTED_HOSTS = """
query { plugins(first: 50) { edges { node {
  hosts(first: 10) { totalCount edges { node { miniProgram { appId } relation order { id } debugBinding { id }
    releaseVersion { version } releaseSource } } }
  adoption { version { version } hostCount }
} } } }"""


@pytest_asyncio.fixture
async def users(console: Console, alice, bob, plugin, online_version, own_mini_program) -> dict[str, Any]:
    """1.0.0 ONLINE, 1.1.0 GRAY at 50% with `listed` named; bob's hosts in every relation."""
    gray = await console.approved(alice, plugin, "1.1.0")
    apps = {
        name: await console.create_mini_program(bob, name) for name in ("listed", "bound", "both", "pending", "gone")
    }
    apps.update({f"ordered{i}": await console.create_mini_program(bob, f"ordered{i}") for i in range(8)})
    await console.act(alice, "grayRelease", gray, percentage=50, appIds=[apps["listed"]["appId"]])
    for name in ("listed", "both", "gone", *(f"ordered{i}" for i in range(8))):
        await console.order(bob, apps[name], plugin)
    for name in ("bound", "both"):
        await console.binding_action(
            bob, "authorizeDebugBinding", await console.add_debug_host(alice, plugin, apps[name])
        )
    await console.add_debug_host(alice, plugin, apps["pending"])
    gone = (await console.query(ORDERS, {"pluginId": plugin["pluginId"], "status": ["ACTIVE"]}, alice))["plugin"]
    gone_order = next(
        e["node"] for e in gone["orders"]["edges"] if e["node"]["miniProgram"]["appId"] == apps["gone"]["appId"]
    )
    assert (await console.cancel_order_payload(bob, gone_order))["userErrors"] == []
    await console.add_debug_host(alice, plugin, own_mini_program)  # authorized at once: same entity
    apps["own"] = own_mini_program
    return apps


async def all_hosts(console: Console, who, plugin, **variables: Any) -> list[dict[str, Any]]:
    data = await console.query(HOSTS, {"pluginId": plugin["pluginId"], "first": 100, **variables}, who)
    return [edge["node"] for edge in data["plugin"]["hosts"]["edges"]]


async def test_hosts_lists_bound_and_ordering_hosts_with_what_each_loads(console: Console, alice, bob, plugin, users):
    hosts = {h["miniProgram"]["appId"]: h for h in await all_hosts(console, alice, plugin)}
    expected = {users[n]["appId"] for n in ("listed", "bound", "both", "own", *(f"ordered{i}" for i in range(8)))}
    assert set(hosts) == expected  # not the pending invitation, not the cancelled order
    assert list(hosts) == sorted(hosts)  # by appId
    assert hosts[users["bound"]["appId"]]["relation"] == "BOUND"
    assert hosts[users["own"]["appId"]]["relation"] == "BOUND"
    assert hosts[users["both"]["appId"]]["relation"] == "BOUND_AND_ORDERED"
    assert hosts[users["listed"]["appId"]]["relation"] == "ORDERED"
    assert hosts[users["bound"]["appId"]]["order"] is None
    assert hosts[users["bound"]["appId"]]["debugBinding"]["status"] == "AUTHORIZED"
    assert hosts[users["listed"]["appId"]]["debugBinding"] is None
    assert hosts[users["listed"]["appId"]]["order"]["status"] == "ACTIVE"
    assert hosts[users["listed"]["appId"]]["miniProgram"]["entity"]["name"] == "Blue Harbor"
    # What each loads is what resolvePluginVersion answers its owner in RELEASE.
    for app_id, host in hosts.items():
        if host["order"] is None:
            assert (host["releaseVersion"], host["releaseSource"]) == (None, None)
            continue
        answer = (await console.query(RESOLVE, {"appId": app_id, "pluginId": plugin["pluginId"]}, bob))[
            "resolvePluginVersion"
        ]
        assert (host["releaseSource"], host["releaseVersion"]["version"]) == (
            answer["source"],
            answer["version"]["version"],
        )
    assert hosts[users["listed"]["appId"]]["releaseSource"] == "GRAY"
    sources = {h["releaseSource"] for h in hosts.values() if h["order"]}
    assert sources == {"GRAY", "ONLINE"}, "the fixture should put hosts on both sides of the rollout"


@pytest.mark.parametrize(
    ("relation", "names"),
    [
        (["BOUND"], {"bound", "own"}),
        (["BOUND_AND_ORDERED"], {"both"}),
        (["BOUND", "BOUND_AND_ORDERED"], {"bound", "own", "both"}),
        (["ORDERED"], {"listed", *(f"ordered{i}" for i in range(8))}),
    ],
)
async def test_hosts_filter_by_relation(console: Console, alice, plugin, users, relation, names):
    data = await console.query(HOSTS, {"pluginId": plugin["pluginId"], "relation": relation}, alice)
    found = {edge["node"]["miniProgram"]["appId"] for edge in data["plugin"]["hosts"]["edges"]}
    assert found == {users[n]["appId"] for n in names}
    assert data["plugin"]["hosts"]["totalCount"] == len(names)


async def test_hosts_page_both_ways(console: Console, alice, plugin, users):
    everyone = [h["miniProgram"]["appId"] for h in await all_hosts(console, alice, plugin)]
    seen, after = [], None
    while True:
        page = (await console.query(HOSTS, {"pluginId": plugin["pluginId"], "first": 5, "after": after}, alice))[
            "plugin"
        ]["hosts"]
        seen += [e["node"]["miniProgram"]["appId"] for e in page["edges"]]
        assert page["totalCount"] == len(everyone)
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everyone
    back, before = [], None
    while True:
        page = (await console.query(HOSTS, {"pluginId": plugin["pluginId"], "last": 5, "before": before}, alice))[
            "plugin"
        ]["hosts"]
        back = [e["node"]["miniProgram"]["appId"] for e in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == everyone


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJ4Il0", "WzFd"])  # garbage, ["x"], [1]
async def test_a_malformed_hosts_cursor_is_refused(console: Console, alice, plugin, cursor):
    body = await console.post(HOSTS, {"pluginId": plugin["pluginId"], "after": cursor}, alice)
    assert top_level_codes(body) == ["VALIDATION"]


async def test_hosts_page_size_is_checked(console: Console, alice, plugin):
    body = await console.post(HOSTS, {"pluginId": plugin["pluginId"], "first": 101}, alice)
    assert top_level_codes(body) == ["VALIDATION"]


@pytest.mark.parametrize("who", ["bob", "rita", "carol"])
async def test_users_are_for_the_owner_only(console: Console, alice, bob, rita, plugin, users, who):
    """The host owner, a reviewer and an outsider see the plugin but none of its users."""
    viewer = {"bob": bob, "rita": rita, "carol": await console.person("Carrot Co", "carol")}[who]
    hosts = (await console.query(HOSTS, {"pluginId": plugin["pluginId"]}, viewer))["plugin"]["hosts"]
    assert hosts == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "edges": [],
    }
    orders = (await console.query(ORDERS, {"pluginId": plugin["pluginId"]}, viewer))["plugin"]["orders"]
    assert (orders["totalCount"], orders["edges"]) == (0, [])
    assert (await console.query(ADOPTION, {"pluginId": plugin["pluginId"]}, viewer))["plugin"]["adoption"] == []
    # ...while the owner sees them all
    assert (await console.query(ORDERS, {"pluginId": plugin["pluginId"]}, alice))["plugin"]["orders"][
        "totalCount"
    ] == 11


async def test_orders_newest_first_with_a_status_filter(console: Console, alice, plugin, users):
    data = (await console.query(ORDERS, {"pluginId": plugin["pluginId"]}, alice))["plugin"]["orders"]
    ids = [e["node"]["id"] for e in data["edges"]]
    assert len(ids) == 11
    rows = await PluginOrder.filter(plugin_id=plugin["pluginId"]).order_by("-id")
    assert [r.mini_program_id for r in rows] == [e["node"]["miniProgram"]["appId"] for e in data["edges"]]
    cancelled = await console.query(ORDERS, {"pluginId": plugin["pluginId"], "status": ["CANCELLED"]}, alice)
    assert [e["node"]["miniProgram"]["appId"] for e in cancelled["plugin"]["orders"]["edges"]] == [
        users["gone"]["appId"]
    ]
    page = (await console.query(ORDERS, {"pluginId": plugin["pluginId"], "first": 4}, alice))["plugin"]["orders"]
    after = page["edges"][-1]["cursor"]
    rest = (await console.query(ORDERS, {"pluginId": plugin["pluginId"], "after": after}, alice))["plugin"]["orders"]
    assert [e["node"]["id"] for e in page["edges"] + rest["edges"]] == ids
    back = (await console.query(ORDERS, {"pluginId": plugin["pluginId"], "last": 3}, alice))["plugin"]["orders"]
    assert [e["node"]["id"] for e in back["edges"]] == ids[-3:]


async def test_an_order_keeps_its_hosts_gray_bucket(console: Console, bob, plugin, users):
    for row in await PluginOrder.filter(plugin_id=plugin["pluginId"]):
        assert row.rollout_bucket == bucket(plugin["pluginId"], row.mini_program_id)


async def test_adoption_counts_gray_and_online_hosts(console: Console, alice, bob, plugin, users):
    adoption = (await console.query(ADOPTION, {"pluginId": plugin["pluginId"]}, alice))["plugin"]["adoption"]
    hosts = await all_hosts(console, alice, plugin)
    gray = sum(1 for h in hosts if h["releaseSource"] == "GRAY")
    online = sum(1 for h in hosts if h["releaseSource"] == "ONLINE")
    assert gray + online == 10
    assert adoption == [
        {"version": {"version": "1.1.0"}, "source": "GRAY", "hostCount": gray},
        {"version": {"version": "1.0.0"}, "source": "ONLINE", "hostCount": online},
    ]


async def test_adoption_without_a_gray_version(console: Console, alice, bob, plugin, active_order):
    adoption = (await console.query(ADOPTION, {"pluginId": plugin["pluginId"]}, alice))["plugin"]["adoption"]
    assert adoption == [{"version": {"version": "1.0.0"}, "source": "ONLINE", "hostCount": 1}]


async def test_adoption_of_a_plugin_nobody_ordered(console: Console, alice, plugin, development_version):
    assert (await console.query(ADOPTION, {"pluginId": plugin["pluginId"]}, alice))["plugin"]["adoption"] == []


# ---------------------------------------------------------------- counted in SQL


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


async def statements_of(console: Console, who, query: str, variables: dict[str, Any]) -> tuple[Any, list[str]]:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        data = await console.query(query, variables, who)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
    return data, counter.statements


HOST_COUNT = 10_000


async def test_adoption_of_10000_hosts_is_one_statement_and_agrees_with_resolution(
    console: Console, alice, bob, plugin
):
    from pluginhub.models import PluginVersion
    from pluginhub.resolvers.resolution import in_rollout

    online = await console.approved(alice, plugin, "1.0.0")
    await console.act(alice, "goOnline", online)
    first = await console.create_mini_program(bob, "first host")
    await console.order(bob, first, plugin)
    entity = (await MiniProgram.get(app_id=first["appId"])).entity_id
    apps = [str(3_000_000_000_000_000 + i) for i in range(HOST_COUNT - 1)]
    await MiniProgram.bulk_create(
        [MiniProgram(app_id=a, entity_id=entity, name=f"h{a}") for a in apps], batch_size=1000
    )
    await PluginOrder.bulk_create(
        [
            PluginOrder(plugin_id=plugin["pluginId"], mini_program_id=a, rollout_bucket=bucket(plugin["pluginId"], a))
            for a in apps
        ],
        batch_size=1000,
    )
    listed = [a for a in apps[:2000] if bucket(plugin["pluginId"], a) >= 3700][:40]  # outside the percentage
    gray = await console.approved(alice, plugin, "1.1.0")
    await console.act(alice, "grayRelease", gray, percentage=37, appIds=listed)

    data, statements = await statements_of(console, alice, ADOPTION, {"pluginId": plugin["pluginId"]})
    on_orders = [s for s in statements if 'FROM "plugin_order"' in s and 'FROM "plugin" ' not in s]
    assert len(on_orders) == 1, on_orders
    assert "GROUP BY" in on_orders[0].upper()
    assert len(statements) <= 5, statements  # the plugin, its one-per-plugin places, the count

    # Host by host, by the resolution's own rule (SHA-256 computed afresh for each host).
    rollout = await PluginVersion.get(id=int(__import__("base64").b64decode(gray["id"]).decode().split(":")[1]))
    in_gray = sum(1 for a in [first["appId"], *apps] if in_rollout(rollout, a))
    assert in_gray > len(listed)
    assert data["plugin"]["adoption"] == [
        {"version": {"version": "1.1.0"}, "source": "GRAY", "hostCount": in_gray},
        {"version": {"version": "1.0.0"}, "source": "ONLINE", "hostCount": HOST_COUNT - in_gray},
    ]
    # and a sample through the API agrees too
    for app_id in [first["appId"], *listed[:3], *apps[:20]]:
        answer = (await console.query(RESOLVE, {"appId": app_id, "pluginId": plugin["pluginId"]}, bob))[
            "resolvePluginVersion"
        ]
        assert answer["source"] == ("GRAY" if in_rollout(rollout, app_id) else "ONLINE")


async def test_nested_hosts_cost_the_same_statements_however_many_plugins(console: Console, alice, bob):
    async def add(count: int) -> None:
        for i in range(count):
            plugin = await console.create_plugin(alice, f"P{i}")
            await console.act(alice, "goOnline", await console.approved(alice, plugin, "1.0.0"))
            for j in range(2):
                await console.order(bob, await console.create_mini_program(bob, f"h{i}.{j}"), plugin)

    await add(2)
    _, few = await statements_of(console, alice, NESTED_HOSTS, {})
    await add(4)
    data, many = await statements_of(console, alice, NESTED_HOSTS, {})
    assert len(many) == len(few), (few, many)
    assert all(len(e["node"]["hosts"]["edges"]) == 2 for e in data["plugins"]["edges"])

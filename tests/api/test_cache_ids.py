"""Ids that let client caches normalise every object, and typed statuses beside the event's strings."""

from __future__ import annotations

from tests.helpers import Console

VERSIONS = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    versions(first: 10) { edges { node { id version package { id sha256 } grayRelease { id percentage } } } }
  }
}"""

NODE = "query($id: ID!) { node(id: $id) { id } }"

BINDINGS = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) { debugBindings(first: 10) { edges { node { id authorization { id token } } } } }
}"""

EVENTS = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    events(first: 50) {
      edges { node {
        kind fromStatus toStatus
        fromVersionStatus toVersionStatus fromBindingStatus toBindingStatus fromOrderStatus toOrderStatus
      } }
    }
  }
}"""


async def versions(console: Console, who, plugin) -> dict[str, dict]:
    data = await console.query(VERSIONS, {"pluginId": plugin["pluginId"]}, who)
    return {edge["node"]["version"]: edge["node"] for edge in data["plugin"]["versions"]["edges"]}


async def test_packages_and_rollouts_have_stable_ids_of_their_own(
    console: Console, alice, plugin, gray_version
) -> None:
    await console.upload(alice, plugin, "1.1.0")
    first, again = await versions(console, alice, plugin), await versions(console, alice, plugin)
    assert first == again
    packages = {v["package"]["id"] for v in first.values()}
    assert len(packages) == 2, "each version's package has its own id"
    gray = first["1.0.0"]
    assert gray["grayRelease"]["id"] not in {gray["id"], gray["package"]["id"]}
    assert first["1.1.0"]["grayRelease"] is None
    for value_id in (gray["package"]["id"], gray["grayRelease"]["id"]):
        assert (await console.post(NODE, {"id": value_id}, alice)) == {"data": {"node": None}}


async def test_an_authorization_has_a_stable_id(console: Console, alice, plugin, authorized_binding) -> None:
    data = await console.query(BINDINGS, {"pluginId": plugin["pluginId"]}, alice)
    node = data["plugin"]["debugBindings"]["edges"][0]["node"]
    assert node["authorization"]["id"] not in (None, node["id"])
    again = await console.query(BINDINGS, {"pluginId": plugin["pluginId"]}, alice)
    assert again == data


async def test_event_statuses_are_typed_by_what_the_event_is_about(
    console: Console, alice, plugin, auditing_version, authorized_binding, active_order
) -> None:
    data = await console.query(EVENTS, {"pluginId": plugin["pluginId"]}, alice)
    events = {edge["node"]["kind"]: edge["node"] for edge in data["plugin"]["events"]["edges"]}
    typed = (
        "fromVersionStatus",
        "toVersionStatus",
        "fromBindingStatus",
        "toBindingStatus",
        "fromOrderStatus",
        "toOrderStatus",
    )

    def only(event: dict, **expected: str) -> None:
        assert {name: event[name] for name in typed if event[name] is not None} == expected

    only(events["SUBMITTED"], fromVersionStatus="DEVELOPMENT", toVersionStatus="AUDITING")
    assert events["SUBMITTED"]["fromStatus"] == "DEVELOPMENT"
    only(events["DEBUG_BINDING_AUTHORIZED"], fromBindingStatus="PENDING", toBindingStatus="AUTHORIZED")
    only(events["PLUGIN_ORDERED"], toOrderStatus="ACTIVE")
    only(events["PLUGIN_CREATED"])

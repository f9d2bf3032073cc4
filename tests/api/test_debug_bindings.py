"""Joint debugging: inviting hosts, authorizing, rejecting, cancelling and
unbinding; who may do each; the authorization token; and the binding lists.

Every allowed change is checked for its status, `endedAt`, `authorization`
and the one event it records (seen by the plugin's owner and by the host's
owner). Every refusal is checked for its userError code, a null
`debugBinding`, and the plugin as its owner sees it (bindings and event log)
exactly as before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import pytest_asyncio

from tests.helpers import (
    ADD_DEBUG_HOST,
    BINDING_FIELDS,
    Console,
    Person,
    codes,
    global_id,
    plugin_events,
    plugin_state,
    top_level_codes,
)

# ---------------------------------------------------------------- documents

BINDING_NODE = (
    """
query($id: ID!) { node(id: $id) { ... on DebugBinding { %s } } }"""
    % BINDING_FIELDS
)

PLUGIN_BINDINGS = (
    """
query($pluginId: String!, $first: Int, $after: String, $status: [DebugBindingStatus!]) {
  plugin(pluginId: $pluginId) {
    debugBindings(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { %s } }
    }
  }
}"""
    % BINDING_FIELDS
)

HOST_BINDINGS = (
    """
query($appId: String!, $first: Int, $after: String, $status: [DebugBindingStatus!]) {
  miniProgram(appId: $appId) {
    appId
    debugBindings(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { %s } }
    }
  }
}"""
    % BINDING_FIELDS
)

HOST_BINDINGS_THROUGH_PLUGIN = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    debugBindings(first: 100) {
      edges {
        node {
          id
          miniProgram { appId debugBindings(first: 100) { totalCount edges { node { id plugin { pluginId } } } } }
        }
      }
    }
  }
}"""

PUBLIC_FACE = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    pluginId name listedInMarket
    onlineVersion { version status }
    experienceVersion { version }
    versions(first: 100) { totalCount edges { node { version status } } }
    devVersion: version(version: "1.1.0") { version }
  }
}"""

VERSION_NODE = """
query($id: ID!) { node(id: $id) { ... on PluginVersion { version status } } }"""

RESOLVE = """
query($appId: String!, $pluginId: String!, $scene: Scene!, $debugToken: String) {
  resolvePluginVersion(appId: $appId, pluginId: $pluginId, scene: $scene, debugToken: $debugToken) {
    __typename
    ... on ResolvedPluginVersion { source version { version } }
    ... on PluginUnavailable { reason }
  }
}"""

BINDING_MUTATIONS = ["cancelDebugHost", "authorizeDebugBinding", "rejectDebugBinding", "unbindDebugHost"]

ENDED = {"CANCELLED", "REJECTED", "UNBOUND"}

NO_SUCH_ID = "0000000000000001"  # well formed, never issued (issued ids do not start with 0)


# ---------------------------------------------------------------- local fixtures


@pytest_asyncio.fixture
async def dave_host(console: Console, dave):
    return await console.create_mini_program(dave, "Delta Shop")


@pytest.fixture
def binding_in(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The binding fixture named by the test's parameter (e.g. "rejected_binding")."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def actor(request: pytest.FixtureRequest) -> Person:
    """The person fixture named by the test's parameter (e.g. "bob")."""
    return request.getfixturevalue(request.param)


# ---------------------------------------------------------------- local helpers


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def binding_node(console: Console, who: Person, binding: dict[str, Any]) -> dict[str, Any] | None:
    return (await console.query(BINDING_NODE, {"id": binding["id"]}, who))["node"]


async def plugin_bindings(console: Console, who: Person, plugin: dict[str, Any], **args: Any) -> dict[str, Any]:
    found = (await console.query(PLUGIN_BINDINGS, {"pluginId": plugin["pluginId"], **args}, who))["plugin"]
    assert found is not None, f"{who.name} does not see the plugin"
    return found["debugBindings"]


async def host_bindings(console: Console, who: Person, app: dict[str, Any], **args: Any) -> dict[str, Any]:
    found = (await console.query(HOST_BINDINGS, {"appId": app["appId"], **args}, who))["miniProgram"]
    assert found is not None, f"{who.name} does not see the mini-program"
    return found["debugBindings"]


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def add_payload(console: Console, who: Person, plugin_id: str, app_id: str) -> dict[str, Any]:
    return await console.mutate(ADD_DEBUG_HOST, {"pluginId": plugin_id, "appId": app_id}, who)


async def refused_add(
    console: Console, owner: Person, plugin: dict[str, Any], who: Person, plugin_id: str, app_id: str, code: str
) -> dict[str, Any]:
    """`who` tries to add a host: it fails with `code`, no binding, nothing changed."""
    before = await plugin_state(console, owner, plugin)
    payload = await add_payload(console, who, plugin_id, app_id)
    assert codes(payload) == [code], payload
    assert payload["debugBinding"] is None
    assert await plugin_state(console, owner, plugin) == before
    return payload


async def refused_action(
    console: Console,
    owner: Person,
    plugin: dict[str, Any],
    who: Person,
    mutation: str,
    binding: dict[str, Any],
    code: str,
    *,
    exists: bool = True,
) -> dict[str, Any]:
    """`who` tries a binding mutation: it fails with `code`, no binding, nothing changed."""
    before = await plugin_state(console, owner, plugin)
    before_binding = await binding_node(console, owner, binding) if exists else None
    payload = await console.binding_action_payload(who, mutation, binding)
    assert codes(payload) == [code], payload
    assert payload["debugBinding"] is None
    assert await plugin_state(console, owner, plugin) == before
    if exists:
        assert await binding_node(console, owner, binding) == before_binding
    return payload


async def resolve_body(
    console: Console, who: Person, app: dict[str, Any], plugin: dict[str, Any], token: str | None
) -> dict[str, Any]:
    variables = {"appId": app["appId"], "pluginId": plugin["pluginId"], "scene": "DEVELOP", "debugToken": token}
    return await console.post(RESOLVE, variables, who)


# ---------------------------------------------------------------- add a host


async def test_adding_another_entitys_host_leaves_the_invitation_pending(
    console: Console, alice, bob, plugin, mini_program
):
    alice_before = await plugin_events(console, alice, plugin)

    binding = await console.add_debug_host(alice, plugin, mini_program)

    assert binding["status"] == "PENDING"
    assert binding["authorization"] is None
    assert binding["endedAt"] is None
    assert binding["requestedAt"]
    assert binding["requestedBy"] == {"name": "alice"}
    assert binding["plugin"] == {"pluginId": plugin["pluginId"]}
    assert binding["miniProgram"] == {"appId": mini_program["appId"]}
    assert await binding_node(console, alice, binding) == binding
    assert await binding_node(console, bob, binding) == binding

    alice_after = await plugin_events(console, alice, plugin)
    assert len(alice_after) == len(alice_before) + 1
    event = alice_after[-1]
    assert event["kind"] == "DEBUG_HOST_ADDED"
    assert (event["fromStatus"], event["toStatus"]) == (None, "PENDING")
    assert event["actor"] == {"name": "alice"}
    assert event["debugBinding"] == {"id": binding["id"], "status": "PENDING"}
    assert [e["id"] for e in await plugin_events(console, bob, plugin)] == [event["id"]]


async def test_adding_a_host_of_the_plugins_own_entity_authorizes_it_at_once(
    console: Console, alice, plugin, own_mini_program
):
    alice_before = await plugin_events(console, alice, plugin)

    binding = await console.add_debug_host(alice, plugin, own_mini_program)

    assert binding["status"] == "AUTHORIZED"
    assert binding["endedAt"] is None
    authorization = binding["authorization"]
    assert authorization is not None
    assert authorization["sameEntity"] is True
    assert authorization["token"].startswith("dbg_") and len(authorization["token"]) > 20
    assert authorization["authorizedBy"] == {"name": "alice"}
    assert await binding_node(console, alice, binding) == binding

    new = (await plugin_events(console, alice, plugin))[len(alice_before) :]
    assert len(new) == 1, new
    assert new[0]["kind"] == "DEBUG_HOST_ADDED"
    assert (new[0]["fromStatus"], new[0]["toStatus"]) == (None, "AUTHORIZED")
    assert new[0]["actor"] == {"name": "alice"}
    assert new[0]["debugBinding"] == {"id": binding["id"], "status": "AUTHORIZED"}


async def test_an_at_once_authorization_is_not_dated_before_the_invitation(
    console: Console, alice, plugin, own_mini_program
):
    binding = await console.add_debug_host(alice, plugin, own_mini_program)
    assert moment(binding["authorization"]["authorizedAt"]) >= moment(binding["requestedAt"]), binding


async def test_an_authorized_binding_names_its_authorizer_and_is_not_same_entity(console: Console, authorized_binding):
    authorization = authorized_binding["authorization"]
    assert authorization["sameEntity"] is False
    assert authorization["authorizedBy"] == {"name": "bob"}
    assert authorization["token"].startswith("dbg_")
    assert moment(authorization["authorizedAt"]) >= moment(authorized_binding["requestedAt"])


async def test_adding_an_unknown_app_id_is_not_found(console: Console, alice, plugin):
    payload = await refused_add(console, alice, plugin, alice, plugin["pluginId"], NO_SUCH_ID, "NOT_FOUND")
    assert payload["userErrors"][0]["field"] == ["input", "appId"]


async def test_adding_to_an_unknown_plugin_is_not_found(console: Console, alice, plugin, mini_program):
    await refused_add(console, alice, plugin, alice, NO_SUCH_ID, mini_program["appId"], "NOT_FOUND")


MALFORMED_PUBLIC_IDS = ["", "12345", "abcdefghijklmnop", "12345678901234567", "123456789012345x", " 123456789012345"]


@pytest.mark.parametrize("bad", MALFORMED_PUBLIC_IDS)
async def test_a_malformed_app_id_is_a_validation_error(console: Console, alice, plugin, bad: str):
    payload = await refused_add(console, alice, plugin, alice, plugin["pluginId"], bad, "VALIDATION")
    assert payload["userErrors"][0]["field"] == ["input", "appId"]


@pytest.mark.parametrize("bad", MALFORMED_PUBLIC_IDS)
async def test_a_malformed_plugin_id_is_a_validation_error(console: Console, alice, plugin, mini_program, bad: str):
    payload = await refused_add(console, alice, plugin, alice, bad, mini_program["appId"], "VALIDATION")
    assert payload["userErrors"][0]["field"] == ["input", "pluginId"]


@pytest.mark.parametrize("binding_in", ["pending_binding", "authorized_binding"], indirect=True)
async def test_a_second_active_binding_of_the_same_pair_is_refused(
    console: Console, alice, plugin, mini_program, binding_in
):
    payload = await refused_add(
        console, alice, plugin, alice, plugin["pluginId"], mini_program["appId"], "BINDING_EXISTS"
    )
    assert payload["userErrors"][0]["field"] == ["input", "appId"]


async def test_a_second_binding_of_an_own_host_is_refused(console: Console, alice, plugin, own_mini_program):
    await console.add_debug_host(alice, plugin, own_mini_program)
    await refused_add(console, alice, plugin, alice, plugin["pluginId"], own_mini_program["appId"], "BINDING_EXISTS")


async def test_a_plugin_has_at_most_twenty_active_bindings_and_ended_ones_do_not_count(
    console: Console, alice, bob, dave, plugin
):
    hosts = [(bob, await console.create_mini_program(bob, f"Bob host {n}")) for n in range(11)]
    hosts += [(dave, await console.create_mini_program(dave, f"Dave host {n}")) for n in range(10)]
    bindings = [await console.add_debug_host(alice, plugin, app) for _, app in hosts[:20]]
    _last_owner, last_host = hosts[20]

    await refused_add(console, alice, plugin, alice, plugin["pluginId"], last_host["appId"], "BINDING_LIMIT_REACHED")

    # One cancelled, one rejected, one unbound: three places free up.
    await console.binding_action(alice, "cancelDebugHost", bindings[0])
    await console.binding_action(hosts[1][0], "rejectDebugBinding", bindings[1])
    await console.binding_action(hosts[2][0], "authorizeDebugBinding", bindings[2])
    await console.binding_action(alice, "unbindDebugHost", bindings[2])
    await console.add_debug_host(alice, plugin, last_host)
    await console.add_debug_host(alice, plugin, hosts[0][1])
    await console.add_debug_host(alice, plugin, hosts[1][1])

    await refused_add(console, alice, plugin, alice, plugin["pluginId"], hosts[2][1]["appId"], "BINDING_LIMIT_REACHED")
    active = await plugin_bindings(console, alice, plugin, first=100, status=["PENDING", "AUTHORIZED"])
    assert active["totalCount"] == 20
    everything = await plugin_bindings(console, alice, plugin, first=100)
    assert everything["totalCount"] == 23


@pytest.mark.parametrize("binding_in", ["cancelled_binding", "rejected_binding", "unbound_binding"], indirect=True)
async def test_a_host_can_be_invited_again_after_the_binding_ended(
    console: Console, alice, bob, plugin, mini_program, binding_in
):
    old = binding_in
    old_status = old["status"]
    assert old_status in ENDED

    new = await console.add_debug_host(alice, plugin, mini_program)

    assert new["id"] != old["id"]
    assert new["status"] == "PENDING"
    assert new["authorization"] is None and new["endedAt"] is None
    assert (await binding_node(console, alice, old))["status"] == old_status
    assert await binding_node(console, alice, old) == old
    listed = await plugin_bindings(console, alice, plugin)
    assert ids(listed) == [new["id"], old["id"]]
    assert [edge["node"]["status"] for edge in listed["edges"]] == ["PENDING", old_status]

    authorized = await console.binding_action(bob, "authorizeDebugBinding", new)
    assert authorized["status"] == "AUTHORIZED"
    assert (await binding_node(console, bob, old))["status"] == old_status


# ---------------------------------------------------------------- the transitions


ROWS = {
    "cancel by the plugin owner": ("cancelDebugHost", "alice", "pending_binding", "DEBUG_HOST_CANCELLED", "CANCELLED"),
    "authorize by the host owner": (
        "authorizeDebugBinding",
        "bob",
        "pending_binding",
        "DEBUG_BINDING_AUTHORIZED",
        "AUTHORIZED",
    ),
    "reject by the host owner": ("rejectDebugBinding", "bob", "pending_binding", "DEBUG_BINDING_REJECTED", "REJECTED"),
    "unbind by the plugin owner": ("unbindDebugHost", "alice", "authorized_binding", "DEBUG_HOST_UNBOUND", "UNBOUND"),
    "unbind by the host owner": ("unbindDebugHost", "bob", "authorized_binding", "DEBUG_HOST_UNBOUND", "UNBOUND"),
}


@pytest.mark.parametrize(
    ("mutation", "actor", "binding_in", "kind", "target"),
    list(ROWS.values()),
    ids=list(ROWS),
    indirect=["actor", "binding_in"],
)
async def test_each_binding_transition_changes_the_status_and_records_one_event(
    console: Console, alice, bob, plugin, mutation: str, actor: Person, binding_in, kind: str, target: str
):
    binding = binding_in
    actor_name = actor.name
    from_status = binding["status"]
    alice_before = await plugin_events(console, alice, plugin)
    bob_before = await plugin_events(console, bob, plugin)

    changed = await console.binding_action(actor, mutation, binding)

    assert changed["id"] == binding["id"]
    assert changed["status"] == target
    assert changed["requestedAt"] == binding["requestedAt"]
    assert changed["requestedBy"] == {"name": "alice"}
    if target in ENDED:
        assert changed["endedAt"] is not None
        assert moment(changed["endedAt"]) >= moment(changed["requestedAt"])
    else:
        assert changed["endedAt"] is None
    if target == "AUTHORIZED":
        assert changed["authorization"]["token"].startswith("dbg_")
        assert changed["authorization"]["authorizedBy"] == {"name": "bob"}
        assert changed["authorization"]["sameEntity"] is False
    if target in ("CANCELLED", "REJECTED"):
        assert changed["authorization"] is None
    assert await binding_node(console, alice, binding) == changed
    assert await binding_node(console, bob, binding) == changed

    alice_new = (await plugin_events(console, alice, plugin))[len(alice_before) :]
    assert len(alice_new) == 1, alice_new
    event = alice_new[0]
    assert event["kind"] == kind
    assert (event["fromStatus"], event["toStatus"]) == (from_status, target)
    assert event["actor"] == {"name": actor_name}
    assert event["debugBinding"] == {"id": binding["id"], "status": target}
    bob_new = (await plugin_events(console, bob, plugin))[len(bob_before) :]
    assert bob_new == [event]


async def test_a_developer_of_the_plugins_entity_acts_for_it(console: Console, alice_colleague, plugin, mini_program):
    binding = await console.add_debug_host(alice_colleague, plugin, mini_program)
    assert binding["requestedBy"] == {"name": "carol"}
    cancelled = await console.binding_action(alice_colleague, "cancelDebugHost", binding)
    assert cancelled["status"] == "CANCELLED"


# ---------------------------------------------------------------- who may do what


async def test_the_host_owner_cannot_add_hosts_to_a_plugin_it_cannot_see(console: Console, alice, bob, plugin):
    own_host = await console.create_mini_program(bob, "Bob's own")
    await refused_add(console, alice, plugin, bob, plugin["pluginId"], own_host["appId"], "NOT_FOUND")


async def test_the_host_owner_cannot_add_hosts_to_a_plugin_it_is_bound_to(
    console: Console, alice, bob, plugin, pending_binding
):
    second = await console.create_mini_program(bob, "Bob's second")
    await refused_add(console, alice, plugin, bob, plugin["pluginId"], second["appId"], "FORBIDDEN")


async def test_an_outsider_cannot_add_hosts_to_a_listed_plugin(
    console: Console, alice, dave, plugin, online_version, dave_host
):
    await refused_add(console, alice, plugin, dave, plugin["pluginId"], dave_host["appId"], "FORBIDDEN")


async def test_a_third_entity_cannot_add_hosts_to_an_unlisted_plugin(console: Console, alice, dave, plugin, dave_host):
    await refused_add(console, alice, plugin, dave, plugin["pluginId"], dave_host["appId"], "NOT_FOUND")


async def test_the_host_owner_cannot_cancel_the_invitation(console: Console, alice, bob, plugin, pending_binding):
    await refused_action(console, alice, plugin, bob, "cancelDebugHost", pending_binding, "FORBIDDEN")


@pytest.mark.parametrize("mutation", ["authorizeDebugBinding", "rejectDebugBinding"])
async def test_the_plugin_owner_cannot_answer_its_own_invitation(
    console: Console, alice, plugin, pending_binding, mutation: str
):
    await refused_action(console, alice, plugin, alice, mutation, pending_binding, "FORBIDDEN")


@pytest.mark.parametrize("actor", ["dave", "rita"], indirect=True)
@pytest.mark.parametrize("binding_in", ["pending_binding", "authorized_binding"], indirect=True)
@pytest.mark.parametrize("mutation", BINDING_MUTATIONS)
async def test_a_third_party_finds_no_binding_to_change(
    console: Console, alice, plugin, actor: Person, binding_in, mutation: str
):
    payload = await refused_action(console, alice, plugin, actor, mutation, binding_in, "NOT_FOUND")
    assert payload["userErrors"][0]["field"] == ["input", "bindingId"]


@pytest.mark.parametrize("mutation", BINDING_MUTATIONS)
async def test_an_unknown_binding_is_not_found(console: Console, alice, plugin, pending_binding, mutation: str):
    unknown = {"id": global_id("DebugBinding", 987654321)}
    await refused_action(console, alice, plugin, alice, mutation, unknown, "NOT_FOUND", exists=False)


BAD_BINDING_IDS = {
    "not base64": lambda ctx: "not an id!",
    "empty": lambda ctx: "",
    "non-numeric key": lambda ctx: global_id("DebugBinding", "abc"),
    "a plugin's id": lambda ctx: ctx["plugin"]["id"],
    "a mini-program's id": lambda ctx: ctx["mini_program"]["id"],
}


@pytest.mark.parametrize("bad", list(BAD_BINDING_IDS))
@pytest.mark.parametrize("mutation", BINDING_MUTATIONS)
async def test_a_malformed_binding_id_is_a_validation_error(
    console: Console, alice, plugin, mini_program, pending_binding, bad: str, mutation: str
):
    bad_id = BAD_BINDING_IDS[bad]({"plugin": plugin, "mini_program": mini_program})
    payload = await refused_action(console, alice, plugin, alice, mutation, {"id": bad_id}, "VALIDATION", exists=False)
    assert payload["userErrors"][0]["field"] == ["input", "bindingId"]


# ---------------------------------------------------------------- transitions the state does not allow

NOT_PENDING = ["authorized_binding", "cancelled_binding", "rejected_binding", "unbound_binding"]
NOT_AUTHORIZED = ["pending_binding", "cancelled_binding", "rejected_binding", "unbound_binding"]

INVALID = [
    *[("authorizeDebugBinding", "bob", start) for start in NOT_PENDING],
    *[("rejectDebugBinding", "bob", start) for start in NOT_PENDING],
    *[("cancelDebugHost", "alice", start) for start in NOT_PENDING],
    *[("unbindDebugHost", "alice", start) for start in NOT_AUTHORIZED],
    *[("unbindDebugHost", "bob", start) for start in NOT_AUTHORIZED],
]


@pytest.mark.parametrize(("mutation", "actor", "binding_in"), INVALID, indirect=["actor", "binding_in"])
async def test_a_transition_the_status_does_not_allow_is_refused(
    console: Console, alice, plugin, mutation: str, actor: Person, binding_in
):
    current = binding_in["status"]

    payload = await refused_action(console, alice, plugin, actor, mutation, binding_in, "INVALID_TRANSITION")

    assert current in payload["userErrors"][0]["message"], payload


# ---------------------------------------------------------------- the authorization token


async def test_both_sides_read_the_same_token_and_nobody_else_does(
    console: Console, alice, bob, dave, rita, plugin, mini_program, authorized_binding
):
    token = authorized_binding["authorization"]["token"]
    assert token.startswith("dbg_")

    for who in (alice, bob):
        assert (await binding_node(console, who, authorized_binding))["authorization"]["token"] == token
    (alice_row,) = (await plugin_bindings(console, alice, plugin))["edges"]
    assert alice_row["node"]["authorization"]["token"] == token
    (bob_row,) = (await plugin_bindings(console, bob, plugin))["edges"]
    assert bob_row["node"]["authorization"]["token"] == token
    (host_row,) = (await host_bindings(console, bob, mini_program))["edges"]
    assert host_row["node"]["authorization"]["token"] == token

    for who in (dave, rita):
        assert await binding_node(console, who, authorized_binding) is None


async def test_a_pending_binding_has_no_token_yet(console: Console, alice, bob, pending_binding):
    assert (await binding_node(console, alice, pending_binding))["authorization"] is None
    assert (await binding_node(console, bob, pending_binding))["authorization"] is None


@pytest.mark.parametrize("actor", ["alice", "bob"], indirect=True)
async def test_the_token_stops_working_the_moment_the_binding_is_unbound(
    console: Console,
    alice,
    bob,
    dave,
    plugin,
    mini_program,
    experience_version,
    authorized_binding,
    actor: Person,
):
    token = authorized_binding["authorization"]["token"]
    expected = {"__typename": "ResolvedPluginVersion", "source": "EXPERIENCE", "version": {"version": "1.0.0"}}

    # Without the token a third developer gets nothing; with it, it resolves.
    assert top_level_codes(await resolve_body(console, dave, mini_program, plugin, None)) == ["NOT_FOUND"]
    for who in (dave, alice):
        body = await resolve_body(console, who, mini_program, plugin, token)
        assert "errors" not in body, body
        assert body["data"]["resolvePluginVersion"] == expected

    await console.binding_action(actor, "unbindDebugHost", authorized_binding)

    dead = await resolve_body(console, dave, mini_program, plugin, token)
    assert top_level_codes(dead) == ["NOT_FOUND"], dead
    assert dead.get("data") is None
    dead = await resolve_body(console, alice, mini_program, plugin, token)
    assert top_level_codes(dead) == ["FORBIDDEN"], dead
    assert dead.get("data") is None


async def test_a_new_authorization_issues_a_new_token_and_the_old_one_stays_dead(
    console: Console, alice, bob, dave, plugin, mini_program, experience_version, authorized_binding, unbound_binding
):
    old_token = authorized_binding["authorization"]["token"]
    again = await console.add_debug_host(alice, plugin, mini_program)
    authorized = await console.binding_action(bob, "authorizeDebugBinding", again)
    new_token = authorized["authorization"]["token"]

    assert new_token.startswith("dbg_")
    assert new_token != old_token
    body = await resolve_body(console, dave, mini_program, plugin, new_token)
    assert body.get("errors") is None, body
    assert body["data"]["resolvePluginVersion"]["source"] == "EXPERIENCE"
    assert top_level_codes(await resolve_body(console, dave, mini_program, plugin, old_token)) == ["NOT_FOUND"]


async def test_a_token_only_opens_its_own_pair(
    console: Console, alice, bob, dave, plugin, mini_program, experience_version, authorized_binding
):
    token = authorized_binding["authorization"]["token"]
    other_host = await console.create_mini_program(bob, "Bob's other")
    other_plugin = await console.create_plugin(alice, "Other Plugin")

    assert top_level_codes(await resolve_body(console, dave, other_host, plugin, token)) == ["NOT_FOUND"]
    assert top_level_codes(await resolve_body(console, dave, mini_program, other_plugin, token)) == ["NOT_FOUND"]


# ---------------------------------------------------------------- lists


@pytest_asyncio.fixture
async def bindings_of_every_kind(console: Console, alice, bob, dave, plugin, mini_program, own_mini_program, dave_host):
    """Oldest first: bob's host AUTHORIZED, bob's second host CANCELLED, dave's host
    PENDING, alice's own host AUTHORIZED."""
    second = await console.create_mini_program(bob, "Bob's second")
    first = await console.add_debug_host(alice, plugin, mini_program)
    first = await console.binding_action(bob, "authorizeDebugBinding", first)
    cancelled = await console.add_debug_host(alice, plugin, second)
    cancelled = await console.binding_action(alice, "cancelDebugHost", cancelled)
    pending = await console.add_debug_host(alice, plugin, dave_host)
    own = await console.add_debug_host(alice, plugin, own_mini_program)
    return {"bob": first, "bob_cancelled": cancelled, "dave": pending, "own": own, "bob_second_host": second}


async def test_the_plugin_owner_lists_every_binding_newest_first(
    console: Console, alice, plugin, bindings_of_every_kind
):
    b = bindings_of_every_kind
    listed = await plugin_bindings(console, alice, plugin)

    assert ids(listed) == [b["own"]["id"], b["dave"]["id"], b["bob_cancelled"]["id"], b["bob"]["id"]]
    assert listed["totalCount"] == 4
    assert [edge["node"]["status"] for edge in listed["edges"]] == ["AUTHORIZED", "PENDING", "CANCELLED", "AUTHORIZED"]
    assert listed["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["AUTHORIZED"], ["own", "bob"]),
        (["PENDING"], ["dave"]),
        (["CANCELLED", "PENDING"], ["dave", "bob_cancelled"]),
        (["REJECTED", "UNBOUND"], []),
    ],
)
async def test_the_status_filter_narrows_the_plugins_bindings(
    console: Console, alice, plugin, bindings_of_every_kind, statuses: list[str], expected: list[str]
):
    listed = await plugin_bindings(console, alice, plugin, status=statuses)
    assert ids(listed) == [bindings_of_every_kind[name]["id"] for name in expected]
    assert listed["totalCount"] == len(expected)


async def test_a_host_owner_sees_only_its_own_hosts_bindings_of_a_plugin(
    console: Console, bob, dave, plugin, bindings_of_every_kind
):
    b = bindings_of_every_kind
    bobs = await plugin_bindings(console, bob, plugin)
    assert ids(bobs) == [b["bob_cancelled"]["id"], b["bob"]["id"]]
    assert bobs["totalCount"] == 2
    bobs_authorized = await plugin_bindings(console, bob, plugin, status=["AUTHORIZED"])
    assert ids(bobs_authorized) == [b["bob"]["id"]]
    assert bobs_authorized["totalCount"] == 1

    daves = await plugin_bindings(console, dave, plugin)
    assert ids(daves) == [b["dave"]["id"]]
    assert daves["totalCount"] == 1


async def test_a_host_owner_sees_only_its_own_hosts_binding_events(
    console: Console, alice, bob, dave, plugin, bindings_of_every_kind
):
    b = bindings_of_every_kind
    everything = await plugin_events(console, alice, plugin)
    assert everything[0]["kind"] == "PLUGIN_CREATED"

    def binding_events(who_ids: set[str]) -> list[dict[str, Any]]:
        return [e for e in everything if e["debugBinding"] and e["debugBinding"]["id"] in who_ids]

    bobs = binding_events({b["bob"]["id"], b["bob_cancelled"]["id"]})
    assert [e["kind"] for e in bobs] == [
        "DEBUG_HOST_ADDED",
        "DEBUG_BINDING_AUTHORIZED",
        "DEBUG_HOST_ADDED",
        "DEBUG_HOST_CANCELLED",
    ]
    assert await plugin_events(console, bob, plugin) == bobs
    assert await plugin_events(console, dave, plugin) == binding_events({b["dave"]["id"]})


async def test_the_host_owner_lists_its_mini_programs_bindings(
    console: Console, alice, bob, dave, plugin, mini_program, pending_binding
):
    second_plugin = await console.create_plugin(alice, "Second Plugin")
    daves_plugin = await console.create_plugin(dave, "Delta Plugin")
    second = await console.binding_action(
        bob, "rejectDebugBinding", await console.add_debug_host(alice, second_plugin, mini_program)
    )
    third = await console.add_debug_host(dave, daves_plugin, mini_program)
    other_host = await console.create_mini_program(bob, "Bob's other")
    await console.add_debug_host(alice, plugin, other_host)

    listed = await host_bindings(console, bob, mini_program)
    assert ids(listed) == [third["id"], second["id"], pending_binding["id"]]
    assert listed["totalCount"] == 3
    assert [edge["node"]["plugin"]["pluginId"] for edge in listed["edges"]] == [
        daves_plugin["pluginId"],
        second_plugin["pluginId"],
        plugin["pluginId"],
    ]
    pending = await host_bindings(console, bob, mini_program, status=["PENDING"])
    assert ids(pending) == [third["id"], pending_binding["id"]]
    assert pending["totalCount"] == 2

    # The plugin's owner does not see bob's mini-program itself, and through a
    # binding sees only the host's bindings with its own plugins.
    assert (await console.query(HOST_BINDINGS, {"appId": mini_program["appId"]}, alice))["miniProgram"] is None
    data = await console.query(HOST_BINDINGS_THROUGH_PLUGIN, {"pluginId": plugin["pluginId"]}, alice)
    hosts = [edge["node"]["miniProgram"] for edge in data["plugin"]["debugBindings"]["edges"]]
    rows = {host["appId"]: host for host in hosts}
    seen = rows[mini_program["appId"]]["debugBindings"]
    assert [edge["node"]["id"] for edge in seen["edges"]] == [second["id"], pending_binding["id"]]
    assert seen["totalCount"] == 2


async def test_binding_lists_page_forward(console: Console, alice, bob, plugin, mini_program):
    hosts = [mini_program] + [await console.create_mini_program(bob, f"Bob host {n}") for n in range(4)]
    created = [await console.add_debug_host(alice, plugin, host) for host in hosts]
    newest_first = [binding["id"] for binding in reversed(created)]

    seen: list[str] = []
    after = None
    pages = []
    while True:
        page = await plugin_bindings(console, alice, plugin, first=2, after=after)
        assert page["totalCount"] == 5
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += ids(page)
        pages.append(len(page["edges"]))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert pages == [2, 2, 1]
    assert seen == newest_first

    host_page = await host_bindings(console, bob, mini_program, first=1)
    assert ids(host_page) == [created[0]["id"]]
    assert host_page["pageInfo"]["hasNextPage"] is False
    assert host_page["totalCount"] == 1


# ---------------------------------------------------------------- the bound plugin's public face


async def test_a_bound_host_owner_sees_the_public_face_of_an_unlisted_plugin(
    console: Console, alice, bob, dave, plugin, mini_program, experience_version
):
    newer = await console.upload(alice, plugin, "1.1.0")
    assert (await console.query(PUBLIC_FACE, {"pluginId": plugin["pluginId"]}, bob))["plugin"] is None

    await console.add_debug_host(alice, plugin, mini_program)

    face = (await console.query(PUBLIC_FACE, {"pluginId": plugin["pluginId"]}, bob))["plugin"]
    assert face is not None
    assert face["pluginId"] == plugin["pluginId"]
    assert face["name"] == "Pay Button"
    assert face["listedInMarket"] is False
    assert face["onlineVersion"] is None
    assert face["experienceVersion"] is None
    assert face["versions"] == {"totalCount": 0, "edges": []}
    assert face["devVersion"] is None
    for version in (experience_version, newer):
        assert (await console.query(VERSION_NODE, {"id": version["id"]}, bob))["node"] is None
    assert (await console.query(PUBLIC_FACE, {"pluginId": plugin["pluginId"]}, dave))["plugin"] is None


async def test_a_bound_host_owner_sees_only_the_online_version(
    console: Console, alice, bob, plugin, online_version, pending_binding
):
    newer = await console.upload(alice, plugin, "1.1.0")

    face = (await console.query(PUBLIC_FACE, {"pluginId": plugin["pluginId"]}, bob))["plugin"]

    assert face["onlineVersion"] == {"version": "1.0.0", "status": "ONLINE"}
    assert face["versions"] == {"totalCount": 1, "edges": [{"node": {"version": "1.0.0", "status": "ONLINE"}}]}
    assert face["devVersion"] is None
    assert (await console.query(VERSION_NODE, {"id": newer["id"]}, bob))["node"] is None

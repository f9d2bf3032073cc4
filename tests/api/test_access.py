"""Authentication, and who sees what: plugins, versions, events, mini-programs and `node`."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import pytest

from pluginhub.models import Plugin
from pluginhub.resolvers import accounts
from tests.helpers import Console, Person, bearer, codes, global_id, top_level_codes

# ---------------------------------------------------------------- documents

VIEWER = "{ viewer { id name role entity { id name } } }"

PLUGINS = "{ plugins { totalCount edges { node { pluginId name } } } }"

INTROSPECT_SCHEMA = "{ __schema { queryType { name } } }"

TYPENAME = "{ __typename }"

INTROSPECT_TYPE = '{ __type(name: "Plugin") { name } }'

TYPENAME_AND_VIEWER = "{ __typename viewer { name } }"

VIEWER_THROUGH_FRAGMENT = """
query { ...Me }
fragment Me on Query { viewer { name } }"""

TWO_OPERATIONS = """
query Open { __typename }
query Closed { viewer { name } }"""

CREATE_PLUGIN = """
mutation($input: CreatePluginInput!) {
  createPlugin(input: $input) { plugin { pluginId } userErrors { code } }
}"""

PLUGIN_ANONYMOUS = """
query($pluginId: String!) { plugin(pluginId: $pluginId) { pluginId name } }"""

FULL_PLUGIN = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    id pluginId name description listedInMarket
    entity { id name }
    onlineVersion { id version status availableActions uploadedBy { id name } events { totalCount edges { node { id } } } }
    grayVersion { id version }
    auditingVersion { id version }
    experienceVersion { id version }
    versions { totalCount edges { node { id version status availableActions uploadedBy { id name } } } }
    events { totalCount edges { node { id kind actor { id name } } } }
  }
}"""

PLUGIN_VERSION_BY_NUMBER = """
query($pluginId: String!, $version: String!) {
  plugin(pluginId: $pluginId) { version(version: $version) { id version } }
}"""

PLUGIN_VERSIONS_BY_STATUS = """
query($pluginId: String!, $status: [VersionStatus!]) {
  plugin(pluginId: $pluginId) { versions(status: $status) { totalCount edges { node { version } } } }
}"""

REVIEW_QUEUE = "{ reviewQueue { totalCount edges { node { id version plugin { pluginId } } } } }"

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Plugin { pluginId }
    ... on PluginVersion { version }
    ... on MiniProgram { appId }
    ... on Entity { name }
    ... on Account { name }
    ... on PluginEvent { kind }
  }
}"""

NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id }
}"""

MINI_PROGRAM = """
query($appId: String!) { miniProgram(appId: $appId) { id appId name entity { name } } }"""

MINI_PROGRAMS = "{ miniPrograms { totalCount edges { node { appId name } } } }"

UPDATE_PLUGIN = """
mutation($input: UpdatePluginInput!) {
  updatePlugin(input: $input) { plugin { pluginId name } userErrors { code message field } }
}"""

PLUGIN_ACTION = """
mutation($input: PluginInput!) {
  %s(input: $input) { plugin { pluginId } userErrors { code message field } }
}"""

VERSION_ACTION = """
mutation($input: VersionInput!) {
  %s(input: $input) { version { id status } userErrors { code message field } }
}"""

SUBMIT_VERSION = """
mutation($input: SubmitVersionInput!) {
  submitVersion(input: $input) { version { id status } userErrors { code message field } }
}"""

VERSION_STATUS = """
query($id: ID!) { node(id: $id) { ... on PluginVersion { status } } }"""


# ---------------------------------------------------------------- helpers


async def post_with_headers(console: Console, query: str, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    response = await console.client.post("/graphql", json={"query": query, "variables": {}, **extra}, headers=headers)
    assert response.status_code in (200, 400), response.text
    return response.json()


def nothing_leaked(body: dict[str, Any]) -> bool:
    data = body.get("data")
    return data is None or all(value is None for value in data.values())


async def node(console: Console, who: Person, id: str) -> dict[str, Any] | None:
    return (await console.query(NODE, {"id": id}, who))["node"]


async def full_plugin(console: Console, who: Person, plugin: dict[str, Any]) -> dict[str, Any] | None:
    return (await console.query(FULL_PLUGIN, {"pluginId": plugin["pluginId"]}, who))["plugin"]


async def visible_plugin_ids(console: Console, who: Person) -> list[str]:
    data = await console.query(PLUGINS, who=who)
    ids = [edge["node"]["pluginId"] for edge in data["plugins"]["edges"]]
    assert data["plugins"]["totalCount"] == len(ids)
    return ids


@pytest.fixture
def unknown_token() -> str:
    return accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)


@pytest.fixture
async def busy_plugin(console: Console, alice, plugin, online_version):
    """Alice's listed plugin with one version in every slot: 1.0.0 ONLINE, 1.1.0 GRAY,
    1.2.0 AUDITING, 1.3.0 DEVELOPMENT and the experience version."""
    gray = await console.act(alice, "grayRelease", await console.approved(alice, plugin, "1.1.0"), percentage=10)
    auditing = await console.submit(alice, await console.upload(alice, plugin, "1.2.0"))
    experience = await console.act(alice, "setExperienceVersion", await console.upload(alice, plugin, "1.3.0"))
    return {"online": online_version, "gray": gray, "auditing": auditing, "experience": experience}


# ---------------------------------------------------------------- authentication

BAD_CREDENTIALS = {
    "no header": lambda valid, unknown: {},
    "empty bearer": lambda valid, unknown: {"authorization": "Bearer "},
    "other scheme": lambda valid, unknown: {"authorization": f"Basic {valid}"},
    "token without scheme": lambda valid, unknown: {"authorization": valid},
    "malformed token": lambda valid, unknown: bearer("not a token at all"),
    "overlong token": lambda valid, unknown: bearer(valid + "x" * 200),
    "truncated token": lambda valid, unknown: bearer(valid[:-1]),
    "unknown token": lambda valid, unknown: bearer(unknown),
}

PROTECTED = {
    "viewer": (VIEWER, {}),
    "plugins": (PLUGINS, {}),
    "createPlugin": (CREATE_PLUGIN, {"input": {"name": "Sneaky", "description": "no token"}}),
}


@pytest.mark.parametrize("credentials", list(BAD_CREDENTIALS))
@pytest.mark.parametrize("operation", list(PROTECTED))
async def test_without_a_valid_token_every_field_is_unauthenticated(
    console: Console, alice, unknown_token: str, credentials: str, operation: str
):
    query, variables = PROTECTED[operation]
    headers = BAD_CREDENTIALS[credentials](alice.token, unknown_token)

    body = await post_with_headers(console, query, headers, variables=variables)

    assert top_level_codes(body) == ["UNAUTHENTICATED"], body
    assert nothing_leaked(body), body
    assert await Plugin.all().count() == 0


async def test_a_plugin_is_not_readable_without_a_token(console: Console, plugin, online_version):
    body = await post_with_headers(console, PLUGIN_ANONYMOUS, {}, variables={"pluginId": plugin["pluginId"]})

    assert top_level_codes(body) == ["UNAUTHENTICATED"]
    assert nothing_leaked(body), body


@pytest.mark.parametrize(
    "query, expected",
    [
        (INTROSPECT_SCHEMA, {"__schema": {"queryType": {"name": "Query"}}}),
        (TYPENAME, {"__typename": "Query"}),
        (INTROSPECT_TYPE, {"__type": {"name": "Plugin"}}),
    ],
)
async def test_introspection_needs_no_token(console: Console, query: str, expected: dict[str, Any]):
    body = await post_with_headers(console, query, {})

    assert "errors" not in body, body
    assert body["data"] == expected


@pytest.mark.parametrize("query", [TYPENAME_AND_VIEWER, VIEWER_THROUGH_FRAGMENT])
async def test_introspection_cannot_smuggle_in_a_protected_field(console: Console, alice, query: str):
    body = await post_with_headers(console, query, {})

    assert top_level_codes(body) == ["UNAUTHENTICATED"], body
    assert nothing_leaked(body), body


async def test_only_the_selected_operation_needs_a_token(console: Console, alice):
    opened = await post_with_headers(console, TWO_OPERATIONS, {}, operationName="Open")
    closed = await post_with_headers(console, TWO_OPERATIONS, {}, operationName="Closed")

    assert opened.get("errors") is None and opened["data"] == {"__typename": "Query"}
    assert top_level_codes(closed) == ["UNAUTHENTICATED"]
    assert nothing_leaked(closed), closed


async def test_a_revoked_token_stops_working_at_once_and_the_other_token_still_works(console: Console, alice):
    second, second_raw = await accounts.issue_token(alice.account_id)
    before = await post_with_headers(console, VIEWER, bearer(second_raw))
    assert before.get("errors") is None and before["data"]["viewer"]["name"] == "alice"

    assert await accounts.revoke_token(second.id) is True

    for query, variables in PROTECTED.values():
        body = await post_with_headers(console, query, bearer(second_raw), variables=variables)
        assert top_level_codes(body) == ["UNAUTHENTICATED"], body
        assert nothing_leaked(body), body
    assert await Plugin.all().count() == 0
    still = await console.query(VIEWER, who=alice)
    assert still["viewer"]["name"] == "alice"
    assert await accounts.revoke_token(second.id) is False


async def test_revoking_the_first_token_leaves_a_newer_one_working(console: Console, alice):
    from pluginhub.models import ApiToken

    _, newer_raw = await accounts.issue_token(alice.account_id)
    newer_hash = accounts.hash_token(newer_raw)
    first = await ApiToken.filter(account_id=alice.account_id).exclude(token_hash=newer_hash).get()

    await accounts.revoke_token(first.id)

    assert top_level_codes(await post_with_headers(console, VIEWER, alice.headers)) == ["UNAUTHENTICATED"]
    body = await post_with_headers(console, VIEWER, bearer(newer_raw))
    assert body.get("errors") is None and body["data"]["viewer"]["name"] == "alice"


# ---------------------------------------------------------------- viewer


async def test_viewer_is_the_tokens_account(console: Console, alice, alice_colleague, bob, rita):
    seen = {p.name: (await console.query(VIEWER, who=p))["viewer"] for p in (alice, alice_colleague, bob, rita)}

    assert {name: (v["name"], v["role"], v["entity"]["name"]) for name, v in seen.items()} == {
        "alice": ("alice", "DEVELOPER", "Acme Plugins"),
        "carol": ("carol", "DEVELOPER", "Acme Plugins"),
        "bob": ("bob", "DEVELOPER", "Blue Harbor"),
        "rita": ("rita", "REVIEWER", "Platform Review"),
    }
    assert seen["alice"]["entity"]["id"] == seen["carol"]["entity"]["id"] != seen["bob"]["entity"]["id"]
    assert len({v["id"] for v in seen.values()}) == 4
    assert await node(console, alice, seen["alice"]["id"]) == {
        "__typename": "Account",
        "id": seen["alice"]["id"],
        "name": "alice",
    }


# ---------------------------------------------------------------- plugin visibility


async def test_an_unlisted_plugin_does_not_exist_for_an_outsider(
    console: Console, alice, bob, plugin, development_version
):
    assert (await console.query(PLUGIN_ANONYMOUS, {"pluginId": plugin["pluginId"]}, bob))["plugin"] is None
    assert await visible_plugin_ids(console, bob) == []
    assert await node(console, bob, plugin["id"]) is None
    assert await node(console, bob, development_version["id"]) is None
    assert await console.version(bob, development_version["id"]) is None
    # ... while its owner sees it in full.
    assert await visible_plugin_ids(console, alice) == [plugin["pluginId"]]
    assert (await node(console, alice, plugin["id"]))["pluginId"] == plugin["pluginId"]


async def test_mutations_on_an_unseen_plugin_answer_not_found(
    console: Console, alice, bob, plugin, development_version
):
    renamed = await console.mutate(UPDATE_PLUGIN, {"pluginId": plugin["pluginId"], "name": "Hijacked"}, bob)
    uploaded = await console.upload_payload(bob, plugin, "9.0.0")
    submitted = await console.mutate(
        SUBMIT_VERSION, {"versionId": development_version["id"], "selfCheckConfirmed": True}, bob
    )
    deleted = await console.mutate(VERSION_ACTION % "deleteVersion", {"versionId": development_version["id"]}, bob)
    experienced = await console.mutate(
        VERSION_ACTION % "setExperienceVersion", {"versionId": development_version["id"]}, bob
    )
    cleared = await console.mutate(PLUGIN_ACTION % "clearExperienceVersion", {"pluginId": plugin["pluginId"]}, bob)
    rolled_back = await console.mutate(PLUGIN_ACTION % "rollbackOnlineVersion", {"pluginId": plugin["pluginId"]}, bob)

    for payload in (renamed, uploaded, submitted, deleted, experienced, cleared, rolled_back):
        assert codes(payload) == ["NOT_FOUND"], payload
        assert next(v for k, v in payload.items() if k != "userErrors") is None
    # Nothing changed.
    mine = await full_plugin(console, alice, plugin)
    assert mine["name"] == "Pay Button"
    assert [e["node"]["version"] for e in mine["versions"]["edges"]] == ["1.0.0"]
    assert mine["versions"]["edges"][0]["node"]["status"] == "DEVELOPMENT"
    assert mine["experienceVersion"] is None


async def test_not_found_gives_no_hint_that_the_plugin_exists(console: Console, bob, plugin):
    missing = str(int(plugin["pluginId"]) + 1 if plugin["pluginId"][-1] != "9" else int(plugin["pluginId"]) - 1)

    hidden = await console.mutate(UPDATE_PLUGIN, {"pluginId": plugin["pluginId"], "name": "x"}, bob)
    absent = await console.mutate(UPDATE_PLUGIN, {"pluginId": missing, "name": "x"}, bob)

    assert hidden["userErrors"] == absent["userErrors"]
    assert codes(hidden) == ["NOT_FOUND"]


async def test_an_outsider_sees_only_the_public_face_of_a_listed_plugin(
    console: Console, alice, bob, plugin, busy_plugin
):
    online = busy_plugin["online"]

    seen = await full_plugin(console, bob, plugin)

    assert seen["pluginId"] == plugin["pluginId"]
    assert seen["name"] == "Pay Button"
    assert seen["description"] == "A plugin"
    assert seen["entity"]["name"] == "Acme Plugins"
    assert seen["listedInMarket"] is True
    assert seen["onlineVersion"]["id"] == online["id"]
    assert seen["onlineVersion"]["version"] == "1.0.0"
    assert seen["versions"]["totalCount"] == 1
    assert [(e["node"]["version"], e["node"]["status"]) for e in seen["versions"]["edges"]] == [("1.0.0", "ONLINE")]
    assert seen["grayVersion"] is None
    assert seen["auditingVersion"] is None
    assert seen["experienceVersion"] is None
    assert seen["onlineVersion"]["uploadedBy"] is None
    assert seen["versions"]["edges"][0]["node"]["uploadedBy"] is None
    assert seen["onlineVersion"]["availableActions"] == []
    assert seen["versions"]["edges"][0]["node"]["availableActions"] == []
    assert seen["events"] == {"totalCount": 0, "edges": []}
    assert seen["onlineVersion"]["events"] == {"totalCount": 0, "edges": []}
    assert plugin["pluginId"] in await visible_plugin_ids(console, bob)


async def test_an_outsider_cannot_reach_hidden_versions_by_any_road(console: Console, bob, plugin, busy_plugin):
    for name in ("gray", "auditing", "experience"):
        version = busy_plugin[name]
        assert await node(console, bob, version["id"]) is None, name
        by_number = await console.query(
            PLUGIN_VERSION_BY_NUMBER, {"pluginId": plugin["pluginId"], "version": version["version"]}, bob
        )
        assert by_number["plugin"]["version"] is None, name
    by_status = await console.query(
        PLUGIN_VERSIONS_BY_STATUS, {"pluginId": plugin["pluginId"], "status": ["GRAY", "AUDITING", "DEVELOPMENT"]}, bob
    )
    assert by_status["plugin"]["versions"] == {"totalCount": 0, "edges": []}
    online = await console.query(PLUGIN_VERSION_BY_NUMBER, {"pluginId": plugin["pluginId"], "version": "1.0.0"}, bob)
    assert online["plugin"]["version"]["id"] == busy_plugin["online"]["id"]
    assert (await node(console, bob, busy_plugin["online"]["id"]))["version"] == "1.0.0"


async def test_an_outsider_may_see_a_listed_plugin_but_not_change_it(console: Console, alice, bob, plugin, busy_plugin):
    renamed = await console.mutate(UPDATE_PLUGIN, {"pluginId": plugin["pluginId"], "name": "Hijacked"}, bob)
    offline = await console.mutate(
        VERSION_ACTION % "setExperienceVersion", {"versionId": busy_plugin["online"]["id"]}, bob
    )
    hidden = await console.mutate(VERSION_ACTION % "withdrawVersion", {"versionId": busy_plugin["auditing"]["id"]}, bob)

    assert codes(renamed) == ["FORBIDDEN"]
    assert codes(offline) == ["FORBIDDEN"]
    assert codes(hidden) == ["NOT_FOUND"]
    assert (await console.version(alice, busy_plugin["auditing"]["id"]))["status"] == "AUDITING"
    assert (await full_plugin(console, alice, plugin))["name"] == "Pay Button"


async def test_the_owning_entity_sees_everything(console: Console, alice, alice_colleague, plugin, busy_plugin):
    for who in (alice, alice_colleague):
        seen = await full_plugin(console, who, plugin)

        assert seen["versions"]["totalCount"] == 4
        assert [e["node"]["version"] for e in seen["versions"]["edges"]] == ["1.3.0", "1.2.0", "1.1.0", "1.0.0"]
        assert seen["onlineVersion"]["id"] == busy_plugin["online"]["id"]
        assert seen["grayVersion"]["id"] == busy_plugin["gray"]["id"]
        assert seen["auditingVersion"]["id"] == busy_plugin["auditing"]["id"]
        assert seen["experienceVersion"]["id"] == busy_plugin["experience"]["id"]
        assert seen["onlineVersion"]["uploadedBy"]["name"] == "alice"
        assert seen["onlineVersion"]["availableActions"] != []
        kinds = [e["node"]["kind"] for e in seen["events"]["edges"]]
        assert kinds[0] == "PLUGIN_CREATED"
        assert {"VERSION_UPLOADED", "SUBMITTED", "APPROVED", "WENT_ONLINE", "GRAY_STARTED", "EXPERIENCE_SET"} <= set(
            kinds
        )
        assert seen["events"]["totalCount"] == len(kinds)
        assert seen["onlineVersion"]["events"]["totalCount"] >= 4
        for name in ("online", "gray", "auditing", "experience"):
            assert (await node(console, who, busy_plugin[name]["id"]))["id"] == busy_plugin[name]["id"]


async def test_a_reviewer_sees_every_plugin_listed_or_not_and_every_version(
    console: Console, alice, bob, rita, plugin, busy_plugin
):
    hidden = await console.create_plugin(bob, "Secret Sauce")
    hidden_version = await console.upload(bob, hidden, "0.1.0")

    assert set(await visible_plugin_ids(console, rita)) == {plugin["pluginId"], hidden["pluginId"]}
    assert (await node(console, rita, hidden["id"]))["pluginId"] == hidden["pluginId"]
    assert (await node(console, rita, hidden_version["id"]))["version"] == "0.1.0"
    assert (await console.query(PLUGIN_ANONYMOUS, {"pluginId": hidden["pluginId"]}, rita))["plugin"][
        "name"
    ] == "Secret Sauce"

    seen = await full_plugin(console, rita, plugin)
    assert seen["versions"]["totalCount"] == 4
    assert seen["grayVersion"]["id"] == busy_plugin["gray"]["id"]
    assert seen["auditingVersion"]["id"] == busy_plugin["auditing"]["id"]
    assert seen["experienceVersion"]["id"] == busy_plugin["experience"]["id"]
    assert seen["onlineVersion"]["uploadedBy"]["name"] == "alice"
    kinds = {e["node"]["kind"] for e in seen["events"]["edges"]}
    assert {"VERSION_UPLOADED", "SUBMITTED", "APPROVED", "WENT_ONLINE"} <= kinds

    queue = (await console.query(REVIEW_QUEUE, who=rita))["reviewQueue"]
    assert [e["node"]["id"] for e in queue["edges"]] == [busy_plugin["auditing"]["id"]]
    assert queue["totalCount"] == 1
    # An outsider sees neither the unlisted plugin nor the queue.
    assert hidden["pluginId"] not in await visible_plugin_ids(console, alice)
    assert top_level_codes(await console.post(REVIEW_QUEUE, who=bob)) == ["FORBIDDEN"]


# ---------------------------------------------------------------- node and nodes


async def plugin_event_ids(console: Console, who: Person, plugin: dict[str, Any]) -> dict[str, str]:
    """The first event id of each kind the viewer sees on the plugin."""
    seen = await full_plugin(console, who, plugin)
    ids: dict[str, str] = {}
    for edge in seen["events"]["edges"]:
        ids.setdefault(edge["node"]["kind"], edge["node"]["id"])
    return ids


async def test_node_resolves_each_type_for_whom_may_see_it(
    console: Console, alice, bob, rita, plugin, development_version, mini_program
):
    alice_viewer = (await console.query(VIEWER, who=alice))["viewer"]
    bob_viewer = (await console.query(VIEWER, who=bob))["viewer"]
    events = await plugin_event_ids(console, alice, plugin)

    expected = {
        plugin["id"]: ("Plugin", "pluginId", plugin["pluginId"]),
        development_version["id"]: ("PluginVersion", "version", "1.0.0"),
        alice_viewer["entity"]["id"]: ("Entity", "name", "Acme Plugins"),
        alice_viewer["id"]: ("Account", "name", "alice"),
        events["VERSION_UPLOADED"]: ("PluginEvent", "kind", "VERSION_UPLOADED"),
    }
    for id, (type_name, field, value) in expected.items():
        found = await node(console, alice, id)
        assert found is not None, type_name
        assert (found["__typename"], found["id"], found[field]) == (type_name, id, value)

    bobs = {
        mini_program["id"]: ("MiniProgram", "appId", mini_program["appId"]),
        bob_viewer["entity"]["id"]: ("Entity", "name", "Blue Harbor"),
        bob_viewer["id"]: ("Account", "name", "bob"),
    }
    for id, (type_name, field, value) in bobs.items():
        found = await node(console, bob, id)
        assert found is not None, type_name
        assert (found["__typename"], found["id"], found[field]) == (type_name, id, value)

    # A reviewer sees plugins, versions and their events.
    assert (await node(console, rita, plugin["id"]))["pluginId"] == plugin["pluginId"]
    assert (await node(console, rita, development_version["id"]))["version"] == "1.0.0"
    assert (await node(console, rita, events["VERSION_UPLOADED"]))["kind"] == "VERSION_UPLOADED"


async def test_node_is_null_for_whom_may_not_see_it(
    console: Console, alice, bob, plugin, development_version, mini_program
):
    alice_viewer = (await console.query(VIEWER, who=alice))["viewer"]
    events = await plugin_event_ids(console, alice, plugin)

    for type_name, id in {
        "Plugin": plugin["id"],
        "PluginVersion": development_version["id"],
        "Account": alice_viewer["id"],
        "PluginEvent": events["PLUGIN_CREATED"],
    }.items():
        assert await node(console, bob, id) is None, type_name
    assert await node(console, alice, mini_program["id"]) is None


async def test_an_entity_with_nothing_public_is_not_a_node_for_outsiders(
    console: Console, alice, bob, plugin, development_version
):
    entity_id = (await console.query(VIEWER, who=alice))["viewer"]["entity"]["id"]

    assert await node(console, bob, entity_id) is None


async def test_an_entity_is_a_node_for_whoever_sees_one_of_its_plugins(
    console: Console, alice, bob, plugin, online_version
):
    entity_id = (await full_plugin(console, bob, plugin))["entity"]["id"]

    assert (await node(console, bob, entity_id))["name"] == "Acme Plugins"


async def test_event_nodes_stay_hidden_from_outsiders_once_the_plugin_is_listed(
    console: Console, alice, bob, plugin, online_version
):
    events = await plugin_event_ids(console, alice, plugin)

    assert set(events) >= {"PLUGIN_CREATED", "VERSION_UPLOADED", "WENT_ONLINE"}
    for kind, id in events.items():
        assert await node(console, bob, id) is None, kind


async def test_node_resolves_the_accounts_a_reviewer_is_shown(console: Console, alice, rita, plugin, auditing_version):
    """Whatever the graph shows a viewer, `node` resolves for that viewer too."""
    seen = await full_plugin(console, rita, plugin)
    uploader = seen["versions"]["edges"][0]["node"]["uploadedBy"]
    assert uploader is not None and uploader["name"] == "alice"

    assert await node(console, rita, uploader["id"]) == {"__typename": "Account", "id": uploader["id"], "name": "alice"}


async def test_deleted_versions_are_not_nodes(console: Console, alice, plugin, development_version):
    await console.act(alice, "deleteVersion", development_version)

    assert await node(console, alice, development_version["id"]) is None


@pytest.mark.parametrize(
    "raw",
    [
        "not-a-global-id!",
        base64.b64encode(b"no colon here").decode(),
        "",
        "%%%",
    ],
)
async def test_a_malformed_node_id_is_a_validation_error(console: Console, alice, raw: str):
    body = await console.post(NODE, {"id": raw}, alice)

    assert top_level_codes(body) == ["VALIDATION"], body


@pytest.mark.parametrize(
    "raw",
    [
        global_id("Nothing", 1),
        global_id("Plugin", "12"),
        global_id("PluginVersion", "abc"),
        global_id("Account", 999999),
    ],
)
async def test_a_well_formed_id_of_nothing_is_null(console: Console, alice, raw: str):
    assert await node(console, alice, raw) is None


async def test_nodes_keeps_order_and_puts_null_where_not_visible(
    console: Console, alice, bob, plugin, development_version, mini_program
):
    bob_account = (await console.query(VIEWER, who=bob))["viewer"]["id"]
    ids = [mini_program["id"], plugin["id"], bob_account, development_version["id"], mini_program["id"]]

    as_bob = (await console.query(NODES, {"ids": ids}, bob))["nodes"]
    as_alice = (await console.query(NODES, {"ids": ids}, alice))["nodes"]

    assert as_bob == [
        {"__typename": "MiniProgram", "id": mini_program["id"]},
        None,
        {"__typename": "Account", "id": bob_account},
        None,
        {"__typename": "MiniProgram", "id": mini_program["id"]},
    ]
    assert as_alice == [
        None,
        {"__typename": "Plugin", "id": plugin["id"]},
        None,
        {"__typename": "PluginVersion", "id": development_version["id"]},
        None,
    ]
    assert (await console.query(NODES, {"ids": []}, alice))["nodes"] == []


async def test_nodes_with_a_malformed_id_is_a_validation_error(console: Console, alice, plugin):
    body = await console.post(NODES, {"ids": [plugin["id"], "not-a-global-id!"]}, alice)

    assert top_level_codes(body) == ["VALIDATION"], body


async def test_nodes_refuses_more_than_a_page_of_ids(console: Console, alice, plugin):
    body = await console.post(NODES, {"ids": [plugin["id"]] * 101}, alice)

    assert top_level_codes(body) == ["VALIDATION"], body
    assert len((await console.query(NODES, {"ids": [plugin["id"]] * 100}, alice))["nodes"]) == 100


# ---------------------------------------------------------------- mini-programs


async def test_mini_programs_are_seen_by_their_own_entity_only(
    console: Console, alice, alice_colleague, bob, rita, mini_program
):
    mine = await console.create_mini_program(alice, "Acme Shop")

    assert (await console.query(MINI_PROGRAM, {"appId": mini_program["appId"]}, bob))["miniProgram"] == {
        "id": mini_program["id"],
        "appId": mini_program["appId"],
        "name": "Blue Harbor Store",
        "entity": {"name": "Blue Harbor"},
    }
    assert (await console.query(MINI_PROGRAM, {"appId": mini_program["appId"]}, alice))["miniProgram"] is None
    assert (await console.query(MINI_PROGRAM, {"appId": mine["appId"]}, bob))["miniProgram"] is None
    assert (await console.query(MINI_PROGRAM, {"appId": mine["appId"]}, alice_colleague))["miniProgram"][
        "name"
    ] == "Acme Shop"
    assert (await console.query(MINI_PROGRAM, {"appId": mine["appId"]}, rita))["miniProgram"] is None

    def listed(data: dict[str, Any]) -> list[str]:
        assert data["miniPrograms"]["totalCount"] == len(data["miniPrograms"]["edges"])
        return [e["node"]["appId"] for e in data["miniPrograms"]["edges"]]

    assert listed(await console.query(MINI_PROGRAMS, who=bob)) == [mini_program["appId"]]
    assert listed(await console.query(MINI_PROGRAMS, who=alice)) == [mine["appId"]]
    assert listed(await console.query(MINI_PROGRAMS, who=alice_colleague)) == [mine["appId"]]
    assert listed(await console.query(MINI_PROGRAMS, who=rita)) == []


async def test_an_unknown_but_well_formed_id_is_null(console: Console, alice):
    assert (await console.query(MINI_PROGRAM, {"appId": "1000000000000000"}, alice))["miniProgram"] is None
    assert (await console.query(PLUGIN_ANONYMOUS, {"pluginId": "1000000000000000"}, alice))["plugin"] is None


@pytest.mark.parametrize(
    "raw", ["", "123", "12345678901234567", "123456789012345a", " 1234567890123456", "１２３４５６７８９０１２３４５６"]
)
@pytest.mark.parametrize("query, argument", [(PLUGIN_ANONYMOUS, "pluginId"), (MINI_PROGRAM, "appId")])
async def test_a_malformed_public_id_argument_is_a_validation_error(
    console: Console, alice, query: str, argument: str, raw: str
):
    body = await console.post(query, {argument: raw}, alice)

    assert top_level_codes(body) == ["VALIDATION"], body

"""Releasing plugin versions: gray release, going online, returning to
development, the experience version, deleting and rolling back, and the
Plugin fields that follow them (onlineVersion, grayVersion, experienceVersion,
listedInMarket).

Every refusal is checked the same way: the expected userError code, the
payload object null, and the plugin as its owner sees it (versions, the
one-per-plugin slots, the event log) exactly as before.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from pluginhub import db
from pluginhub.models import MiniProgram
from tests.helpers import codes, plugin_state

# ---------------------------------------------------------------- documents

PUBLIC_FACE = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    pluginId
    listedInMarket
    onlineVersion { version status }
    grayVersion { version }
    experienceVersion { version }
    versions(first: 100) { edges { node { version status } } }
  }
}"""

VERSION_BY_NUMBER = """
query($pluginId: String!, $version: String!) {
  plugin(pluginId: $pluginId) { version(version: $version) { id version status } }
}"""

OWNER_VERSION_ACTIONS = [
    ("grayRelease", {"percentage": 10}),
    ("goOnline", {}),
    ("returnToDevelopment", {}),
    ("setExperienceVersion", {}),
    ("deleteVersion", {}),
]

PLUGIN_ACTIONS = ["clearExperienceVersion", "rollbackOnlineVersion"]


# ---------------------------------------------------------------- local helpers


def statuses(snapshot: dict[str, Any]) -> dict[str, str]:
    return {edge["node"]["version"]: edge["node"]["status"] for edge in snapshot["versions"]["edges"]}


def version_row(snapshot: dict[str, Any], number: str) -> dict[str, Any]:
    (row,) = [edge["node"] for edge in snapshot["versions"]["edges"] if edge["node"]["version"] == number]
    return row


def slot(snapshot: dict[str, Any], name: str) -> str | None:
    value = snapshot[name]
    return value["version"] if value else None


def event_rows(snapshot: dict[str, Any]) -> list[tuple[str, str | None, str | None, str | None]]:
    rows = []
    for edge in snapshot["events"]["edges"]:
        node = edge["node"]
        rows.append((node["kind"], node["fromStatus"], node["toStatus"], (node["version"] or {}).get("version")))
    return rows


def new_events(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str | None, str | None, str | None]]:
    old, new = event_rows(before), event_rows(after)
    assert after["events"]["totalCount"] >= before["events"]["totalCount"]
    return sorted(new[len(old) :], key=repr)


def same(
    *events: tuple[str, str | None, str | None, str | None],
) -> list[tuple[str, str | None, str | None, str | None]]:
    return sorted(events, key=repr)


async def refused(console, owner, plugin, who, mutation, version, code, **fields) -> dict[str, Any]:
    """`who` tries a version mutation: it fails with `code`, no version, nothing changed."""
    before = await plugin_state(console, owner, plugin)
    payload = await console.act_payload(who, mutation, version, **fields)
    assert codes(payload) == [code], payload
    assert payload["version"] is None
    assert await plugin_state(console, owner, plugin) == before
    return payload


async def plugin_refused(console, owner, plugin, who, mutation, code) -> dict[str, Any]:
    before = await plugin_state(console, owner, plugin)
    payload = await console.plugin_action(who, mutation, plugin)
    assert codes(payload) == [code], payload
    assert payload["plugin"] is None
    assert await plugin_state(console, owner, plugin) == before
    return payload


async def online_chain(console, who, plugin, numbers: list[str]) -> list[dict[str, Any]]:
    """Take each version online in turn (each replaces the previous one)."""
    taken = []
    for number in numbers:
        version = await console.approved(who, plugin, number)
        taken.append(await console.act(who, "goOnline", version))
    return taken


async def actions(console, who, version) -> set[str]:
    return set((await console.version(who, version["id"]))["availableActions"])


# ---------------------------------------------------------------- local fixtures


@pytest.fixture
def in_state(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The version fixture named by the test's parameter (e.g. "gray_version")."""
    return request.getfixturevalue(request.param)


@pytest_asyncio.fixture
async def second_mini_program(console, bob):
    return await console.create_mini_program(bob, "Blue Harbor Cafe")


@pytest_asyncio.fixture
async def many_app_ids(app, bob) -> list[str]:
    """1,001 known mini-programs, created directly: a thousand API calls would only be slower."""
    app_ids = [str(7_000_000_000_000_000 + i) for i in range(1001)]
    with db.activate(app.state.orm):
        await MiniProgram.bulk_create(
            [MiniProgram(app_id=app_id, entity_id=bob.entity_id, name=f"Host {i}") for i, app_id in enumerate(app_ids)]
        )
    return app_ids


NOT_APPROVED_OR_GRAY = [
    "development_version",
    "auditing_version",
    "rejected_version",
    "online_version",
    "offline_version",
]


# ================================================================ grayRelease


async def test_gray_release_with_a_percentage(console, alice, plugin, approved_version):
    before = await plugin_state(console, alice, plugin)
    version = await console.act(alice, "grayRelease", approved_version, percentage=10)

    assert version["status"] == "GRAY"
    assert version["grayRelease"]["percentage"] == 10
    assert version["grayRelease"]["appIds"] == []
    assert version["grayRelease"]["startedAt"]
    assert version["plugin"]["listedInMarket"] is False
    after = await plugin_state(console, alice, plugin)
    assert slot(after, "grayVersion") == "1.0.0"
    assert after["grayVersion"]["status"] == "GRAY"
    assert slot(after, "onlineVersion") is None
    assert after["listedInMarket"] is False
    assert new_events(before, after) == [("GRAY_STARTED", "APPROVED", "GRAY", "1.0.0")]


async def test_gray_release_with_app_ids_only(
    console, alice, plugin, approved_version, mini_program, second_mini_program
):
    app_ids = [mini_program["appId"], second_mini_program["appId"]]
    version = await console.act(alice, "grayRelease", approved_version, appIds=app_ids)

    assert version["status"] == "GRAY"
    assert sorted(version["grayRelease"]["appIds"]) == sorted(app_ids)
    assert version["grayRelease"]["percentage"] == 0
    assert slot(await plugin_state(console, alice, plugin), "grayVersion") == "1.0.0"


async def test_gray_release_with_percentage_and_app_ids(console, alice, plugin, approved_version, mini_program):
    version = await console.act(alice, "grayRelease", approved_version, percentage=100, appIds=[mini_program["appId"]])

    assert version["status"] == "GRAY"
    assert version["grayRelease"]["percentage"] == 100
    assert version["grayRelease"]["appIds"] == [mini_program["appId"]]


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({}, id="neither"),
        pytest.param({"percentage": None, "appIds": None}, id="both-null"),
        pytest.param({"appIds": []}, id="empty-app-ids-only"),
    ],
)
async def test_gray_release_needs_a_percentage_or_app_ids(console, alice, plugin, approved_version, fields):
    await refused(console, alice, plugin, alice, "grayRelease", approved_version, "VALIDATION", **fields)


@pytest.mark.parametrize("percentage", [0, 101, -5])
async def test_gray_release_percentage_out_of_range(console, alice, plugin, approved_version, percentage):
    payload = await refused(
        console, alice, plugin, alice, "grayRelease", approved_version, "VALIDATION", percentage=percentage
    )
    assert payload["userErrors"][0]["field"] == ["input", "percentage"]


@pytest.mark.parametrize(
    "bad_app_id",
    [
        pytest.param("9999999999999999", id="unknown"),
        pytest.param("123", id="too-short"),
        pytest.param("12345678901234567", id="too-long"),
        pytest.param("abcdefghijklmnop", id="not-digits"),
        pytest.param("", id="empty"),
    ],
)
async def test_gray_release_app_ids_must_be_known(console, alice, plugin, approved_version, mini_program, bad_app_id):
    payload = await refused(
        console,
        alice,
        plugin,
        alice,
        "grayRelease",
        approved_version,
        "VALIDATION",
        percentage=10,
        appIds=[mini_program["appId"], bad_app_id],
    )
    assert payload["userErrors"][0]["field"][:2] == ["input", "appIds"]


async def test_gray_release_takes_at_most_a_thousand_app_ids(console, alice, plugin, approved_version, many_app_ids):
    await refused(console, alice, plugin, alice, "grayRelease", approved_version, "VALIDATION", appIds=many_app_ids)

    version = await console.act(alice, "grayRelease", approved_version, appIds=many_app_ids[:1000])
    assert version["status"] == "GRAY"
    assert sorted(version["grayRelease"]["appIds"]) == sorted(many_app_ids[:1000])


async def test_gray_release_on_a_gray_version_widens_it(
    console, alice, plugin, gray_version, mini_program, second_mini_program
):
    started_at = gray_version["grayRelease"]["startedAt"]
    before = await plugin_state(console, alice, plugin)

    wider = await console.act(alice, "grayRelease", gray_version, percentage=30)
    assert wider["status"] == "GRAY"
    assert wider["grayRelease"] == {"percentage": 30, "appIds": [], "startedAt": started_at}

    listed = await console.act(alice, "grayRelease", gray_version, appIds=[mini_program["appId"]])
    assert listed["grayRelease"] == {"percentage": 30, "appIds": [mini_program["appId"]], "startedAt": started_at}

    both = await console.act(
        alice, "grayRelease", gray_version, percentage=30, appIds=[second_mini_program["appId"], mini_program["appId"]]
    )
    assert both["grayRelease"]["percentage"] == 30
    assert sorted(both["grayRelease"]["appIds"]) == sorted([mini_program["appId"], second_mini_program["appId"]])
    assert both["grayRelease"]["startedAt"] == started_at

    after = await plugin_state(console, alice, plugin)
    assert slot(after, "grayVersion") == "1.0.0"
    assert statuses(after) == {"1.0.0": "GRAY"}
    assert new_events(before, after) == [("GRAY_UPDATED", "GRAY", "GRAY", "1.0.0")] * 3


async def test_gray_release_never_narrows(console, alice, plugin, approved_version, mini_program, second_mini_program):
    gray = await console.act(
        alice,
        "grayRelease",
        approved_version,
        percentage=30,
        appIds=[mini_program["appId"], second_mini_program["appId"]],
    )

    await refused(console, alice, plugin, alice, "grayRelease", gray, "VALIDATION", percentage=20)
    await refused(console, alice, plugin, alice, "grayRelease", gray, "VALIDATION", appIds=[mini_program["appId"]])
    # A wider percentage does not make up for a removed appId: nothing at all changes.
    await refused(
        console,
        alice,
        plugin,
        alice,
        "grayRelease",
        gray,
        "VALIDATION",
        percentage=50,
        appIds=[second_mini_program["appId"]],
    )

    still = await console.version(alice, gray["id"])
    assert still["grayRelease"]["percentage"] == 30
    assert sorted(still["grayRelease"]["appIds"]) == sorted([mini_program["appId"], second_mini_program["appId"]])


async def test_only_one_gray_version_per_plugin(console, alice, plugin, gray_version):
    other = await console.approved(alice, plugin, "1.1.0")

    payload = await refused(console, alice, plugin, alice, "grayRelease", other, "INVALID_TRANSITION", percentage=50)

    assert "1.0.0" in payload["userErrors"][0]["message"]
    assert (await console.version(alice, other["id"]))["status"] == "APPROVED"


@pytest.mark.parametrize("in_state", NOT_APPROVED_OR_GRAY, indirect=True)
async def test_gray_release_refused_from_other_states(console, alice, plugin, in_state):
    status = (await console.version(alice, in_state["id"]))["status"]

    payload = await refused(console, alice, plugin, alice, "grayRelease", in_state, "INVALID_TRANSITION", percentage=10)

    assert status in payload["userErrors"][0]["message"]


async def test_gray_release_shown_only_while_gray(console, alice, plugin, gray_version):
    assert gray_version["grayRelease"]["percentage"] == 10

    online = await console.act(alice, "goOnline", gray_version)

    assert online["grayRelease"] is None
    assert (await console.version(alice, gray_version["id"]))["grayRelease"] is None
    assert (await plugin_state(console, alice, plugin))["grayVersion"] is None


# ================================================================ goOnline


async def test_go_online_from_approved(console, alice, plugin, approved_version):
    before = await plugin_state(console, alice, plugin)
    assert before["listedInMarket"] is False

    version = await console.act(alice, "goOnline", approved_version)

    assert version["status"] == "ONLINE"
    assert version["onlineAt"]
    assert version["plugin"]["listedInMarket"] is True
    after = await plugin_state(console, alice, plugin)
    assert after["listedInMarket"] is True
    assert after["onlineVersion"] == {"version": "1.0.0", "status": "ONLINE"}
    assert new_events(before, after) == [("WENT_ONLINE", "APPROVED", "ONLINE", "1.0.0")]


async def test_go_online_from_gray_ends_the_rollout(console, alice, plugin, gray_version):
    before = await plugin_state(console, alice, plugin)

    version = await console.act(alice, "goOnline", gray_version)

    assert version["status"] == "ONLINE"
    assert version["grayRelease"] is None
    after = await plugin_state(console, alice, plugin)
    assert slot(after, "onlineVersion") == "1.0.0"
    assert after["grayVersion"] is None
    assert after["listedInMarket"] is True
    assert new_events(before, after) == [("WENT_ONLINE", "GRAY", "ONLINE", "1.0.0")]


async def test_go_online_takes_the_previous_version_offline(console, alice, plugin, online_version):
    newer = await console.approved(alice, plugin, "1.1.0")
    before = await plugin_state(console, alice, plugin)

    await console.act(alice, "goOnline", newer)

    after = await plugin_state(console, alice, plugin)
    assert statuses(after) == {"1.0.0": "OFFLINE", "1.1.0": "ONLINE"}
    assert after["onlineVersion"] == {"version": "1.1.0", "status": "ONLINE"}
    assert after["listedInMarket"] is True
    assert new_events(before, after) == same(
        ("WENT_OFFLINE", "ONLINE", "OFFLINE", "1.0.0"),
        ("WENT_ONLINE", "APPROVED", "ONLINE", "1.1.0"),
    )


async def test_go_online_from_gray_replaces_the_online_version(console, alice, plugin, online_version):
    newer = await console.approved(alice, plugin, "1.1.0")
    gray = await console.act(alice, "grayRelease", newer, percentage=50)
    during = await plugin_state(console, alice, plugin)
    assert slot(during, "onlineVersion") == "1.0.0"
    assert slot(during, "grayVersion") == "1.1.0"

    await console.act(alice, "goOnline", gray)

    after = await plugin_state(console, alice, plugin)
    assert statuses(after) == {"1.0.0": "OFFLINE", "1.1.0": "ONLINE"}
    assert slot(after, "onlineVersion") == "1.1.0"
    assert after["grayVersion"] is None


@pytest.mark.parametrize("in_state", NOT_APPROVED_OR_GRAY, indirect=True)
async def test_go_online_refused_from_other_states(console, alice, plugin, in_state):
    status = (await console.version(alice, in_state["id"]))["status"]

    payload = await refused(console, alice, plugin, alice, "goOnline", in_state, "INVALID_TRANSITION")

    assert status in payload["userErrors"][0]["message"]


async def test_a_colleague_of_the_same_entity_may_release(console, alice_colleague, plugin, approved_version):
    version = await console.act(alice_colleague, "goOnline", approved_version)
    assert version["status"] == "ONLINE"


# ================================================================ returnToDevelopment


@pytest.mark.parametrize("in_state", ["approved_version", "rejected_version"], indirect=True)
async def test_return_to_development(console, alice, plugin, in_state):
    status = (await console.version(alice, in_state["id"]))["status"]
    before = await plugin_state(console, alice, plugin)

    version = await console.act(alice, "returnToDevelopment", in_state)

    assert version["status"] == "DEVELOPMENT"
    after = await plugin_state(console, alice, plugin)
    assert statuses(after) == {"1.0.0": "DEVELOPMENT"}
    assert new_events(before, after) == [("RETURNED_TO_DEVELOPMENT", status, "DEVELOPMENT", "1.0.0")]


async def test_return_to_development_clears_the_gray_rollout(console, alice, rita, plugin, gray_version):
    before = await plugin_state(console, alice, plugin)

    version = await console.act(alice, "returnToDevelopment", gray_version)

    assert version["status"] == "DEVELOPMENT"
    assert version["grayRelease"] is None
    after = await plugin_state(console, alice, plugin)
    assert after["grayVersion"] is None
    assert version_row(after, "1.0.0")["grayRelease"] is None
    assert new_events(before, after) == [("RETURNED_TO_DEVELOPMENT", "GRAY", "DEVELOPMENT", "1.0.0")]

    # The old rollout is gone for good: once approved again it may start narrower.
    approved = await console.act(rita, "approveVersion", await console.submit(alice, version))
    again = await console.act(alice, "grayRelease", approved, percentage=5)
    assert again["grayRelease"]["percentage"] == 5
    assert again["grayRelease"]["appIds"] == []


@pytest.mark.parametrize(
    "in_state", ["development_version", "auditing_version", "online_version", "offline_version"], indirect=True
)
async def test_return_to_development_refused_from_other_states(console, alice, plugin, in_state):
    await refused(console, alice, plugin, alice, "returnToDevelopment", in_state, "INVALID_TRANSITION")


# ================================================================ experience version


@pytest.mark.parametrize(
    "in_state",
    [
        "development_version",
        "auditing_version",
        "rejected_version",
        "approved_version",
        "gray_version",
        "online_version",
    ],
    indirect=True,
)
async def test_set_experience_on_any_state_but_offline(console, alice, plugin, in_state):
    before = await plugin_state(console, alice, plugin)
    status = version_row(before, "1.0.0")["status"]

    version = await console.act(alice, "setExperienceVersion", in_state)

    assert version["isExperience"] is True
    assert version["status"] == status
    after = await plugin_state(console, alice, plugin)
    assert after["experienceVersion"] == {"version": "1.0.0", "isExperience": True}
    assert new_events(before, after) == [("EXPERIENCE_SET", None, None, "1.0.0")]


async def test_setting_another_experience_version_clears_the_first(console, alice, plugin, development_version):
    await console.act(alice, "setExperienceVersion", development_version)
    other = await console.upload(alice, plugin, "1.1.0")
    before = await plugin_state(console, alice, plugin)

    await console.act(alice, "setExperienceVersion", other)

    after = await plugin_state(console, alice, plugin)
    assert slot(after, "experienceVersion") == "1.1.0"
    flags = {edge["node"]["version"]: edge["node"]["isExperience"] for edge in after["versions"]["edges"]}
    assert flags == {"1.0.0": False, "1.1.0": True}
    assert new_events(before, after) == same(
        ("EXPERIENCE_CLEARED", None, None, "1.0.0"),
        ("EXPERIENCE_SET", None, None, "1.1.0"),
    )


async def test_set_experience_refused_on_offline(console, alice, plugin, offline_version):
    payload = await refused(
        console, alice, plugin, alice, "setExperienceVersion", offline_version, "INVALID_TRANSITION"
    )
    assert "OFFLINE" in payload["userErrors"][0]["message"]


async def test_clear_experience_version(console, alice, plugin, approved_version):
    await console.act(alice, "setExperienceVersion", approved_version)
    before = await plugin_state(console, alice, plugin)

    payload = await console.plugin_action(alice, "clearExperienceVersion", plugin)

    assert payload["userErrors"] == []
    assert payload["plugin"]["pluginId"] == plugin["pluginId"]
    assert payload["plugin"]["experienceVersion"] is None
    after = await plugin_state(console, alice, plugin)
    assert after["experienceVersion"] is None
    assert version_row(after, "1.0.0")["isExperience"] is False
    assert version_row(after, "1.0.0")["status"] == "APPROVED"
    assert new_events(before, after) == [("EXPERIENCE_CLEARED", None, None, "1.0.0")]


async def test_clear_experience_version_without_one_is_refused(console, alice, plugin, approved_version):
    """No version offers CLEAR_EXPERIENCE, so the mutation refuses it too."""
    before = await plugin_state(console, alice, plugin)

    payload = await console.plugin_action(alice, "clearExperienceVersion", plugin)

    assert codes(payload) == ["INVALID_TRANSITION"]
    assert payload["plugin"] is None
    assert await plugin_state(console, alice, plugin) == before


async def test_setting_the_experience_version_again_is_refused(console, alice, plugin, approved_version):
    """SET_EXPERIENCE is not offered on the experience version, so the mutation refuses it too."""
    await console.act(alice, "setExperienceVersion", approved_version)
    before = await plugin_state(console, alice, plugin)

    payload = await console.act_payload(alice, "setExperienceVersion", approved_version)

    assert codes(payload) == ["INVALID_TRANSITION"]
    assert payload["version"] is None
    assert await plugin_state(console, alice, plugin) == before


async def test_online_experience_version_loses_the_flag_when_replaced(console, alice, plugin, online_version):
    await console.act(alice, "setExperienceVersion", online_version)
    newer = await console.approved(alice, plugin, "1.1.0")
    before = await plugin_state(console, alice, plugin)

    await console.act(alice, "goOnline", newer)

    after = await plugin_state(console, alice, plugin)
    old = version_row(after, "1.0.0")
    assert old["status"] == "OFFLINE"
    assert old["isExperience"] is False
    assert after["experienceVersion"] is None
    assert ("EXPERIENCE_CLEARED", None, None, "1.0.0") in new_events(before, after)


async def test_online_experience_version_loses_the_flag_when_rolled_back(console, alice, plugin):
    _, second = await online_chain(console, alice, plugin, ["1.0.0", "1.1.0"])
    await console.act(alice, "setExperienceVersion", second)

    payload = await console.plugin_action(alice, "rollbackOnlineVersion", plugin)

    assert payload["userErrors"] == []
    assert payload["plugin"]["experienceVersion"] is None
    after = await plugin_state(console, alice, plugin)
    rolled_back = version_row(after, "1.1.0")
    assert rolled_back["status"] == "OFFLINE"
    assert rolled_back["isExperience"] is False
    assert after["experienceVersion"] is None


# ================================================================ deleteVersion


@pytest.mark.parametrize("in_state", ["development_version", "rejected_version", "approved_version"], indirect=True)
async def test_delete_version(console, alice, plugin, in_state):
    before = await plugin_state(console, alice, plugin)
    status = version_row(before, "1.0.0")["status"]
    kinds_before = [row[0] for row in event_rows(before)]

    payload = await console.act_payload(alice, "deleteVersion", in_state)

    assert payload["userErrors"] == []
    after = await plugin_state(console, alice, plugin)
    assert after["versions"]["totalCount"] == 0
    assert statuses(after) == {}
    assert await console.version(alice, in_state["id"]) is None
    by_number = await console.query(VERSION_BY_NUMBER, {"pluginId": plugin["pluginId"], "version": "1.0.0"}, alice)
    assert by_number["plugin"]["version"] is None
    # Its history stays, followed by the deletion.
    assert after["events"]["totalCount"] == before["events"]["totalCount"] + 1
    assert [row[0] for row in event_rows(after)] == [*kinds_before, "VERSION_DELETED"]
    deleted = event_rows(after)[-1]
    assert deleted[:2] == ("VERSION_DELETED", status)
    assert deleted[3] is None  # the version itself no longer resolves


async def test_deleting_a_version_twice_is_not_found(console, alice, plugin, development_version):
    await console.act(alice, "deleteVersion", development_version)

    await refused(console, alice, plugin, alice, "deleteVersion", development_version, "NOT_FOUND")


async def test_deleting_the_experience_version_clears_it(console, alice, plugin, approved_version):
    await console.act(alice, "setExperienceVersion", approved_version)

    await console.act(alice, "deleteVersion", approved_version)

    after = await plugin_state(console, alice, plugin)
    assert after["experienceVersion"] is None
    assert statuses(after) == {}

    newer = await console.act(alice, "setExperienceVersion", await console.upload(alice, plugin, "1.1.0"))
    assert newer["isExperience"] is True
    assert slot(await plugin_state(console, alice, plugin), "experienceVersion") == "1.1.0"


async def test_a_deleted_version_number_can_be_uploaded_again(console, alice, plugin, development_version):
    await console.act(alice, "deleteVersion", development_version)

    again = await console.upload(alice, plugin, "1.0.0", description="second try")

    assert again["id"] != development_version["id"]
    assert again["status"] == "DEVELOPMENT"
    assert again["isExperience"] is False
    assert statuses(await plugin_state(console, alice, plugin)) == {"1.0.0": "DEVELOPMENT"}


@pytest.mark.parametrize(
    "in_state", ["auditing_version", "gray_version", "online_version", "offline_version"], indirect=True
)
async def test_delete_refused_from_other_states(console, alice, plugin, in_state):
    await refused(console, alice, plugin, alice, "deleteVersion", in_state, "INVALID_TRANSITION")
    assert await console.version(alice, in_state["id"]) is not None


# ================================================================ rollbackOnlineVersion


async def test_rollback_walks_the_online_history_back(console, alice, plugin):
    first = await console.approved(alice, plugin, "1.0.0")
    await console.act(alice, "goOnline", first)
    second = await console.approved(alice, plugin, "1.1.0")
    await console.act(alice, "goOnline", await console.act(alice, "grayRelease", second, percentage=20))
    await online_chain(console, alice, plugin, ["1.2.0"])
    before = await plugin_state(console, alice, plugin)
    assert statuses(before) == {"1.0.0": "OFFLINE", "1.1.0": "OFFLINE", "1.2.0": "ONLINE"}

    payload = await console.plugin_action(alice, "rollbackOnlineVersion", plugin)

    assert payload["userErrors"] == []
    assert payload["plugin"]["onlineVersion"]["version"] == "1.1.0"
    assert payload["plugin"]["onlineVersion"]["status"] == "ONLINE"
    assert payload["plugin"]["listedInMarket"] is True
    once = await plugin_state(console, alice, plugin)
    assert statuses(once) == {"1.0.0": "OFFLINE", "1.1.0": "ONLINE", "1.2.0": "OFFLINE"}
    assert slot(once, "onlineVersion") == "1.1.0"
    assert new_events(before, once) == same(
        ("ROLLED_BACK", "ONLINE", "OFFLINE", "1.2.0"),
        ("WENT_ONLINE", "OFFLINE", "ONLINE", "1.1.0"),
    )

    payload = await console.plugin_action(alice, "rollbackOnlineVersion", plugin)

    assert payload["userErrors"] == []
    assert payload["plugin"]["onlineVersion"]["version"] == "1.0.0"
    twice = await plugin_state(console, alice, plugin)
    assert statuses(twice) == {"1.0.0": "ONLINE", "1.1.0": "OFFLINE", "1.2.0": "OFFLINE"}
    assert new_events(once, twice) == same(
        ("ROLLED_BACK", "ONLINE", "OFFLINE", "1.1.0"),
        ("WENT_ONLINE", "OFFLINE", "ONLINE", "1.0.0"),
    )
    assert twice["listedInMarket"] is True

    # Nothing was online before 1.0.0.
    await plugin_refused(console, alice, plugin, alice, "rollbackOnlineVersion", "INVALID_TRANSITION")


async def test_rollback_after_a_newer_release_returns_to_the_version_it_replaced(console, alice, plugin):
    await online_chain(console, alice, plugin, ["1.0.0", "1.1.0", "1.2.0"])
    await console.plugin_action(alice, "rollbackOnlineVersion", plugin)  # 1.1.0 back online
    await online_chain(console, alice, plugin, ["1.3.0"])

    payload = await console.plugin_action(alice, "rollbackOnlineVersion", plugin)

    assert payload["userErrors"] == []
    assert statuses(await plugin_state(console, alice, plugin)) == {
        "1.0.0": "OFFLINE",
        "1.1.0": "ONLINE",
        "1.2.0": "OFFLINE",
        "1.3.0": "OFFLINE",
    }


async def test_rollback_refused_with_a_single_online_version(console, alice, plugin, online_version):
    await plugin_refused(console, alice, plugin, alice, "rollbackOnlineVersion", "INVALID_TRANSITION")


async def test_rollback_refused_while_a_version_is_gray(console, alice, plugin):
    await online_chain(console, alice, plugin, ["1.0.0", "1.1.0"])
    await console.act(alice, "grayRelease", await console.approved(alice, plugin, "1.2.0"), percentage=10)

    await plugin_refused(console, alice, plugin, alice, "rollbackOnlineVersion", "INVALID_TRANSITION")


async def test_rollback_refused_without_an_online_version(console, alice, plugin, approved_version):
    await plugin_refused(console, alice, plugin, alice, "rollbackOnlineVersion", "INVALID_TRANSITION")


async def test_after_rollback_uploads_must_pass_the_highest_version_ever_online(console, alice, plugin):
    await online_chain(console, alice, plugin, ["1.0.0", "1.1.0", "1.2.0"])
    await console.plugin_action(alice, "rollbackOnlineVersion", plugin)
    await console.plugin_action(alice, "rollbackOnlineVersion", plugin)
    assert slot(await plugin_state(console, alice, plugin), "onlineVersion") == "1.0.0"

    for number in ["1.0.1", "1.1.5", "1.1.10"]:
        before = await plugin_state(console, alice, plugin)
        payload = await console.upload_payload(alice, plugin, number)
        assert codes(payload) == ["VERSION_NOT_GREATER"], number
        assert payload["version"] is None
        assert await plugin_state(console, alice, plugin) == before

    assert (await console.upload(alice, plugin, "1.2.1"))["status"] == "DEVELOPMENT"


async def test_an_older_version_going_online_does_not_lower_the_upload_floor(console, alice, plugin):
    older = await console.approved(alice, plugin, "1.0.0")
    await online_chain(console, alice, plugin, ["1.1.0"])

    await console.act(alice, "goOnline", older)
    assert statuses(await plugin_state(console, alice, plugin)) == {"1.0.0": "ONLINE", "1.1.0": "OFFLINE"}

    payload = await console.upload_payload(alice, plugin, "1.0.5")
    assert codes(payload) == ["VERSION_NOT_GREATER"]
    assert payload["version"] is None


# ================================================================ who may act


@pytest.mark.parametrize("mutation, fields", OWNER_VERSION_ACTIONS, ids=[m for m, _ in OWNER_VERSION_ACTIONS])
async def test_outsider_gets_not_found_on_an_unlisted_plugin(
    console, alice, bob, plugin, approved_version, mutation, fields
):
    await refused(console, alice, plugin, bob, mutation, approved_version, "NOT_FOUND", **fields)


@pytest.mark.parametrize("mutation", PLUGIN_ACTIONS)
async def test_outsider_gets_not_found_for_plugin_actions_on_an_unlisted_plugin(
    console, alice, bob, plugin, approved_version, mutation
):
    await console.act(alice, "setExperienceVersion", approved_version)
    await plugin_refused(console, alice, plugin, bob, mutation, "NOT_FOUND")


async def test_outsider_is_forbidden_on_a_listed_plugin(console, alice, bob, plugin):
    _, online = await online_chain(console, alice, plugin, ["1.0.0", "1.1.0"])
    await console.act(alice, "setExperienceVersion", online)
    approved = await console.approved(alice, plugin, "1.2.0")

    await refused(console, alice, plugin, bob, "goOnline", online, "FORBIDDEN")
    await refused(console, alice, plugin, bob, "setExperienceVersion", online, "FORBIDDEN")
    await plugin_refused(console, alice, plugin, bob, "rollbackOnlineVersion", "FORBIDDEN")
    await plugin_refused(console, alice, plugin, bob, "clearExperienceVersion", "FORBIDDEN")
    # Versions that are not online stay out of sight.
    await refused(console, alice, plugin, bob, "goOnline", approved, "NOT_FOUND")
    await refused(console, alice, plugin, bob, "deleteVersion", approved, "NOT_FOUND")


@pytest.mark.parametrize("mutation, fields", OWNER_VERSION_ACTIONS, ids=[m for m, _ in OWNER_VERSION_ACTIONS])
async def test_reviewer_is_forbidden_owner_version_actions(
    console, alice, rita, plugin, approved_version, mutation, fields
):
    await refused(console, alice, plugin, rita, mutation, approved_version, "FORBIDDEN", **fields)


@pytest.mark.parametrize("mutation", PLUGIN_ACTIONS)
async def test_reviewer_is_forbidden_plugin_actions(console, alice, rita, plugin, mutation):
    _, online = await online_chain(console, alice, plugin, ["1.0.0", "1.1.0"])
    await console.act(alice, "setExperienceVersion", online)

    await plugin_refused(console, alice, plugin, rita, mutation, "FORBIDDEN")


async def test_outsider_sees_only_the_public_face(console, alice, bob, plugin, approved_version):
    assert (await console.query(PUBLIC_FACE, {"pluginId": plugin["pluginId"]}, bob))["plugin"] is None

    await console.act(alice, "goOnline", approved_version)
    gray = await console.act(alice, "grayRelease", await console.approved(alice, plugin, "1.1.0"), percentage=10)
    await console.act(alice, "setExperienceVersion", gray)

    seen = (await console.query(PUBLIC_FACE, {"pluginId": plugin["pluginId"]}, bob))["plugin"]
    assert seen["listedInMarket"] is True
    assert seen["onlineVersion"] == {"version": "1.0.0", "status": "ONLINE"}
    assert seen["grayVersion"] is None
    assert seen["experienceVersion"] is None
    assert [edge["node"] for edge in seen["versions"]["edges"]] == [{"version": "1.0.0", "status": "ONLINE"}]

    owner = await plugin_state(console, alice, plugin)
    assert slot(owner, "grayVersion") == "1.1.0"
    assert slot(owner, "experienceVersion") == "1.1.0"


# ================================================================ availableActions


async def test_available_actions_of_an_approved_version(console, alice, plugin, approved_version):
    assert await actions(console, alice, approved_version) == {
        "GRAY_RELEASE",
        "GO_ONLINE",
        "RETURN_TO_DEVELOPMENT",
        "SET_EXPERIENCE",
        "DELETE",
    }

    await console.act(alice, "setExperienceVersion", approved_version)
    assert await actions(console, alice, approved_version) == {
        "GRAY_RELEASE",
        "GO_ONLINE",
        "RETURN_TO_DEVELOPMENT",
        "CLEAR_EXPERIENCE",
        "DELETE",
    }


async def test_available_actions_of_an_approved_version_while_another_is_gray(console, alice, plugin, gray_version):
    other = await console.approved(alice, plugin, "1.1.0")

    assert await actions(console, alice, other) == {"GO_ONLINE", "RETURN_TO_DEVELOPMENT", "SET_EXPERIENCE", "DELETE"}


async def test_available_actions_of_a_gray_version(console, alice, plugin, gray_version):
    assert await actions(console, alice, gray_version) == {
        "GRAY_RELEASE",
        "GO_ONLINE",
        "RETURN_TO_DEVELOPMENT",
        "SET_EXPERIENCE",
    }


async def test_available_actions_of_the_only_online_version(console, alice, plugin, online_version):
    assert await actions(console, alice, online_version) == {"SET_EXPERIENCE"}


async def test_available_actions_of_an_online_version_with_history(console, alice, plugin):
    _, online = await online_chain(console, alice, plugin, ["1.0.0", "1.1.0"])
    assert await actions(console, alice, online) == {"SET_EXPERIENCE", "ROLLBACK"}

    await console.act(alice, "grayRelease", await console.approved(alice, plugin, "1.2.0"), percentage=10)
    assert await actions(console, alice, online) == {"SET_EXPERIENCE"}


async def test_available_actions_after_rolling_back_to_the_first_version(console, alice, plugin):
    first, _ = await online_chain(console, alice, plugin, ["1.0.0", "1.1.0"])
    await console.plugin_action(alice, "rollbackOnlineVersion", plugin)

    assert await actions(console, alice, first) == {"SET_EXPERIENCE"}


async def test_available_actions_of_an_offline_version(console, alice, plugin, offline_version):
    assert await actions(console, alice, offline_version) == set()


async def test_available_actions_for_outsiders_and_reviewers(console, alice, bob, rita, plugin, online_version):
    approved = await console.approved(alice, plugin, "1.1.0")

    assert await actions(console, bob, online_version) == set()
    assert await actions(console, rita, online_version) == set()
    assert await actions(console, rita, approved) == set()

"""Editing a version and sending it through review.

updateVersion, submitVersion, withdrawVersion, approveVersion and rejectVersion
over HTTP: the allowed paths with their timestamps and events, every refusal
with its code (and nothing changed), who may do what, and `availableActions`
in the states these mutations reach.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import pytest

from tests.helpers import all_at_once, assert_refused, codes, global_id

# ---------------------------------------------------------------- documents

# Everything about a version a refusal must leave alone, seen by its owner.
VERSION_STATE = """
query($id: ID!) {
  node(id: $id) {
    ... on PluginVersion {
      id version status description features isExperience rejectReason
      submittedAt reviewedAt onlineAt uploadedAt availableActions
      grayRelease { percentage appIds }
      events(first: 100) {
        totalCount
        edges { node { kind fromStatus toStatus reason actor { name } } }
      }
    }
  }
}"""

AVAILABLE_ACTIONS = """
query($id: ID!) { node(id: $id) { ... on PluginVersion { status availableActions } } }"""

# The version number is not part of UpdateVersionInput.
UPDATE_VERSION_NUMBER = """
mutation($input: UpdateVersionInput!) {
  updateVersion(input: $input) { version { id version } userErrors { code message field } }
}"""

UPDATE_VERSION_NUMBER_INLINE = """
mutation($id: ID!) {
  updateVersion(input: { versionId: $id, version: "2.0.0" }) { version { id version } userErrors { code } }
}"""

# ---------------------------------------------------------------- the rules, as the product states them

DEVELOPMENT, AUDITING, REJECTED, APPROVED, GRAY, ONLINE, OFFLINE = (
    "DEVELOPMENT",
    "AUDITING",
    "REJECTED",
    "APPROVED",
    "GRAY",
    "ONLINE",
    "OFFLINE",
)
ALL_STATES = [DEVELOPMENT, AUDITING, REJECTED, APPROVED, GRAY, ONLINE, OFFLINE]

# action -> (mutation, states it is allowed from, status after it; None: unchanged)
VERSION_ACTIONS: dict[str, tuple[str, set[str], str | None]] = {
    "UPDATE": ("updateVersion", {DEVELOPMENT, REJECTED}, None),
    "SUBMIT": ("submitVersion", {DEVELOPMENT, REJECTED}, AUDITING),
    "WITHDRAW": ("withdrawVersion", {AUDITING}, DEVELOPMENT),
    "APPROVE": ("approveVersion", {AUDITING}, APPROVED),
    "REJECT": ("rejectVersion", {AUDITING}, REJECTED),
    "GRAY_RELEASE": ("grayRelease", {APPROVED, GRAY}, GRAY),
    "GO_ONLINE": ("goOnline", {APPROVED, GRAY}, ONLINE),
    "RETURN_TO_DEVELOPMENT": ("returnToDevelopment", {APPROVED, REJECTED, GRAY}, DEVELOPMENT),
    "SET_EXPERIENCE": ("setExperienceVersion", set(ALL_STATES) - {OFFLINE}, None),
    "DELETE": ("deleteVersion", {DEVELOPMENT, REJECTED, APPROVED}, None),
}
REVIEWER_ACTIONS = {"APPROVE", "REJECT"}
# Acting on the plugin rather than on one version (they take a pluginId).
PLUGIN_LEVEL_ACTIONS = {"CLEAR_EXPERIENCE", "ROLLBACK"}
ALL_ACTIONS = [*VERSION_ACTIONS, *PLUGIN_LEVEL_ACTIONS]

# The input each mutation needs beside versionId to succeed.
ACTION_FIELDS: dict[str, dict[str, Any]] = {
    "UPDATE": {"description": "edited from the console"},
    "SUBMIT": {"selfCheckConfirmed": True},
    "REJECT": {"reason": "the privacy statement is missing"},
    "GRAY_RELEASE": {"percentage": 20},
}

# The five mutations under test, with inputs that would pass every other check.
REVIEW_MUTATIONS = ["UPDATE", "SUBMIT", "WITHDRAW", "APPROVE", "REJECT"]


def mutation_of(action: str) -> str:
    return VERSION_ACTIONS[action][0]


def allowed_from(state: str) -> list[str]:
    return [action for action, (_, sources, _) in VERSION_ACTIONS.items() if state in sources]


def actor_for(action: str, people: dict[str, Any]) -> Any:
    return people["rita"] if action in REVIEWER_ACTIONS else people["alice"]


def when(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------- local fixtures


@pytest.fixture
def version_in(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The version fixture named by the parameter: "auditing" -> auditing_version."""
    return request.getfixturevalue(f"{request.param.lower()}_version")


@pytest.fixture
def people(alice, alice_colleague, bob, rita) -> dict[str, Any]:
    return {"alice": alice, "alice_colleague": alice_colleague, "bob": bob, "rita": rita}


@pytest.fixture
async def featureless_version(console, alice, plugin):
    return await console.upload(alice, plugin, "1.0.0", features=[])


@pytest.fixture
async def other_plugin(console, alice):
    return await console.create_plugin(alice, "Coupon Wall")


# ---------------------------------------------------------------- helpers


async def version_state(console, version: dict[str, Any], viewer) -> dict[str, Any]:
    """The version as its owner sees it, events included."""
    node = (await console.query(VERSION_STATE, {"id": version["id"]}, viewer))["node"]
    assert node is not None, f"{version['id']} is not visible"
    return node


def version_events(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in snapshot["events"]["edges"]]


async def assert_one_event(console, version, owner, before: dict[str, Any], **expected: Any) -> dict[str, Any]:
    """Exactly one event was appended since `before`, and it says `expected`."""
    after = await version_state(console, version, owner)
    assert after["events"]["totalCount"] == before["events"]["totalCount"] + 1
    assert version_events(after)[:-1] == version_events(before)
    event = version_events(after)[-1]
    assert {key: event[key] for key in expected} == expected, event
    return after


async def perform(console, who, action: str, version: dict[str, Any]) -> dict[str, Any]:
    return await console.act_payload(who, mutation_of(action), version, **ACTION_FIELDS.get(action, {}))


# ================================================================ allowed paths


async def test_submit_moves_development_to_auditing_and_records_it(console, alice, development_version):
    before = await version_state(console, development_version, alice)
    assert before["submittedAt"] is None and before["reviewedAt"] is None

    payload = await console.act_payload(alice, "submitVersion", development_version, selfCheckConfirmed=True)

    assert payload["userErrors"] == []
    version = payload["version"]
    assert version["status"] == AUDITING
    assert version["submittedAt"] is not None
    assert when(version["submittedAt"]) >= when(version["uploadedAt"])
    assert version["reviewedAt"] is None
    assert version["rejectReason"] is None
    after = await assert_one_event(
        console,
        development_version,
        alice,
        before,
        kind="SUBMITTED",
        fromStatus=DEVELOPMENT,
        toStatus=AUDITING,
        actor={"name": "alice"},
    )
    assert after["status"] == AUDITING


async def test_withdraw_moves_auditing_back_to_development(console, alice, auditing_version):
    before = await version_state(console, auditing_version, alice)

    version = await console.act(alice, "withdrawVersion", auditing_version)

    assert version["status"] == DEVELOPMENT
    assert version["submittedAt"] == before["submittedAt"]
    assert version["reviewedAt"] is None
    await assert_one_event(
        console,
        auditing_version,
        alice,
        before,
        kind="WITHDRAWN",
        fromStatus=AUDITING,
        toStatus=DEVELOPMENT,
        actor={"name": "alice"},
    )
    # Back in development it can be edited and submitted again.
    assert await console.submit(alice, version)


async def test_approve_moves_auditing_to_approved_and_stamps_the_review(console, alice, rita, auditing_version):
    before = await version_state(console, auditing_version, alice)

    version = await console.act(rita, "approveVersion", auditing_version)

    assert version["status"] == APPROVED
    assert version["reviewedAt"] is not None
    assert when(version["reviewedAt"]) >= when(before["submittedAt"])
    assert version["submittedAt"] == before["submittedAt"]
    assert version["rejectReason"] is None
    await assert_one_event(
        console,
        auditing_version,
        alice,
        before,
        kind="APPROVED",
        fromStatus=AUDITING,
        toStatus=APPROVED,
        actor={"name": "rita"},
    )


async def test_reject_shows_the_reason_until_the_next_submit(console, alice, rita, auditing_version):
    before = await version_state(console, auditing_version, alice)
    reason = "  The privacy statement is missing.  "

    rejected = await console.act(rita, "rejectVersion", auditing_version, reason=reason)

    assert rejected["status"] == REJECTED
    assert rejected["rejectReason"] == reason.strip()
    assert rejected["reviewedAt"] is not None
    assert when(rejected["reviewedAt"]) >= when(before["submittedAt"])
    await assert_one_event(
        console,
        auditing_version,
        alice,
        before,
        kind="REJECTED",
        fromStatus=AUDITING,
        toStatus=REJECTED,
        reason=reason.strip(),
        actor={"name": "rita"},
    )
    # The owner and the reviewer both read it back.
    assert (await console.version(alice, rejected["id"]))["rejectReason"] == reason.strip()
    assert (await console.version(rita, rejected["id"]))["rejectReason"] == reason.strip()

    # Editing a rejected version keeps the reason on show...
    edited = await console.act(alice, "updateVersion", rejected, description="added the privacy statement")
    assert edited["status"] == REJECTED
    assert edited["rejectReason"] == reason.strip()

    # ...submitting it again clears it.
    before_resubmit = await version_state(console, rejected, alice)
    resubmitted = await console.submit(alice, edited)
    assert resubmitted["status"] == AUDITING
    assert resubmitted["rejectReason"] is None
    assert when(resubmitted["submittedAt"]) >= when(rejected["reviewedAt"])
    await assert_one_event(
        console,
        rejected,
        alice,
        before_resubmit,
        kind="SUBMITTED",
        fromStatus=REJECTED,
        toStatus=AUDITING,
        actor={"name": "alice"},
    )
    assert (await console.version(alice, rejected["id"]))["rejectReason"] is None


async def test_a_resubmitted_version_can_be_approved(console, alice, rita, rejected_version):
    resubmitted = await console.submit(alice, rejected_version)
    approved = await console.act(rita, "approveVersion", resubmitted)
    assert approved["status"] == APPROVED
    assert approved["rejectReason"] is None
    kinds = [e["kind"] for e in version_events(await version_state(console, rejected_version, alice))]
    assert kinds == ["VERSION_UPLOADED", "SUBMITTED", "REJECTED", "SUBMITTED", "APPROVED"]


@pytest.mark.parametrize("version_in", [DEVELOPMENT, REJECTED], indirect=True)
async def test_update_changes_description_and_features_in_place(console, alice, version_in):
    before = await version_state(console, version_in, alice)

    version = await console.act(
        alice, "updateVersion", version_in, description="Pays with one tap", features=["payment", "refund"]
    )

    assert version["status"] == before["status"]
    assert version["description"] == "Pays with one tap"
    assert version["features"] == ["payment", "refund"]
    assert version["version"] == before["version"]
    assert version["submittedAt"] == before["submittedAt"]
    assert version["reviewedAt"] == before["reviewedAt"]
    await assert_one_event(
        console,
        version_in,
        alice,
        before,
        kind="VERSION_UPDATED",
        fromStatus=None,
        toStatus=None,
        actor={"name": "alice"},
    )


async def test_update_leaves_omitted_fields_alone(console, alice, development_version):
    only_description = await console.act(alice, "updateVersion", development_version, description="new words")
    assert only_description["description"] == "new words"
    assert only_description["features"] == development_version["features"] == ["payment"]

    only_features = await console.act(alice, "updateVersion", development_version, features=["payment", "scan"])
    assert only_features["features"] == ["payment", "scan"]
    assert only_features["description"] == "new words"

    nothing = await console.act(alice, "updateVersion", development_version)
    assert nothing["description"] == "new words"
    assert nothing["features"] == ["payment", "scan"]


async def test_update_accepts_the_limits_exactly(console, alice, development_version):
    version = await console.act(
        alice,
        "updateVersion",
        development_version,
        description="d" * 500,
        features=[f"{i:02d}" + "f" * 62 for i in range(20)],
    )
    assert version["description"] == "d" * 500
    assert len(version["features"]) == 20
    assert all(len(name) == 64 for name in version["features"])

    emptied = await console.act(alice, "updateVersion", development_version, description="", features=[])
    assert emptied["description"] == ""
    assert emptied["features"] == []


async def test_the_version_number_is_not_an_updatable_field(console, alice, development_version):
    before = await version_state(console, development_version, alice)

    by_variables = await console.post(
        UPDATE_VERSION_NUMBER, {"input": {"versionId": development_version["id"], "version": "2.0.0"}}, alice
    )
    inline = await console.post(UPDATE_VERSION_NUMBER_INLINE, {"id": development_version["id"]}, alice)

    for body in (by_variables, inline):
        assert body.get("errors"), body
        assert not (body.get("data") or {}).get("updateVersion"), body
    after = await version_state(console, development_version, alice)
    assert after == before
    assert after["version"] == "1.0.0"


async def test_a_colleague_in_the_same_entity_acts_like_the_owner(
    console, alice, alice_colleague, rita, development_version
):
    carol = alice_colleague
    node = (await console.query(AVAILABLE_ACTIONS, {"id": development_version["id"]}, carol))["node"]
    assert set(node["availableActions"]) == {"UPDATE", "SUBMIT", "SET_EXPERIENCE", "DELETE"}

    await console.act(carol, "updateVersion", development_version, description="carol's words")
    submitted = await console.submit(carol, development_version)
    assert submitted["status"] == AUDITING
    withdrawn = await console.act(carol, "withdrawVersion", development_version)
    assert withdrawn["status"] == DEVELOPMENT
    await console.submit(carol, development_version)
    await console.act(rita, "rejectVersion", development_version, reason="no icon")
    resubmitted = await console.submit(carol, development_version)
    assert resubmitted["status"] == AUDITING

    log = version_events(await version_state(console, development_version, alice))
    assert [(e["kind"], e["actor"]["name"]) for e in log] == [
        ("VERSION_UPLOADED", "alice"),
        ("VERSION_UPDATED", "carol"),
        ("SUBMITTED", "carol"),
        ("WITHDRAWN", "carol"),
        ("SUBMITTED", "carol"),
        ("REJECTED", "rita"),
        ("SUBMITTED", "carol"),
    ]


# ================================================================ INVALID_TRANSITION


@pytest.mark.parametrize(
    ("action", "version_in"),
    [
        pytest.param(action, state_, id=f"{action}-{state_}")
        for action in REVIEW_MUTATIONS
        for state_ in ALL_STATES
        if state_ not in VERSION_ACTIONS[action][1]
    ],
    indirect=["version_in"],
)
async def test_a_review_action_from_a_state_that_does_not_allow_it_is_an_invalid_transition(
    console, people, action, version_in
):
    alice = people["alice"]
    before = await version_state(console, version_in, alice)
    current = before["status"]

    payload = await perform(console, actor_for(action, people), action, version_in)

    error = assert_refused(payload, "INVALID_TRANSITION")
    message = error["message"]
    assert current in message, message
    for allowed in allowed_from(current):
        assert allowed in message or mutation_of(allowed) in message, f"{allowed} missing from: {message}"
    assert await version_state(console, version_in, alice) == before


# ================================================================ submit rules


async def test_submit_requires_the_self_check(console, alice, development_version):
    before = await version_state(console, development_version, alice)

    payload = await console.act_payload(alice, "submitVersion", development_version, selfCheckConfirmed=False)

    error = assert_refused(payload, "SELF_CHECK_REQUIRED")
    assert error["field"] == ["input", "selfCheckConfirmed"]
    assert await version_state(console, development_version, alice) == before


async def test_submit_requires_a_feature_package(console, alice, featureless_version):
    before = await version_state(console, featureless_version, alice)
    assert before["features"] == []
    assert "SUBMIT" not in before["availableActions"]

    payload = await console.act_payload(alice, "submitVersion", featureless_version, selfCheckConfirmed=True)

    assert_refused(payload, "FEATURES_REQUIRED")
    assert await version_state(console, featureless_version, alice) == before

    # Adding one makes it submittable.
    updated = await console.act(alice, "updateVersion", featureless_version, features=["payment"])
    assert "SUBMIT" in updated["availableActions"]
    assert (await console.submit(alice, updated))["status"] == AUDITING


async def test_a_rejected_version_emptied_of_features_cannot_be_resubmitted(console, alice, rejected_version):
    emptied = await console.act(alice, "updateVersion", rejected_version, features=[])
    assert "SUBMIT" not in emptied["availableActions"]
    before = await version_state(console, rejected_version, alice)

    payload = await console.act_payload(alice, "submitVersion", rejected_version, selfCheckConfirmed=True)

    assert_refused(payload, "FEATURES_REQUIRED")
    assert await version_state(console, rejected_version, alice) == before


async def test_only_one_version_of_a_plugin_is_in_review(console, alice, rita, plugin, auditing_version):
    newer = await console.upload(alice, plugin, "1.1.0")
    before_newer = await version_state(console, newer, alice)
    before_auditing = await version_state(console, auditing_version, alice)
    assert "SUBMIT" not in before_newer["availableActions"]

    payload = await console.act_payload(alice, "submitVersion", newer, selfCheckConfirmed=True)

    assert_refused(payload, "ALREADY_IN_REVIEW")
    assert await version_state(console, newer, alice) == before_newer
    assert await version_state(console, auditing_version, alice) == before_auditing

    # Once the review is decided the place is free again.
    await console.act(rita, "approveVersion", auditing_version)
    assert "SUBMIT" in (await console.version(alice, newer["id"]))["availableActions"]
    assert (await console.submit(alice, newer))["status"] == AUDITING


async def test_withdrawing_frees_the_review_place(console, alice, plugin, auditing_version):
    newer = await console.upload(alice, plugin, "1.1.0")
    await console.act(alice, "withdrawVersion", auditing_version)
    assert (await console.submit(alice, newer))["status"] == AUDITING
    # ...and now the withdrawn one waits.
    payload = await console.act_payload(alice, "submitVersion", auditing_version, selfCheckConfirmed=True)
    assert_refused(payload, "ALREADY_IN_REVIEW")


async def test_a_rejected_version_cannot_be_resubmitted_while_another_is_in_review(
    console, alice, rita, plugin, rejected_version
):
    newer = await console.submit(alice, await console.upload(alice, plugin, "1.1.0"))
    before = await version_state(console, rejected_version, alice)
    assert "SUBMIT" not in before["availableActions"]

    payload = await console.act_payload(alice, "submitVersion", rejected_version, selfCheckConfirmed=True)

    assert_refused(payload, "ALREADY_IN_REVIEW")
    assert await version_state(console, rejected_version, alice) == before
    assert (await console.version(alice, newer["id"]))["status"] == AUDITING


async def test_a_version_in_review_elsewhere_does_not_block_another_plugin(
    console, alice, other_plugin, auditing_version
):
    other = await console.upload(alice, other_plugin, "1.0.0")
    assert "SUBMIT" in other["availableActions"]
    assert (await console.submit(alice, other))["status"] == AUDITING


@pytest.mark.concurrency
async def test_concurrent_submits_leave_one_version_in_review(console, alice, plugin):
    candidates = [await console.upload(alice, plugin, f"1.{minor}.0") for minor in range(4)]

    for _ in range(3):  # each round is another chance for a missing lock to let two through
        payloads = await all_at_once(
            console,
            alice,
            [partial(console.act_payload, alice, "submitVersion", v, selfCheckConfirmed=True) for v in candidates],
        )

        assert sorted(tuple(codes(p)) for p in payloads) == [(), *[("ALREADY_IN_REVIEW",)] * 3]
        statuses = [(await console.version(alice, v["id"]))["status"] for v in candidates]
        assert sorted(statuses) == [AUDITING, DEVELOPMENT, DEVELOPMENT, DEVELOPMENT]
        (winner,) = [p["version"] for p in payloads if not p["userErrors"]]
        await console.act(alice, "withdrawVersion", winner)


# ================================================================ update and reject validation


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"description": "d" * 501}, ["input", "description"], id="description-501"),
        pytest.param({"features": [f"f{i}" for i in range(21)]}, ["input", "features"], id="21-features"),
        pytest.param({"features": ["payment", ""]}, ["input", "features", "1"], id="empty-feature"),
        pytest.param({"features": ["   "]}, ["input", "features", "0"], id="blank-feature"),
        pytest.param({"features": ["f" * 65]}, ["input", "features", "0"], id="feature-65"),
        pytest.param({"features": ["payment", "scan", "payment"]}, ["input", "features", "2"], id="duplicate-feature"),
        pytest.param(
            {"description": "fine", "features": ["a", "a"]}, ["input", "features", "1"], id="valid-and-invalid"
        ),
    ],
)
@pytest.mark.parametrize("version_in", [DEVELOPMENT, REJECTED], indirect=True)
async def test_update_refuses_invalid_input(console, alice, version_in, fields, field):
    before = await version_state(console, version_in, alice)

    payload = await console.act_payload(alice, "updateVersion", version_in, **fields)

    error = assert_refused(payload, "VALIDATION")
    assert error["field"] == field
    assert await version_state(console, version_in, alice) == before


@pytest.mark.parametrize(
    "reason",
    [pytest.param("", id="empty"), pytest.param("   ", id="blank"), pytest.param("r" * 501, id="501-chars")],
)
async def test_reject_needs_a_reason_of_1_to_500_characters(console, alice, rita, auditing_version, reason):
    before = await version_state(console, auditing_version, alice)

    payload = await console.act_payload(rita, "rejectVersion", auditing_version, reason=reason)

    error = assert_refused(payload, "VALIDATION")
    assert error["field"] == ["input", "reason"]
    assert await version_state(console, auditing_version, alice) == before


@pytest.mark.parametrize("reason", [pytest.param("x", id="1-char"), pytest.param("r" * 500, id="500-chars")])
async def test_reject_accepts_reasons_at_the_limits(console, rita, auditing_version, reason):
    rejected = await console.act(rita, "rejectVersion", auditing_version, reason=reason)
    assert rejected["rejectReason"] == reason


# ================================================================ who may act


@pytest.mark.parametrize("action", ["APPROVE", "REJECT"])
async def test_the_owner_cannot_review_her_own_version(console, alice, alice_colleague, action, auditing_version):
    before = await version_state(console, auditing_version, alice)

    for who in (alice, alice_colleague):
        payload = await perform(console, who, action, auditing_version)
        assert_refused(payload, "FORBIDDEN")

    assert await version_state(console, auditing_version, alice) == before


@pytest.mark.parametrize(
    ("action", "version_in"),
    [
        ("UPDATE", DEVELOPMENT),
        ("SUBMIT", DEVELOPMENT),
        ("UPDATE", REJECTED),
        ("SUBMIT", REJECTED),
        ("WITHDRAW", AUDITING),
    ],
    indirect=["version_in"],
)
async def test_a_reviewer_cannot_do_the_owners_part(console, alice, rita, action, version_in):
    before = await version_state(console, version_in, alice)

    payload = await perform(console, rita, action, version_in)

    assert_refused(payload, "FORBIDDEN")
    assert await version_state(console, version_in, alice) == before


@pytest.mark.parametrize(
    ("action", "version_in"),
    [
        ("UPDATE", DEVELOPMENT),
        ("SUBMIT", DEVELOPMENT),
        ("WITHDRAW", AUDITING),
        ("APPROVE", AUDITING),
        ("REJECT", AUDITING),
        ("UPDATE", REJECTED),
        ("SUBMIT", REJECTED),
        ("APPROVE", DEVELOPMENT),
        ("WITHDRAW", APPROVED),
    ],
    indirect=["version_in"],
)
async def test_an_outsider_cannot_tell_an_unpublished_version_exists(console, alice, bob, action, version_in):
    before = await version_state(console, version_in, alice)
    assert await console.version(bob, version_in["id"]) is None

    payload = await perform(console, bob, action, version_in)

    error = assert_refused(payload, "NOT_FOUND")
    assert error["field"] == ["input", "versionId"]
    assert before["status"] not in error["message"]
    assert await version_state(console, version_in, alice) == before


@pytest.mark.parametrize("action", REVIEW_MUTATIONS)
async def test_an_outsider_who_sees_the_online_version_may_not_change_it(console, alice, bob, action, online_version):
    before = await version_state(console, online_version, alice)
    assert (await console.version(bob, online_version["id"]))["status"] == ONLINE

    payload = await perform(console, bob, action, online_version)

    assert_refused(payload, "FORBIDDEN")
    assert await version_state(console, online_version, alice) == before


# ================================================================ malformed ids


BAD_VERSION_IDS = {
    "not-a-global-id": lambda plugin: "not a global id",
    "empty": lambda plugin: "",
    "plugin-id": lambda plugin: plugin["id"],
    "bare-plugin-number": lambda plugin: plugin["pluginId"],
    "non-numeric-key": lambda plugin: global_id("PluginVersion", "abc"),
    "other-type": lambda plugin: global_id("Plugin", "1"),
}


@pytest.mark.parametrize("action", REVIEW_MUTATIONS)
@pytest.mark.parametrize("bad", list(BAD_VERSION_IDS))
async def test_a_malformed_version_id_is_a_validation_error(console, people, plugin, development_version, action, bad):
    alice = people["alice"]
    before = await version_state(console, development_version, alice)

    payload = await perform(console, actor_for(action, people), action, {"id": BAD_VERSION_IDS[bad](plugin)})

    error = assert_refused(payload, "VALIDATION")
    assert error["field"] == ["input", "versionId"]
    assert await version_state(console, development_version, alice) == before


@pytest.mark.parametrize("action", REVIEW_MUTATIONS)
async def test_a_well_formed_id_of_no_version_is_not_found(console, people, action):
    payload = await perform(console, actor_for(action, people), action, {"id": global_id("PluginVersion", "987654")})
    error = assert_refused(payload, "NOT_FOUND")
    assert error["field"] == ["input", "versionId"]


# ================================================================ availableActions


# (state, viewer) -> exactly what the viewer may do with the version.
EXPECTED_ACTIONS: dict[tuple[str, str], set[str]] = {
    (DEVELOPMENT, "owner"): {"UPDATE", "SUBMIT", "SET_EXPERIENCE", "DELETE"},
    (AUDITING, "owner"): {"WITHDRAW", "SET_EXPERIENCE"},
    (REJECTED, "owner"): {"UPDATE", "SUBMIT", "RETURN_TO_DEVELOPMENT", "SET_EXPERIENCE", "DELETE"},
    (APPROVED, "owner"): {"GRAY_RELEASE", "GO_ONLINE", "RETURN_TO_DEVELOPMENT", "SET_EXPERIENCE", "DELETE"},
    (DEVELOPMENT, "reviewer"): set(),
    (AUDITING, "reviewer"): {"APPROVE", "REJECT"},
    (REJECTED, "reviewer"): set(),
    (APPROVED, "reviewer"): set(),
}
VIEWERS = {"owner": "alice", "colleague": "alice_colleague", "reviewer": "rita"}


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("version_in", [DEVELOPMENT, AUDITING, REJECTED, APPROVED], indirect=True)
async def test_available_actions_by_state_and_viewer(console, people, version_in, viewer):
    who = people[VIEWERS[viewer]]
    node = (await console.query(AVAILABLE_ACTIONS, {"id": version_in["id"]}, who))["node"]
    expected = EXPECTED_ACTIONS[(node["status"], "reviewer" if viewer == "reviewer" else "owner")]
    assert len(node["availableActions"]) == len(set(node["availableActions"]))
    assert set(node["availableActions"]) == expected


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in PLUGIN_LEVEL_ACTIONS])
@pytest.mark.parametrize("viewer", ["owner", "reviewer"])
@pytest.mark.parametrize("version_in", [DEVELOPMENT, AUDITING, REJECTED, APPROVED], indirect=True)
async def test_every_listed_action_succeeds_and_every_other_is_refused(console, people, version_in, viewer, action):
    alice = people["alice"]
    who = people[VIEWERS[viewer]]
    before = await version_state(console, version_in, alice)
    listed = (await console.query(AVAILABLE_ACTIONS, {"id": version_in["id"]}, who))["node"]["availableActions"]

    payload = await perform(console, who, action, version_in)

    if action in listed:
        assert payload["userErrors"] == [], payload
        target = VERSION_ACTIONS[action][2] or before["status"]
        assert payload["version"]["status"] == target
        if action != "DELETE":
            after = await version_state(console, version_in, alice)
            assert after["status"] == target
            assert after["events"]["totalCount"] == before["events"]["totalCount"] + 1
    else:
        assert payload["version"] is None, payload
        assert len(codes(payload)) == 1, payload
        assert await version_state(console, version_in, alice) == before


@pytest.mark.parametrize("version_in", [DEVELOPMENT, AUDITING, REJECTED, APPROVED], indirect=True)
async def test_plugin_level_actions_are_not_offered_on_these_versions(console, alice, rita, version_in):
    for who in (alice, rita):
        actions = (await console.query(AVAILABLE_ACTIONS, {"id": version_in["id"]}, who))["node"]["availableActions"]
        assert not PLUGIN_LEVEL_ACTIONS & set(actions)


async def test_an_outsider_is_offered_nothing_on_a_version_it_can_see(console, bob, rita, online_version):
    for who in (bob, rita):
        node = (await console.query(AVAILABLE_ACTIONS, {"id": online_version["id"]}, who))["node"]
        assert node == {"status": ONLINE, "availableActions": []}


async def test_submit_is_not_offered_while_another_version_is_in_review(console, alice, plugin, auditing_version):
    newer = await console.upload(alice, plugin, "1.1.0")
    actions = (await console.query(AVAILABLE_ACTIONS, {"id": newer["id"]}, alice))["node"]["availableActions"]
    assert set(actions) == {"UPDATE", "SET_EXPERIENCE", "DELETE"}


async def test_submit_is_not_offered_without_features(console, alice, featureless_version):
    actions = featureless_version["availableActions"]
    assert set(actions) == {"UPDATE", "SET_EXPERIENCE", "DELETE"}


async def test_available_actions_follow_each_step_of_a_review(console, alice, rita, development_version):
    def offered(version: dict[str, Any]) -> set[str]:
        return set(version["availableActions"])

    assert offered(development_version) == EXPECTED_ACTIONS[(DEVELOPMENT, "owner")]
    submitted = await console.submit(alice, development_version)
    assert offered(submitted) == EXPECTED_ACTIONS[(AUDITING, "owner")]
    assert offered(await console.version(rita, submitted["id"])) == EXPECTED_ACTIONS[(AUDITING, "reviewer")]
    rejected = await console.act(rita, "rejectVersion", submitted, reason="no icon")
    assert offered(rejected) == EXPECTED_ACTIONS[(REJECTED, "reviewer")]
    assert offered(await console.version(alice, rejected["id"])) == EXPECTED_ACTIONS[(REJECTED, "owner")]
    resubmitted = await console.submit(alice, rejected)
    approved = await console.act(rita, "approveVersion", resubmitted)
    assert offered(await console.version(alice, approved["id"])) == EXPECTED_ACTIONS[(APPROVED, "owner")]

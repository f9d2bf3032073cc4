"""resolvePluginVersion: which version of a plugin a host loads in a scene,
who may ask, and the gray-release bucket behind rule 3.

1. DEVELOP/PREVIEW + an AUTHORIZED binding + an experience version: EXPERIENCE.
2. Otherwise no ACTIVE order: NOT_ORDERED.
3. With an order: GRAY when the host is in the rollout, else ONLINE, else
   NO_ONLINE_VERSION.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from typing import Any

import pytest
import pytest_asyncio

from pluginhub.models import MiniProgram, Plugin, PluginOrder, PluginVersion, Scene
from pluginhub.resolvers import resolution
from pluginhub.resolvers.resolution import BUCKETS, bucket, in_rollout
from tests.helpers import Console, Person, top_level_codes

# ---------------------------------------------------------------- documents

RESOLVE = """
query($appId: String!, $pluginId: String!, $scene: Scene!, $debugToken: String) {
  resolvePluginVersion(appId: $appId, pluginId: $pluginId, scene: $scene, debugToken: $debugToken) {
    __typename
    ... on ResolvedPluginVersion { source scene version { version } plugin { pluginId } miniProgram { appId } }
    ... on PluginUnavailable { reason message }
  }
}"""

NO_SUCH_ID = "1000000000000000"
SCENES = ["DEVELOP", "PREVIEW", "RELEASE"]


# ---------------------------------------------------------------- local fixtures and helpers


@pytest_asyncio.fixture
async def newer_experience(console: Console, alice, plugin, online_version):
    """1.0.0 is online; 1.1.0, in development, is the experience version."""
    newer = await console.upload(alice, plugin, "1.1.0")
    return await console.act(alice, "setExperienceVersion", newer)


@pytest_asyncio.fixture
async def newer_approved(console: Console, alice, plugin, online_version):
    """1.0.0 is online (the plugin is listed); 1.1.0 is approved, ready for a gray release."""
    return await console.approved(alice, plugin, "1.1.0")


@pytest_asyncio.fixture(params=["PENDING", "REJECTED", "CANCELLED", "UNBOUND"])
async def inactive_binding(request: pytest.FixtureRequest, console: Console, alice, bob, pending_binding):
    """bob's host and alice's plugin share a binding that is not (or no longer) AUTHORIZED."""
    if request.param == "PENDING":
        binding = pending_binding
    elif request.param == "REJECTED":
        binding = await console.binding_action(bob, "rejectDebugBinding", pending_binding)
    elif request.param == "CANCELLED":
        binding = await console.binding_action(alice, "cancelDebugHost", pending_binding)
    else:
        authorized = await console.binding_action(bob, "authorizeDebugBinding", pending_binding)
        binding = await console.binding_action(bob, "unbindDebugHost", authorized)
    assert binding["status"] == request.param
    return binding


async def ask(
    console: Console, who: Person, app_id: str, plugin_id: str, scene: str = "RELEASE", token: str | None = None
) -> dict[str, Any]:
    """The whole response body."""
    variables = {"appId": app_id, "pluginId": plugin_id, "scene": scene, "debugToken": token}
    return await console.post(RESOLVE, variables, who)


async def resolve(
    console: Console,
    who: Person,
    app: dict[str, Any],
    plugin: dict[str, Any],
    scene: str = "RELEASE",
    token: str | None = None,
) -> dict[str, Any]:
    body = await ask(console, who, app["appId"], plugin["pluginId"], scene, token)
    assert not body.get("errors"), body
    return body["data"]["resolvePluginVersion"]


def resolved(
    source: str, version: str, app: dict[str, Any], plugin: dict[str, Any], scene: str = "RELEASE"
) -> dict[str, Any]:
    return {
        "__typename": "ResolvedPluginVersion",
        "source": source,
        "scene": scene,
        "version": {"version": version},
        "plugin": {"pluginId": plugin["pluginId"]},
        "miniProgram": {"appId": app["appId"]},
    }


def unavailable(answer: dict[str, Any]) -> str:
    """The reason of a PluginUnavailable answer (failing on anything else)."""
    assert answer["__typename"] == "PluginUnavailable", answer
    assert answer["message"]
    return answer["reason"]


def refusal_codes(body: dict[str, Any]) -> list[str]:
    assert body.get("data") is None, body
    return top_level_codes(body)


async def refused_with(
    console: Console, who: Person, app: dict[str, Any], plugin: dict[str, Any], token: str
) -> list[str]:
    """Top-level error codes when `who` asks about DEVELOP with `token`."""
    return refusal_codes(await ask(console, who, app["appId"], plugin["pluginId"], "DEVELOP", token))


def token_of(binding: dict[str, Any]) -> str:
    return binding["authorization"]["token"]


async def hosts_around(
    console: Console, owner: Person, plugin: dict[str, Any], percentage: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create mini-programs of `owner` until one falls in a rollout of `percentage` and one does not."""
    inside = outside = None
    for n in range(300):
        app = await console.create_mini_program(owner, f"Host {n}")
        if bucket(plugin["pluginId"], app["appId"]) < percentage * 100:
            inside = inside or app
        else:
            outside = outside or app
        if inside and outside:
            return inside, outside
    raise AssertionError(f"300 hosts and still not one on each side of {percentage}%")


# ---------------------------------------------------------------- rule 1: the experience version


@pytest.mark.parametrize("scene", ["DEVELOP", "PREVIEW"])
async def test_an_authorized_host_gets_the_experience_version_in_develop_and_preview(
    console: Console, bob, plugin, mini_program, authorized_binding, experience_version, scene
):
    answer = await resolve(console, bob, mini_program, plugin, scene)

    assert answer == resolved("EXPERIENCE", "1.0.0", mini_program, plugin, scene)


async def test_release_never_loads_the_experience_version(
    console: Console, bob, plugin, mini_program, authorized_binding, experience_version
):
    assert unavailable(await resolve(console, bob, mini_program, plugin, "RELEASE")) == "NOT_ORDERED"


async def test_a_host_of_the_plugins_own_entity_is_authorized_at_once(
    console: Console, alice, plugin, own_mini_program, experience_version
):
    await console.add_debug_host(alice, plugin, own_mini_program)

    answer = await resolve(console, alice, own_mini_program, plugin, "DEVELOP")

    assert answer == resolved("EXPERIENCE", "1.0.0", own_mini_program, plugin, "DEVELOP")


@pytest.mark.parametrize("scene", ["DEVELOP", "PREVIEW"])
async def test_a_binding_that_is_not_authorized_gives_no_experience_version(
    console: Console, bob, plugin, mini_program, experience_version, inactive_binding, scene
):
    assert unavailable(await resolve(console, bob, mini_program, plugin, scene)) == "NOT_ORDERED"


@pytest.mark.parametrize("scene", SCENES)
async def test_a_bound_host_without_an_experience_version_needs_an_order(
    console: Console, bob, plugin, mini_program, authorized_binding, development_version, scene
):
    assert unavailable(await resolve(console, bob, mini_program, plugin, scene)) == "NOT_ORDERED"


async def test_clearing_the_experience_version_ends_rule_one(
    console: Console, alice, bob, plugin, mini_program, authorized_binding, experience_version
):
    assert (await resolve(console, bob, mini_program, plugin, "DEVELOP"))["source"] == "EXPERIENCE"

    cleared = await console.plugin_action(alice, "clearExperienceVersion", plugin)
    assert cleared["userErrors"] == []

    assert unavailable(await resolve(console, bob, mini_program, plugin, "DEVELOP")) == "NOT_ORDERED"


async def test_with_an_order_the_experience_version_still_wins_in_develop_only(
    console: Console, bob, plugin, mini_program, authorized_binding, newer_experience, active_order
):
    assert await resolve(console, bob, mini_program, plugin, "DEVELOP") == resolved(
        "EXPERIENCE", "1.1.0", mini_program, plugin, "DEVELOP"
    )
    assert await resolve(console, bob, mini_program, plugin, "PREVIEW") == resolved(
        "EXPERIENCE", "1.1.0", mini_program, plugin, "PREVIEW"
    )
    answer = await resolve(console, bob, mini_program, plugin, "RELEASE")
    assert answer == resolved("ONLINE", "1.0.0", mini_program, plugin)


async def test_an_ordered_host_that_is_not_bound_gets_the_online_version_in_every_scene(
    console: Console, bob, plugin, mini_program, newer_experience, active_order
):
    for scene in SCENES:
        answer = await resolve(console, bob, mini_program, plugin, scene)
        assert answer == resolved("ONLINE", "1.0.0", mini_program, plugin, scene)


# ---------------------------------------------------------------- rule 2: the order


@pytest.mark.parametrize("scene", SCENES)
async def test_a_listed_plugin_without_an_order_is_not_ordered(
    console: Console, bob, plugin, mini_program, online_version, scene
):
    answer = await resolve(console, bob, mini_program, plugin, scene)

    assert unavailable(answer) == "NOT_ORDERED"


async def test_cancelling_the_order_makes_the_plugin_unavailable_again(
    console: Console, bob, plugin, mini_program, online_version, active_order
):
    assert await resolve(console, bob, mini_program, plugin) == resolved("ONLINE", "1.0.0", mini_program, plugin)

    cancelled = await console.cancel_order_payload(bob, active_order)
    assert cancelled["userErrors"] == []

    assert unavailable(await resolve(console, bob, mini_program, plugin)) == "NOT_ORDERED"

    await console.order(bob, mini_program, plugin)
    assert await resolve(console, bob, mini_program, plugin) == resolved("ONLINE", "1.0.0", mini_program, plugin)


async def test_an_order_of_another_host_does_not_count(console: Console, bob, plugin, mini_program, active_order):
    other = await console.create_mini_program(bob, "Blue Harbor Cafe")

    assert unavailable(await resolve(console, bob, other, plugin)) == "NOT_ORDERED"


# ---------------------------------------------------------------- rule 3: gray, online, nothing


async def test_a_host_listed_in_the_rollout_gets_the_gray_version(
    console: Console, alice, bob, plugin, mini_program, active_order, newer_approved
):
    other = await console.create_mini_program(bob, "Blue Harbor Cafe")
    await console.order(bob, other, plugin)
    unordered = await console.create_mini_program(bob, "Blue Harbor Kiosk")

    gray = await console.act(alice, "grayRelease", newer_approved, appIds=[mini_program["appId"], unordered["appId"]])
    assert gray["grayRelease"]["percentage"] == 0

    assert await resolve(console, bob, mini_program, plugin) == resolved("GRAY", "1.1.0", mini_program, plugin)
    assert await resolve(console, bob, other, plugin) == resolved("ONLINE", "1.0.0", other, plugin)
    # Being in the rollout is no order.
    assert unavailable(await resolve(console, bob, unordered, plugin)) == "NOT_ORDERED"


async def test_hosts_under_the_percentage_get_the_gray_version(
    console: Console, alice, bob, plugin, online_version, newer_approved
):
    inside, outside = await hosts_around(console, bob, plugin, 10)
    for app in (inside, outside):
        await console.order(bob, app, plugin)

    await console.act(alice, "grayRelease", newer_approved, percentage=10)

    assert await resolve(console, bob, inside, plugin) == resolved("GRAY", "1.1.0", inside, plugin)
    assert await resolve(console, bob, outside, plugin) == resolved("ONLINE", "1.0.0", outside, plugin)
    for scene in ("DEVELOP", "PREVIEW"):
        assert (await resolve(console, bob, inside, plugin, scene))["source"] == "GRAY"
        assert (await resolve(console, bob, outside, plugin, scene))["source"] == "ONLINE"

    # Widening keeps the host that was in, and adds the other one.
    await console.act(alice, "grayRelease", newer_approved, percentage=100)
    assert await resolve(console, bob, inside, plugin) == resolved("GRAY", "1.1.0", inside, plugin)
    assert await resolve(console, bob, outside, plugin) == resolved("GRAY", "1.1.0", outside, plugin)


async def test_when_the_gray_version_goes_online_everyone_gets_it(
    console: Console, alice, bob, plugin, mini_program, active_order, newer_approved
):
    gray = await console.act(alice, "grayRelease", newer_approved, appIds=[mini_program["appId"]])
    await console.act(alice, "goOnline", gray)

    assert await resolve(console, bob, mini_program, plugin) == resolved("ONLINE", "1.1.0", mini_program, plugin)


async def test_returning_the_gray_version_to_development_ends_the_rollout(
    console: Console, alice, bob, plugin, mini_program, active_order, newer_approved
):
    gray = await console.act(alice, "grayRelease", newer_approved, appIds=[mini_program["appId"]])
    assert (await resolve(console, bob, mini_program, plugin))["source"] == "GRAY"

    await console.act(alice, "returnToDevelopment", gray)

    assert await resolve(console, bob, mini_program, plugin) == resolved("ONLINE", "1.0.0", mini_program, plugin)


# Once a plugin has gone online it stays listed and always has an ONLINE
# version (rollback needs an earlier online version to bring back), and an
# order needs a listed plugin, so no sequence of API calls reaches "ordered
# but nothing online". Rule 3's last step is therefore checked on the pure
# `resolve` function, with the order row written directly.


async def test_an_order_without_any_online_version_is_no_online_version(
    console: Console, plugin, development_version, mini_program
):
    await PluginOrder.create(
        plugin_id=plugin["pluginId"],
        mini_program_id=mini_program["appId"],
        rollout_bucket=bucket(plugin["pluginId"], mini_program["appId"]),
    )
    host = await MiniProgram.get(app_id=mini_program["appId"])
    row = await Plugin.get(plugin_id=plugin["pluginId"])

    for scene in Scene:
        answer = await resolution.resolve(host, row, scene)
        assert isinstance(answer, resolution.PluginUnavailable), answer
        assert answer.reason == resolution.Unavailable.NO_ONLINE_VERSION


async def test_only_a_gray_version_serves_the_hosts_in_its_rollout_and_no_one_else(
    console: Console, alice, bob, plugin, gray_version
):
    inside, outside = await hosts_around(console, bob, plugin, 10)
    row = await Plugin.get(plugin_id=plugin["pluginId"])
    for app in (inside, outside):
        await PluginOrder.create(
            plugin_id=plugin["pluginId"],
            mini_program_id=app["appId"],
            rollout_bucket=bucket(plugin["pluginId"], app["appId"]),
        )

    answer = await resolution.resolve(await MiniProgram.get(app_id=inside["appId"]), row, Scene.RELEASE)
    assert isinstance(answer, resolution.Resolved), answer
    assert (answer.source, answer.version.version) == (resolution.Source.GRAY, "1.0.0")

    answer = await resolution.resolve(await MiniProgram.get(app_id=outside["appId"]), row, Scene.RELEASE)
    assert isinstance(answer, resolution.PluginUnavailable), answer
    assert answer.reason == resolution.Unavailable.NO_ONLINE_VERSION


# ---------------------------------------------------------------- who may ask


async def test_anyone_with_the_live_token_may_ask(
    console: Console, alice, bob, dave, plugin, mini_program, authorized_binding, experience_version
):
    token = token_of(authorized_binding)
    for who in (alice, dave, bob):
        for scene in ("DEVELOP", "PREVIEW"):
            answer = await resolve(console, who, mini_program, plugin, scene, token)
            assert answer == resolved("EXPERIENCE", "1.0.0", mini_program, plugin, scene), who.name
        # The token lets one ask; it does not turn the binding into an order.
        assert unavailable(await resolve(console, who, mini_program, plugin, "RELEASE", token)) == "NOT_ORDERED"


async def test_the_token_asks_about_a_listed_and_ordered_plugin_too(
    console: Console, dave, plugin, mini_program, authorized_binding, newer_experience, active_order
):
    token = token_of(authorized_binding)

    assert await resolve(console, dave, mini_program, plugin, "DEVELOP", token) == resolved(
        "EXPERIENCE", "1.1.0", mini_program, plugin, "DEVELOP"
    )
    answer = await resolve(console, dave, mini_program, plugin, "RELEASE", token)
    assert answer == resolved("ONLINE", "1.0.0", mini_program, plugin)


async def test_a_third_developer_without_a_token_finds_nothing(
    console: Console, dave, plugin, mini_program, authorized_binding, experience_version
):
    unseen = await ask(console, dave, mini_program["appId"], plugin["pluginId"], "DEVELOP")
    assert refusal_codes(unseen) == ["NOT_FOUND"]
    # No hint that the host or the plugin exists.
    pairs = [(NO_SUCH_ID, plugin["pluginId"]), (mini_program["appId"], NO_SUCH_ID), (NO_SUCH_ID, NO_SUCH_ID)]
    for app_id, plugin_id in pairs:
        assert refusal_codes(await ask(console, dave, app_id, plugin_id, "DEVELOP")) == ["NOT_FOUND"]


async def test_a_third_developer_without_a_token_finds_nothing_for_a_listed_plugin(
    console: Console, dave, plugin, mini_program, active_order
):
    """dave sees the listed plugin, but bob's mini-program is none of his business and does not exist for him."""
    existing = await ask(console, dave, mini_program["appId"], plugin["pluginId"])
    missing = await ask(console, dave, NO_SUCH_ID, plugin["pluginId"])

    assert refusal_codes(missing) == ["NOT_FOUND"]
    assert refusal_codes(existing) == ["NOT_FOUND"]


async def test_the_plugin_owner_without_a_token_is_forbidden(
    console: Console, alice, plugin, mini_program, authorized_binding, experience_version
):
    for scene in SCENES:
        assert refusal_codes(await ask(console, alice, mini_program["appId"], plugin["pluginId"], scene)) == [
            "FORBIDDEN"
        ]


async def test_the_host_owner_asking_about_a_plugin_it_cannot_see_finds_nothing(
    console: Console, bob, plugin, development_version, mini_program
):
    """alice's plugin is unlisted and has no binding or order with bob's hosts: it does not exist for bob."""
    unseen = await ask(console, bob, mini_program["appId"], plugin["pluginId"])
    missing = await ask(console, bob, mini_program["appId"], NO_SUCH_ID)

    assert refusal_codes(missing) == ["NOT_FOUND"]
    assert refusal_codes(unseen) == ["NOT_FOUND"]


async def test_the_token_of_another_host_is_refused(
    console: Console, alice, bob, dave, plugin, mini_program, authorized_binding, experience_version
):
    other = await console.create_mini_program(bob, "Blue Harbor Cafe")
    invitation = await console.add_debug_host(alice, plugin, other)
    other_binding = await console.binding_action(bob, "authorizeDebugBinding", invitation)
    token = token_of(other_binding)
    answer = await resolve(console, dave, other, plugin, "DEVELOP", token)
    assert answer == resolved("EXPERIENCE", "1.0.0", other, plugin, "DEVELOP")

    assert await refused_with(console, dave, mini_program, plugin, token) == ["NOT_FOUND"]
    assert await refused_with(console, alice, mini_program, plugin, token) == ["FORBIDDEN"]


async def test_the_token_of_another_plugin_is_refused(
    console: Console, alice, bob, dave, plugin, mini_program, authorized_binding, experience_version
):
    second = await console.create_plugin(alice, "Coupon Wall")
    await console.act(alice, "setExperienceVersion", await console.upload(alice, second, "2.0.0"))
    invitation = await console.add_debug_host(alice, second, mini_program)
    second_binding = await console.binding_action(bob, "authorizeDebugBinding", invitation)
    token = token_of(second_binding)
    assert await resolve(console, dave, mini_program, second, "DEVELOP", token) == resolved(
        "EXPERIENCE", "2.0.0", mini_program, second, "DEVELOP"
    )

    assert await refused_with(console, dave, mini_program, plugin, token) == ["NOT_FOUND"]
    assert await refused_with(console, alice, mini_program, plugin, token) == ["FORBIDDEN"]


async def test_the_token_stops_working_once_unbound(
    console: Console, alice, bob, dave, plugin, mini_program, authorized_binding, experience_version
):
    token = token_of(authorized_binding)
    assert (await resolve(console, dave, mini_program, plugin, "DEVELOP", token))["source"] == "EXPERIENCE"

    await console.binding_action(alice, "unbindDebugHost", authorized_binding)

    assert await refused_with(console, dave, mini_program, plugin, token) == ["NOT_FOUND"]
    assert await refused_with(console, alice, mini_program, plugin, token) == ["FORBIDDEN"]
    # The host's owner still may ask, and gets the answer for an unbound, unordered host.
    assert unavailable(await resolve(console, bob, mini_program, plugin, "DEVELOP", token)) == "NOT_ORDERED"


async def test_a_reinvited_host_gets_a_new_token_and_the_old_one_stays_dead(
    console: Console, alice, bob, dave, plugin, mini_program, unbound_binding, experience_version
):
    old = token_of(unbound_binding)
    assert old and old.startswith("dbg_")
    invitation = await console.add_debug_host(alice, plugin, mini_program)
    again = await console.binding_action(bob, "authorizeDebugBinding", invitation)
    assert token_of(again) != old

    assert await refused_with(console, dave, mini_program, plugin, old) == ["NOT_FOUND"]
    assert (await resolve(console, dave, mini_program, plugin, "DEVELOP", token_of(again)))["source"] == "EXPERIENCE"


@pytest.mark.parametrize("token", ["", "dbg_", "dbg_not-the-token", "phk_whatever", "x" * 500])
async def test_a_made_up_token_is_refused(
    console: Console, dave, plugin, mini_program, authorized_binding, experience_version, token
):
    assert await refused_with(console, dave, mini_program, plugin, token) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("app_id", "plugin_id"),
    [
        ("12345", None),
        ("abcdefghijklmnop", None),
        ("12345678901234567", None),
        ("", None),
        (None, "123456789012345"),
        (None, "123456789012345x"),
        (None, "1234567890123456\n"),
    ],
)
async def test_malformed_ids_are_a_validation_error(
    console: Console, bob, plugin, mini_program, active_order, app_id, plugin_id
):
    app_id = mini_program["appId"] if app_id is None else app_id
    plugin_id = plugin["pluginId"] if plugin_id is None else plugin_id

    body = await ask(console, bob, app_id, plugin_id)

    assert refusal_codes(body) == ["VALIDATION"]


async def test_a_host_that_does_not_exist_is_not_found(console: Console, bob, plugin, online_version):
    assert refusal_codes(await ask(console, bob, NO_SUCH_ID, plugin["pluginId"])) == ["NOT_FOUND"]


# ---------------------------------------------------------------- the gray bucket (no database)

PLUGIN_A = "4821739055102846"
PLUGIN_B = "7305918264470019"


def app_ids(count: int = 10_000, seed: int = 20240611) -> list[str]:
    rng = random.Random(seed)
    ids = {str(rng.randrange(10**15, 10**16)) for _ in range(count * 2)}
    return sorted(ids)[:count]


def rollout(percentage: int, plugin_id: str = PLUGIN_A) -> PluginVersion:
    return PluginVersion(plugin_id=plugin_id, gray_percentage=percentage, gray_app_ids=[])


def test_buckets_cover_the_whole_range():
    buckets = [bucket(PLUGIN_A, app_id) for app_id in app_ids()]

    assert all(0 <= b < BUCKETS for b in buckets)
    # Spread over the range, not bunched: every tenth of it holds 8-12% of the hosts.
    tenths = [0] * 10
    for b in buckets:
        tenths[b * 10 // BUCKETS] += 1
    assert all(800 <= n <= 1200 for n in tenths), tenths


@pytest.mark.parametrize("plugin_id", [PLUGIN_A, PLUGIN_B])
@pytest.mark.parametrize("percentage", [1, 5, 10, 25, 50, 75, 99])
def test_the_share_in_a_rollout_follows_its_percentage(plugin_id, percentage):
    hosts = app_ids()
    version = rollout(percentage, plugin_id)

    share = 100 * sum(in_rollout(version, app_id) for app_id in hosts) / len(hosts)

    assert abs(share - percentage) <= 2, share


def test_a_full_rollout_takes_everyone_and_an_empty_one_no_one():
    hosts = app_ids(2_000)

    assert all(in_rollout(rollout(100), app_id) for app_id in hosts)
    assert not any(in_rollout(rollout(0), app_id) for app_id in hosts)
    unset = PluginVersion(plugin_id=PLUGIN_A, gray_percentage=None, gray_app_ids=None)
    assert not any(in_rollout(unset, app_id) for app_id in hosts)


def test_a_listed_app_id_is_in_whatever_its_bucket():
    hosts = app_ids(200)
    listed = PluginVersion(plugin_id=PLUGIN_A, gray_percentage=0, gray_app_ids=hosts[:100])

    assert all(in_rollout(listed, app_id) for app_id in hosts[:100])
    assert not any(in_rollout(listed, app_id) for app_id in hosts[100:])


def test_raising_the_percentage_never_removes_a_host():
    hosts = app_ids()
    previous: set[str] = set()
    for percentage in range(101):
        version = rollout(percentage)
        current = {app_id for app_id in hosts if in_rollout(version, app_id)}
        assert previous <= current, f"{sorted(previous - current)[:5]} left the rollout at {percentage}%"
        previous = current
    assert previous == set(hosts)


def test_the_same_pair_always_lands_in_the_same_bucket():
    hosts = app_ids(1_000)
    first = [bucket(PLUGIN_A, app_id) for app_id in hosts]

    assert [bucket(PLUGIN_A, app_id) for app_id in hosts] == first
    assert [bucket(PLUGIN_A, app_id) for app_id in reversed(hosts)] == first[::-1]


def test_buckets_do_not_depend_on_the_process():
    """Another interpreter, with another string-hash seed, computes the same buckets."""
    hosts = app_ids(200)
    script = (
        "import json, sys\n"
        "from pluginhub.resolvers.resolution import bucket\n"
        "plugin, hosts = json.load(sys.stdin)\n"
        "print(json.dumps([bucket(plugin, h) for h in hosts]))\n"
    )
    here = [bucket(PLUGIN_A, app_id) for app_id in hosts]
    for seed in ("1", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps([PLUGIN_A, hosts]),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert json.loads(done.stdout) == here


def test_different_plugins_bucket_hosts_independently():
    hosts = app_ids()
    a = [bucket(PLUGIN_A, app_id) for app_id in hosts]
    b = [bucket(PLUGIN_B, app_id) for app_id in hosts]

    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    correlation = cov / math.sqrt(sum((x - mean_a) ** 2 for x in a) * sum((y - mean_b) ** 2 for y in b))
    assert abs(correlation) < 0.05, correlation

    # A 10% rollout of one plugin and a 10% rollout of the other share about 1% of the hosts, not 10%.
    in_a = {h for h in hosts if in_rollout(rollout(10, PLUGIN_A), h)}
    in_b = {h for h in hosts if in_rollout(rollout(10, PLUGIN_B), h)}
    assert 0.5 <= 100 * len(in_a & in_b) / len(hosts) <= 1.5

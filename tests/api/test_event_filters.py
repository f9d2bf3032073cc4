"""Plugin.events filters by kind, actor and time; bad filters are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.helpers import Console, top_level_codes

EVENTS = """
query($pluginId: String!, $kinds: [PluginEventKind!], $actorId: ID, $since: DateTime, $until: DateTime,
      $first: Int, $after: String) {
  plugin(pluginId: $pluginId) {
    events(kinds: $kinds, actorId: $actorId, since: $since, until: $until, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { kind occurredAt actor { name } } }
    }
  }
}"""

VIEWER_ID = "query { viewer { id } }"


async def events(console: Console, who, plugin, **variables: Any) -> list[dict[str, Any]]:
    data = await console.query(EVENTS, {"pluginId": plugin["pluginId"], "first": 100, **variables}, who)
    return [edge["node"] for edge in data["plugin"]["events"]["edges"]]


async def test_filter_by_kinds(console: Console, alice, plugin, online_version, active_order):
    every = await events(console, alice, plugin)
    only = await events(console, alice, plugin, kinds=["SUBMITTED", "PLUGIN_ORDERED"])
    assert [e["kind"] for e in only] == [e["kind"] for e in every if e["kind"] in ("SUBMITTED", "PLUGIN_ORDERED")]
    assert {e["kind"] for e in only} == {"SUBMITTED", "PLUGIN_ORDERED"}


async def test_filter_by_actor(console: Console, alice, bob, plugin, online_version, active_order):
    bob_id = (await console.query(VIEWER_ID, who=bob))["viewer"]["id"]
    by_bob = await events(console, alice, plugin, actorId=bob_id)
    assert [e["kind"] for e in by_bob] == ["PLUGIN_ORDERED"]
    alice_id = (await console.query(VIEWER_ID, who=alice))["viewer"]["id"]
    by_alice = await events(console, alice, plugin, actorId=alice_id)
    assert by_alice and all(e["actor"]["name"] == "alice" for e in by_alice)


async def test_filter_by_time_window(console: Console, alice, plugin, online_version, active_order):
    every = await events(console, alice, plugin)
    assert len(every) >= 5
    since, until = every[1]["occurredAt"], every[4]["occurredAt"]
    window = await events(console, alice, plugin, since=since, until=until)

    def at(e: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(e["occurredAt"])

    expected = [e for e in every if at(every[1]) <= at(e) < at(every[4])]
    assert window == expected  # since is inclusive, until exclusive
    assert window[0] == every[1]
    assert every[4] not in window
    assert await events(console, alice, plugin, since=until, until=until) == []


async def test_filters_combine_and_page(console: Console, alice, plugin, online_version, active_order):
    kinds = ["VERSION_UPLOADED", "SUBMITTED", "APPROVED", "WENT_ONLINE", "PLUGIN_ORDERED"]
    data = await console.query(EVENTS, {"pluginId": plugin["pluginId"], "kinds": kinds, "first": 2}, alice)
    page = data["plugin"]["events"]
    assert page["totalCount"] == 5
    assert [e["node"]["kind"] for e in page["edges"]] == kinds[:2]
    rest = await events(console, alice, plugin, kinds=kinds, after=page["pageInfo"]["endCursor"])
    assert [e["kind"] for e in rest] == kinds[2:]


async def test_filters_keep_visibility(console: Console, alice, bob, plugin, online_version, active_order):
    """A host owner filtering by kind still sees only its own hosts' events."""
    seen = await events(console, bob, plugin, kinds=["SUBMITTED", "PLUGIN_ORDERED"])
    assert [e["kind"] for e in seen] == ["PLUGIN_ORDERED"]


@pytest.mark.parametrize(
    "variables",
    [
        {"actorId": "not-an-id"},
        {"actorId": "UGx1Z2luOjE="},  # Plugin:1, not an Account
        {"since": "2026-01-01T00:00:00"},  # no zone
        {"until": "2026-01-01T00:00:00"},
        {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    ],
)
async def test_bad_filters_are_refused(console: Console, alice, plugin, variables):
    body = await console.post(EVENTS, {"pluginId": plugin["pluginId"], **variables}, alice)
    assert top_level_codes(body) == ["VALIDATION"], body


@pytest.mark.parametrize("variables", [{"since": "yesterday"}, {"kinds": ["NOT_A_KIND"]}])
async def test_malformed_filter_values_fail_validation(console: Console, alice, plugin, variables):
    """graphql-core refuses the variable before anything runs."""
    body = await console.post(EVENTS, {"pluginId": plugin["pluginId"], **variables}, alice)
    assert body.get("data") is None
    (error,) = body["errors"]
    assert f"${next(iter(variables))}" in error["message"]
    assert top_level_codes(body) == ["GRAPHQL_VALIDATION_FAILED"], body

"""Lists: search, Relay pagination in both directions, page-size limits, the review queue."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import Console, Person, top_level_codes

# ---------------------------------------------------------------- documents

CONNECTION = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { %s } }"

PLUGINS = """
query($first: Int, $after: String, $last: Int, $before: String, $search: String) {
  plugins(first: $first, after: $after, last: $last, before: $before, search: $search) { %s }
}""" % (CONNECTION % "pluginId name")

MINI_PROGRAMS = """
query($first: Int, $after: String, $last: Int, $before: String) {
  miniPrograms(first: $first, after: $after, last: $last, before: $before) { %s }
}""" % (CONNECTION % "appId name")

VERSIONS = """
query($pluginId: String!, $first: Int, $after: String, $last: Int, $before: String, $status: [VersionStatus!]) {
  plugin(pluginId: $pluginId) {
    versions(first: $first, after: $after, last: $last, before: $before, status: $status) { %s }
  }
}""" % (CONNECTION % "version status")

EVENTS = """
query($pluginId: String!, $first: Int, $after: String) {
  plugin(pluginId: $pluginId) { events(first: $first, after: $after) { %s } }
}""" % (CONNECTION % "cursor kind version { version }")

REVIEW_QUEUE = """
query($first: Int, $after: String) {
  reviewQueue(first: $first, after: $after) { %s }
}""" % (CONNECTION % "id version status submittedAt plugin { pluginId name }")

SEARCH = """
query($search: String) { plugins(search: $search) { totalCount edges { node { name } } } }"""


# ---------------------------------------------------------------- helpers


def connection_of(data: dict[str, Any]) -> dict[str, Any]:
    """The one connection in a response, however deep."""
    node = next(iter(data.values()))
    while "edges" not in node:
        node = next(iter(node.values()))
    return node


def check_page_shape(conn: dict[str, Any]) -> None:
    edges, info = conn["edges"], conn["pageInfo"]
    if edges:
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
    else:
        assert info["startCursor"] is None and info["endCursor"] is None


async def walk(
    console: Console,
    who: Person,
    document: str,
    variables: dict[str, Any],
    size: int,
    *,
    backward: bool = False,
) -> list[dict[str, Any]]:
    """Every page from one end to the other, in the order they were fetched."""
    pages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        if backward:
            page_vars = {**variables, "last": size, "before": cursor}
        else:
            page_vars = {**variables, "first": size, "after": cursor}
        conn = connection_of(await console.query(document, page_vars, who))
        check_page_shape(conn)
        pages.append(conn)
        info = conn["pageInfo"]
        more = info["hasPreviousPage"] if backward else info["hasNextPage"]
        if not more:
            return pages
        cursor = info["startCursor"] if backward else info["endCursor"]
    raise AssertionError("pagination never ended")


Key = Callable[[dict[str, Any]], Any]


def keys(conn: dict[str, Any], key: Key) -> list[Any]:
    return [key(edge["node"]) for edge in conn["edges"]]


def assert_forward(pages: list[dict[str, Any]], expected: list[Any], key: Key, size: int) -> None:
    chunks = [expected[i : i + size] for i in range(0, len(expected), size)]
    assert [keys(p, key) for p in pages] == chunks
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True] * (len(chunks) - 1) + [False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False] + [True] * (len(chunks) - 1)
    assert {p["totalCount"] for p in pages} == {len(expected)}


def assert_backward(pages: list[dict[str, Any]], expected: list[Any], key: Key, size: int) -> None:
    chunks = [expected[max(0, end - size) : end] for end in range(len(expected), 0, -size)]
    assert [keys(p, key) for p in pages] == chunks
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [True] * (len(chunks) - 1) + [False]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [False] + [True] * (len(chunks) - 1)
    assert {p["totalCount"] for p in pages} == {len(expected)}


def forged_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def by_name(node: dict[str, Any]) -> str:
    return node["name"]


def by_version(node: dict[str, Any]) -> str:
    return node["version"]


# ---------------------------------------------------------------- fixtures

SEVEN = ["one", "two", "three", "four", "five", "six", "seven"]

# Uploaded in this order; newest version first is 2.0.0, 1.10.0, 1.9.0, 1.2.0, 1.0.1, 1.0.0, 0.1.0.
UPLOAD_ORDER = ["1.10.0", "1.2.0", "1.9.0", "2.0.0", "1.0.0", "0.1.0", "1.0.1"]
NEWEST_FIRST = ["2.0.0", "1.10.0", "1.9.0", "1.2.0", "1.0.1", "1.0.0", "0.1.0"]


@pytest.fixture
async def seven_plugins(console: Console, alice, bob) -> list[str]:
    """Seven of alice's plugins, created one after another, and one of bob's she cannot see."""
    for name in SEVEN:
        await console.create_plugin(alice, f"plugin {name}")
    await console.create_plugin(bob, "bob's hidden plugin")
    return [f"plugin {name}" for name in SEVEN]


@pytest.fixture
async def seven_mini_programs(console: Console, alice, bob) -> list[str]:
    for name in SEVEN:
        await console.create_mini_program(bob, f"host {name}")
    await console.create_mini_program(alice, "alice's host")
    return [f"host {name}" for name in SEVEN]


@pytest.fixture
async def seven_versions(console: Console, alice, plugin) -> dict[str, Any]:
    return {number: await console.upload(alice, plugin, number) for number in UPLOAD_ORDER}


# ---------------------------------------------------------------- search


@pytest.fixture
async def catalogue(console: Console, alice) -> dict[str, dict[str, Any]]:
    return {
        "pay": await console.create_plugin(alice, "Pay Button", "Accept card payments in one tap"),
        "weather": await console.create_plugin(alice, "Weather Widget", "Shows the FORECAST for the week"),
        "map": await console.create_plugin(alice, "Map View", "Interactive maps with markers"),
        "coupon": await console.create_plugin(alice, "Coupon_Box", "Hand out 50% discounts"),
    }


async def search(console: Console, who: Person, term: str | None) -> list[str]:
    data = await console.query(SEARCH, {"search": term}, who)
    names = sorted(edge["node"]["name"] for edge in data["plugins"]["edges"])
    assert data["plugins"]["totalCount"] == len(names)
    return names


@pytest.mark.parametrize(
    "term, expected",
    [
        ("pay", ["Pay Button"]),
        ("BUTTON", ["Pay Button"]),
        ("wEaThEr", ["Weather Widget"]),
        ("forecast", ["Weather Widget"]),
        ("Card Payments", ["Pay Button"]),
        ("MAP", ["Map View"]),
        ("  view  ", ["Map View"]),
        ("with", ["Map View"]),
        ("nothing like it", []),
    ],
)
async def test_search_matches_name_and_description_case_insensitively(
    console: Console, alice, catalogue, term: str, expected: list[str]
):
    assert await search(console, alice, term) == expected


async def test_no_search_or_a_blank_one_lists_everything(console: Console, alice, catalogue):
    everything = sorted(p["name"] for p in catalogue.values())

    assert await search(console, alice, None) == everything
    assert await search(console, alice, "") == everything
    assert await search(console, alice, "   ") == everything


async def test_search_matches_an_exact_plugin_id(console: Console, alice, catalogue):
    target = catalogue["map"]

    assert await search(console, alice, target["pluginId"]) == ["Map View"]
    assert await search(console, alice, target["pluginId"][:10]) == []


@pytest.mark.parametrize("term, expected", [("_", ["Coupon_Box"]), ("%", ["Coupon_Box"]), ("50%", ["Coupon_Box"])])
async def test_search_wildcards_are_literal_characters(
    console: Console, alice, catalogue, term: str, expected: list[str]
):
    assert await search(console, alice, term) == expected


async def test_search_finds_only_what_the_viewer_may_see(console: Console, alice, bob, rita, catalogue, online_version):
    # `plugin` ("Pay Button", listed through online_version) is public; the catalogue is not.
    assert await search(console, bob, "pay") == ["Pay Button"]
    assert await search(console, bob, "weather") == []
    assert await search(console, bob, catalogue["weather"]["pluginId"]) == []
    assert await search(console, rita, "weather") == ["Weather Widget"]
    assert await search(console, alice, "pay") == ["Pay Button", "Pay Button"]


# ---------------------------------------------------------------- plugins and mini-programs, newest first


async def test_plugins_walk_forward_newest_first(console: Console, alice, seven_plugins):
    pages = await walk(console, alice, PLUGINS, {}, 3)

    assert_forward(pages, seven_plugins[::-1], by_name, 3)


async def test_plugins_walk_backward(console: Console, alice, seven_plugins):
    pages = await walk(console, alice, PLUGINS, {}, 3, backward=True)

    assert_backward(pages, seven_plugins[::-1], by_name, 3)


async def test_plugins_paginate_within_a_search(console: Console, alice, seven_plugins):
    await console.create_plugin(alice, "something else", "unrelated")
    pages = await walk(console, alice, PLUGINS, {"search": "PLUGIN"}, 2)

    assert_forward(pages, seven_plugins[::-1], by_name, 2)


async def test_mini_programs_walk_both_ways_newest_first(console: Console, bob, seven_mini_programs):
    expected = seven_mini_programs[::-1]

    assert_forward(await walk(console, bob, MINI_PROGRAMS, {}, 3), expected, by_name, 3)
    assert_backward(await walk(console, bob, MINI_PROGRAMS, {}, 3, backward=True), expected, by_name, 3)


async def test_a_page_between_two_cursors(console: Console, alice, seven_plugins):
    everything = connection_of(await console.query(PLUGINS, {"first": 7}, alice))
    cursors = [edge["cursor"] for edge in everything["edges"]]

    between = connection_of(
        await console.query(PLUGINS, {"first": 10, "after": cursors[1], "before": cursors[5]}, alice)
    )
    last_two = connection_of(
        await console.query(PLUGINS, {"last": 2, "after": cursors[1], "before": cursors[5]}, alice)
    )

    assert keys(between, by_name) == seven_plugins[::-1][2:5]
    assert keys(last_two, by_name) == seven_plugins[::-1][3:5]


async def test_page_boundaries_on_an_exact_fit(console: Console, alice, seven_plugins):
    whole = connection_of(await console.query(PLUGINS, {"first": 7}, alice))
    short = connection_of(await console.query(PLUGINS, {"first": 6}, alice))
    whole_back = connection_of(await console.query(PLUGINS, {"last": 7}, alice))

    assert whole["pageInfo"]["hasNextPage"] is False and whole["pageInfo"]["hasPreviousPage"] is False
    assert short["pageInfo"]["hasNextPage"] is True
    assert whole_back["pageInfo"]["hasPreviousPage"] is False and whole_back["pageInfo"]["hasNextPage"] is False
    assert keys(whole, by_name) == keys(whole_back, by_name) == seven_plugins[::-1]
    after_end = connection_of(
        await console.query(PLUGINS, {"first": 3, "after": whole["pageInfo"]["endCursor"]}, alice)
    )
    assert after_end["edges"] == [] and after_end["pageInfo"]["hasNextPage"] is False
    assert after_end["totalCount"] == 7


async def test_the_default_page_is_twenty(console: Console, bob):
    for i in range(21):
        await console.create_mini_program(bob, f"host {i:02}")

    conn = connection_of(await console.query(MINI_PROGRAMS, {}, bob))

    assert len(conn["edges"]) == 20
    assert conn["pageInfo"]["hasNextPage"] is True
    assert conn["totalCount"] == 21


async def test_first_zero_returns_no_edges_but_the_total(console: Console, alice, seven_plugins):
    conn = connection_of(await console.query(PLUGINS, {"first": 0}, alice))

    assert conn["edges"] == []
    assert conn["totalCount"] == 7
    assert conn["pageInfo"]["startCursor"] is None and conn["pageInfo"]["endCursor"] is None


async def test_first_zero_still_says_there_is_a_next_page(console: Console, alice, seven_plugins):
    """Relay: hasNextPage is true when more edges follow than `first` asked for."""
    conn = connection_of(await console.query(PLUGINS, {"first": 0}, alice))

    assert conn["pageInfo"]["hasNextPage"] is True


async def test_a_page_of_one_hundred_is_allowed(console: Console, alice, seven_plugins):
    assert connection_of(await console.query(PLUGINS, {"first": 100}, alice))["totalCount"] == 7
    assert len(connection_of(await console.query(PLUGINS, {"last": 100}, alice))["edges"]) == 7


# ---------------------------------------------------------------- versions, newest version first


async def test_versions_walk_forward_newest_version_first(console: Console, alice, plugin, seven_versions):
    pages = await walk(console, alice, VERSIONS, {"pluginId": plugin["pluginId"]}, 3)

    assert_forward(pages, NEWEST_FIRST, by_version, 3)


async def test_versions_walk_backward(console: Console, alice, plugin, seven_versions):
    pages = await walk(console, alice, VERSIONS, {"pluginId": plugin["pluginId"]}, 3, backward=True)

    assert_backward(pages, NEWEST_FIRST, by_version, 3)


async def test_versions_filter_by_status(console: Console, alice, rita, plugin, seven_versions):
    approved = await console.submit(alice, seven_versions["1.9.0"])
    await console.act(rita, "approveVersion", approved)
    await console.submit(alice, seven_versions["1.2.0"])

    async def numbers(*status: str) -> tuple[int, list[str]]:
        data = await console.query(VERSIONS, {"pluginId": plugin["pluginId"], "status": list(status)}, alice)
        conn = connection_of(data)
        return conn["totalCount"], keys(conn, by_version)

    assert await numbers("APPROVED") == (1, ["1.9.0"])
    assert await numbers("AUDITING") == (1, ["1.2.0"])
    assert await numbers("AUDITING", "APPROVED") == (2, ["1.9.0", "1.2.0"])
    assert await numbers("DEVELOPMENT") == (5, ["2.0.0", "1.10.0", "1.0.1", "1.0.0", "0.1.0"])
    assert await numbers("ONLINE", "GRAY") == (0, [])
    pages = await walk(console, alice, VERSIONS, {"pluginId": plugin["pluginId"], "status": ["DEVELOPMENT"]}, 2)
    assert_forward(pages, ["2.0.0", "1.10.0", "1.0.1", "1.0.0", "0.1.0"], by_version, 2)


async def test_deleted_versions_leave_the_list(console: Console, alice, plugin, seven_versions):
    await console.act(alice, "deleteVersion", seven_versions["1.9.0"])

    pages = await walk(console, alice, VERSIONS, {"pluginId": plugin["pluginId"]}, 3)

    assert_forward(pages, [v for v in NEWEST_FIRST if v != "1.9.0"], by_version, 3)


async def test_version_pages_of_several_plugins_in_one_query(console: Console, alice, plugin, seven_versions):
    other = await console.create_plugin(alice, "Other")
    for number in ("3.0.0", "0.0.1"):
        await console.upload(alice, other, number)
    query = """
query($first: Int) {
  plugins { edges { node { name versions(first: $first) { totalCount pageInfo { hasNextPage } edges { node { version } } } } } }
}"""

    data = await console.query(query, {"first": 2}, alice)

    found = {e["node"]["name"]: e["node"]["versions"] for e in data["plugins"]["edges"]}
    assert [e["node"]["version"] for e in found["Pay Button"]["edges"]] == ["2.0.0", "1.10.0"]
    assert found["Pay Button"]["totalCount"] == 7 and found["Pay Button"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["version"] for e in found["Other"]["edges"]] == ["3.0.0", "0.0.1"]
    assert found["Other"]["totalCount"] == 2 and found["Other"]["pageInfo"]["hasNextPage"] is False


# ---------------------------------------------------------------- events, oldest first


async def test_plugin_events_walk_forward_oldest_first(console: Console, alice, plugin, seven_versions):
    everything = connection_of(await console.query(EVENTS, {"pluginId": plugin["pluginId"], "first": 100}, alice))
    expected = [("PLUGIN_CREATED", None)] + [("VERSION_UPLOADED", number) for number in UPLOAD_ORDER]
    assert [(e["node"]["kind"], (e["node"]["version"] or {}).get("version")) for e in everything["edges"]] == expected

    pages = await walk(console, alice, EVENTS, {"pluginId": plugin["pluginId"]}, 3)

    def event(node: dict[str, Any]) -> tuple[str, str | None]:
        return node["kind"], (node["version"] or {}).get("version")

    assert_forward(pages, expected, event, 3)
    for page in pages:
        assert [edge["cursor"] for edge in page["edges"]] == [edge["node"]["cursor"] for edge in page["edges"]]


async def test_an_event_cursor_resumes_after_that_event(console: Console, alice, plugin, seven_versions):
    first = connection_of(await console.query(EVENTS, {"pluginId": plugin["pluginId"], "first": 2}, alice))
    await console.upload(alice, plugin, "3.0.0")

    rest = connection_of(
        await console.query(
            EVENTS, {"pluginId": plugin["pluginId"], "after": first["edges"][-1]["node"]["cursor"]}, alice
        )
    )

    assert [(e["node"]["version"] or {}).get("version") for e in rest["edges"]] == [*UPLOAD_ORDER[1:], "3.0.0"]
    assert rest["totalCount"] == 9


# ---------------------------------------------------------------- limits and malformed arguments


LISTS = {
    "plugins": lambda ids, page: (PLUGINS, page),
    "miniPrograms": lambda ids, page: (MINI_PROGRAMS, page),
    "versions": lambda ids, page: (VERSIONS, {"pluginId": ids["plugin"], **page}),
}

BAD_PAGES = {
    "first over 100": {"first": 101},
    "last over 100": {"last": 101},
    "first negative": {"first": -1},
    "last negative": {"last": -1},
    "first and last": {"first": 2, "last": 2},
    "garbage after": {"after": "garbage!"},
    "garbage before": {"last": 2, "before": "garbage!"},
    "cursor not a list": {"after": forged_cursor({"a": 1})},
    "cursor of wrong length": {"after": forged_cursor([1])},
    "cursor of wrong types": {"after": forged_cursor([True, None])},
}


@pytest.mark.parametrize("bad", list(BAD_PAGES))
@pytest.mark.parametrize("name", list(LISTS))
async def test_bad_page_arguments_are_a_validation_error(
    console: Console, alice, plugin, development_version, name: str, bad: str
):
    query, variables = LISTS[name]({"plugin": plugin["pluginId"]}, BAD_PAGES[bad])

    body = await console.post(query, variables, alice)

    assert top_level_codes(body) == ["VALIDATION"], body


@pytest.mark.parametrize(
    "query, page",
    [
        (EVENTS, {"first": 101}),
        (EVENTS, {"first": -5}),
        (EVENTS, {"after": "garbage!"}),
        (EVENTS, {"after": forged_cursor(["12"])}),
        (REVIEW_QUEUE, {"first": 101}),
        (REVIEW_QUEUE, {"first": -1}),
        (REVIEW_QUEUE, {"after": "garbage!"}),
        (REVIEW_QUEUE, {"after": forged_cursor([1, 2])}),
    ],
)
async def test_bad_page_arguments_on_events_and_the_queue(
    console: Console, rita, plugin, query: str, page: dict[str, Any]
):
    body = await console.post(query, {"pluginId": plugin["pluginId"], **page} if query is EVENTS else page, rita)

    assert top_level_codes(body) == ["VALIDATION"], body


async def test_a_cursor_from_another_list_is_a_validation_error(console: Console, alice, plugin, seven_versions):
    plugin_cursor = connection_of(await console.query(PLUGINS, {"first": 1}, alice))["pageInfo"]["endCursor"]
    version_cursor = connection_of(await console.query(VERSIONS, {"pluginId": plugin["pluginId"], "first": 1}, alice))[
        "pageInfo"
    ]["endCursor"]

    on_versions = await console.post(VERSIONS, {"pluginId": plugin["pluginId"], "after": plugin_cursor}, alice)
    on_plugins = await console.post(PLUGINS, {"after": version_cursor}, alice)

    assert top_level_codes(on_versions) == ["VALIDATION"], on_versions
    assert top_level_codes(on_plugins) == ["VALIDATION"], on_plugins


@pytest.mark.parametrize(
    "cursor",
    [
        forged_cursor(["2020-01-01T00:00:00", "1000000000000000"]),
        forged_cursor(["2020-01-01T00:00:00+00:00", "1000000000000000"]),
        forged_cursor(["2999-12-31T23:59:59.999999+08:00", "x"]),
    ],
)
async def test_a_forged_but_well_shaped_cursor_never_fails_internally(
    console: Console, alice, seven_plugins, cursor: str
):
    body = await console.post(PLUGINS, {"first": 3, "after": cursor}, alice)

    assert "INTERNAL_SERVER_ERROR" not in top_level_codes(body), body
    assert top_level_codes(body) in ([], ["VALIDATION"]), body


# ---------------------------------------------------------------- review queue


@pytest.fixture
async def queue(console: Console, alice, bob, rita) -> list[str]:
    """Five versions in review, submitted in the order returned, plus versions that are not in review."""
    plugins = {}
    for owner, name in ((alice, "A"), (bob, "B"), (alice, "C"), (bob, "D"), (alice, "E")):
        plugin = await console.create_plugin(owner, name)
        plugins[name] = (owner, plugin, await console.upload(owner, plugin, "1.0.0"))
    # Submitted in an order that differs from creation and id order.
    for name in ("C", "A", "E", "B", "D"):
        owner, _, version = plugins[name]
        await console.submit(owner, version)
    # C withdraws and resubmits: it goes to the back of the queue.
    owner, _, version = plugins["C"]
    await console.act(owner, "withdrawVersion", version)
    await console.submit(owner, version)
    # Not in review: a development version, an approved one and a rejected one.
    extra = await console.create_plugin(alice, "F")
    await console.upload(alice, extra, "1.0.0")
    await console.approved(alice, await console.create_plugin(alice, "G"), "1.0.0")
    rejected = await console.submit(bob, await console.upload(bob, await console.create_plugin(bob, "H"), "1.0.0"))
    await console.act(rita, "rejectVersion", rejected, reason="no")
    return ["A", "E", "B", "D", "C"]


def queue_name(node: dict[str, Any]) -> str:
    assert node["status"] == "AUDITING"
    return node["plugin"]["name"]


async def test_the_review_queue_lists_auditing_versions_oldest_submission_first(console: Console, rita, queue):
    conn = connection_of(await console.query(REVIEW_QUEUE, {}, rita))

    assert keys(conn, queue_name) == queue
    assert conn["totalCount"] == 5
    submitted = [edge["node"]["submittedAt"] for edge in conn["edges"]]
    assert submitted == sorted(submitted)


async def test_the_review_queue_pages_forward(console: Console, rita, queue):
    pages = await walk(console, rita, REVIEW_QUEUE, {}, 2)

    assert_forward(pages, queue, queue_name, 2)


async def test_a_decision_takes_a_version_out_of_the_queue(console: Console, rita, queue):
    head = connection_of(await console.query(REVIEW_QUEUE, {"first": 1}, rita))["edges"][0]["node"]
    await console.act(rita, "approveVersion", head)

    conn = connection_of(await console.query(REVIEW_QUEUE, {}, rita))

    assert keys(conn, queue_name) == queue[1:]
    assert conn["totalCount"] == 4


async def test_the_review_queue_is_for_reviewers_only(console: Console, alice, bob, queue):
    for who in (alice, bob):
        body = await console.post(REVIEW_QUEUE, {}, who)
        assert top_level_codes(body) == ["FORBIDDEN"], body
        assert body.get("data") is None or body["data"].get("reviewQueue") is None

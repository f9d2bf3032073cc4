"""Subscriptions over real WebSockets against a real uvicorn server in this process.

The server runs the app on the test database; data is created with the
console (directly or over HTTP to that server) and the subscriptions are
followed with tests.wsclient, in both GraphQL-over-WebSocket protocols.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn

from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.resolvers import accounts
from tests.helpers import Console, Person, bearer, event_log, pairs
from tests.wsclient import LEGACY_WS, PROTOCOLS, TRANSPORT_WS, WsClient, close_code, connect, session

# ---------------------------------------------------------------- documents

EVENT_FIELDS = """
  cursor kind fromStatus toStatus
  plugin { pluginId }
  version { id version }
  debugBinding { id status miniProgram { appId } }
  order { id status miniProgram { appId } }
  actor { name }
"""

PLUGIN_EVENTS = (
    """
subscription($pluginId: String!, $after: String) {
  pluginEvents(pluginId: $pluginId, after: $after) { %s }
}"""
    % EVENT_FIELDS
)

MINI_PROGRAM_EVENTS = (
    """
subscription($appId: String!, $after: String) {
  miniProgramEvents(appId: $appId, after: $after) { %s }
}"""
    % EVENT_FIELDS
)

RESOLVED_VERSION = """
subscription($appId: String!, $pluginId: String!, $scene: Scene!, $debugToken: String) {
  resolvedVersion(appId: $appId, pluginId: $pluginId, scene: $scene, debugToken: $debugToken) {
    __typename
    ... on ResolvedPluginVersion { source scene version { version } plugin { pluginId } miniProgram { appId } }
    ... on PluginUnavailable { reason message }
  }
}"""

BACKEND = os.environ.get("PLUGINHUB_TEST_BACKEND", "sqlite")

pytestmark = pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")


# ---------------------------------------------------------------- the server


@dataclass
class LiveServer:
    http_url: str
    ws_url: str


@pytest_asyncio.fixture(scope="module")
async def live(settings: Settings, app) -> AsyncIterator[LiveServer]:
    """uvicorn serving the app on a free port, in the session's event loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, ws="websockets", lifespan="on", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(15):
            while not server.started:
                if task.done():
                    task.result()
                    raise AssertionError("uvicorn stopped before it started")
                await asyncio.sleep(0.02)
        yield LiveServer(http_url=f"http://127.0.0.1:{port}", ws_url=f"ws://127.0.0.1:{port}/graphql")
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, 10)
        except TimeoutError:
            server.force_exit = True
            task.cancel()
        sock.close()


@pytest_asyncio.fixture
async def hub(live: LiveServer, console: Console, settings: Settings) -> AsyncIterator[Console]:
    """The console, talking HTTP to the uvicorn server (so its own subscribers are woken at once)."""
    async with httpx.AsyncClient(base_url=live.http_url, timeout=30) as http:
        yield Console(http, settings)


# ---------------------------------------------------------------- helpers


async def follow_plugin(client: WsClient, plugin: dict[str, Any], after: str | None = None) -> str:
    return await client.subscribe(PLUGIN_EVENTS, {"pluginId": plugin["pluginId"], "after": after})


def answer(value: dict[str, Any]) -> tuple[str, ...]:
    """A resolution in short: (source, version) or (reason,)."""
    if value["__typename"] == "ResolvedPluginVersion":
        return (value["source"], value["version"]["version"])
    assert value["__typename"] == "PluginUnavailable", value
    return (value["reason"],)


async def update(console: Console, alice: Person, version: dict[str, Any], text: str) -> None:
    await console.act(alice, "updateVersion", version, description=text)


def is_event(entry: tuple[str, str]) -> Callable[[dict[str, Any]], bool]:
    """Whether an event is the one at `entry` (cursor, kind) of the log."""
    return lambda event: (event["cursor"], event["kind"]) == entry


async def newest_event(console: Console, owner: Person, plugin: dict[str, Any]) -> tuple[str, str]:
    return (await event_log(console, owner, plugin))[-1]


# ---------------------------------------------------------------- fences
#
# "Nothing arrives" is shown with a fence (WsClient.expect_next_is): after the
# action that must send the subscriber nothing comes one that must send it
# something, and that message has to be the next one.


async def edit_fence(
    client: WsClient,
    console: Console,
    owner: Person,
    plugin: dict[str, Any],
    version: dict[str, Any],
    text: str = "fence",
    **expect: Any,
) -> dict[str, Any]:
    """For pluginEvents: an edit of `version`, which every follower of the version history sees, next."""
    await update(console, owner, version, text)
    return await client.expect_next_is(
        is_event(await newest_event(console, owner, plugin)), f"the event of the edit {text!r}", **expect
    )


async def invitation_fence(
    client: WsClient, console: Console, owner: Person, host: dict[str, Any], n: int
) -> dict[str, Any]:
    """For miniProgramEvents: `owner` invites `host` to debug a new plugin; the host's follower sees it next."""
    fence = await console.create_plugin(owner, f"Fence {n}")
    await console.add_debug_host(owner, fence, host)
    return await client.expect_next_is(
        is_event(await newest_event(console, owner, fence)), f"the invitation from Fence {n}"
    )


async def reorder_fence(
    client: WsClient,
    console: Console,
    host_owner: Person,
    host: dict[str, Any],
    plugin: dict[str, Any],
    order: dict[str, Any],
    unchanged: tuple[str, ...],
) -> dict[str, Any]:
    """For resolvedVersion, whose answer the actions before must have left at `unchanged`: the host
    cancels its order, and the next answer must be NOT_ORDERED; it orders again, and the next answer
    must be `unchanged` once more (so a changed answer fails even had it come with the cancellation).
    The new order."""
    payload = await console.cancel_order_payload(host_owner, order)
    assert payload["userErrors"] == [], payload
    await client.expect_next_is(
        lambda value: answer(value) == ("NOT_ORDERED",), "NOT_ORDERED, the fence's cancellation"
    )
    order = await console.order(host_owner, host, plugin)
    await client.expect_next_is(lambda value: answer(value) == unchanged, f"{unchanged} again, the fence's new order")
    return order


# ---------------------------------------------------------------- pluginEvents: replay, then live


async def test_plugin_events_replays_the_whole_log_in_order_then_streams_live(
    live: LiveServer, hub: Console, alice, plugin, development_version
):
    await update(hub, alice, development_version, "first edit")
    history = await event_log(hub, alice, plugin)
    assert [kind for _, kind in history] == ["PLUGIN_CREATED", "VERSION_UPLOADED", "VERSION_UPDATED"]

    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin)
        replayed = await client.values(len(history))
        assert pairs(replayed) == history

        # The live edit is the fence: nothing may come between the replay and its event.
        event = await edit_fence(client, hub, alice, plugin, development_version, "second edit", timeout=3)
        assert event["kind"] == "VERSION_UPDATED"
        assert event["version"]["version"] == "1.0.0"
        assert event["plugin"]["pluginId"] == plugin["pluginId"]
        assert event["actor"]["name"] == "alice"
        assert pairs([*replayed, event]) == await event_log(hub, alice, plugin)


async def test_plugin_events_after_a_cursor_sends_only_later_events(
    live: LiveServer, hub: Console, alice, plugin, development_version
):
    for n in range(3):
        await update(hub, alice, development_version, f"edit {n}")
    history = await event_log(hub, alice, plugin)
    assert len(history) == 5
    cursor = history[1][0]  # after VERSION_UPLOADED

    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin, after=cursor)
        assert pairs(await client.values(3)) == history[2:]
        await edit_fence(client, hub, alice, plugin, development_version)  # and nothing else

    newest = await newest_event(hub, alice, plugin)
    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin, after=newest[0])  # the newest: nothing to replay
        event = await edit_fence(client, hub, alice, plugin, development_version, "later", timeout=3)
        assert (event["cursor"], event["kind"]) == (await event_log(hub, alice, plugin))[-1]


async def test_events_committed_during_the_replay_are_delivered_once_in_order(
    live: LiveServer, hub: Console, alice, plugin, development_version
):
    fired = 20
    before = await event_log(hub, alice, plugin)
    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin)
        # Fired at once, without waiting for the replay: they commit while it runs.
        payloads = await asyncio.gather(
            *(
                hub.act_payload(alice, "updateVersion", development_version, description=f"edit {n}")
                for n in range(fired)
            )
        )
        assert all(p["userErrors"] == [] for p in payloads), payloads
        log = await event_log(hub, alice, plugin)
        assert len(log) == len(before) + fired

        received = await client.values(len(log), timeout=10)
        cursors = [event["cursor"] for event in received]
        assert len(set(cursors)) == len(cursors), "an event was delivered twice"
        assert pairs(received) == log  # every event, in cursor order
        await edit_fence(client, hub, alice, plugin, development_version)  # and nothing more


async def test_reconnecting_with_the_last_cursor_sees_every_event_exactly_once(
    live: LiveServer, hub: Console, alice, plugin, development_version
):
    for n in range(8):
        await update(hub, alice, development_version, f"edit {n}")

    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin)
        first = await client.values(4)  # 10 are waiting; leave mid-stream
    last_cursor = first[-1]["cursor"]

    for n in range(3):  # committed while nobody is connected
        await update(hub, alice, development_version, f"offline edit {n}")
    log = await event_log(hub, alice, plugin)
    assert len(log) == 13

    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin, after=last_cursor)
        second = await client.values(len(log) - len(first))
        second.append(await edit_fence(client, hub, alice, plugin, development_version, "live again", timeout=3))

    combined = pairs(first + second)
    assert len(set(combined)) == len(combined), "an event was delivered twice across the two connections"
    assert combined == await event_log(hub, alice, plugin)


async def test_live_events_arrive_at_once_not_at_the_next_poll(
    live: LiveServer, hub: Console, alice, plugin, development_version
):
    loop = asyncio.get_running_loop()
    history = await event_log(hub, alice, plugin)
    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin)
        await client.values(len(history))
        for n in range(3):
            await update(hub, alice, development_version, f"edit {n}")
            committed = loop.time()
            (event,) = await client.values(1, timeout=3)
            assert event["kind"] == "VERSION_UPDATED"
            assert loop.time() - committed < 1.0, "the subscriber was not woken by the commit"


async def test_events_committed_by_another_app_on_the_database_arrive(
    live: LiveServer, console: Console, alice, plugin, development_version
):
    """`console` drives a second app instance: only the database links it to the server."""
    loop = asyncio.get_running_loop()
    history = await event_log(console, alice, plugin)
    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin)
        await client.values(len(history))
        for n in range(2):
            await update(console, alice, development_version, f"elsewhere {n}")
            committed = loop.time()
            (event,) = await client.values(1, timeout=4)
            assert event["kind"] == "VERSION_UPDATED"
            if BACKEND == "postgres":  # NOTIFY on commit, not the poll
                assert loop.time() - committed < 1.0, "no NOTIFY reached the server"
        assert [c for c, _ in await event_log(console, alice, plugin)][-1] == event["cursor"]


# ---------------------------------------------------------------- pluginEvents: who sees what


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_outsider_cannot_follow_an_unlisted_plugin(
    live: LiveServer, bob, plugin, development_version, protocol: str
):
    async with session(live.ws_url, bob.token, protocol) as client:
        await follow_plugin(client, plugin)
        assert await client.error_code() == "NOT_FOUND"


async def test_an_invalid_plugin_id_is_a_validation_error(live: LiveServer, alice):
    async with session(live.ws_url, alice.token) as client:
        await client.subscribe(PLUGIN_EVENTS, {"pluginId": "not-a-plugin-id"})
        assert await client.error_code() == "VALIDATION"


async def test_an_outsider_following_a_listed_plugin_sees_only_its_own_hosts_events(
    live: LiveServer, hub: Console, alice, bob, plugin, online_version, mini_program
):
    async with session(live.ws_url, bob.token) as client:
        await follow_plugin(client, plugin)
        # The plugin's history is all alice's versions, and so is what she does next: nothing for bob.
        newer = await hub.upload(alice, plugin, "1.1.0")
        await update(hub, alice, newer, "private notes")
        order = await hub.order(bob, mini_program, plugin)

        event = await client.expect_next_is(  # the first thing bob sees is his own order
            is_event(await newest_event(hub, alice, plugin)), "bob's order", timeout=3
        )
        assert event["kind"] == "PLUGIN_ORDERED"
        assert event["order"]["id"] == order["id"]
        assert event["order"]["miniProgram"]["appId"] == mini_program["appId"]
        assert event["version"] is None

        # Nothing more for bob: his cancellation is the next thing he sees.
        assert (await hub.cancel_order_payload(bob, order))["userErrors"] == []
        cancelled = await client.expect_next_is(is_event(await newest_event(hub, alice, plugin)), "bob's cancellation")
        assert cancelled["kind"] == "ORDER_CANCELLED"

    async with session(live.ws_url, alice.token) as client:  # while alice sees everything
        await follow_plugin(client, plugin)
        kinds = [event["kind"] for event in await client.values(len(await event_log(hub, alice, plugin)))]
        assert "VERSION_UPDATED" in kinds and kinds[-2:] == ["PLUGIN_ORDERED", "ORDER_CANCELLED"]


async def test_an_order_from_a_host_created_after_subscribing_reaches_the_open_stream(
    live: LiveServer, hub: Console, alice, bob, plugin, online_version, mini_program
):
    """Visibility follows the viewer's hosts as they are now, not as they were when the stream opened."""
    async with session(live.ws_url, bob.token) as client:
        await follow_plugin(client, plugin)
        newcomer = await hub.create_mini_program(bob, "Blue Harbor Outlet")
        order = await hub.order(bob, newcomer, plugin)
        # Nothing of alice's history before it: the order is the first thing bob sees.
        event = await client.expect_next_is(is_event(await newest_event(hub, alice, plugin)), "the order", timeout=4)
        assert event["kind"] == "PLUGIN_ORDERED"
        assert event["order"]["id"] == order["id"]
        assert event["order"]["miniProgram"]["appId"] == newcomer["appId"]


async def test_a_reviewer_follows_the_version_history_but_not_the_hosts(
    live: LiveServer, hub: Console, alice, rita, plugin, mini_program, development_version
):
    await hub.add_debug_host(alice, plugin, mini_program)
    owner_view = await event_log(hub, alice, plugin)
    assert [kind for _, kind in owner_view] == ["PLUGIN_CREATED", "VERSION_UPLOADED", "DEBUG_HOST_ADDED"]
    async with session(live.ws_url, rita.token) as client:
        await follow_plugin(client, plugin)
        assert pairs(await client.values(2)) == owner_view[:2]
        # Not the host's invitation: the submission is the next thing rita sees.
        await hub.submit(alice, development_version)
        event = await client.expect_next_is(
            is_event(await newest_event(hub, alice, plugin)), "the submission", timeout=3
        )
        assert (event["kind"], event["toStatus"]) == ("SUBMITTED", "AUDITING")


async def test_a_malformed_cursor_is_a_validation_error(live: LiveServer, alice, plugin):
    async with session(live.ws_url, alice.token) as client:
        await follow_plugin(client, plugin, after="not a cursor")
        assert await client.error_code() == "VALIDATION"


# ---------------------------------------------------------------- miniProgramEvents


async def test_mini_program_events_carry_the_hosts_bindings_and_orders(
    live: LiveServer, hub: Console, alice, bob, plugin, mini_program, approved_version
):
    app_id = mini_program["appId"]
    async with session(live.ws_url, bob.token) as client:
        await client.subscribe(MINI_PROGRAM_EVENTS, {"appId": app_id})

        # Nothing has happened to the host yet: the invitation is the first thing it hears of.
        binding = await hub.add_debug_host(alice, plugin, mini_program)
        added = await client.expect_next_is(
            is_event(await newest_event(hub, alice, plugin)), "the invitation", timeout=3
        )
        assert added["kind"] == "DEBUG_HOST_ADDED"
        assert added["debugBinding"]["id"] == binding["id"]
        assert added["debugBinding"]["miniProgram"]["appId"] == app_id

        await hub.binding_action(bob, "authorizeDebugBinding", binding)
        (authorized,) = await client.values(1, timeout=3)
        assert authorized["kind"] == "DEBUG_BINDING_AUTHORIZED"
        assert authorized["debugBinding"]["status"] == "AUTHORIZED"

        # alice's version work is none of the host's business: the order is the next thing it hears of.
        await hub.act(alice, "goOnline", approved_version)
        draft = await hub.upload(alice, plugin, "1.1.0")
        await update(hub, alice, draft, "private notes")
        order = await hub.order(bob, mini_program, plugin)
        ordered = await client.expect_next_is(is_event(await newest_event(hub, alice, plugin)), "the order", timeout=3)
        assert ordered["kind"] == "PLUGIN_ORDERED"
        assert ordered["order"]["id"] == order["id"]

        payload = await hub.cancel_order_payload(bob, order)
        assert payload["userErrors"] == []
        (cancelled,) = await client.values(1, timeout=3)
        assert cancelled["kind"] == "ORDER_CANCELLED"
        live_events = [added, authorized, ordered, cancelled]
        fences = [await invitation_fence(client, hub, alice, mini_program, 1)]  # and nothing more

    # A new subscription replays the same four (then the fence), in the same order, and nothing more.
    async with session(live.ws_url, bob.token) as client:
        await client.subscribe(MINI_PROGRAM_EVENTS, {"appId": app_id})
        assert pairs(await client.values(5)) == pairs(live_events + fences)
        fences.append(await invitation_fence(client, hub, alice, mini_program, 2))

    # And from a cursor, only what came after it.
    async with session(live.ws_url, bob.token) as client:
        await client.subscribe(MINI_PROGRAM_EVENTS, {"appId": app_id, "after": authorized["cursor"]})
        assert pairs(await client.values(4)) == pairs([ordered, cancelled, *fences])
        await invitation_fence(client, hub, alice, mini_program, 3)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_mini_program_events_of_someone_elses_host_are_not_found(
    live: LiveServer, alice, mini_program, protocol: str
):
    async with session(live.ws_url, alice.token, protocol) as client:
        await client.subscribe(MINI_PROGRAM_EVENTS, {"appId": mini_program["appId"]})
        assert await client.error_code() == "NOT_FOUND"


# ---------------------------------------------------------------- resolvedVersion


async def test_resolved_version_sends_the_answer_now_and_each_time_it_changes(
    live: LiveServer, hub: Console, alice, bob, plugin, online_version, mini_program
):
    variables = {"appId": mini_program["appId"], "pluginId": plugin["pluginId"], "scene": "DEVELOP"}
    async with session(live.ws_url, bob.token) as client:
        await client.subscribe(RESOLVED_VERSION, variables)
        first = await client.value()
        assert answer(first) == ("NOT_ORDERED",)

        order = await hub.order(bob, mini_program, plugin)
        value = await client.value(timeout=3)
        assert answer(value) == ("ONLINE", "1.0.0")
        assert value["scene"] == "DEVELOP"
        assert value["miniProgram"]["appId"] == mini_program["appId"]

        # A draft and a pending invitation change nothing.
        draft = await hub.upload(alice, plugin, "1.1.0")
        binding = await hub.add_debug_host(alice, plugin, mini_program)
        order = await reorder_fence(client, hub, bob, mini_program, plugin, order, ("ONLINE", "1.0.0"))

        # Authorized binding + experience version: the host debugs the draft.
        await hub.binding_action(bob, "authorizeDebugBinding", binding)
        # No experience version yet: still ONLINE 1.0.0.
        order = await reorder_fence(client, hub, bob, mini_program, plugin, order, ("ONLINE", "1.0.0"))
        await hub.act(alice, "setExperienceVersion", draft)
        assert answer(await client.value(timeout=3)) == ("EXPERIENCE", "1.1.0")

        # Editing the experience draft does not change the answer: the next one is the unbinding's,
        # which takes the host back to its order.
        await update(hub, alice, draft, "new notes")
        await hub.binding_action(bob, "unbindDebugHost", binding)
        await client.expect_next_is(lambda value: answer(value) == ("ONLINE", "1.0.0"), "the unbinding's answer")

        # A newer version goes online (upload, review and approval send nothing).
        newer = await hub.approved(alice, plugin, "1.2.0")
        order = await reorder_fence(client, hub, bob, mini_program, plugin, order, ("ONLINE", "1.0.0"))
        await hub.act(alice, "goOnline", newer)
        assert answer(await client.value(timeout=3)) == ("ONLINE", "1.2.0")

        # A gray rollout naming the host.
        candidate = await hub.approved(alice, plugin, "1.3.0")
        await hub.act(alice, "grayRelease", candidate, appIds=[mini_program["appId"]])
        assert answer(await client.value(timeout=3)) == ("GRAY", "1.3.0")

        # Cancelling the order.
        payload = await hub.cancel_order_payload(bob, order)
        assert payload["userErrors"] == []
        assert answer(await client.value(timeout=3)) == ("NOT_ORDERED",)

        # And nothing more: ordering again (the fence) is the next answer, the rollout's.
        await hub.order(bob, mini_program, plugin)
        await client.expect_next_is(lambda value: answer(value) == ("GRAY", "1.3.0"), "the new order's answer")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_resolved_version_for_the_debug_token_holder_ends_when_the_binding_is_unbound(
    live: LiveServer, hub: Console, alice, bob, plugin, mini_program, authorized_binding, development_version, protocol
):
    token = authorized_binding["authorization"]["token"]
    await hub.act(alice, "setExperienceVersion", development_version)
    variables = {"appId": mini_program["appId"], "pluginId": plugin["pluginId"], "scene": "PREVIEW"}

    async with session(live.ws_url, alice.token, protocol) as client:
        # Without the token, alice may not ask about bob's host.
        await client.subscribe(RESOLVED_VERSION, variables)
        assert await client.error_code() == "FORBIDDEN"

    async with session(live.ws_url, alice.token, protocol) as client:
        await client.subscribe(RESOLVED_VERSION, {**variables, "debugToken": token})
        assert answer(await client.value()) == ("EXPERIENCE", "1.0.0")

        await hub.binding_action(bob, "unbindDebugHost", authorized_binding)
        assert await client.error_code(timeout=3) == "FORBIDDEN"
        ending = await client.message(timeout=3)  # the operation is over
        assert ending.kind == "complete", ending

        # Nothing more for it: on the same connection, a new operation's first event is the next message.
        fence = await follow_plugin(client, plugin, after=(await newest_event(hub, alice, plugin))[0])
        await edit_fence(client, hub, alice, plugin, development_version, operation=fence)

    async with session(live.ws_url, alice.token, protocol) as client:  # the dead token no longer opens it
        await client.subscribe(RESOLVED_VERSION, {**variables, "debugToken": token})
        assert await client.error_code() == "FORBIDDEN"


# ---------------------------------------------------------------- authentication and protocols


async def _revoked_token(who: Person) -> str:
    token, raw = await accounts.issue_token(who.account_id)
    assert await accounts.revoke_token(token.id)
    return raw


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("credentials", ["missing", "no payload", "not bearer", "bad", "revoked"])
async def test_connection_init_without_a_valid_token_is_refused(
    live: LiveServer, alice, protocol: str, credentials: str
):
    payload: dict[str, Any] | None
    if credentials == "missing":
        payload = {}
    elif credentials == "no payload":
        payload = None
    elif credentials == "not bearer":
        payload = {"authorization": alice.token}
    elif credentials == "bad":
        payload = bearer("phk_" + "x" * 43)
    else:
        payload = bearer(await _revoked_token(alice))

    async with connect(live.ws_url, protocol) as client:
        if protocol == TRANSPORT_WS:
            await client.send({"type": "connection_init", **({"payload": payload} if payload is not None else {})})
            assert await close_code(client) == 4403
        else:
            reply = await client.init(payload)
            assert reply["type"] == "connection_error", reply
            assert reply["payload"]["extensions"]["code"] == "UNAUTHENTICATED"
            await close_code(client)  # and the connection ends


async def test_a_revoked_token_stops_opening_connections(live: LiveServer, alice):
    token, raw = await accounts.issue_token(alice.account_id)
    async with session(live.ws_url, raw):
        pass
    assert await accounts.revoke_token(token.id)
    async with connect(live.ws_url, TRANSPORT_WS) as client:
        await client.send({"type": "connection_init", "payload": bearer(raw)})
        assert await close_code(client) == 4403


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_revoking_the_token_ends_open_subscriptions(
    live: LiveServer, hub: Console, alice, plugin, development_version, protocol
):
    token, raw = await accounts.issue_token(alice.account_id)
    history = await event_log(hub, alice, plugin)
    async with session(live.ws_url, raw, protocol) as client:
        await follow_plugin(client, plugin)
        await client.values(len(history))
        assert await accounts.revoke_token(token.id)
        await update(hub, alice, development_version, "after the revocation")
        assert await client.error_code(timeout=4) == "UNAUTHENTICATED"


async def test_a_subscription_before_connection_ack_is_refused(live: LiveServer, plugin):
    async with connect(live.ws_url, TRANSPORT_WS) as client:
        await follow_plugin(client, plugin)
        assert await close_code(client) == 4401


async def test_ping_is_answered_with_pong(live: LiveServer, alice):
    async with session(live.ws_url, alice.token, TRANSPORT_WS) as client:
        await client.send({"type": "ping"})
        reply = await asyncio.wait_for(client.ws.recv(), 3)
        assert '"pong"' in reply


async def test_both_protocols_deliver_the_same_live_event(
    live: LiveServer, hub: Console, alice, plugin, development_version
):
    history = await event_log(hub, alice, plugin)
    async with (
        session(live.ws_url, alice.token, TRANSPORT_WS) as modern,
        session(live.ws_url, alice.token, LEGACY_WS) as legacy,
    ):
        for client in (modern, legacy):
            await follow_plugin(client, plugin)
            assert pairs(await client.values(len(history))) == history

        await update(hub, alice, development_version, "seen twice")
        (from_modern,) = await modern.values(1, timeout=3)
        (from_legacy,) = await legacy.values(1, timeout=3)
        assert from_modern == from_legacy
        assert from_modern["kind"] == "VERSION_UPDATED"

        # Stopping one operation stops it alone and leaves the connection usable.
        log = await event_log(hub, alice, plugin)
        second = {}
        for client in (modern, legacy):
            await client.stop("1")
            # A second operation replaying the newest event: once that arrives, the server has
            # handled the stop (it handles a connection's messages in order).
            second[client] = await follow_plugin(client, plugin, after=log[-2][0])
            await client.expect_next_is(is_event(log[-1]), "the replay", operation=second[client], stopped={"1"})
        # Fences: each edit reaches the second operation next; the stopped one gets no event
        # (its `complete` at most), though the same commits wake it first if it still runs.
        for text in ("after stop", "after stop, again"):
            await update(hub, alice, development_version, text)
            newest = await newest_event(hub, alice, plugin)
            for client in (modern, legacy):
                await client.expect_next_is(
                    is_event(newest), f"the edit {text!r}", operation=second[client], stopped={"1"}
                )

"""Conflicting mutations fired at the same moment: the one-per-plugin rules hold.

The requests really overlap only on PostgreSQL, where each has its own pooled
connection: exactly one caller wins and every loser gets a UserError, because
each change takes the plugin's row lock first (resolvers/locks.lock_plugin).
SQLite serialises writers, so there these tests could not fail even without
the lock: they are marked `concurrency` and skipped (see conftest). The last
line of defence, the database's own constraints, is checked on both.
"""

from __future__ import annotations

from functools import partial

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from pluginhub.models import DebugBinding, PluginEvent, PluginVersion, VersionStatus
from tests.helpers import Console, all_at_once, codes

FIRED = 8
# Where one winner ends a race, a missing lock shows only if two requests read
# before the first commits; so that a lucky start cannot hide it, such races
# are run again (the winner stepping back in between) and each round is checked.
ROUNDS = 3


async def versions_in(plugin, status: VersionStatus) -> list[PluginVersion]:
    return await PluginVersion.filter(plugin_id=plugin["pluginId"], status=status, deleted_at=None)


async def fire(console: Console, who, mutation: str, versions: list[dict], **fields) -> list[dict]:
    return await all_at_once(console, who, [partial(console.act_payload, who, mutation, v, **fields) for v in versions])


def split(payloads: list[dict]) -> tuple[list[dict], list[dict]]:
    won = [p for p in payloads if not p["userErrors"]]
    lost = [p for p in payloads if p["userErrors"]]
    return won, lost


@pytest.mark.concurrency
async def test_simultaneous_go_online_of_one_version(console: Console, alice, approved_version, plugin):
    payloads = await fire(console, alice, "goOnline", [approved_version] * FIRED)
    won, lost = split(payloads)
    assert len(won) == 1
    assert all(codes(p) == ["INVALID_TRANSITION"] and p["version"] is None for p in lost)
    assert len(await versions_in(plugin, VersionStatus.ONLINE)) == 1
    assert await PluginEvent.filter(plugin_id=plugin["pluginId"], kind="WENT_ONLINE").count() == 1


@pytest.mark.concurrency
async def test_simultaneous_go_online_of_different_versions(console: Console, alice, plugin):
    candidates = [await console.approved(alice, plugin, f"1.{i}.0") for i in range(4)]
    payloads = await fire(console, alice, "goOnline", candidates)
    assert all(p["userErrors"] == [] for p in payloads)  # each one replaces the one before
    assert len(await versions_in(plugin, VersionStatus.ONLINE)) == 1
    assert len(await versions_in(plugin, VersionStatus.OFFLINE)) == 3


@pytest.mark.concurrency
async def test_simultaneous_submissions(console: Console, alice, plugin):
    drafts = [await console.upload(alice, plugin, f"2.{i}.0") for i in range(FIRED)]
    for round in range(ROUNDS):
        payloads = await fire(console, alice, "submitVersion", drafts, selfCheckConfirmed=True)
        won, lost = split(payloads)
        assert len(won) == 1, f"round {round}: {payloads}"
        assert all(codes(p) == ["ALREADY_IN_REVIEW"] for p in lost)
        assert len(await versions_in(plugin, VersionStatus.AUDITING)) == 1
        await console.act(alice, "withdrawVersion", won[0]["version"])  # the review place is free again


@pytest.mark.concurrency
async def test_simultaneous_gray_release_of_different_versions(console: Console, alice, plugin):
    approved = [await console.approved(alice, plugin, f"3.{i}.0") for i in range(ROUNDS + 3)]
    for round in range(ROUNDS):
        payloads = await fire(console, alice, "grayRelease", approved, percentage=20)
        won, lost = split(payloads)
        assert len(won) == 1, f"round {round}: {payloads}"
        assert all(codes(p) == ["INVALID_TRANSITION"] for p in lost)
        assert len(await versions_in(plugin, VersionStatus.GRAY)) == 1
        # The gray place is free again; the winner, back in development, sits out the next round.
        await console.act(alice, "returnToDevelopment", won[0]["version"])
        approved = [v for v in approved if v["id"] != won[0]["version"]["id"]]


@pytest.mark.concurrency
async def test_simultaneous_experience_versions(console: Console, alice, plugin):
    drafts = [await console.upload(alice, plugin, f"4.{i}.0") for i in range(FIRED)]
    payloads = await fire(console, alice, "setExperienceVersion", drafts)
    assert all(p["userErrors"] == [] for p in payloads)
    flagged = await PluginVersion.filter(plugin_id=plugin["pluginId"], is_experience=True, deleted_at=None)
    assert len(flagged) == 1


@pytest.mark.concurrency
async def test_event_cursors_strictly_increase_under_load(console: Console, alice, plugin):
    """Edits of several plugins at once: only the event log's own lock (resolvers/events.py)
    keeps them in order, since a plugin's row lock serialises that plugin's changes alone."""
    plugins = [plugin, *[await console.create_plugin(alice, f"Busy {n}") for n in range(FIRED - 1)]]
    drafts = [await console.upload(alice, p, "5.0.0") for p in plugins]
    for round in range(ROUNDS):
        payloads = await fire(console, alice, "updateVersion", drafts, description=f"same moment {round}")
        assert all(p["userErrors"] == [] for p in payloads), payloads
    ids = (
        await PluginEvent.filter(plugin_id__in=[p["pluginId"] for p in plugins])
        .order_by("occurred_at", "id")
        .values_list("id", flat=True)
    )
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("status", [VersionStatus.AUDITING, VersionStatus.GRAY, VersionStatus.ONLINE])
async def test_the_database_itself_refuses_a_second_holder(alice, plugin, development_version, status):
    """Even a write that skips the resolvers can't leave two versions in one of these states."""
    rows = await PluginVersion.filter(plugin_id=plugin["pluginId"])
    template = rows[0]
    with pytest.raises(IntegrityError):  # noqa: PT012 - the transaction is the statement under test
        async with in_transaction():
            for number in ("9.0.0", "9.1.0"):
                await PluginVersion.create(
                    plugin_id=template.plugin_id,
                    version=number,
                    version_key=900_000_0000 + int(number[2]),
                    status=status,
                    package_sha256=template.package_sha256,
                    package_size=template.package_size,
                    package_file_name=template.package_file_name,
                )
    assert await versions_in(plugin, status) == []


@pytest.mark.concurrency
async def test_forty_simultaneous_invitations_leave_exactly_twenty_active(console: Console, alice, bob, plugin):
    hosts = [await console.create_mini_program(bob, f"Host {i}") for i in range(40)]
    payloads = await all_at_once(
        console, alice, [partial(console.add_debug_host_payload, alice, plugin, host) for host in hosts]
    )
    won, lost = [p for p in payloads if not p["userErrors"]], [p for p in payloads if p["userErrors"]]
    assert len(won) == 20
    assert len(lost) == 20 and all(codes(p) == ["BINDING_LIMIT_REACHED"] for p in lost)
    assert all(p["debugBinding"] is None for p in lost)
    assert await DebugBinding.filter(plugin_id=plugin["pluginId"], status__in=["PENDING", "AUTHORIZED"]).count() == 20


@pytest.mark.concurrency
async def test_simultaneous_invitations_of_one_host(console: Console, alice, plugin, mini_program):
    for round in range(ROUNDS):
        payloads = await all_at_once(
            console, alice, [partial(console.add_debug_host_payload, alice, plugin, mini_program) for _ in range(FIRED)]
        )
        won, lost = split(payloads)
        assert len(won) == 1 and all(codes(p) == ["BINDING_EXISTS"] for p in lost), f"round {round}: {payloads}"
        active = DebugBinding.filter(mini_program_id=mini_program["appId"], status__in=["PENDING", "AUTHORIZED"])
        assert await active.count() == 1
        await console.binding_action(alice, "cancelDebugHost", won[0]["debugBinding"])  # the host may be invited again


@pytest.mark.concurrency
async def test_simultaneous_orders_of_one_host(console: Console, bob, plugin, mini_program, online_version):
    payloads = await all_at_once(
        console, bob, [partial(console.order_payload, bob, mini_program, plugin) for _ in range(FIRED)]
    )
    won, lost = split(payloads)
    assert len(won) == 1 and all(codes(p) == ["ORDER_EXISTS"] for p in lost)

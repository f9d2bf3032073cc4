"""Accounts are seen by their own entity and as actors of events one may see (issue 10, part 4)."""

from __future__ import annotations

from tests.helpers import Console

VIEWER = "{ viewer { id } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Account { name } } }"


async def account_id(console: Console, who) -> str:
    return (await console.query(VIEWER, who=who))["viewer"]["id"]


async def test_a_reviewer_cannot_read_an_account_that_acted_on_nothing_it_sees(console: Console, rita, bob):
    assert (await console.query(NODE, {"id": await account_id(console, bob)}, rita))["node"] is None


async def test_a_reviewer_reads_the_uploader_of_a_version_it_reviews(console: Console, rita, alice, auditing_version):
    assert (await console.query(NODE, {"id": await account_id(console, alice)}, rita))["node"] == {"name": "alice"}


async def test_a_reviewer_cannot_read_a_host_owner_through_another_entitys_order(
    console: Console, rita, bob, active_order
):
    """Order events are between the plugin's and the host's entities: not the reviewer's to see."""
    assert (await console.query(NODE, {"id": await account_id(console, bob)}, rita))["node"] is None


async def test_the_other_side_of_an_order_reads_its_actor(console: Console, alice, bob, active_order):
    assert (await console.query(NODE, {"id": await account_id(console, bob)}, alice))["node"] == {"name": "bob"}


async def test_a_stranger_reads_nobody(console: Console, bob, alice, plugin):
    assert (await console.query(NODE, {"id": await account_id(console, alice)}, bob))["node"] is None


async def test_colleagues_read_each_other(console: Console, alice, alice_colleague):
    assert (await console.query(NODE, {"id": await account_id(console, alice)}, alice_colleague))["node"] == {
        "name": "alice"
    }

"""The demo data set shows a newcomer every state a console has to draw."""

from __future__ import annotations

import pytest

from pluginhub.demo import DemoNotEmpty, load_demo
from pluginhub.models import DebugBinding, DebugBindingStatus, OrderStatus, PluginOrder, PluginVersion, VersionStatus
from tests.helpers import Console, bearer

EVERYTHING = """
query { plugins { edges { node { name versions { edges { node { status isExperience } } } } } } }
"""


async def test_demo_has_every_state_and_its_tokens_work(app, console: Console, settings):
    tokens = await load_demo(settings)
    assert set(tokens) == {"alice", "bob", "rita"}
    assert set(await PluginVersion.all().values_list("status", flat=True)) == set(VersionStatus)
    assert set(await DebugBinding.all().values_list("status", flat=True)) == set(DebugBindingStatus)
    assert set(await PluginOrder.all().values_list("status", flat=True)) == set(OrderStatus)
    response = await console.client.post("/graphql", json={"query": EVERYTHING}, headers=bearer(tokens["alice"]))
    statuses = {
        version["node"]["status"]
        for plugin in response.json()["data"]["plugins"]["edges"]
        for version in plugin["node"]["versions"]["edges"]
    }
    assert statuses == {status.value for status in VersionStatus}


async def test_demo_loads_into_an_empty_database_only(app, settings):
    await load_demo(settings)
    with pytest.raises(DemoNotEmpty):
        await load_demo(settings)


async def test_demo_has_a_webhook_to_this_machine(app, settings):
    from pluginhub.demo import DEMO_WEBHOOK_URL
    from pluginhub.models import Webhook

    await load_demo(settings)
    (hook,) = await Webhook.all()
    assert hook.url == DEMO_WEBHOOK_URL and hook.url.startswith("http://127.0.0.1:")
    assert hook.active and "APPROVED" in hook.kinds

"""Webhook deliveries to a real HTTP receiver on loopback, sent by the app's own worker.

Each test starts an app like a server process does (its lifespan starts the
worker) with private addresses allowed and retries in fractions of a second,
and drives the API through it; the receiver is a uvicorn server the test runs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from pluginhub.app import create_app
from pluginhub.models import Webhook, WebhookDelivery
from pluginhub.resolvers.outbox import MAX_FAILURES
from tests.helpers import Console
from tests.webhook_receiver import Receiver, receiving

FAST = {
    "webhook_worker": True,
    "webhook_allow_private": True,
    "webhook_retry_base": 0.05,
    "webhook_retry_max": 0.2,
    "webhook_poll": 0.5,
    "webhook_timeout": 5.0,
}

CREATE = """
mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { id active } secret userErrors { code message } }
}"""

UPDATE = """
mutation($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) { webhook { id active consecutiveFailures } userErrors { code message } }
}"""

REDELIVER = """
mutation($input: RedeliverInput!) { redeliverWebhook(input: $input) { delivery { id } userErrors { code } } }"""

LOG = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    events(first: 100) { edges { cursor node { id kind } } }
    webhooks { edges { node { id active consecutiveFailures lastDeliveryAt
      deliveries(first: 100) { edges { node { id status attempts lastStatusCode lastError nextAttemptAt deliveredAt
        event { id kind } } } } } } }
  }
}"""


@contextlib.asynccontextmanager
async def started(settings, **overrides: Any) -> AsyncIterator[Console]:
    """An app with its worker running, on the suite's database, and a console driving it."""
    app = create_app(dataclasses.replace(settings, **{**FAST, **overrides}))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield Console(http, settings)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as r:
        yield r


@pytest_asyncio.fixture
async def sender(settings) -> AsyncIterator[Console]:
    async with started(settings) as console:
        yield console


async def create(console: Console, who, plugin, url: str, **fields: Any) -> dict[str, Any]:
    payload = await console.mutate(CREATE, {"pluginId": plugin["pluginId"], "url": url, **fields}, who)
    assert payload["userErrors"] == [], payload
    return payload


async def log_of(console: Console, who, plugin) -> dict[str, Any]:
    return (await console.query(LOG, {"pluginId": plugin["pluginId"]}, who))["plugin"]


async def until(check, within: float = 30.0, what: str = "") -> Any:
    """Bounded wait for something that must happen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await check()
        if value:
            return value
        assert loop.time() < deadline, f"not within {within}s: {what}"
        await asyncio.sleep(0.05)


async def nothing_pending() -> None:
    async def done() -> bool:
        return not await WebhookDelivery.filter(status="PENDING").exists()

    await until(done, what="every delivery settled")


# ---------------------------------------------------------------- the request


async def test_a_delivery_is_the_event_signed_with_the_secret(sender: Console, receiver: Receiver, alice, plugin):
    created = await create(sender, alice, plugin, receiver.url(), secret="a-secret-for-signing-123")
    await sender.upload(alice, plugin, "1.0.0")
    got = await receiver.wait_for(2)
    await nothing_pending()
    events = [e["node"] for e in (await log_of(sender, alice, plugin))["events"]["edges"]]
    assert [r.event["kind"] for r in got] == ["WEBHOOK_CREATED", "VERSION_UPLOADED"]
    assert [r.event["id"] for r in got] == [e["id"] for e in events[-2:]]
    for request in got:
        assert request.signed_with("a-secret-for-signing-123")
        assert not request.signed_with(created["secret"] + "x")
        assert request.headers["x-pluginhub-event"] == request.event["kind"]
        assert request.headers["content-type"] == "application/json"
        assert request.path == "/hook"
    uploaded = got[1].event
    assert (uploaded["version"], uploaded["pluginId"], uploaded["actorName"]) == ("1.0.0", plugin["pluginId"], "alice")
    log = (await log_of(sender, alice, plugin))["webhooks"]["edges"][0]["node"]
    deliveries = [e["node"] for e in log["deliveries"]["edges"]]
    assert [d["id"] for d in reversed(deliveries)] == [r.headers["x-pluginhub-delivery"] for r in got]
    assert all(d["status"] == "SUCCEEDED" and d["attempts"] == 1 and d["lastStatusCode"] == 200 for d in deliveries)
    assert all(d["deliveredAt"] and d["nextAttemptAt"] is None for d in deliveries)
    assert log["lastDeliveryAt"] and log["consecutiveFailures"] == 0


async def test_a_generated_secret_signs_too(sender: Console, receiver: Receiver, alice, plugin):
    created = await create(sender, alice, plugin, receiver.url())
    (got,) = await receiver.wait_for(1)
    assert got.signed_with(created["secret"])


async def test_only_the_kinds_asked_for_are_sent(sender: Console, receiver: Receiver, alice, plugin):
    await create(sender, alice, plugin, receiver.url(), kinds=["SUBMITTED"])
    version = await sender.upload(alice, plugin, "1.0.0")
    await sender.submit(alice, version)
    await sender.upload(alice, plugin, "1.1.0")
    await receiver.wait_for(1)
    # a fence: a second webhook for every kind gets its later events, so the first had its chance
    await create(sender, alice, plugin, receiver.url("/fence"))
    await receiver.wait_for(2)
    assert [r.event["kind"] for r in receiver.answered_ok("/hook")] == ["SUBMITTED"]


# ---------------------------------------------------------------- retries, order, giving up


async def test_a_receiver_failing_three_times_gets_every_event_in_order(
    sender: Console, receiver: Receiver, alice, plugin
):
    receiver.script = ["fail", "fail", "fail"]
    await create(sender, alice, plugin, receiver.url())
    for minor in range(3):
        await sender.upload(alice, plugin, f"1.{minor}.0")
    await receiver.wait_for(4)
    await nothing_pending()
    kinds = [r.event["kind"] for r in receiver.received]
    assert kinds == ["WEBHOOK_CREATED"] * 4 + ["VERSION_UPLOADED"] * 3  # once more than it failed, then the rest
    assert [r.answered for r in receiver.received] == [500, 500, 500, 200, 200, 200, 200]
    ids = [r.event["id"] for r in receiver.answered_ok()]
    events = [e["node"]["id"] for e in (await log_of(sender, alice, plugin))["events"]["edges"]]
    assert ids == events[-4:]  # every event, in cursor order
    assert len({r.headers["x-pluginhub-delivery"] for r in receiver.received[:4]}) == 1  # the same delivery retried
    log = (await log_of(sender, alice, plugin))["webhooks"]["edges"][0]["node"]
    first = log["deliveries"]["edges"][-1]["node"]
    assert (first["status"], first["attempts"], first["lastStatusCode"], first["lastError"]) == (
        "SUCCEEDED",
        4,
        200,
        None,
    )
    assert log["consecutiveFailures"] == 0


async def test_retries_back_off_doubling(settings, receiver: Receiver, alice, plugin):
    receiver.script = ["fail"] * 4
    async with started(settings, webhook_retry_base=0.2, webhook_retry_max=10.0) as sender:
        await create(sender, alice, plugin, receiver.url())
        await receiver.wait_for(1)
    gaps = [b.at - a.at for a, b in zip(receiver.received, receiver.received[1:], strict=False)]
    assert len(gaps) == 4
    for n, gap in enumerate(gaps):  # never before its time: 0.2 s, 0.4 s, 0.8 s, 1.6 s
        assert gap >= 0.2 * 2**n - 0.05, gaps


async def test_the_longest_wait_is_capped(settings, receiver: Receiver, alice, plugin):
    receiver.script = ["fail"] * 3
    async with started(settings, webhook_retry_base=0.1, webhook_retry_max=0.15) as sender:
        await create(sender, alice, plugin, receiver.url())
        await receiver.wait_for(1)
        row = await delivery_settled()
    assert row.attempts == 4
    # the third retry would be 0.4 s uncapped; the cap holds it to 0.15 s (checked from the row's last retry time)
    gaps = [b.at - a.at for a, b in zip(receiver.received, receiver.received[1:], strict=False)]
    assert gaps[2] >= 0.15 - 0.05


async def delivery_settled(status: str = "SUCCEEDED") -> WebhookDelivery:
    async def settled() -> WebhookDelivery | None:
        row = await WebhookDelivery.all().order_by("id").first()
        return row if row is not None and row.status == status else None

    return await until(settled, what=f"the first delivery {status}")


async def test_twenty_failures_in_a_row_turn_the_webhook_inactive(
    sender: Console, receiver: Receiver, alice, rita, plugin
):
    receiver.script = ["fail"] * 100
    hook = (await create(sender, alice, plugin, receiver.url()))["webhook"]
    await sender.upload(alice, plugin, "1.0.0")

    async def inactive() -> bool:
        return not (await Webhook.get(id=int(base64.b64decode(hook["id"]).decode().split(":")[1]))).active

    await until(inactive, what="the webhook turned inactive")
    assert len(receiver.received) == MAX_FAILURES
    assert {r.event["kind"] for r in receiver.received} == {"WEBHOOK_CREATED"}  # the rest waited behind it
    plugin_log = await log_of(sender, alice, plugin)
    node = plugin_log["webhooks"]["edges"][0]["node"]
    assert (node["active"], node["consecutiveFailures"]) == (False, MAX_FAILURES)
    statuses = [
        (e["node"]["event"]["kind"], e["node"]["status"], e["node"]["attempts"]) for e in node["deliveries"]["edges"]
    ]
    assert statuses == [("VERSION_UPLOADED", "FAILED", 0), ("WEBHOOK_CREATED", "FAILED", MAX_FAILURES)]
    said = [e["node"]["kind"] for e in plugin_log["events"]["edges"]][-1]
    assert said == "WEBHOOK_UPDATED"
    # updating it turns it on again; it carries on from the update
    receiver.script = []
    payload = await sender.mutate(UPDATE, {"webhookId": hook["id"]}, alice)
    assert (payload["webhook"]["active"], payload["webhook"]["consecutiveFailures"]) == (True, 0)
    got = await receiver.wait_for(1)
    assert got[-1].event["kind"] == "WEBHOOK_UPDATED"


# ---------------------------------------------------------------- what counts as a failure


async def test_a_redirect_is_not_followed(sender: Console, receiver: Receiver, alice, plugin):
    receiver.script = ["redirect"]
    await create(sender, alice, plugin, receiver.url())
    await receiver.wait_for(1)
    first = await delivery_settled()
    assert [r.path for r in receiver.received] == ["/hook", "/hook"]  # never /elsewhere
    assert first.attempts == 2


async def test_a_receiver_too_slow_to_answer_fails_that_attempt(settings, receiver: Receiver, alice, plugin):
    receiver.script = ["slow"]
    async with started(settings, webhook_timeout=0.5) as sender:
        await create(sender, alice, plugin, receiver.url())
        await receiver.wait_for(1)
        delivery = await delivery_settled()
    assert delivery.attempts == 2
    assert len(receiver.received) == 2


async def test_an_address_refused_at_send_time_is_a_failure(settings, receiver: Receiver, alice, plugin):
    """A URL saved while private addresses were allowed (or a name that now resolves
    elsewhere) is refused at each connection."""
    async with started(settings, webhook_worker=False) as private:
        await create(private, alice, plugin, receiver.url())
    async with started(settings, webhook_allow_private=False):

        async def attempted() -> WebhookDelivery | None:
            row = await WebhookDelivery.first()
            return row if row and row.attempts >= 1 else None

        row = await until(attempted, what="an attempt")
    assert receiver.received == []
    assert "not a public address" in row.last_error and row.status == "PENDING"


# ---------------------------------------------------------------- redelivery and restarts


async def test_redeliver_sends_the_same_body_again(sender: Console, receiver: Receiver, alice, plugin):
    created = await create(sender, alice, plugin, receiver.url())
    (first,) = await receiver.wait_for(1)
    await nothing_pending()  # answered is not yet recorded: a PENDING delivery cannot be redelivered
    payload = await sender.mutate(REDELIVER, {"deliveryId": first.headers["x-pluginhub-delivery"]}, alice)
    assert payload["userErrors"] == []
    got = await receiver.wait_for(2)
    assert got[1].body == first.body and got[1].signed_with(created["secret"])
    assert got[1].headers["x-pluginhub-delivery"] == payload["delivery"]["id"] != first.headers["x-pluginhub-delivery"]


async def test_deliveries_due_while_no_worker_ran_go_out_at_the_next_start(
    console: Console, settings, receiver: Receiver, alice, plugin
):
    async with started(settings, webhook_worker=False) as quiet:
        await create(quiet, alice, plugin, receiver.url())
        await quiet.upload(alice, plugin, "1.0.0")
    assert receiver.received == []
    async with started(settings):
        got = await receiver.wait_for(2)
    assert [r.event["kind"] for r in got] == ["WEBHOOK_CREATED", "VERSION_UPLOADED"]


async def test_a_stopped_worker_leaves_its_delivery_pending_for_the_next(settings, receiver: Receiver, alice, plugin):
    receiver.script = ["hang"]
    async with started(settings) as sender:
        await create(sender, alice, plugin, receiver.url())
        await asyncio.wait_for(receiver.arrived.wait(), 30)
    # the app stopped mid-delivery: nothing recorded, the lease let go
    row = await WebhookDelivery.first()
    assert (row.status, row.attempts) == ("PENDING", 0)
    assert (await Webhook.first()).lease_owner is None
    async with started(settings):
        got = await receiver.wait_for(1)
    assert got[0].headers["x-pluginhub-delivery"] == receiver.received[0].headers["x-pluginhub-delivery"]

"""Webhooks through the API: who may manage them, what a URL may be, the limits.

These run on the shared app, whose worker is off: deliveries are queued with
`outbox.feed` (the worker's own first step) where a test needs one. Sending
is tested against real receivers in tests/test_webhook_delivery.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from pluginhub import sealing
from pluginhub.app import create_app
from pluginhub.models import Webhook, WebhookDelivery
from pluginhub.resolvers import outbox
from tests.conftest import postgres_only
from tests.helpers import Console, codes, top_level_codes

WEBHOOK_FIELDS = "id url kinds active createdAt lastDeliveryAt consecutiveFailures"
PUBLIC_URL = "https://93.184.216.34/hooks/pluginhub?token=abc"

CREATE = (
    """
mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { %s } secret userErrors { code message field } }
}"""
    % WEBHOOK_FIELDS
)

UPDATE = (
    """
mutation($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) { webhook { %s } secret userErrors { code message field } }
}"""
    % WEBHOOK_FIELDS
)

DELETE = """
mutation($input: WebhookInput!) {
  deleteWebhook(input: $input) { webhook { id url } secret userErrors { code message field } }
}"""

REDELIVER = """
mutation($input: RedeliverInput!) {
  redeliverWebhook(input: $input) {
    delivery { id status attempts nextAttemptAt event { id kind } } userErrors { code message field }
  }
}"""

WEBHOOKS = (
    """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    webhooks(first: 20) { totalCount edges { node { %s
      deliveries(first: 20) { totalCount edges { node { id status attempts lastStatusCode lastError nextAttemptAt
        deliveredAt event { id kind } } } }
    } } }
  }
}"""
    % WEBHOOK_FIELDS
)

NODE = "query($id: ID!) { node(id: $id) { id ... on Webhook { url } ... on WebhookDelivery { status } } }"

EVENTS = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) { events(first: 100) { edges { node { kind reason actor { name } } } } }
}
"""


async def create(console: Console, who, plugin, url: str = PUBLIC_URL, **fields: Any) -> dict[str, Any]:
    return await console.mutate(CREATE, {"pluginId": plugin["pluginId"], "url": url, **fields}, who)


@pytest_asyncio.fixture
async def webhook(console: Console, alice, plugin) -> dict[str, Any]:
    payload = await create(console, alice, plugin, secret="s3cret-s3cret-s3cret")
    assert payload["userErrors"] == [], payload
    return payload["webhook"]


async def webhooks_of(console: Console, who, plugin) -> dict[str, Any]:
    return (await console.query(WEBHOOKS, {"pluginId": plugin["pluginId"]}, who))["plugin"]["webhooks"]


async def events_of(console: Console, who, plugin) -> list[dict[str, Any]]:
    data = await console.query(EVENTS, {"pluginId": plugin["pluginId"]}, who)
    return [edge["node"] for edge in data["plugin"]["events"]["edges"]]


# ---------------------------------------------------------------- create


async def test_create_generates_a_secret_shown_once(console: Console, alice, plugin, settings):
    payload = await create(console, alice, plugin, kinds=["APPROVED", "REJECTED", "APPROVED"])
    assert payload["userErrors"] == []
    hook, secret = payload["webhook"], payload["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert (hook["url"], hook["kinds"], hook["active"], hook["consecutiveFailures"]) == (
        PUBLIC_URL,
        ["APPROVED", "REJECTED"],
        True,
        0,
    )
    listed = await webhooks_of(console, alice, plugin)
    assert listed["totalCount"] == 1 and "secret" not in listed["edges"][0]["node"]
    row = await Webhook.get(plugin_id=plugin["pluginId"])
    assert secret not in row.sealed_secret  # kept encrypted
    assert sealing.unseal(settings.secret_key, row.sealed_secret, plugin["pluginId"]) == secret
    with pytest.raises(sealing.Unsealable):
        sealing.unseal("another key", row.sealed_secret, plugin["pluginId"])
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(settings.secret_key, row.sealed_secret, "1000000000000000")


async def test_create_takes_a_given_secret_and_every_kind_by_default(console: Console, alice, plugin):
    payload = await create(console, alice, plugin, secret="my-own-secret-of-24-chars")
    assert payload["secret"] == "my-own-secret-of-24-chars"
    assert payload["webhook"]["kinds"] == []


async def test_create_records_an_event_naming_the_origin_only(
    console: Console, alice, rita, bob, plugin, active_order, webhook
):
    events = await events_of(console, alice, plugin)
    created = [e for e in events if e["kind"] == "WEBHOOK_CREATED"]
    assert len(created) == 1
    assert "https://93.184.216.34" in created[0]["reason"]
    assert "token" not in created[0]["reason"] and "/hooks" not in created[0]["reason"]
    assert created[0]["actor"]["name"] == "alice"
    # webhook events are the owner's alone: not a reviewer's, not a host owner's
    for who in (rita, bob):
        seen = [e["kind"] for e in await events_of(console, who, plugin)]
        assert seen and not [kind for kind in seen if kind.startswith("WEBHOOK_")]


@pytest.mark.parametrize("secret", ["short", "has a space in it ok", "tab\tinside-a-long-secret", "é" * 20, "x" * 257])
async def test_a_bad_secret_is_refused(console: Console, alice, plugin, secret):
    payload = await create(console, alice, plugin, secret=secret)
    assert codes(payload) == ["VALIDATION"] and payload["userErrors"][0]["field"] == ["input", "secret"]
    assert payload["webhook"] is None and payload["secret"] is None
    assert await Webhook.filter(plugin_id=plugin["pluginId"]).count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.216.34/x",
        "file:///etc/passwd",
        "gopher://93.184.216.34/",
        "javascript:alert(1)",
    ],
)
async def test_a_url_that_is_not_http_is_refused(console: Console, alice, plugin, url):
    payload = await create(console, alice, plugin, url=url)
    assert codes(payload) == ["WEBHOOK_URL_REFUSED"], payload
    assert payload["userErrors"][0]["field"] == ["input", "url"]


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "https://",
        "https://93.184.216.34:99999/",
        "https://93.184.216.34/a b",
        "http:///path",
        "x" * 2100,
    ],
)
async def test_a_malformed_url_is_a_validation_error(console: Console, alice, plugin, url):
    payload = await create(console, alice, plugin, url=url)
    assert codes(payload) in (["VALIDATION"], ["WEBHOOK_URL_REFUSED"]), payload
    assert await Webhook.filter(plugin_id=plugin["pluginId"]).count() == 0


NON_PUBLIC = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://0.0.0.0/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.10/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://0x7f.1/",
    "https://no-such-host.invalid/hook",
]


@pytest.mark.parametrize("url", NON_PUBLIC)
async def test_a_url_to_a_non_public_address_is_refused(console: Console, alice, plugin, url):
    payload = await create(console, alice, plugin, url=url)
    assert codes(payload) == ["WEBHOOK_URL_REFUSED"], payload
    assert await Webhook.filter(plugin_id=plugin["pluginId"]).count() == 0


@pytest_asyncio.fixture
async def private_console(settings) -> AsyncIterator[Console]:
    """The same database through an app started with PLUGINHUB_WEBHOOK_ALLOW_PRIVATE=1 (worker off)."""
    app = create_app(dataclasses.replace(settings, webhook_allow_private=True))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield Console(http, settings)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://10.0.0.5/", "http://localhost/hook"])
async def test_private_addresses_are_allowed_by_the_setting(private_console: Console, alice, plugin, url):
    payload = await create(private_console, alice, plugin, url=url)
    assert payload["userErrors"] == [], payload


async def test_the_setting_still_refuses_other_schemes(private_console: Console, alice, plugin):
    assert codes(await create(private_console, alice, plugin, url="ftp://127.0.0.1/")) == ["WEBHOOK_URL_REFUSED"]


async def test_at_most_ten_webhooks_per_plugin(console: Console, alice, plugin):
    for i in range(10):
        assert (await create(console, alice, plugin, url=f"{PUBLIC_URL}&n={i}"))["userErrors"] == []
    payload = await create(console, alice, plugin)
    assert codes(payload) == ["VALIDATION"] and "at most 10" in payload["userErrors"][0]["message"]
    assert await Webhook.filter(plugin_id=plugin["pluginId"]).count() == 10


async def test_who_may_create(console: Console, alice_colleague, bob, rita, plugin, active_order):
    assert (await create(console, alice_colleague, plugin))["userErrors"] == []  # any developer of the entity
    assert codes(await create(console, bob, plugin)) == ["FORBIDDEN"]  # sees the plugin, does not own it
    assert codes(await create(console, rita, plugin)) == ["FORBIDDEN"]  # reviewers manage nothing
    stranger = await console.person("Strangers Inc", "sam")
    unlisted = await console.create_plugin(alice_colleague, "Unlisted")
    assert codes(await create(console, stranger, unlisted)) == ["NOT_FOUND"]
    assert codes(await create(console, stranger, {"pluginId": "123"})) == ["VALIDATION"]


# ---------------------------------------------------------------- reading


async def test_webhooks_are_the_owners_alone(console: Console, alice, bob, rita, plugin, active_order, webhook):
    for who in (bob, rita):
        assert await webhooks_of(console, who, plugin) == {"totalCount": 0, "edges": []}
        assert (await console.query(NODE, {"id": webhook["id"]}, who))["node"] is None
    assert (await console.query(NODE, {"id": webhook["id"]}, alice))["node"]["url"] == PUBLIC_URL


# ---------------------------------------------------------------- update and delete


async def test_update_changes_what_is_given(console: Console, alice, plugin, webhook):
    payload = await console.mutate(UPDATE, {"webhookId": webhook["id"], "kinds": ["WENT_ONLINE"]}, alice)
    assert payload["userErrors"] == [] and payload["secret"] is None
    assert (payload["webhook"]["kinds"], payload["webhook"]["url"]) == (["WENT_ONLINE"], PUBLIC_URL)
    payload = await console.mutate(UPDATE, {"webhookId": webhook["id"], "url": "https://93.184.216.35/x"}, alice)
    assert (payload["webhook"]["kinds"], payload["webhook"]["url"]) == (["WENT_ONLINE"], "https://93.184.216.35/x")
    updated = [e["reason"] for e in await events_of(console, alice, plugin) if e["kind"] == "WEBHOOK_UPDATED"]
    assert updated == [
        f"webhook {(await Webhook.first()).id}: kinds to WENT_ONLINE",
        f"webhook {(await Webhook.first()).id}: url to https://93.184.216.35",
    ]


async def test_update_refuses_a_non_public_url_and_changes_nothing(console: Console, alice, plugin, webhook):
    payload = await console.mutate(UPDATE, {"webhookId": webhook["id"], "url": "http://127.0.0.1/"}, alice)
    assert codes(payload) == ["WEBHOOK_URL_REFUSED"]
    assert (await Webhook.first()).url == PUBLIC_URL


async def test_turning_a_webhook_off_fails_what_is_queued_and_on_again_resumes(
    console: Console, alice, plugin, webhook
):
    await console.upload(alice, plugin, "1.0.0")
    await outbox.feed()
    queued = await WebhookDelivery.all().order_by("id")
    assert [d.status for d in queued] == ["PENDING", "PENDING"]  # its own creation, then the upload
    payload = await console.mutate(UPDATE, {"webhookId": webhook["id"], "active": False}, alice)
    assert payload["webhook"]["active"] is False
    assert {d.status for d in await WebhookDelivery.all()} == {"FAILED"}
    await console.upload(alice, plugin, "1.1.0")
    assert await outbox.feed() == 0  # an inactive webhook queues nothing
    payload = await console.mutate(UPDATE, {"webhookId": webhook["id"], "kinds": []}, alice)
    assert payload["webhook"]["active"] is False  # the owner turned it off: it stays off until active: true
    payload = await console.mutate(UPDATE, {"webhookId": webhook["id"], "active": True}, alice)
    assert payload["webhook"]["active"] is True
    assert await outbox.feed() == 1  # from its update on: the events while it was off are skipped
    newest = await WebhookDelivery.all().order_by("-id").first().prefetch_related("event")
    assert newest.event.kind == "WEBHOOK_UPDATED"


async def test_delete_removes_the_webhook_and_its_log(console: Console, alice, plugin, webhook):
    await outbox.feed()
    payload = await console.mutate(DELETE, {"webhookId": webhook["id"]}, alice)
    assert payload["userErrors"] == [] and payload["webhook"]["url"] == PUBLIC_URL
    assert await Webhook.all().count() == 0 and await WebhookDelivery.all().count() == 0
    assert (await console.query(NODE, {"id": webhook["id"]}, alice))["node"] is None
    assert [e["kind"] for e in await events_of(console, alice, plugin)][-1] == "WEBHOOK_DELETED"
    assert codes(await console.mutate(DELETE, {"webhookId": webhook["id"]}, alice)) == ["NOT_FOUND"]


@pytest.mark.parametrize("mutation", ["update", "delete"])
async def test_only_the_owner_may_change_a_webhook(
    console: Console, alice, bob, rita, plugin, active_order, webhook, mutation
):
    document = UPDATE if mutation == "update" else DELETE
    for who in (bob, rita):  # neither may see it: it does not exist for them
        assert codes(await console.mutate(document, {"webhookId": webhook["id"]}, who)) == ["NOT_FOUND"]
    assert await Webhook.all().count() == 1


@pytest.mark.parametrize("raw", ["nope", "UGx1Z2luOjE=", "V2ViaG9vazphYmM="])  # garbage, Plugin:1, Webhook:abc
async def test_a_malformed_webhook_id_is_a_validation_error(console: Console, alice, raw):
    assert codes(await console.mutate(UPDATE, {"webhookId": raw}, alice)) == ["VALIDATION"]
    assert codes(await console.mutate(REDELIVER, {"deliveryId": raw}, alice)) == ["VALIDATION"]


# ---------------------------------------------------------------- redeliver


async def delivered(webhook_row: Webhook) -> WebhookDelivery:
    """Send the head delivery as the worker would, with a 200 outcome (no network)."""
    await outbox.feed()
    assert await outbox.claim("test", 1, 30, set()) == [webhook_row.id]
    _, head = await outbox.next_delivery(webhook_row.id, "test")
    await outbox.record(webhook_row.id, head.id, "test", outbox.Outcome(True, 200), outbox.Retry(1, 1), 30)
    await outbox.release(webhook_row.id, "test")
    return await WebhookDelivery.get(id=head.id)


async def test_redeliver_queues_the_same_body_again(console: Console, alice, plugin, webhook):
    done = await delivered(await Webhook.first())
    assert done.status == "SUCCEEDED"
    gid = __import__("base64").b64encode(f"WebhookDelivery:{done.id}".encode()).decode()
    payload = await console.mutate(REDELIVER, {"deliveryId": gid}, alice)
    assert payload["userErrors"] == []
    again = payload["delivery"]
    assert (again["status"], again["attempts"], again["event"]["kind"]) == ("PENDING", 0, "WEBHOOK_CREATED")
    assert again["id"] != gid
    rows = await WebhookDelivery.all().order_by("id")
    assert rows[-1].payload == done.payload and rows[-1].event_id == done.event_id
    # still pending: asking again is refused
    assert codes(await console.mutate(REDELIVER, {"deliveryId": again["id"]}, alice)) == ["INVALID_TRANSITION"]


async def test_redeliver_needs_an_active_webhook_and_the_owner(
    console: Console, alice, bob, rita, plugin, active_order, webhook
):
    done = await delivered(await Webhook.first())
    gid = __import__("base64").b64encode(f"WebhookDelivery:{done.id}".encode()).decode()
    for who in (bob, rita):
        assert codes(await console.mutate(REDELIVER, {"deliveryId": gid}, who)) == ["NOT_FOUND"]
    await console.mutate(UPDATE, {"webhookId": webhook["id"], "active": False}, alice)
    assert codes(await console.mutate(REDELIVER, {"deliveryId": gid}, alice)) == ["INVALID_TRANSITION"]
    assert await WebhookDelivery.all().count() == 1


async def test_delivery_log_lists_newest_first(console: Console, alice, plugin, webhook):
    await console.upload(alice, plugin, "1.0.0")
    await outbox.feed()
    hooks = await webhooks_of(console, alice, plugin)
    log = hooks["edges"][0]["node"]["deliveries"]
    assert log["totalCount"] == 2
    assert [e["node"]["event"]["kind"] for e in log["edges"]] == ["VERSION_UPLOADED", "WEBHOOK_CREATED"]
    assert all(e["node"]["status"] == "PENDING" and e["node"]["attempts"] == 0 for e in log["edges"])
    assert top_level_codes(await console.post(NODE, {"id": log["edges"][0]["node"]["id"]}, alice)) == []


# ---------------------------------------------------------------- leases under concurrency


@pytest.mark.concurrency
@postgres_only
async def test_simultaneous_feeds_and_claims_never_double_up(console: Console, alice, plugin):
    for i in range(5):
        assert (await create(console, alice, plugin, url=f"{PUBLIC_URL}&n={i}"))["userErrors"] == []
    await console.upload(alice, plugin, "1.0.0")
    await asyncio.gather(*(outbox.feed() for _ in range(8)))
    # each hook: its own creation, the later creations, the upload
    assert await WebhookDelivery.all().count() == sum(5 - i + 1 for i in range(5))
    pairs = await WebhookDelivery.all().values_list("webhook_id", "event_id")
    assert len(pairs) == len(set(pairs))
    leased = await asyncio.gather(*(outbox.claim(f"worker-{i}", 10, 30, set()) for i in range(8)))
    everyone = [webhook_id for ids in leased for webhook_id in ids]
    assert sorted(everyone) == sorted(set(everyone)) and len(everyone) == 5


async def test_feeding_in_small_batches_never_moves_a_webhook_back(console: Console, alice, plugin, monkeypatch):
    other = await console.create_plugin(alice, "Other")
    await create(console, alice, plugin)  # A follows `plugin` from here
    await console.upload(alice, plugin, "1.0.0")
    await console.upload(alice, plugin, "1.1.0")
    await console.upload(alice, other, "0.9.0")  # before B exists: not B's
    await console.upload(alice, plugin, "1.2.0")
    await create(console, alice, other)  # B follows `other` from here
    await console.upload(alice, other, "1.0.0")
    monkeypatch.setattr(outbox, "FEED_BATCH", 2)  # A lags behind B: its batches end before B's position
    for _ in range(10):
        await outbox.feed()
    a, b = await Webhook.all().order_by("id")

    async def sent(hook: Webhook) -> list[tuple[str, str | None]]:
        rows = await WebhookDelivery.filter(webhook_id=hook.id).order_by("id").prefetch_related("event__version")
        return [(d.event.kind, d.event.version.version if d.event.version else None) for d in rows]

    assert await sent(a) == [("WEBHOOK_CREATED", None)] + [("VERSION_UPLOADED", v) for v in ("1.0.0", "1.1.0", "1.2.0")]
    assert await sent(b) == [("WEBHOOK_CREATED", None), ("VERSION_UPLOADED", "1.0.0")]

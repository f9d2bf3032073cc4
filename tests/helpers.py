"""A test-side console: drives the API over HTTP the way a frontend would."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from pluginhub.config import Settings
from pluginhub.models import Role
from pluginhub.resolvers import accounts

VERSION_FIELDS = """
  id version status description features isExperience rejectReason
  submittedAt reviewedAt onlineAt uploadedAt availableActions
  grayRelease { percentage appIds startedAt }
  package { sha256 size fileName downloadUrl }
  plugin { pluginId listedInMarket }
"""

CREATE_PLUGIN = """
mutation($input: CreatePluginInput!) {
  createPlugin(input: $input) { plugin { id pluginId name description listedInMarket } userErrors { code message field } }
}"""

CREATE_MINI_PROGRAM = """
mutation($input: CreateMiniProgramInput!) {
  createMiniProgram(input: $input) { miniProgram { id appId name } userErrors { code message field } }
}"""

UPLOAD_VERSION = (
    """
mutation($input: UploadVersionInput!) {
  uploadVersion(input: $input) { version { %s } userErrors { code message field } }
}"""
    % VERSION_FIELDS
)

VERSION_BY_ID = (
    """
query($id: ID!) { node(id: $id) { ... on PluginVersion { %s } } }"""
    % VERSION_FIELDS
)


def version_mutation(name: str, input_type: str) -> str:
    return """
mutation($input: %s!) {
  %s(input: $input) { version { %s } userErrors { code message field } }
}""" % (input_type, name, VERSION_FIELDS)


VERSION_MUTATIONS = {
    "updateVersion": "UpdateVersionInput",
    "submitVersion": "SubmitVersionInput",
    "withdrawVersion": "VersionInput",
    "approveVersion": "VersionInput",
    "rejectVersion": "RejectVersionInput",
    "grayRelease": "GrayReleaseInput",
    "goOnline": "VersionInput",
    "returnToDevelopment": "VersionInput",
    "setExperienceVersion": "VersionInput",
    "deleteVersion": "VersionInput",
}

PLUGIN_MUTATION = """
mutation($input: PluginInput!) {
  %s(input: $input) {
    plugin { pluginId listedInMarket onlineVersion { id version status } experienceVersion { id version } }
    userErrors { code message field }
  }
}"""


BINDING_FIELDS = """
  id status requestedAt endedAt
  plugin { pluginId } miniProgram { appId }
  requestedBy { name }
  authorization { token sameEntity authorizedAt authorizedBy { name } }
"""

ADD_DEBUG_HOST = (
    """
mutation($input: AddDebugHostInput!) {
  addDebugHost(input: $input) { debugBinding { %s } userErrors { code message field } }
}"""
    % BINDING_FIELDS
)


def binding_mutation(name: str) -> str:
    return """
mutation($input: DebugBindingInput!) {
  %s(input: $input) { debugBinding { %s } userErrors { code message field } }
}""" % (name, BINDING_FIELDS)


VIEWER_ID = "{ viewer { id } }"

ORDER_FIELDS = "id status orderedAt cancelledAt plugin { pluginId } miniProgram { appId }"

EVENT_FIELDS = """
  id kind fromStatus toStatus reason actor { name }
  version { id version } debugBinding { id status } order { id status }
"""

# Everything about a plugin its owner sees: what a refused change must leave alone.
PLUGIN_STATE = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) {
    pluginId
    listedInMarket
    onlineVersion { version status }
    grayVersion { version status }
    experienceVersion { version isExperience }
    versions(first: 100) {
      totalCount
      edges {
        node {
          id version status description features isExperience onlineAt
          grayRelease { percentage appIds startedAt }
          package { sha256 }
        }
      }
    }
    debugBindings(first: 100) { totalCount edges { node { %s } } }
    events(first: 100) { totalCount edges { node { %s } } }
  }
}""" % (BINDING_FIELDS, EVENT_FIELDS)

EVENT_LOG = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) { events(first: 100) { totalCount edges { cursor node { kind } } } }
}"""

PLUGIN_EVENTS = (
    """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) { events(first: 100) { totalCount edges { node { %s } } } }
}"""
    % EVENT_FIELDS
)

ORDER_PLUGIN = (
    """
mutation($input: OrderPluginInput!) {
  orderPlugin(input: $input) { order { %s } userErrors { code message field } }
}"""
    % ORDER_FIELDS
)

CANCEL_ORDER = (
    """
mutation($input: OrderInput!) {
  cancelOrder(input: $input) { order { %s } userErrors { code message field } }
}"""
    % ORDER_FIELDS
)


def make_package(
    manifest: Any = None, *, extra: dict[str, bytes] | None = None, raw_manifest: bytes | None = None
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if raw_manifest is not None:
            archive.writestr("plugin.json", raw_manifest)
        elif manifest is not False:
            archive.writestr("plugin.json", json.dumps(manifest if manifest is not None else {"main": "index.js"}))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def unique_package() -> bytes:
    """A valid package whose bytes no other upload has."""
    return make_package({"main": "index.js", "nonce": uuid.uuid4().hex})


def stored_path(settings: Settings, sha256: str) -> Path:
    """Where the server keeps the package with this digest."""
    return Path(settings.storage_dir) / sha256[:2] / sha256


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"authorization": f"Bearer {token}"}


def global_id(type_name: str, key: object) -> str:
    """A Relay global id as the API writes them: base64 of "Type:key"."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


@dataclass
class Person:
    account_id: int
    entity_id: int
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


T = TypeVar("T")


class GraphQLFailed(AssertionError):
    pass


class Console:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    # ------------------------------------------------------------ raw access

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, who: Person | None = None
    ) -> dict[str, Any]:
        """The whole response body, errors included."""
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=who.headers if who else {}
        )
        assert response.status_code in (200, 400), response.text
        return response.json()

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, who: Person | None = None
    ) -> dict[str, Any]:
        """`data`, failing the test on any top-level error."""
        body = await self.post(query, variables, who)
        if body.get("errors"):
            raise GraphQLFailed(json.dumps(body["errors"], indent=1))
        return body["data"]

    async def mutate(self, query: str, input: dict[str, Any], who: Person) -> dict[str, Any]:
        """The payload of a one-mutation document."""
        data = await self.query(query, {"input": input}, who)
        return next(iter(data.values()))

    async def upload_raw(
        self,
        who: Person,
        input: dict[str, Any],
        package: bytes,
        file_name: str = "plugin.zip",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        operations = {"query": UPLOAD_VERSION, "variables": {"input": {**input, "package": None}}}
        return await self.client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.package"]})},
            files={"0": (file_name, package, "application/zip")},
            headers={**who.headers, **(headers or {})},
        )

    # ------------------------------------------------------------ people and things

    async def person(self, entity_name: str, name: str, role: str = "developer") -> Person:
        entity = await accounts.create_entity(entity_name)
        return await self.person_in(entity.id, name, role)

    async def person_in(self, entity_id: int, name: str, role: str = "developer") -> Person:
        account, token = await accounts.create_account(entity_id, name, Role(role.upper()))
        return Person(account.id, entity_id, name, token)

    async def create_plugin(self, who: Person, name: str, description: str = "A plugin") -> dict[str, Any]:
        payload = await self.mutate(CREATE_PLUGIN, {"name": name, "description": description}, who)
        assert payload["userErrors"] == [], payload
        return payload["plugin"]

    async def create_mini_program(self, who: Person, name: str) -> dict[str, Any]:
        payload = await self.mutate(CREATE_MINI_PROGRAM, {"name": name}, who)
        assert payload["userErrors"] == [], payload
        return payload["miniProgram"]

    async def upload_response(
        self,
        who: Person,
        plugin: dict[str, Any],
        version: str,
        *,
        features: list[str] | None = None,
        description: str = "",
        package: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        input = {
            "pluginId": plugin["pluginId"],
            "version": version,
            "description": description or f"release {version}",
            "features": ["payment"] if features is None else features,
        }
        package = package if package is not None else make_package({"version": version})
        return await self.upload_raw(who, input, package, headers=headers)

    async def upload_payload(self, who: Person, plugin: dict[str, Any], version: str, **kwargs: Any) -> dict[str, Any]:
        body = (await self.upload_response(who, plugin, version, **kwargs)).json()
        if body.get("errors"):
            raise GraphQLFailed(json.dumps(body["errors"], indent=1))
        return body["data"]["uploadVersion"]

    async def upload(self, who: Person, plugin: dict[str, Any], version: str, **kwargs: Any) -> dict[str, Any]:
        payload = await self.upload_payload(who, plugin, version, **kwargs)
        assert payload["userErrors"] == [], payload
        return payload["version"]

    async def act_payload(self, who: Person, mutation: str, version: dict[str, Any], **fields: Any) -> dict[str, Any]:
        query = version_mutation(mutation, VERSION_MUTATIONS[mutation])
        return await self.mutate(query, {"versionId": version["id"], **fields}, who)

    async def act(self, who: Person, mutation: str, version: dict[str, Any], **fields: Any) -> dict[str, Any]:
        payload = await self.act_payload(who, mutation, version, **fields)
        assert payload["userErrors"] == [], payload
        return payload["version"]

    async def plugin_action(self, who: Person, mutation: str, plugin: dict[str, Any]) -> dict[str, Any]:
        return await self.mutate(PLUGIN_MUTATION % mutation, {"pluginId": plugin["pluginId"]}, who)

    async def submit(self, who: Person, version: dict[str, Any]) -> dict[str, Any]:
        return await self.act(who, "submitVersion", version, selfCheckConfirmed=True)

    async def approved(self, who: Person, plugin: dict[str, Any], number: str) -> dict[str, Any]:
        """Upload, submit and approve a version (with a fresh reviewer)."""
        reviewer = await self.person(f"Review {number}", f"reviewer-{number}", role="reviewer")
        version = await self.submit(who, await self.upload(who, plugin, number))
        return await self.act(reviewer, "approveVersion", version)

    async def add_debug_host_payload(self, who: Person, plugin: dict[str, Any], app: dict[str, Any]) -> dict[str, Any]:
        return await self.mutate(ADD_DEBUG_HOST, {"pluginId": plugin["pluginId"], "appId": app["appId"]}, who)

    async def add_debug_host(self, who: Person, plugin: dict[str, Any], app: dict[str, Any]) -> dict[str, Any]:
        payload = await self.add_debug_host_payload(who, plugin, app)
        assert payload["userErrors"] == [], payload
        return payload["debugBinding"]

    async def binding_action_payload(self, who: Person, mutation: str, binding: dict[str, Any]) -> dict[str, Any]:
        return await self.mutate(binding_mutation(mutation), {"bindingId": binding["id"]}, who)

    async def binding_action(self, who: Person, mutation: str, binding: dict[str, Any]) -> dict[str, Any]:
        payload = await self.binding_action_payload(who, mutation, binding)
        assert payload["userErrors"] == [], payload
        return payload["debugBinding"]

    async def order_payload(self, who: Person, app: dict[str, Any], plugin: dict[str, Any]) -> dict[str, Any]:
        return await self.mutate(ORDER_PLUGIN, {"appId": app["appId"], "pluginId": plugin["pluginId"]}, who)

    async def order(self, who: Person, app: dict[str, Any], plugin: dict[str, Any]) -> dict[str, Any]:
        payload = await self.order_payload(who, app, plugin)
        assert payload["userErrors"] == [], payload
        return payload["order"]

    async def cancel_order_payload(self, who: Person, order: dict[str, Any]) -> dict[str, Any]:
        return await self.mutate(CANCEL_ORDER, {"orderId": order["id"]}, who)

    async def version(self, who: Person, version_id: str) -> dict[str, Any] | None:
        return (await self.query(VERSION_BY_ID, {"id": version_id}, who))["node"]


async def plugin_state(console: Console, who: Person, plugin: dict[str, Any]) -> dict[str, Any]:
    """The plugin as `who` sees it: its places, versions, bindings and whole event log (PLUGIN_STATE)."""
    found = (await console.query(PLUGIN_STATE, {"pluginId": plugin["pluginId"]}, who))["plugin"]
    assert found is not None, f"{who.name} does not see the plugin"
    assert found["versions"]["totalCount"] <= 100 and found["events"]["totalCount"] <= 100, "more than one page"
    return found


async def event_log(console: Console, who: Person, plugin: dict[str, Any]) -> list[tuple[str, str]]:
    """(cursor, kind) of every event of the plugin `who` may see, oldest first: what its followers are sent."""
    events = (await console.query(EVENT_LOG, {"pluginId": plugin["pluginId"]}, who))["plugin"]["events"]
    assert events["totalCount"] == len(events["edges"]), "more than one page"
    return [(edge["cursor"], edge["node"]["kind"]) for edge in events["edges"]]


def pairs(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(cursor, kind) of each event a subscription sent, to compare with event_log."""
    return [(event["cursor"], event["kind"]) for event in events]


async def plugin_events(console: Console, who: Person, plugin: dict[str, Any]) -> list[dict[str, Any]]:
    """Every event of the plugin `who` may see, oldest first."""
    found = (await console.query(PLUGIN_EVENTS, {"pluginId": plugin["pluginId"]}, who))["plugin"]
    assert found is not None, f"{who.name} does not see the plugin"
    nodes = [edge["node"] for edge in found["events"]["edges"]]
    assert found["events"]["totalCount"] == len(nodes)
    return nodes


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def top_level_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors") or []]


async def all_at_once(console: Console, who: Person, requests: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Send every request at the same moment, each with a database connection of its own ready.

    The server's PostgreSQL pool opens connections on demand and starts with
    one. A burst that meets a cold pool is served one request at a time while
    new connections are opened, so the first one commits before the others
    read and the race under test never happens. As many reads at once as
    there are requests open the connections first.
    """
    await asyncio.gather(*(console.query(VIEWER_ID, who=who) for _ in requests))
    return list(await asyncio.gather(*(request() for request in requests)))


def assert_refused(payload: dict[str, Any], code: str, field: list[str] | None = None) -> dict[str, Any]:
    """A version mutation refused with `code` alone (on `field`, when given): no version, and a message."""
    assert payload["version"] is None, payload
    assert codes(payload) == [code], payload
    error = payload["userErrors"][0]
    if field is not None:
        assert error["field"] == field, payload
    assert error["message"], payload
    return error

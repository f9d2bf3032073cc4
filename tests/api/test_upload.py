"""`uploadVersion`: who may upload, which version numbers, which packages, and where they land."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
import zipfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    UPLOAD_VERSION,
    Console,
    Person,
    all_at_once,
    assert_refused,
    make_package,
    plugin_state,
    stored_path,
    top_level_codes,
    unique_package,
)

# ---------------------------------------------------------------- documents

VERSION_EVENTS = """
query($id: ID!) {
  node(id: $id) { ... on PluginVersion { events(first: 100) { edges { node { kind fromStatus toStatus } } } } }
}"""

TYPENAME = "{ __typename }"

KIB = 1024
MIB = 1024 * KIB


# ---------------------------------------------------------------- helpers


def stored_zip(total_size: int) -> bytes:
    """A valid package of exactly `total_size` bytes: incompressible data in store mode."""

    def build(filler: int) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("plugin.json", json.dumps({"main": "index.js"}))
            archive.writestr("assets/blob.bin", os.urandom(filler))
        return buffer.getvalue()

    overhead = len(build(0))
    data = build(total_size - overhead)
    assert len(data) == total_size
    return data


def input_for(plugin: dict[str, Any], version: str, **fields: Any) -> dict[str, Any]:
    return {"pluginId": plugin["pluginId"], "version": version, "description": "", "features": ["payment"], **fields}


async def upload(
    console: Console, who: Person, input: dict[str, Any], package: bytes, file_name: str = "plugin.zip"
) -> dict[str, Any]:
    """The uploadVersion payload; any top-level error fails the test."""
    response = await console.upload_raw(who, input, package, file_name)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["uploadVersion"]


async def plugin_summary(console: Console, who: Person, plugin: dict[str, Any]) -> dict[str, Any]:
    """The plugin's versions and events as `who` sees them, in the shape these tests compare."""
    state = await plugin_state(console, who, plugin)
    return {
        "versions": sorted(
            (e["node"]["version"], e["node"]["id"], e["node"]["status"]) for e in state["versions"]["edges"]
        ),
        "version_count": state["versions"]["totalCount"],
        "events": [
            (e["node"]["kind"], e["node"]["toStatus"], (e["node"]["version"] or {}).get("id"))
            for e in state["events"]["edges"]
        ],
        "event_count": state["events"]["totalCount"],
        "raw_versions": {e["node"]["id"]: e["node"] for e in state["versions"]["edges"]},
    }


def tmp_files(console: Console) -> list[str]:
    """Spool files of uploads being received, and partial puts in the store."""
    places = [console.settings.spool_path, Path(console.settings.storage_dir) / "tmp"]
    return sorted(p.name for tmp in places if tmp.is_dir() for p in tmp.iterdir())


# ---------------------------------------------------------------- the allowed path


async def test_upload_creates_a_development_version_with_its_fields_and_package(console, alice, plugin):
    package = unique_package()
    payload = await upload(
        console,
        alice,
        input_for(plugin, "1.2.3", description="First public build", features=["payment", "refund"]),
        package,
        file_name="pay-button-1.2.3.zip",
    )

    assert payload["userErrors"] == []
    version = payload["version"]
    assert version["version"] == "1.2.3"
    assert version["status"] == "DEVELOPMENT"
    assert version["description"] == "First public build"
    assert version["features"] == ["payment", "refund"]
    assert version["isExperience"] is False
    assert version["rejectReason"] is None
    assert version["submittedAt"] is None and version["reviewedAt"] is None and version["onlineAt"] is None
    assert version["uploadedAt"]
    assert version["grayRelease"] is None
    assert version["package"]["sha256"] == hashlib.sha256(package).hexdigest()
    assert version["package"]["size"] == len(package)
    assert version["package"]["fileName"] == "pay-button-1.2.3.zip"
    assert version["plugin"] == {"pluginId": plugin["pluginId"], "listedInMarket": False}
    assert {"UPDATE", "SUBMIT", "DELETE"} <= set(version["availableActions"])

    # It is really there: by node id and in the plugin's version list.
    assert await console.version(alice, version["id"]) == version
    state = await plugin_summary(console, alice, plugin)
    assert state["versions"] == [("1.2.3", version["id"], "DEVELOPMENT")]


async def test_upload_records_one_version_uploaded_event(console, alice, plugin):
    before = await plugin_summary(console, alice, plugin)

    version = await console.upload(alice, plugin, "1.0.0")

    after = await plugin_summary(console, alice, plugin)
    assert after["event_count"] == before["event_count"] + 1
    assert after["events"][-1] == ("VERSION_UPLOADED", "DEVELOPMENT", version["id"])
    assert [e for e in after["events"] if e[0] == "VERSION_UPLOADED"] == [
        ("VERSION_UPLOADED", "DEVELOPMENT", version["id"])
    ]
    own = (await console.query(VERSION_EVENTS, {"id": version["id"]}, alice))["node"]["events"]["edges"]
    assert [e["node"] for e in own] == [{"kind": "VERSION_UPLOADED", "fromStatus": None, "toStatus": "DEVELOPMENT"}]


async def test_a_colleague_of_the_owning_entity_may_upload(console, alice, alice_colleague, plugin):
    version = await console.upload(alice_colleague, plugin, "1.0.0")

    assert version["status"] == "DEVELOPMENT"
    state = await plugin_summary(console, alice, plugin)
    assert state["versions"] == [("1.0.0", version["id"], "DEVELOPMENT")]


@pytest.mark.parametrize("number", ["0.0.1", "0.1.0", "1.0.0", "10.20.30", "99999.99999.99999", "0.0.0"])
async def test_well_formed_version_numbers_are_accepted(console, alice, plugin, number):
    payload = await upload(console, alice, input_for(plugin, number), unique_package())

    assert payload["userErrors"] == []
    assert payload["version"]["version"] == number
    state = await plugin_summary(console, alice, plugin)
    assert [v[0] for v in state["versions"]] == [number]


async def test_limits_of_description_and_features_are_inclusive(console, alice, plugin):
    features = [f"{i:02d}" + "f" * 62 for i in range(20)]
    payload = await upload(
        console, alice, input_for(plugin, "1.0.0", description="d" * 500, features=features), unique_package()
    )

    assert payload["userErrors"] == []
    assert payload["version"]["description"] == "d" * 500
    assert payload["version"]["features"] == features


async def test_no_features_and_an_empty_description_are_accepted(console, alice, plugin):
    payload = await upload(console, alice, input_for(plugin, "1.0.0", description="", features=[]), unique_package())

    assert payload["userErrors"] == []
    assert payload["version"]["description"] == ""
    assert payload["version"]["features"] == []


async def test_file_name_keeps_only_its_last_path_component(console, alice, plugin):
    payload = await upload(
        console, alice, input_for(plugin, "1.0.0"), unique_package(), file_name="../../build/pay.zip"
    )

    assert payload["userErrors"] == []
    assert payload["version"]["package"]["fileName"] == "pay.zip"


# ---------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    "number",
    [
        "01.0.0",
        "1.00.0",
        "1.0.01",
        "00.0.0",
        "100000.0.0",
        "1.100000.0",
        "1.0.100000",
        "1.0",
        "1",
        "1.0.",
        ".1.0",
        "1..0",
        "1.0.0.0",
        "1.a.0",
        "a.b.c",
        "v1.0.0",
        "1.0.0-beta",
        "1.0.0+build",
        "-1.0.0",
        " 1.0.0",
        "1.0.0 ",
        "",
        "1.0.0\n",
        "\u0661.0.0",  # a non-ASCII digit
    ],
)
async def test_malformed_version_numbers_are_refused(console, alice, plugin, number):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, number), unique_package())

    assert_refused(payload, "VALIDATION", ["input", "version"])
    assert await plugin_summary(console, alice, plugin) == before


@pytest.mark.parametrize(
    "plugin_id",
    [
        "",
        "123",
        "123456789012345",
        "12345678901234567",
        "123456789012345a",
        "abcdefghijklmnop",
        " 123456789012345",
        "1234-67890123456",
    ],
)
async def test_malformed_plugin_id_is_refused(console, alice, plugin, plugin_id):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, "1.0.0", pluginId=plugin_id), unique_package())

    assert_refused(payload, "VALIDATION", ["input", "pluginId"])
    assert await plugin_summary(console, alice, plugin) == before


async def test_unknown_plugin_is_not_found(console, alice, plugin):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, "1.0.0", pluginId="0000000000000000"), unique_package())

    assert_refused(payload, "NOT_FOUND", ["input", "pluginId"])
    assert await plugin_summary(console, alice, plugin) == before


async def test_outsider_cannot_see_an_unlisted_plugin_so_it_is_not_found(console, alice, bob, plugin):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, bob, input_for(plugin, "1.0.0"), unique_package())
    unknown = await upload(console, bob, input_for(plugin, "1.0.0", pluginId="0000000000000000"), unique_package())

    assert_refused(payload, "NOT_FOUND", ["input", "pluginId"])
    # No hint that it exists: the same answer as for a plugin that does not.
    assert payload["userErrors"] == unknown["userErrors"]
    assert await plugin_summary(console, alice, plugin) == before


async def test_outsider_may_see_a_listed_plugin_but_not_upload_to_it(console, alice, bob, plugin, online_version):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, bob, input_for(plugin, "2.0.0"), unique_package())

    assert_refused(payload, "FORBIDDEN")
    assert await plugin_summary(console, alice, plugin) == before


async def test_reviewer_sees_every_plugin_but_may_not_upload(console, alice, rita, plugin):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, rita, input_for(plugin, "1.0.0"), unique_package())

    assert_refused(payload, "FORBIDDEN")
    assert await plugin_summary(console, alice, plugin) == before


async def test_reviewer_may_not_upload_to_a_listed_plugin(console, alice, rita, plugin, online_version):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, rita, input_for(plugin, "2.0.0"), unique_package())

    assert_refused(payload, "FORBIDDEN")
    assert await plugin_summary(console, alice, plugin) == before


async def test_upload_without_a_token_is_unauthenticated(console, alice, plugin):
    before = await plugin_summary(console, alice, plugin)
    anonymous = Person(account_id=0, entity_id=0, name="nobody", token="not-a-token")

    response = await console.upload_raw(anonymous, input_for(plugin, "1.0.0"), unique_package())

    body = response.json()
    assert top_level_codes(body) == ["UNAUTHENTICATED"], body
    assert (body.get("data") or {}).get("uploadVersion") is None
    assert await plugin_summary(console, alice, plugin) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "d" * 501}, ["input", "description"]),
        ({"features": [f"feature-{i}" for i in range(21)]}, ["input", "features"]),
        ({"features": ["payment", ""]}, ["input", "features", "1"]),
        ({"features": ["   "]}, ["input", "features", "0"]),
        ({"features": ["f" * 65]}, ["input", "features", "0"]),
        ({"features": ["payment", "refund", "payment"]}, ["input", "features", "2"]),
    ],
    ids=["description-501", "21-features", "empty-feature", "blank-feature", "feature-65", "duplicate-feature"],
)
async def test_bad_description_or_features_are_refused(console, alice, plugin, fields, field):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, "1.0.0", **fields), unique_package())

    assert_refused(payload, "VALIDATION", field)
    assert await plugin_summary(console, alice, plugin) == before


# ---------------------------------------------------------------- one number, one package


async def test_same_number_with_different_bytes_is_version_exists(console, alice, plugin, development_version):
    before = await plugin_summary(console, alice, plugin)
    other = unique_package()

    payload = await upload(console, alice, input_for(plugin, "1.0.0"), other)

    assert_refused(payload, "VERSION_EXISTS", ["input", "version"])
    after = await plugin_summary(console, alice, plugin)
    assert after == before
    assert (
        after["raw_versions"][development_version["id"]]["package"]["sha256"]
        == development_version["package"]["sha256"]
    )


async def test_resending_the_same_version_and_bytes_returns_it_and_changes_nothing(console, alice, plugin):
    package = unique_package()
    first = await upload(console, alice, input_for(plugin, "1.0.0", description="first", features=["a"]), package)
    assert first["userErrors"] == []
    before = await plugin_summary(console, alice, plugin)

    again = await upload(console, alice, input_for(plugin, "1.0.0", description="second", features=["b"]), package)

    assert again["userErrors"] == []
    assert again["version"]["id"] == first["version"]["id"]
    assert again["version"]["description"] == "first"
    assert again["version"]["features"] == ["a"]
    assert again["version"]["package"] == first["version"]["package"] | {
        "downloadUrl": again["version"]["package"]["downloadUrl"]
    }
    after = await plugin_summary(console, alice, plugin)
    assert after == before
    assert [e[0] for e in after["events"]].count("VERSION_UPLOADED") == 1


async def test_resending_an_online_version_returns_it_unchanged(console, alice, rita, plugin):
    package = unique_package()
    version = await console.submit(alice, await console.upload(alice, plugin, "1.0.0", package=package))
    online = await console.act(alice, "goOnline", await console.act(rita, "approveVersion", version))
    before = await plugin_summary(console, alice, plugin)

    again = await upload(console, alice, input_for(plugin, "1.0.0"), package)

    assert again["userErrors"] == []
    assert again["version"]["id"] == online["id"]
    assert again["version"]["status"] == "ONLINE"
    assert await plugin_summary(console, alice, plugin) == before


# A race the first commit ends shows a missing lock only if two requests read before it; each
# round, with a number of its own, is another chance for that.
CONCURRENT_ROUNDS = ["3.0.0", "3.1.0", "3.2.0"]


@pytest.mark.concurrency
async def test_concurrent_uploads_of_one_number_with_different_bytes_create_one_version(console, alice, plugin):
    kept = []
    for number in CONCURRENT_ROUNDS:
        payloads = await all_at_once(
            console,
            alice,
            [partial(upload, console, alice, input_for(plugin, number), unique_package()) for _ in range(4)],
        )

        created = [p for p in payloads if p["userErrors"] == []]
        refused = [p for p in payloads if p["userErrors"]]
        assert len(created) == 1, payloads
        for payload in refused:
            assert_refused(payload, "VERSION_EXISTS", ["input", "version"])
        kept.append((number, created[0]["version"]["id"], "DEVELOPMENT"))
        state = await plugin_summary(console, alice, plugin)
        assert state["versions"] == kept
        assert [e[0] for e in state["events"]].count("VERSION_UPLOADED") == len(kept)


@pytest.mark.concurrency
async def test_concurrent_resends_of_one_version_create_it_once(console, alice, plugin):
    for rounds, number in enumerate(CONCURRENT_ROUNDS, start=1):
        package = unique_package()

        payloads = await all_at_once(
            console, alice, [partial(upload, console, alice, input_for(plugin, number), package) for _ in range(4)]
        )

        assert all(p["userErrors"] == [] for p in payloads), payloads
        assert len({p["version"]["id"] for p in payloads}) == 1
        state = await plugin_summary(console, alice, plugin)
        assert state["version_count"] == rounds
        assert [e[0] for e in state["events"]].count("VERSION_UPLOADED") == rounds


async def test_the_same_bytes_may_back_two_version_numbers(console, alice, plugin):
    package = unique_package()
    first = await console.upload(alice, plugin, "1.0.0", package=package)

    second = await console.upload(alice, plugin, "1.0.1", package=package)

    assert second["id"] != first["id"]
    assert second["package"]["sha256"] == first["package"]["sha256"] == hashlib.sha256(package).hexdigest()
    state = await plugin_summary(console, alice, plugin)
    assert [v[0] for v in state["versions"]] == ["1.0.0", "1.0.1"]


async def test_a_deleted_version_number_can_be_reused(console, alice, plugin, development_version):
    deleted = await console.act(alice, "deleteVersion", development_version)
    assert deleted["id"] == development_version["id"]

    payload = await upload(console, alice, input_for(plugin, "1.0.0", description="rebuilt"), unique_package())

    assert payload["userErrors"] == []
    assert payload["version"]["id"] != development_version["id"]
    assert payload["version"]["status"] == "DEVELOPMENT"
    state = await plugin_summary(console, alice, plugin)
    assert state["versions"] == [("1.0.0", payload["version"]["id"], "DEVELOPMENT")]


async def test_a_deleted_version_is_not_returned_for_its_own_bytes(console, alice, plugin):
    package = unique_package()
    old = await console.upload(alice, plugin, "1.0.0", package=package)
    await console.act(alice, "deleteVersion", old)

    again = await console.upload(alice, plugin, "1.0.0", package=package)

    assert again["id"] != old["id"]
    assert again["status"] == "DEVELOPMENT"
    assert await console.version(alice, old["id"]) is None


# ---------------------------------------------------------------- greater than anything ever online


@pytest.mark.parametrize("number", ["0.9.0", "0.99999.99999", "0.0.0", "0.9.99999"])
async def test_a_number_below_the_online_version_is_not_greater(console, alice, plugin, online_version, number):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, number), unique_package())

    assert_refused(payload, "VERSION_NOT_GREATER", ["input", "version"])
    assert await plugin_summary(console, alice, plugin) == before


async def test_the_online_number_itself_is_refused(console, alice, plugin, online_version):
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, "1.0.0"), unique_package())

    assert_refused(payload, "VERSION_EXISTS", ["input", "version"])
    assert await plugin_summary(console, alice, plugin) == before


async def test_a_number_above_the_online_version_is_accepted(console, alice, plugin, online_version):
    payload = await upload(console, alice, input_for(plugin, "1.0.1"), unique_package())

    assert payload["userErrors"] == []
    assert payload["version"]["status"] == "DEVELOPMENT"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("1.10.0", None),
        ("1.9.1", None),
        ("2.0.0", None),
        ("1.8.99999", "VERSION_NOT_GREATER"),
        ("1.2.0", "VERSION_NOT_GREATER"),
        ("0.10.0", "VERSION_NOT_GREATER"),
    ],
)
async def test_versions_compare_numerically_part_by_part(console, alice, plugin, number, code):
    await console.act(alice, "goOnline", await console.approved(alice, plugin, "1.9.0"))
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, number), unique_package())

    if code is None:
        assert payload["userErrors"] == []
        assert payload["version"]["version"] == number
    else:
        assert_refused(payload, code, ["input", "version"])
        assert await plugin_summary(console, alice, plugin) == before


async def test_development_versions_do_not_raise_the_bar(console, alice, plugin):
    await console.upload(alice, plugin, "2.0.0")

    lower = await upload(console, alice, input_for(plugin, "1.5.0"), unique_package())

    assert lower["userErrors"] == []
    assert lower["version"]["version"] == "1.5.0"


async def test_the_bar_stays_at_the_highest_version_ever_online_after_a_rollback(
    console, alice, plugin, online_version
):
    await console.act(alice, "goOnline", await console.approved(alice, plugin, "1.1.0"))
    rolled = await console.plugin_action(alice, "rollbackOnlineVersion", plugin)
    assert rolled["userErrors"] == [], rolled
    assert rolled["plugin"]["onlineVersion"]["version"] == "1.0.0"
    before = await plugin_summary(console, alice, plugin)

    between = await upload(console, alice, input_for(plugin, "1.0.5"), unique_package())

    assert_refused(between, "VERSION_NOT_GREATER", ["input", "version"])
    assert await plugin_summary(console, alice, plugin) == before
    above = await upload(console, alice, input_for(plugin, "1.1.1"), unique_package())
    assert above["userErrors"] == []


# ---------------------------------------------------------------- package checks


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


INVALID_PACKAGES = {
    "not-a-zip": b"this is plain text, not a zip archive " + uuid.uuid4().hex.encode(),
    "empty-file": b"",
    "truncated-zip": make_package({"main": "index.js", "pad": "x" * 400})[:-30],
    "no-plugin-json": _zip({"index.js": b"console.log('hi')"}),
    "plugin-json-not-json": _zip({"plugin.json": b"{main: index.js"}),
    "plugin-json-not-utf8": _zip({"plugin.json": b'{"main": "\xff\xfe"}'}),
    "plugin-json-array": _zip({"plugin.json": b'[{"main": "index.js"}]'}),
    "plugin-json-string": _zip({"plugin.json": b'"index.js"'}),
    "plugin-json-null": _zip({"plugin.json": b"null"}),
    "plugin-json-empty": _zip({"plugin.json": b""}),
    "plugin-json-in-subfolder-only": _zip({"dist/plugin.json": b'{"main": "index.js"}', "dist/index.js": b""}),
    "plugin-json-is-a-folder": _zip({"plugin.json/index.js": b"{}"}),
}


@pytest.mark.parametrize("kind", list(INVALID_PACKAGES))
async def test_an_invalid_package_is_refused(console, alice, plugin, kind):
    package = INVALID_PACKAGES[kind]
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, "1.0.0"), package)

    assert_refused(payload, "PACKAGE_INVALID", ["input", "package"])
    assert await plugin_summary(console, alice, plugin) == before
    assert not stored_path(console.settings, hashlib.sha256(package).hexdigest()).exists()
    assert tmp_files(console) == []


async def test_a_package_at_the_size_limit_is_accepted(console, alice, plugin):
    limit = console.settings.max_package_bytes
    package = stored_zip(limit)

    payload = await upload(console, alice, input_for(plugin, "1.0.0"), package)

    assert payload["userErrors"] == []
    assert payload["version"]["package"]["size"] == limit


async def test_a_package_one_byte_over_the_limit_is_too_large(console, alice, plugin):
    package = stored_zip(console.settings.max_package_bytes + 1)
    before = await plugin_summary(console, alice, plugin)

    payload = await upload(console, alice, input_for(plugin, "1.0.0"), package)

    assert_refused(payload, "PACKAGE_TOO_LARGE", ["input", "package"])
    assert await plugin_summary(console, alice, plugin) == before
    assert not stored_path(console.settings, hashlib.sha256(package).hexdigest()).exists()
    assert tmp_files(console) == []


async def test_a_body_over_package_and_body_limits_is_refused_with_413(console, alice, plugin):
    settings = console.settings
    package = stored_zip(settings.max_package_bytes + settings.max_body_bytes + 1)
    before = await plugin_summary(console, alice, plugin)

    response = await console.upload_raw(alice, input_for(plugin, "1.0.0"), package)

    assert response.status_code == 413, response.text
    assert top_level_codes(response.json()) == ["PACKAGE_TOO_LARGE"]
    assert await plugin_summary(console, alice, plugin) == before
    assert tmp_files(console) == []


async def test_an_oversized_upload_without_content_length_is_refused_while_streaming(console, client, alice, plugin):
    settings = console.settings
    limit = settings.max_package_bytes + settings.max_body_bytes
    operations = {"query": UPLOAD_VERSION, "variables": {"input": {**input_for(plugin, "1.0.0"), "package": None}}}
    request = client.build_request(
        "POST",
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.package"]})},
        files={"0": ("plugin.zip", os.urandom(4 * limit), "application/zip")},
    )
    body = request.read()
    chunk = 64 * KIB
    total_chunks = -(-len(body) // chunk)
    sent = 0

    async def chunks():
        nonlocal sent
        for start in range(0, len(body), chunk):
            sent += 1
            yield body[start : start + chunk]

    before = await plugin_summary(console, alice, plugin)
    response = await client.post(
        "/graphql",
        content=chunks(),
        headers={**alice.headers, "content-type": request.headers["content-type"]},
    )

    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413, response.text
    assert top_level_codes(response.json()) == ["PACKAGE_TOO_LARGE"]
    # Refused once the limit was crossed, not after the whole body came in.
    assert sent <= limit // chunk + 2 < total_chunks
    assert await plugin_summary(console, alice, plugin) == before
    assert tmp_files(console) == []


async def test_a_json_request_over_the_body_limit_is_refused_with_413(console, client, alice):
    padding = "x" * (console.settings.max_body_bytes + 1)

    response = await client.post(
        "/graphql", json={"query": TYPENAME, "extensions": {"pad": padding}}, headers=alice.headers
    )

    assert response.status_code == 413, response.text
    assert top_level_codes(response.json()) == ["REQUEST_TOO_LARGE"]


async def test_a_json_request_just_under_the_body_limit_is_served(console, client, alice):
    padding = "x" * (console.settings.max_body_bytes - 4 * KIB)

    response = await client.post(
        "/graphql", json={"query": TYPENAME, "extensions": {"pad": padding}}, headers=alice.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}


# ---------------------------------------------------------------- storage


async def test_the_package_is_stored_under_its_sha256(console, alice, plugin):
    package = unique_package()

    version = await console.upload(alice, plugin, "1.0.0", package=package)

    sha = hashlib.sha256(package).hexdigest()
    assert version["package"]["sha256"] == sha
    path = stored_path(console.settings, sha)
    assert path.is_file()
    assert path.read_bytes() == package
    assert tmp_files(console) == []


async def test_no_temporary_files_are_left_after_refusals(console, alice, plugin, development_version):
    refusals = [
        (input_for(plugin, "1.0.1"), b"not a zip"),
        (input_for(plugin, "1.0.1"), stored_zip(console.settings.max_package_bytes + 1)),
        (input_for(plugin, "1.0.0"), unique_package()),  # VERSION_EXISTS
        (input_for(plugin, "01.0.0"), unique_package()),  # VALIDATION
    ]
    for input, package in refusals:
        payload = await upload(console, alice, input, package)
        assert payload["version"] is None and payload["userErrors"], payload
        assert tmp_files(console) == []

"""Persisted queries: Apollo's APQ request sequence, and the operator's allow-list."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from pluginhub.app import create_app
from pluginhub.config import Settings
from tests.liveserver import LiveServer, serve
from tests.wsclient import session

ME = "query Me { viewer { name } }"
PLUGINS = "query Plugins { plugins(first: 5) { totalCount } }"
NOT_LISTED = "query Sneaky { viewer { name entity { name } } }"

pytestmark = pytest.mark.filterwarnings("ignore:The `websockets` implementation is deprecated")


def digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def hashed(document: str, operation: str, with_text: bool = False) -> dict:
    """The body Apollo Client's persisted-query link sends."""
    body: dict = {
        "operationName": operation,
        "variables": {},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(document)}},
    }
    if with_text:
        body["query"] = document
    return body


def error_of(answer: httpx.Response) -> tuple[str, str]:
    error = answer.json()["errors"][0]
    return error["message"], error["extensions"]["code"]


async def test_the_apollo_sequence_registers_a_document_then_runs_it_by_hash(client: httpx.AsyncClient, alice) -> None:
    document = ME + " # apq-sequence"
    first = await client.post("/graphql", json=hashed(document, "Me"), headers=alice.headers)
    assert first.status_code == 200
    assert error_of(first) == ("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
    assert "no-cache" in first.headers["cache-control"]

    second = await client.post("/graphql", json=hashed(document, "Me", with_text=True), headers=alice.headers)
    assert second.json() == {"data": {"viewer": {"name": "alice"}}}

    third = await client.post("/graphql", json=hashed(document, "Me"), headers=alice.headers)
    assert third.json() == {"data": {"viewer": {"name": "alice"}}}

    params = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in hashed(document, "Me").items()}
    over_get = await client.get("/graphql", params=params, headers=alice.headers)
    assert over_get.json() == {"data": {"viewer": {"name": "alice"}}}


async def test_a_hash_only_get_for_an_unknown_document_is_not_found(client: httpx.AsyncClient, alice) -> None:
    params = {"extensions": json.dumps(hashed(ME + " # never-sent", "Me")["extensions"])}
    answer = await client.get("/graphql", params=params, headers=alice.headers)
    assert error_of(answer) == ("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")


async def test_a_document_that_does_not_match_its_hash_is_refused(client: httpx.AsyncClient, alice) -> None:
    body = {**hashed(ME, "Me"), "query": PLUGINS}
    answer = await client.post("/graphql", json=body, headers=alice.headers)
    assert answer.status_code == 400
    assert error_of(answer)[1] == "PERSISTED_QUERY_HASH_MISMATCH"
    later = await client.post("/graphql", json=hashed(ME, "Me"), headers=alice.headers)
    assert error_of(later)[1] == "PERSISTED_QUERY_NOT_FOUND", "nothing was stored under the wrong hash"


@pytest.mark.parametrize(
    "persisted",
    [{"version": 2, "sha256Hash": "0" * 64}, {"version": 1, "sha256Hash": "not-hex"}, {"version": 1}, "a string"],
)
async def test_a_malformed_persisted_query_is_a_validation_error(client: httpx.AsyncClient, persisted) -> None:
    answer = await client.post("/graphql", json={"extensions": {"persistedQuery": persisted}})
    assert answer.status_code == 400
    assert error_of(answer)[1] == "VALIDATION"


async def test_requests_without_a_persisted_query_pass_untouched(client: httpx.AsyncClient, alice) -> None:
    answer = await client.post("/graphql", json={"query": ME, "extensions": {}}, headers=alice.headers)
    assert answer.json() == {"data": {"viewer": {"name": "alice"}}}


# ---------------------------------------------------------------- modes other than APQ


@pytest_asyncio.fixture
async def without_apq(settings: Settings, app) -> AsyncIterator[LiveServer]:
    async with serve(create_app(dataclasses.replace(settings, persisted_queries="off"))) as server:
        yield server


async def test_with_persisted_queries_off_a_hash_is_not_supported(without_apq: LiveServer, alice) -> None:
    async with httpx.AsyncClient(base_url=without_apq.http_url) as http:
        answer = await http.post("/graphql", json=hashed(ME, "Me", with_text=True), headers=alice.headers)
    assert error_of(answer) == ("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")


def allowlist(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pluginhub.cli", "allowlist", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    document = tmp_path / "me.graphql"
    document.write_text(ME)
    path = tmp_path / "persisted-queries.json"
    added = allowlist("add", str(document), "--list", str(path))
    assert added.returncode == 0, added.stderr
    return path


@pytest_asyncio.fixture
async def listed_only(settings: Settings, app, manifest: Path) -> AsyncIterator[LiveServer]:
    changed = dataclasses.replace(settings, persisted_queries="allowlist", persisted_queries_file=str(manifest))
    async with serve(create_app(changed)) as server:
        yield server


async def test_the_allow_list_runs_listed_documents_by_hash_or_text(listed_only: LiveServer, alice) -> None:
    async with httpx.AsyncClient(base_url=listed_only.http_url) as http:
        by_hash = await http.post("/graphql", json=hashed(ME, "Me"), headers=alice.headers)
        by_text = await http.post("/graphql", json={"query": ME}, headers=alice.headers)
    assert by_hash.json() == by_text.json() == {"data": {"viewer": {"name": "alice"}}}


async def test_the_allow_list_refuses_every_other_document(listed_only: LiveServer, alice) -> None:
    async with httpx.AsyncClient(base_url=listed_only.http_url) as http:
        text = await http.post("/graphql", json={"query": NOT_LISTED}, headers=alice.headers)
        registering = await http.post("/graphql", json=hashed(NOT_LISTED, "Sneaky", True), headers=alice.headers)
        unknown = await http.post("/graphql", json=hashed(NOT_LISTED, "Sneaky"), headers=alice.headers)
    assert error_of(text)[1] == error_of(registering)[1] == "PERSISTED_QUERY_NOT_IN_LIST"
    assert "data" not in text.json() or text.json()["data"] is None
    assert error_of(unknown)[1] == "PERSISTED_QUERY_NOT_FOUND"
    async with session(listed_only.ws_url, alice.token) as ws:
        await ws.subscribe(NOT_LISTED)
        assert await ws.error_code() == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_a_document_added_to_the_list_runs_without_a_restart(listed_only: LiveServer, manifest, alice) -> None:
    document = manifest.parent / "plugins.graphql"
    document.write_text(PLUGINS)
    async with httpx.AsyncClient(base_url=listed_only.http_url) as http:
        before = await http.post("/graphql", json={"query": PLUGINS}, headers=alice.headers)
        assert error_of(before)[1] == "PERSISTED_QUERY_NOT_IN_LIST"
        assert allowlist("add", str(document), "--list", str(manifest)).returncode == 0
        after = await http.post("/graphql", json={"query": PLUGINS}, headers=alice.headers)
    assert after.json() == {"data": {"plugins": {"totalCount": 0}}}
    assert allowlist("check", "--list", str(manifest)).returncode == 0


def test_the_allow_list_command_refuses_a_document_the_schema_does_not_have(tmp_path: Path) -> None:
    document = tmp_path / "bad.graphql"
    document.write_text("query Bad { noSuchField }")
    refused = allowlist("add", str(document), "--list", str(tmp_path / "list.json"))
    assert refused.returncode == 1 and "noSuchField" in refused.stderr
    assert not (tmp_path / "list.json").exists()


def test_the_server_refuses_to_start_without_a_valid_list(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text(
        '{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "0", "body": "{ x }"}]}'
    )
    for path in (tmp_path / "missing.json", tmp_path / "broken.json"):
        changed = dataclasses.replace(settings, persisted_queries="allowlist", persisted_queries_file=str(path))
        with pytest.raises(ValueError, match="needs a valid manifest"):
            create_app(changed)

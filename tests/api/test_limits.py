"""Query limits, error codes, error masking and request ids, over HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import graphql
import httpx
import pytest

from pluginhub.app import create_app
from pluginhub.config import Settings
from tests.helpers import Console, top_level_codes

# ---------------------------------------------------------------- documents

VIEWER = "query { viewer { id name } }"

SYNTAX_ERROR = "query { viewer { name "

UNKNOWN_FIELD = "query { viewer { name shoeSize } }"

TOO_MANY_PLUGINS = "query { plugins(first: 101) { totalCount } }"

CREATE_PLUGIN = """
mutation($input: CreatePluginInput!) {
  createPlugin(input: $input) { plugin { id } userErrors { code message field } }
}"""

# A chain of real fields that can go as deep as needed:
# plugins.edges.node.versions.edges.node.plugin.versions.edges.node.plugin...
CHAIN = ["plugins", "edges", "node"] + ["versions", "edges", "node", "plugin"] * 5
LEAF = {"plugins": "totalCount", "versions": "totalCount", "edges": "cursor", "node": "id", "plugin": "id"}


def nested_query(depth: int) -> str:
    """A query whose deepest field sits `depth` levels below the top-level field."""
    fields = CHAIN[:depth]
    return "query { " + " { ".join(fields) + " { " + LEAF[fields[-1]] + " }" * depth + " }"


def aliased_query(aliases: int) -> str:
    return "query { " + " ".join(f"a{i}: viewer {{ name }}" for i in range(aliases)) + " }"


def query_with_tokens(count: int) -> str:
    """A valid query of exactly `count` tokens: a fragment spread many times over."""
    head, tail = "{ viewer { id", " } } fragment F on Account { name }"
    spreads, odd = divmod(count - graphql.parse(head + tail).token_count, 2)
    document = head + " ...F" * spreads + (" __typename" if odd else "") + tail
    assert graphql.parse(document).token_count == count
    return document


def assert_limit_exceeded(body: dict, fragment: str | None = None) -> None:
    assert body.get("data") is None, body
    assert top_level_codes(body) == ["LIMIT_EXCEEDED"], body
    if fragment:
        assert fragment in body["errors"][0]["message"], body


@asynccontextmanager
async def second_app(settings: Settings, **changes) -> AsyncIterator[httpx.AsyncClient]:
    """Another app on the same database with other settings, served over ASGI."""
    application = create_app(replace(settings, **changes))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def post(http: httpx.AsyncClient, query: str, who=None, headers: dict | None = None) -> httpx.Response:
    response = await http.post(
        "/graphql", json={"query": query}, headers={**(who.headers if who else {}), **(headers or {})}
    )
    assert response.status_code in (200, 400), response.text
    return response


# ---------------------------------------------------------------- depth


async def test_query_at_the_depth_limit_works(console: Console, alice, plugin, development_version) -> None:
    query = nested_query(12)
    data = await console.query(query, who=alice)
    node = data["plugins"]["edges"][0]["node"]
    assert node["versions"]["edges"][0]["node"]["plugin"]["versions"]["edges"][0]["node"]["plugin"]["versions"] == {
        "totalCount": 1
    }


async def test_query_deeper_than_the_limit_is_refused(console: Console, alice, plugin, development_version) -> None:
    body = await console.post(nested_query(13), who=alice)
    assert_limit_exceeded(body, "depth")


async def test_depth_limit_holds_without_a_token(console: Console) -> None:
    body = await console.post(nested_query(13))
    assert_limit_exceeded(body)


# ---------------------------------------------------------------- tokens


async def test_query_at_the_token_limit_works(console: Console, alice) -> None:
    data = await console.query(query_with_tokens(2000), who=alice)
    assert data["viewer"]["name"] == "alice"


async def test_query_over_the_token_limit_is_refused(console: Console, alice) -> None:
    body = await console.post(query_with_tokens(2001), who=alice)
    assert_limit_exceeded(body, "tokens")


# ---------------------------------------------------------------- aliases


async def test_query_at_the_alias_limit_works(console: Console, alice) -> None:
    data = await console.query(aliased_query(30), who=alice)
    assert len(data) == 30
    assert {value["name"] for value in data.values()} == {"alice"}


async def test_query_over_the_alias_limit_is_refused(console: Console, alice) -> None:
    body = await console.post(aliased_query(31), who=alice)
    assert_limit_exceeded(body, "aliases")


# ---------------------------------------------------------------- malformed queries


async def test_syntax_error_is_a_parse_failure(console: Console, alice) -> None:
    body = await console.post(SYNTAX_ERROR, who=alice)
    assert body.get("data") is None
    assert top_level_codes(body) == ["GRAPHQL_PARSE_FAILED"], body


async def test_unknown_field_is_a_validation_failure(console: Console, alice) -> None:
    body = await console.post(UNKNOWN_FIELD, who=alice)
    assert body.get("data") is None
    assert top_level_codes(body) == ["GRAPHQL_VALIDATION_FAILED"], body
    assert "shoeSize" in body["errors"][0]["message"]


# ---------------------------------------------------------------- configurable limits


async def test_smaller_configured_limits_apply(settings: Settings, console: Console, alice) -> None:
    async with second_app(settings, max_query_depth=3, max_aliases=2, max_query_tokens=40) as http:
        # depth
        ok = (await post(http, nested_query(3), alice)).json()
        assert ok.get("errors") is None, ok
        assert ok["data"]["plugins"]["edges"] == []
        assert_limit_exceeded((await post(http, nested_query(4), alice)).json(), "depth")
        # aliases
        ok = (await post(http, aliased_query(2), alice)).json()
        assert ok.get("errors") is None, ok
        assert_limit_exceeded((await post(http, aliased_query(3), alice)).json(), "aliases")
        # tokens
        ok = (await post(http, query_with_tokens(40), alice)).json()
        assert ok.get("errors") is None, ok
        assert_limit_exceeded((await post(http, query_with_tokens(41), alice)).json(), "tokens")

    # The default app keeps its own limits.
    assert (await console.query(nested_query(12), who=alice))["plugins"]["edges"] == []
    assert len(await console.query(aliased_query(30), who=alice)) == 30


# ---------------------------------------------------------------- masking and request ids


@pytest.fixture
def storage_file(tmp_path: Path) -> Path:
    """A regular file where the package directory should be: storing a package fails."""
    path = tmp_path / "not-a-directory"
    path.write_text("occupied")
    return path


async def test_unexpected_error_is_masked_and_logged(
    settings: Settings, alice, plugin, storage_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="pluginhub.errors")
    async with second_app(settings, storage_dir=str(storage_file)) as http:
        response = await Console(http, settings).upload_response(alice, plugin, "1.0.0")

    rid = response.headers.get("x-request-id")
    assert rid
    body = response.json()
    assert body.get("data") is None or body["data"].get("uploadVersion") is None, body
    errors = body["errors"]
    assert len(errors) == 1, body
    error = errors[0]
    assert "internal error" in error["message"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == rid
    # Nothing about the failure leaks to the client.
    text = response.text
    for leak in (
        "Traceback",
        "NotADirectoryError",
        "FileExistsError",
        "Errno",
        str(storage_file),
        str(Path.cwd()),
        ".py",
    ):
        assert leak not in text, f"{leak!r} leaked into the response: {text}"

    # The operator gets the whole story under the same id.
    records = [r for r in caplog.records if r.name == "pluginhub.errors" and r.levelno >= logging.ERROR]
    assert records, "the unexpected error was not logged"
    logged = [r for r in records if rid in r.getMessage()]
    assert logged, [r.getMessage() for r in records]
    record = logged[0]
    assert record.exc_info is not None and isinstance(record.exc_info[1], OSError), record.exc_info
    assert "Traceback" in caplog.text
    assert str(storage_file) in caplog.text


async def test_masked_error_carries_the_client_request_id(
    settings: Settings, alice, plugin, storage_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="pluginhub.errors")
    async with second_app(settings, storage_dir=str(storage_file)) as http:
        response = await Console(http, settings).upload_response(
            alice, plugin, "1.0.0", headers={"X-Request-ID": "trace-42"}
        )
    assert response.headers["x-request-id"] == "trace-42"
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "trace-42"}
    assert any("trace-42" in r.getMessage() for r in caplog.records if r.name == "pluginhub.errors")


async def test_client_errors_are_not_masked(
    settings: Settings, console: Console, alice, plugin, storage_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="pluginhub.errors")
    # A UserError in the payload.
    payload = await console.mutate(CREATE_PLUGIN, {"name": "", "description": "nameless"}, alice)
    assert payload["plugin"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["VALIDATION"]
    assert "internal error" not in payload["userErrors"][0]["message"]

    # A VALIDATION top-level error.
    body = await console.post(TOO_MANY_PLUGINS, who=alice)
    assert top_level_codes(body) == ["VALIDATION"], body
    assert "internal error" not in body["errors"][0]["message"]
    assert "100" in body["errors"][0]["message"]

    # Even on the app whose package store is broken, a rule broken by the caller is reported as such.
    async with second_app(settings, storage_dir=str(storage_file)) as http:
        response = await Console(http, settings).upload_response(alice, plugin, "1.0")
    body = response.json()
    assert body.get("errors") is None, body
    errors = body["data"]["uploadVersion"]["userErrors"]
    assert [e["code"] for e in errors] == ["VALIDATION"], errors
    assert errors[0]["field"] == ["input", "version"]

    assert not [r for r in caplog.records if r.name == "pluginhub.errors" and r.levelno >= logging.ERROR]


async def test_request_id_is_echoed(client: httpx.AsyncClient, alice) -> None:
    response = await post(client, VIEWER, alice, headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["data"]["viewer"]["name"] == "alice"


async def test_request_id_is_generated_when_absent(client: httpx.AsyncClient, alice) -> None:
    first = await post(client, VIEWER, alice)
    second = await post(client, VIEWER, alice)
    assert first.headers.get("x-request-id")
    assert second.headers.get("x-request-id")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
